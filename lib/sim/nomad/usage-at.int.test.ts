import { afterEach, describe, expect, it } from "vitest";
import { NomadAdapter } from "@/lib/adapters/nomad/adapter";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { badFiguresOverAWeek, sampleByName, usageDifferences } from "@/lib/sim/demo-usage-check";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { seedNomadDemo } from "./demo";
import { startNomadSim } from "./server";
import { usageAtFor } from "./usage";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("Nomad demo usageAt", () => {
  it("agrees with what the adapter reads from client and allocation stats", async () => {
    const sim = await startNomadSim({
      tickMs: 40,
      heartbeatMs: 200,
      timings: { startMs: 200, startJitterMs: 0, stopMs: 100, batchRunMs: 60_000, gcMs: 60_000, restartsPerMinute: 0 },
      seed: (w) => seedNomadDemo(w),
    });
    cleanups.push(() => sim.close());
    const adapter = new NomadAdapter(
      NomadConnectionSchema.parse({ address: sim.url }),
      { clusterId: "nomad-test", log: createLogger("nomad-test"), secrets: new SecretSet(), env: {} },
      { backoff: { baseMs: 50, maxMs: 400 }, streamIdleMs: 2000, blockingWaitMs: 5000 },
    );
    const sink = new RecordingSink();
    const abort = new AbortController();
    const done = adapter.run(sink, abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await done;
    });
    const live = () => [...sim.world.allocs.values()].filter((a) => a.ClientStatus === "running").length;
    await waitFor(
      "every placed allocation running in the adapter's view",
      () => live() >= 12 && sink.list("tasks").filter((t) => t.state === "running").length === live(),
    );
    const usageAt = usageAtFor(sim.world);
    const before = Date.now();
    const sample = await adapter.sampleUsage();
    const expected = usageAt((before + Date.now()) / 2);
    expect(expected.tasks.size).toBe(live());
    expect(expected.nodes.size).toBe(sim.world.nodes.size);
    const actual = sampleByName(sample!, sink.list("nodes"), sink.list("tasks"));
    // The reads are a few milliseconds apart, and the curves move a little in between.
    expect(usageDifferences(expected, actual, { cpuMillis: 5, memoryBytes: 256 * 1024 })).toEqual([]);

    // The server backfills a week from the model: every moment of it gives real figures (the cost is the bench's to measure).
    expect(badFiguresOverAWeek(usageAt, Date.now())).toEqual([]);
  });
});
