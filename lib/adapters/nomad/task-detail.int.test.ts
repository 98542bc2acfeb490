import { afterEach, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { TaskDetailSchema, type TaskDetail } from "@/lib/model/types";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { addClient, addJob, startNomadSim, type NomadSim, type NomadSimOptions } from "@/lib/sim/nomad";
import { NomadAdapter } from "./adapter";
import { NomadConnectionSchema, type NomadConnection } from "./connection";

/**
 * An allocation read in full from the simulator, as GET /v1/allocation/:id
 * answers it: a task that exits at once restarts by the restart policy until
 * the allocation fails, its sibling is killed for it, and a replacement is
 * rescheduled. The simulator's clock is the test's (see health.int.test.ts).
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
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(connection: Partial<NomadConnection> = {}) {
  const sim: NomadSim = await startNomadSim({
    tickMs: NEVER,
    heartbeatMs: 200,
    timings: TIMINGS,
    random: () => 0.5,
    seed: (w) => {
      addClient(w, { name: "client-1", datacenter: "dc1", cores: 8, mhzPerCore: 2000, memoryGiB: 16, reservedMhz: 0, reservedMemoryMB: 0 });
      addJob(w, {
        id: "worker",
        namespace: "jobs",
        datacenters: ["dc1"],
        groups: [
          {
            name: "g",
            count: 1,
            tasks: [
              { name: "app", command: "/bin/false", cpu: 200, memoryMB: 128 },
              { name: "proxy", image: "envoyproxy/envoy:v1.31.3", cpu: 100, memoryMB: 64 },
            ],
          },
        ],
      });
    },
  });
  cleanups.push(() => sim.close());
  let clock = Date.now();
  const adapter = new NomadAdapter(
    NomadConnectionSchema.parse({ address: sim.url, namespaces: ["jobs"], ...connection }),
    { clusterId: "nomad-detail", log: createLogger("nomad-detail"), secrets: new SecretSet(), env: {} },
    { backoff: { baseMs: 50, maxMs: 400 }, streamIdleMs: 2000, blockingWaitMs: 5000, resyncMs: 600_000 },
  );
  const sink = new RecordingSink();
  const ac = new AbortController();
  const done = adapter.run(sink, ac.signal);
  cleanups.push(async () => {
    ac.abort();
    await done;
  });
  /** Moves the simulator's clock on until `check` holds. */
  const until = <T>(what: string, check: () => T) =>
    waitFor(what, () => {
      const value = check();
      if (!value) sim.scheduler.tick((clock += STEP_MS));
      return value;
    });
  const allocs = () => [...sim.world.allocs.values()].sort((a, b) => a.CreateIndex - b.CreateIndex);
  return { sim, adapter, sink, until, allocs };
}

const step = (detail: TaskDetail, container: string | null, what: string) =>
  detail.history.filter((s) => s.container === container && s.what === what);

describe("Nomad task detail against the simulator", () => {
  it("reads a restarting allocation, the failed one it becomes, and its rescheduled replacement", async () => {
    const { adapter, until, allocs } = await rig();

    // Between runs: the task waits out its restart delay, its last run's exit code known.
    const first = await until("app waiting to restart", () => {
      const alloc = allocs()[0];
      return alloc && alloc.TaskStates.app?.Restarts === 1 && alloc.TaskStates.app.State === "pending" ? alloc : null;
    });
    const restarting = await adapter.describeTask(first.ID);
    expect(TaskDetailSchema.parse(restarting)).toEqual(restarting);
    expect(restarting.containers.find((c) => c.name === "app")).toMatchObject({
      image: null,
      state: "waiting",
      stateReason: "Restarting",
      restarts: 1,
      lastExit: { reason: null, exitCode: 1, at: expect.any(String) },
    });
    expect(restarting.containers.find((c) => c.name === "proxy")).toMatchObject({
      image: "envoyproxy/envoy:v1.31.3",
      state: "running",
      restarts: 0,
      startedAt: expect.any(String),
      lastExit: null,
    });
    expect(restarting.history[0]).toMatchObject({
      what: "Restarting",
      detail: "Task restarting in 225ms",
      level: "warning",
      container: "app",
    });

    // The restart policy used up: the task gives up, the allocation fails and its sibling is killed.
    await until("the allocation failed", () => first.ClientStatus === "failed");
    const failed = await adapter.describeTask(first.ID);
    expect(failed.containers).toEqual([
      expect.objectContaining({
        name: "app",
        state: "exited",
        stateReason: "Not Restarting",
        restarts: 2,
        lastExit: expect.objectContaining({ exitCode: 1 }),
      }),
      expect.objectContaining({ name: "proxy", state: "exited", stateReason: "Killed", restarts: 0 }),
    ]);
    expect(step(failed, "app", "Terminated").map((s) => [s.detail, s.level])).toEqual([
      ["Exit Code: 1", "warning"],
      ["Exit Code: 1", "warning"],
      ["Exit Code: 1", "warning"],
    ]);
    expect(step(failed, "app", "Not Restarting")[0]).toMatchObject({
      detail: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
      level: "warning",
    });
    expect(step(failed, "proxy", "Sibling Task Failed")[0]).toMatchObject({ detail: 'Task\'s sibling "app" failed', level: "warning" });
    // A client keeps a task's latest 10 events: the app's "Received" has gone, its task setup is the oldest step left.
    expect(failed.history.filter((s) => s.container === "app")).toHaveLength(10);
    expect(failed.history.at(-1)).toMatchObject({ what: "Task Setup", detail: "Building Task Directory", container: "app" });

    // After the reschedule delay, a replacement under the same name says where it comes from.
    const replacement = await until("a replacement", () => allocs().find((a) => a.PreviousAllocation === first.ID));
    const rescheduled = await adapter.describeTask(replacement.ID);
    expect(step(rescheduled, null, "Rescheduled")).toEqual([
      {
        at: expect.any(String),
        what: "Rescheduled",
        detail: `replaces failed allocation ${first.ID.slice(0, 8)}`,
        level: "normal",
        container: null,
      },
    ]);
  });

  it("answers an unknown allocation, a queued stand-in and one outside the followed namespaces as not found", async () => {
    const { adapter, until, allocs, sink } = await rig();
    await expect(adapter.describeTask("5f0d1c1e-0000-4000-8000-000000000000")).rejects.toMatchObject({
      name: "AdapterError",
      code: "not-found",
      message: expect.stringMatching(/alloc not found$/),
    });
    await expect(adapter.describeTask("jobs~worker~g~queued~0")).rejects.toBeInstanceOf(AdapterError);
    await expect(adapter.describeTask("jobs~worker~g~queued~0")).rejects.toMatchObject({ code: "not-found" });

    const alloc = await until("an allocation", () => allocs()[0]);
    await until("listed", () => sink.items.tasks.has(alloc.ID));
    // Nomad finds an allocation in any namespace; a cluster that follows others does not show it.
    const elsewhere = await rig({ namespaces: ["default"] });
    const other = elsewhere.allocs()[0]!;
    await expect(elsewhere.adapter.describeTask(other.ID)).rejects.toMatchObject({ code: "not-found" });
  });
});
