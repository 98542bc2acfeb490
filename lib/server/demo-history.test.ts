import { afterEach, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { emptyUsageSample, type ClusterAdapter, type SnapshotSink, type UsageSample } from "@/lib/adapters/types";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import type { NodeCore, TaskCore, WorkloadCore } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { ClusterOwner } from "./cluster-owner";
import { sampleFromDemo } from "./demo-history";
import { applyChanges, EMPTY_SNAPSHOT } from "./snapshot";

/**
 * A demo cluster's history is backfilled from its simulator's model: a week
 * of it as soon as the snapshot names the nodes and tasks, each bucket the
 * model's figure at its time, and live samples after it.
 */

const HOUR = 3_600_000;
const hourOfDay = (t: number) => Math.floor(t / HOUR) % 24;

/** A daily cycle any time can be checked against. */
function usageAt(t: number): DemoUsage {
  return {
    nodes: new Map([["node-one", { cpuMillis: 500 + 10 * hourOfDay(t), memoryBytes: 4e9 }]]),
    tasks: new Map([[demoTaskKey("shop", "web-1"), { cpuMillis: 100 + 10 * hourOfDay(t), memoryBytes: 2e8 }]]),
  };
}

const NODE = { id: "n-1", name: "node-one", ready: true } as unknown as NodeCore;
const WORKLOAD = { id: "w-1", name: "web", namespace: "shop", labels: {}, events: [] } as unknown as WorkloadCore;
const TASK = {
  id: "t-1",
  name: "web-1",
  namespace: "shop",
  workloadId: "w-1",
  node: "n-1",
  state: "running",
  requests: { cpuMillis: 200, memoryBytes: 3e8 },
} as unknown as TaskCore;

/**
 * Reports one node, workload and task, and samples the same model live (by
 * ids, as an adapter would). With `startsAfterMs`, the task is first listed
 * pending, as a simulator's tasks are while they start.
 */
class DemoAdapter implements ClusterAdapter {
  readonly orchestrator = "kubernetes" as const;
  constructor(private readonly startsAfterMs = 0) {}
  run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const starting = this.startsAfterMs > 0;
    sink.apply([
      { type: "replace", resource: "nodes", items: [NODE] },
      { type: "replace", resource: "workloads", items: [WORKLOAD] },
      { type: "replace", resource: "tasks", items: [starting ? { ...TASK, state: "pending" } : TASK] },
      { type: "replace", resource: "services", items: [] },
    ]);
    if (starting) setTimeout(() => sink.apply([{ type: "replace", resource: "tasks", items: [TASK] }]), this.startsAfterMs);
    sink.setConnection({ status: "ok", reason: null, version: "sim" });
    return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
  async sampleUsage(): Promise<UsageSample> {
    const sample = emptyUsageSample();
    sample.tasks.set("t-1", usageAt(Date.now()).tasks.get(demoTaskKey("shop", "web-1"))!);
    sample.nodes.set("n-1", usageAt(Date.now()).nodes.get("node-one")!);
    return sample;
  }
}

let owner: ClusterOwner | null = null;
afterEach(async () => {
  await owner?.stop();
  owner = null;
});

it("turns the model's names into the adapter's ids through the snapshot, leaving out what the snapshot does not have", () => {
  const snapshot = applyChanges(EMPTY_SNAPSHOT, [
    { type: "replace", resource: "nodes", items: [NODE] },
    { type: "replace", resource: "tasks", items: [TASK] },
  ]);
  const usage = usageAt(0);
  usage.tasks.set(demoTaskKey("shop", "gone-1"), { cpuMillis: 1, memoryBytes: 1 });
  usage.nodes.set("node-gone", { cpuMillis: 1, memoryBytes: 1 });
  const sample = sampleFromDemo(snapshot, usage);
  expect([...sample.tasks.keys()]).toEqual(["t-1"]);
  expect([...sample.nodes.keys()]).toEqual(["n-1"]);
});

it("backfills a week from the model, then samples live", async () => {
  owner = new ClusterOwner(
    { id: "demo", name: "demo", orchestrator: "kubernetes", demo: true, adapter: new DemoAdapter(), secrets: new SecretSet(), usageAt },
    { usageStepSeconds: 15, usageRetainSeconds: (4 * HOUR) / 1000, log: memoryLogger() },
  );
  const started = Date.now();
  owner.start();
  const weekAgo = started - 7 * 24 * HOUR;
  while (owner.history.points("workload:w-1", started - 60_000).length === 0) await new Promise((r) => setTimeout(r, 20));

  const week = owner.history.points("workload:w-1", weekAgo);
  expect(owner.history.stepFor("workload:w-1", weekAgo)).toBe(300);
  // From a week before the backfill began (after the settle wait), to the 5-minute bucket.
  expect(week[0].t - weekAgo).toBeLessThan(300_000 + (Date.now() - started));
  expect(week.at(-1)!.t).toBeGreaterThan(started - 600_000);
  // Each backfilled bucket holds the model's figure at its start; the cluster is the sum of its tasks.
  for (const p of week.slice(0, -2)) expect(p.cpuMillis).toBe(100 + 10 * hourOfDay(p.t));
  expect(owner.history.points("node:n-1", weekAgo)[0].cpuMillis).toBe(500 + 10 * hourOfDay(week[0].t));
  expect(owner.history.points("cluster", weekAgo).length).toBe(week.length);

  const lastHour = owner.history.points("workload:w-1", started - HOUR);
  expect(owner.history.stepFor("workload:w-1", started - HOUR)).toBe(15);
  expect(lastHour.length).toBeGreaterThanOrEqual(239);
  for (const p of lastHour) expect(p.cpuMillis).toBe(100 + 10 * hourOfDay(p.t));
  // Times only go forward: the live sample after the backfill.
  const times = lastHour.map((p) => p.t);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

it("waits for the tasks to run before it backfills: a task still starting would leave the week empty", async () => {
  // The simulator starts the task after a second, and its model has figures only for running tasks;
  // the adapter sees it running half a second later.
  let running = false;
  setTimeout(() => (running = true), 1_000);
  const startingModel = (t: number): DemoUsage => (running ? usageAt(t) : { nodes: usageAt(t).nodes, tasks: new Map() });
  owner = new ClusterOwner(
    {
      id: "demo",
      name: "demo",
      orchestrator: "kubernetes",
      demo: true,
      adapter: new DemoAdapter(1_500),
      secrets: new SecretSet(),
      usageAt: startingModel,
    },
    { usageStepSeconds: 15, usageRetainSeconds: (4 * HOUR) / 1000, log: memoryLogger() },
  );
  const started = Date.now();
  owner.start();
  while (owner.history.points("workload:w-1", started - 60_000).length === 0) await new Promise((r) => setTimeout(r, 20));
  const week = owner.history.points("workload:w-1", started - 7 * 24 * HOUR);
  expect(week.length).toBeGreaterThan(2000);
  expect(week.every((p) => p.cpuMillis !== null)).toBe(true);
});
