import { afterEach, describe, expect, it } from "vitest";
import { EcsAdapter } from "@/lib/adapters/ecs/adapter";
import { EcsConnectionSchema } from "@/lib/adapters/ecs/connection";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { badFiguresOverAWeek, sampleByName, usageDifferences } from "@/lib/sim/demo-usage-check";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { DEMO_CREDENTIALS, DEMO_EC2_CLUSTER, DEMO_FAILING_SERVICE, DEMO_FARGATE_CLUSTER, seedDemoWorld } from "./demo";
import { usageAtFor } from "./metrics";
import { startEcsSim, type EcsSim } from "./server";

const log = createLogger("ecs-usage-at-test");
const running: { sim: EcsSim; abort: AbortController }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.sim.close();
  }
});

const KILL_EVERY_MS = 20 * 60_000;

describe("ECS demo usageAt", () => {
  it.each([DEMO_EC2_CLUSTER, DEMO_FARGATE_CLUSTER])(
    "agrees with what the adapter reads from CloudWatch for %s",
    async (cluster) => {
      const sim = await startEcsSim({ timings: { provisionMs: 40, pendingMs: 40, stoppingMs: 40, tickMs: 20 }, seed: seedDemoWorld });
      const connection = EcsConnectionSchema.parse({ region: "eu-west-1", cluster, endpoint: sim.endpoint, credentials: DEMO_CREDENTIALS });
      const adapter = new EcsAdapter(
        connection,
        { clusterId: "test", log, secrets: new SecretSet(), env: {} },
        { resyncMs: 100, fastPollMs: 50, usageRefreshMs: 0, maxAttempts: 1, backoff: { baseMs: 50, maxMs: 400 } },
      );
      // The worker is OOM-killed at each 20-minute mark of the clock (demo.ts): sample clear of one, so that no task
      // is replaced between the adapter's view and the sample.
      const untilKill = KILL_EVERY_MS - (Date.now() % KILL_EVERY_MS);
      if (untilKill < 30_000) await new Promise((resolve) => setTimeout(resolve, untilKill + 2_000));
      const sink = new RecordingSink();
      const abort = new AbortController();
      running.push({ sim, abort });
      void adapter.run(sink, abort.signal);
      const world = sim.world.clusters.get(cluster)!;
      // The broken service never runs a task, so it has no usage to agree on.
      const desired = [...world.services.values()].filter((s) => s.name !== DEMO_FAILING_SERVICE).reduce((n, s) => n + s.desiredCount, 0);
      await waitFor("every task running in the adapter's view", () => {
        const tasks = sink.list("tasks").filter((t) => t.state === "running" && t.ready);
        return tasks.length === desired && tasks.length === [...world.tasks.values()].filter((t) => t.lastStatus === "RUNNING").length;
      });
      const usageAt = usageAtFor(sim.world, cluster);
      // The adapter reads the newest complete minute: retry a sample that straddles a minute's end.
      for (;;) {
        const before = Date.now();
        const sample = (await adapter.sampleUsage())!;
        const after = Date.now();
        if (Math.floor(before / 60_000) !== Math.floor(after / 60_000)) continue;
        const expected = usageAt(after);
        expect(expected.tasks.size).toBe(desired);
        const actual = sampleByName(sample, sink.list("nodes"), sink.list("tasks"));
        // Datapoints carry three decimals of CPU units and MiB (or of a percentage).
        expect(usageDifferences(expected, actual, { cpuMillis: 1, memoryBytes: 64 * 1024 })).toEqual([]);
        break;
      }
      // The server backfills a week from the model: every moment of it gives real figures (the cost is the bench's to measure).
      expect(badFiguresOverAWeek(usageAt, Date.now())).toEqual([]);
    },
    90_000,
  );
});
