import { afterEach, describe, expect, it } from "vitest";
import { MesosAdapter } from "@/lib/adapters/mesos/adapter";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import type { DemoUsage } from "@/lib/model/demo";
import { badFiguresOverAWeek, sampleByName, usageDifferences } from "@/lib/sim/demo-usage-check";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { startMesosSim } from "./index";
import { usageAtFor } from "./usage";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("Mesos demo usageAt", () => {
  it("agrees with what the adapter reads from the agents' /monitor/statistics", async () => {
    const sim = await startMesosSim();
    cleanups.push(() => sim.close());
    const adapter = new MesosAdapter(
      { master: { url: sim.masterUrl }, marathon: { url: sim.marathonUrl } },
      { clusterId: "mesos-test", log: createLogger("mesos-test"), secrets: new SecretSet(), env: {} },
      // A short interval between the two statistics rounds: the adapter's CPU is the average over it, usageAt's the rate at t.
      { usagePrimeMs: 300 },
    );
    const sink = new RecordingSink();
    const abort = new AbortController();
    const done = adapter.run(sink, abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await done;
    });
    const live = () => [...sim.world.tasks.values()].filter((t) => t.state === "TASK_RUNNING").length;
    await waitFor(
      "every running task in the adapter's view",
      () => sink.list("tasks").filter((t) => t.state === "running").length === live(),
    );
    const usageAt = usageAtFor(sim.world);
    const before = Date.now();
    const sample = await adapter.sampleUsage();
    const expected = usageAt(Date.now());
    // The sample's CPU is a rate averaged over some part of the read, however long the read took:
    // what the model's rates did in that time is allowed beside the rounding.
    const drift = cpuDrift(usageAt, before, Date.now());
    expect(expected.tasks.size).toBe(live());
    expect(expected.nodes.size).toBe(sim.world.agents.size);
    const actual = sampleByName(sample!, sink.list("nodes"), sink.list("tasks"));
    // CPU seconds carry three decimals; memory moves a little in the milliseconds between the reads.
    expect(usageDifferences(expected, actual, { cpuMillis: 15 + drift, memoryBytes: 256 * 1024 })).toEqual([]);

    // The server backfills a week from the model: every moment of it gives real figures (the cost is the bench's to measure).
    expect(badFiguresOverAWeek(usageAt, Date.now())).toEqual([]);
  });
});

/** The most any node's or task's CPU rate moves in the model between `from` and `to`, in millicores (looked at every 10 ms). */
function cpuDrift(usageAt: (t: number) => DemoUsage, from: number, to: number): number {
  const end = usageAt(to);
  let drift = 0;
  for (let t = from; t < to; t += 10) {
    const u = usageAt(t);
    for (const [kind, figures] of [
      ["nodes", u.nodes],
      ["tasks", u.tasks],
    ] as const) {
      for (const [key, r] of figures) drift = Math.max(drift, Math.abs(r.cpuMillis - (end[kind].get(key)?.cpuMillis ?? r.cpuMillis)));
    }
  }
  return drift;
}
