import "server-only";
import { sleep } from "@/lib/adapters/sleep";
import { emptyUsageSample, type UsageSample } from "@/lib/adapters/types";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import type { Snapshot } from "./snapshot";

/**
 * The demo's history from its first minute: a simulated cluster's own
 * deterministic model of use (DemoCluster.usageAt), read back over the week
 * the history keeps, as if Fleetdeck had sampled it all along. Answers for a
 * demo cluster say `source: "demo"`, so this is never taken for measurement.
 */

/** Backfilled rounds between yields to the event loop, so a starting server keeps answering. */
const ROUNDS_PER_YIELD = 100;

/** The model and the snapshot must agree this long before the backfill; after the maximum it goes ahead anyway. */
const SETTLED_MS = 3_000;
const SETTLE_MAX_MS = 60_000;

/** The simulator's figures by name, turned into a sample by the adapter's ids through the snapshot. */
export function sampleFromDemo(snapshot: Snapshot, usage: DemoUsage): UsageSample {
  const sample = emptyUsageSample();
  for (const node of snapshot.nodes.values()) {
    const used = usage.nodes.get(node.name);
    if (used) sample.nodes.set(node.id, used);
  }
  for (const task of snapshot.tasks.values()) {
    const used = usage.tasks.get(demoTaskKey(task.namespace, task.name));
    if (used) sample.tasks.set(task.id, used);
  }
  return sample;
}

/**
 * Records the model's use at each of `times` (oldest first) through `record`,
 * the owner's own path for live samples. Stops early when `signal` aborts;
 * answers how many rounds were recorded.
 */
export async function backfillDemoHistory(options: {
  times: readonly number[];
  snapshot: () => Snapshot;
  usageAt: (t: number) => DemoUsage;
  record: (t: number, sample: UsageSample) => void;
  signal: AbortSignal;
}): Promise<number> {
  const { times, usageAt, record, signal } = options;
  let rounds = 0;
  for (const t of times) {
    if (signal.aborted) break;
    record(t, sampleFromDemo(options.snapshot(), usageAt(t)));
    if (++rounds % ROUNDS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return rounds;
}

/**
 * Resolves once the model and the snapshot agree on nearly every task that
 * runs, and neither has changed for a moment. A simulator starts
 * its tasks over its first seconds, an adapter that polls sees them a little
 * later, and the model covers the tasks running when it is read; something
 * may never settle, so a minute at most.
 */
export async function modelSettled(options: {
  snapshot: () => Snapshot;
  usageAt: (t: number) => DemoUsage;
  signal: AbortSignal;
}): Promise<void> {
  const { snapshot, usageAt, signal } = options;
  const reading = () => {
    const running = [...snapshot().tasks.values()].filter((t) => t.state === "running").map((t) => t.id);
    const model = usageAt(Date.now()).tasks;
    const modelled = sampleFromDemo(snapshot(), { nodes: new Map(), tasks: model }).tasks;
    const covered = running.filter((id) => modelled.has(id)).length;
    // Both ways: the model has figures for what the snapshot runs, and the snapshot shows what the model runs
    // (an adapter may list one part of a cluster before another, as Mesos frameworks before Marathon's apps).
    // Tasks listed but none running yet: nothing to agree on.
    const started = running.length > 0 || snapshot().tasks.size === 0;
    const agree = started && covered >= 0.9 * running.length && modelled.size >= 0.9 * model.size;
    return { agree, key: `${running.sort().join(",")}|${[...modelled.keys()].sort().join(",")}` };
  };
  const giveUp = Date.now() + SETTLE_MAX_MS;
  let last = reading();
  let stillSince = Date.now();
  while (!signal.aborted && Date.now() < giveUp && !(last.agree && Date.now() - stillSince >= SETTLED_MS)) {
    await sleep(250, signal);
    const next = reading();
    if (next.key !== last.key) stillSince = Date.now();
    last = next;
  }
}
