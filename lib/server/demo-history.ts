import "server-only";
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
