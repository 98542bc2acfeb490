import { afterEach, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { RECENT_PROBLEM_MS, nodeHealth, workloadHealth, type Problem } from "@/lib/model/health";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { addClient, addJob, startNomadSim, type NomadSim, type NomadSimOptions } from "@/lib/sim/nomad";
import { NomadAdapter } from "./adapter";
import { NomadConnectionSchema, type NomadConnection } from "./connection";

/**
 * The health rules end to end: the simulator fails tasks, placements and
 * rollouts the way Nomad does, the adapter reads them through the API, and
 * each problem lands on the right task and group and clears once fixed.
 *
 * The simulator's clock is the test's: its timer never fires, and each check
 * that does not hold yet moves it on a step. What the simulator does depends
 * on that clock alone, so a slow machine only takes longer to get there.
 */

const NEVER = 2 ** 31 - 1;
const STEP_MS = 100;
const TIMINGS: NomadSimOptions["timings"] = {
  startMs: 200,
  startJitterMs: 0,
  stopMs: 100,
  gcMs: 600_000,
  restartsPerMinute: 0,
  restartDelayMs: 200,
  rescheduleDelayMs: 400,
  minHealthyMs: 300,
  progressDeadlineMs: 5_000,
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const WEB = "default~web~app";

interface Rig {
  sim: NomadSim;
  sink: RecordingSink;
  adapter: NomadAdapter;
  /** The simulator's clock, in ms. */
  now(): number;
  /** Polls `check` until it holds, moving the simulator's clock on a step after each miss. */
  until<T>(what: string, check: () => T): Promise<NonNullable<T>>;
  /** A group's health as the server judges it now, from its own problems and its allocations'. */
  health(workloadId: string, at?: number): ReturnType<typeof workloadHealth>;
}

async function rig(seed: NomadSimOptions["seed"], connection: Partial<NomadConnection> = {}): Promise<Rig> {
  const sim = await startNomadSim({ tickMs: NEVER, heartbeatMs: 200, timings: TIMINGS, random: () => 0.5, seed });
  cleanups.push(() => sim.close());
  let clock = Date.now();
  const adapter = new NomadAdapter(
    NomadConnectionSchema.parse({ address: sim.url, ...connection }),
    { clusterId: "nomad-health", log: createLogger("nomad-health"), secrets: new SecretSet(), env: {} },
    { backoff: { baseMs: 50, maxMs: 400 }, streamIdleMs: 2000, blockingWaitMs: 5000, resyncMs: 600_000 },
  );
  const sink = new RecordingSink();
  const ac = new AbortController();
  const done = adapter.run(sink, ac.signal);
  cleanups.push(async () => {
    ac.abort();
    await done;
  });
  const until = <T>(what: string, check: () => T) =>
    waitFor(what, () => {
      const value = check();
      if (!value) sim.scheduler.tick((clock += STEP_MS));
      return value;
    });
  await until("the first list", () => sink.connection?.status === "ok");
  return {
    sim,
    sink,
    adapter,
    now: () => clock,
    until,
    health: (id, at = clock) => workloadHealth(sink.items.workloads.get(id)!, sink.tasksOf(id), at, "allocations"),
  };
}

const client = (name = "client-1") => ({
  name,
  datacenter: "dc1",
  cores: 8,
  mhzPerCore: 2000,
  memoryGiB: 16,
  reservedMhz: 0,
  reservedMemoryMB: 0,
});
const find = (problems: readonly Problem[], reason: string) => problems.find((p) => p.reason === reason);
const holds = (p: Problem | undefined) => p?.severity === "critical" && p.ongoing;

describe("Nomad health against the simulator", () => {
  it("reads an image that cannot be pulled on the allocations and the group, the failed rollout on the group, both gone once fixed", async () => {
    const r = await rig((w) => {
      addClient(w, client());
      addJob(w, {
        id: "web",
        datacenters: ["dc1"],
        groups: [{ name: "app", count: 2, tasks: [{ name: "nginx", image: "nginx:1.27", cpu: 500, memoryMB: 256 }] }],
      });
    });
    await r.until("web healthy", () => r.health(WEB).state === "healthy" && r.sink.items.workloads.get(WEB)?.ready === 2);

    const job = r.sim.world.job("default", "web")!;
    r.sim.scheduler.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "registry.acme.invalid/web:2"), r.now());

    // The allocations of the new version: the docker driver's words, critical while the task cannot run.
    const failing = await r.until("an allocation that cannot pull its image", () =>
      r.sink.tasksOf(WEB).find((t) => holds(find(t.problems ?? [], "Image cannot be pulled"))),
    );
    expect(find(failing.problems!, "Image cannot be pulled")?.evidence).toMatch(
      /^task nginx: Failed to pull `registry\.acme\.invalid\/web:2`: .*lookup registry\.acme\.invalid.*no such host/,
    );
    // The group says so for its allocations, and nothing of it runs.
    await r.until("the group failing on the pull", () => {
      const health = r.health(WEB);
      return health.state === "failing" && holds(find(health.problems, "Image cannot be pulled"));
    });

    // Nomad fails the deployment once its progress deadline passes without a healthy allocation.
    const rollout = await r.until("the rollout failed", () => find(r.sink.items.workloads.get(WEB)?.problems ?? [], "Rollout failed"));
    expect(rollout).toMatchObject({ severity: "critical", ongoing: true });
    expect(rollout.evidence).toMatch(
      /^deployment [0-9a-f]{8} of job version 1: Failed due to progress deadline \(0 of 2 healthy, \d+ unhealthy\)$/,
    );

    r.sim.scheduler.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "nginx:1.28"), r.now());
    await r.until("the fixed version running, its rollout done", () => {
      const health = r.health(WEB);
      return (
        !r.sink.items.workloads.get(WEB)?.problems &&
        health.tasks.ready === 2 &&
        health.tasks.stopping === 0 &&
        health.problems.every((p) => !p.ongoing)
      );
    });
    // What failed was replaced: history, dated, a warning for the hour after it, then gone.
    const after = r.health(WEB);
    expect(after.problems.some((p) => p.severity === "critical" && p.ongoing)).toBe(false);
    expect(after.problems.every((p) => p.severity === "warning" && p.since !== null)).toBe(true);
    expect(find(after.problems, "Image cannot be pulled")).toBeDefined();
    expect(r.health(WEB, r.now() + RECENT_PROBLEM_MS + 1000).state).toBe("healthy");
  });

  it("reads a task that exits as soon as it starts as a crash loop, until a version that runs", async () => {
    const WORKER = "default~worker~run";
    const r = await rig((w) => {
      addClient(w, client());
      addJob(w, {
        id: "worker",
        datacenters: ["dc1"],
        groups: [{ name: "run", count: 1, tasks: [{ name: "worker", command: "/bin/false", cpu: 200, memoryMB: 128 }] }],
      });
    });
    const looping = await r.until("the crash loop", () => r.sink.tasksOf(WORKER).find((t) => holds(find(t.problems ?? [], "Crash loop"))));
    expect(find(looping.problems!, "Crash loop")?.evidence).toMatch(
      /^task worker: Exit Code: 1; (Task restarting in [\d.]+m?s|Exceeded allowed attempts 2 in interval 30m0s and mode is "fail") \(\d restarts?\)$/,
    );
    await r.until("the group crash-looping", () => holds(find(r.health(WORKER).problems, "Crash loop")));

    const job = r.sim.world.job("default", "worker")!;
    r.sim.scheduler.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.command = "/usr/local/bin/worker"), r.now());
    await r.until("the worker running", () => {
      const health = r.health(WORKER);
      return health.tasks.ready === 1 && health.tasks.stopping === 0 && health.problems.every((p) => !p.ongoing);
    });
    expect(r.health(WORKER, r.now() + RECENT_PROBLEM_MS + 1000).state).toBe("healthy");
  });

  it("reads a group too large for the client as one that cannot be placed, until it is scaled down", async () => {
    const BIG = "default~big~cache";
    const r = await rig((w) => {
      addClient(w, client());
      addJob(w, {
        id: "big",
        datacenters: ["dc1"],
        groups: [{ name: "cache", count: 3, tasks: [{ name: "redis", image: "redis:7", cpu: 500, memoryMB: 6 * 1024 }] }],
      });
    });
    const placement = await r.until("the placement failure", () =>
      find(r.sink.items.workloads.get(BIG)?.problems ?? [], "Cannot be placed"),
    );
    // 16 GiB hold two of 6 GiB; the blocked evaluation says which dimension ran out.
    expect(placement).toMatchObject({
      severity: "critical",
      ongoing: true,
      evidence: "1 allocation queued: memory exhausted on 1 node (1 node evaluated)",
    });
    expect(placement.since).not.toBeNull();
    // Two of three run: the group is degraded, not down.
    await r.until("two running", () => r.health(BIG).state === "degraded" && r.health(BIG).tasks.ready === 2);

    await r.adapter.scale(BIG, 2);
    await r.until("the group placed", () => !r.sink.items.workloads.get(BIG)?.problems && r.sink.items.workloads.get(BIG)?.ready === 2);
    expect(r.health(BIG).state).toBe("healthy");
  });

  it("reads allocations lost with their node, critical until replaced elsewhere", async () => {
    const r = await rig((w) => {
      addClient(w, client("client-1"));
      addJob(w, {
        id: "web",
        datacenters: ["dc1"],
        groups: [{ name: "app", count: 2, tasks: [{ name: "nginx", image: "nginx:1.27", cpu: 500, memoryMB: 256 }] }],
      });
    });
    await r.until("web running", () => r.sink.items.workloads.get(WEB)?.ready === 2);
    const node = [...r.sim.world.nodes.values()][0]!;
    r.sim.scheduler.setNodeStatus(node.ID, "down", r.now());

    // No other client: the work stays undone.
    await r.until(
      "both allocations lost",
      () => r.sink.tasksOf(WEB).filter((t) => holds(find(t.problems ?? [], "Node lost"))).length === 2,
    );
    expect(find(r.health(WEB).problems, "Node lost")?.evidence).toMatch(/^2 of 2 allocations: web\.app\[\d\]: lost on node client-1: /);
    expect(nodeHealth(r.sink.items.nodes.get(node.ID)!, r.now()).state).toBe("failing");

    addClient(r.sim.world, client("client-2"));
    await r.until(
      "replaced on the new client",
      () => r.sink.items.workloads.get(WEB)?.ready === 2 && r.health(WEB).problems.every((p) => !p.ongoing),
    );
    expect(r.health(WEB).problems.map((p) => [p.reason, p.severity])).toEqual([["Node lost", "warning"]]);
  });

  it("follows rollouts with blocking queries too", async () => {
    const r = await rig(
      (w) => {
        addClient(w, client());
        addJob(w, {
          id: "web",
          datacenters: ["dc1"],
          groups: [{ name: "app", count: 1, tasks: [{ name: "nginx", image: "nginx:1.27", cpu: 500, memoryMB: 256 }] }],
        });
      },
      { eventStream: false },
    );
    await r.until("web running", () => r.sink.items.workloads.get(WEB)?.ready === 1);
    const job = r.sim.world.job("default", "web")!;
    r.sim.scheduler.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "registry.acme.invalid/web:2"), r.now());
    await r.until("the rollout failed", () => holds(find(r.sink.items.workloads.get(WEB)?.problems ?? [], "Rollout failed")));
  });
});
