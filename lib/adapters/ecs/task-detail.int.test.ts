import { afterEach, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { TaskDetailSchema } from "@/lib/model/types";
import { startEcsSim, type EcsSim, type EcsWorld, type SimTimings } from "@/lib/sim/ecs";
import { EcsAdapter } from "./adapter";
import { EcsConnectionSchema } from "./connection";

/**
 * Stopped tasks read with DescribeTasks from the simulator, through the real
 * SDK: an OOM kill and an image that cannot be pulled, each with its
 * containers' exits and the steps of its life; and tasks ECS does not know.
 * The simulator's clock is the test's, stepped tick by tick.
 */

const TIMINGS: Partial<SimTimings> = { provisionMs: 100, pendingMs: 100, stoppingMs: 100, healthCheckMs: 500, tickMs: 60_000 };
const STEP_MS = 10;
const CREDENTIALS = { accessKeyId: "FLEETDECKDETAILKEY01", secretAccessKey: "fleetdeck-detail-not-a-secret" };
const LOG_ROUTER = { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", port: null };

const sims: EcsSim[] = [];
const aborts: AbortController[] = [];
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  for (const s of sims.splice(0)) await s.close();
});

async function setup(seed: (world: EcsWorld) => void, cluster?: string) {
  let clock = Date.UTC(2026, 10, 26, 10, 0);
  const sim = await startEcsSim({ now: () => clock, timings: TIMINGS, seed });
  sims.push(sim);
  const adapter = new EcsAdapter(
    EcsConnectionSchema.parse({ region: "eu-west-1", cluster, endpoint: sim.endpoint, credentials: CREDENTIALS }),
    { clusterId: "ecs-detail", log: createLogger("ecs-detail"), secrets: new SecretSet(), env: {} },
    { resyncMs: 60_000, usageRefreshMs: 0, maxAttempts: 1, backoff: { baseMs: 50, maxMs: 400 } },
  );
  const abort = new AbortController();
  aborts.push(abort);
  void adapter.run({ apply: () => {}, setConnection: () => {} }, abort.signal);
  /** Steps the clock until `check` holds (or a simulated hour passes). */
  const advanceUntil = <T>(what: string, check: () => T): NonNullable<T> => {
    for (const end = clock + 3_600_000; clock < end;) {
      const value = check();
      if (value) return value;
      clock += STEP_MS;
      sim.tick();
    }
    throw new Error(`no ${what} within a simulated hour`);
  };
  const tasks = () => [...sim.world.clusters.get("shop")!.tasks.values()];
  return { sim, adapter, advanceUntil, tasks };
}

describe("ECS task detail against the simulator, through the real SDK", () => {
  it("reads a task stopped for an OOM kill: its containers' exits, and its steps from created to STOPPED", async () => {
    const { adapter, advanceUntil, tasks } = await setup((world) => {
      const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
      const definition = world.taskDefinition("worker", 3, {
        cpu: 512,
        memory: 1024,
        containers: [{ name: "worker", image: "public.ecr.aws/shop/worker:3.4.1", port: null }, LOG_ROUTER],
      });
      world.addService(shop, { name: "worker", desiredCount: 1, taskDefinition: definition, launchType: "FARGATE", crashEveryMs: 2000 });
    });
    const killed = advanceUntil("OOM-killed task", () =>
      tasks().find((t) => t.lastStatus === "STOPPED" && t.stopCode === "EssentialContainerExited"),
    );

    const detail = await adapter.describeTask(`shop~${killed.id}`);
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.containers).toEqual([
      {
        name: "worker",
        image: "public.ecr.aws/shop/worker:3.4.1",
        state: "exited",
        stateReason: "OutOfMemoryError: Container killed due to memory usage",
        ready: null,
        restarts: 0,
        startedAt: new Date(killed.startedAt!).toISOString(),
        lastExit: {
          reason: "OutOfMemoryError: Container killed due to memory usage",
          exitCode: 137,
          at: new Date(killed.executionStoppedAt!).toISOString(),
        },
      },
      expect.objectContaining({ name: "log-router", state: "exited", lastExit: expect.objectContaining({ reason: null, exitCode: 143 }) }),
    ]);
    expect(detail.history.map((s) => [s.what, s.level])).toEqual([
      ["STOPPED", "warning"],
      ["Execution stopped", "normal"],
      ["STOPPING", "normal"],
      ["RUNNING", "normal"],
      ["Pull stopped", "normal"],
      ["Pull started", "normal"],
      ["PROVISIONING", "normal"],
    ]);
    expect(detail.history[0]).toMatchObject({
      at: new Date(killed.stoppedAt!).toISOString(),
      detail: "EssentialContainerExited: Essential container in task exited",
    });
    expect(detail.history[1]?.detail).toBe(
      "worker exit code 137: OutOfMemoryError: Container killed due to memory usage; log-router exit code 143",
    );
    expect(detail.history.at(-1)).toMatchObject({
      at: new Date(killed.createdAt).toISOString(),
      detail: expect.stringMatching(/^worker:3 on FARGATE started by ecs-svc\//),
    });
  });

  it("reads a task that could not pull its image: no exit codes, the failed pull and stop as warnings", async () => {
    const { adapter, advanceUntil, tasks } = await setup((world) => {
      const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
      const definition = world.taskDefinition("web", 2, {
        cpu: 256,
        memory: 512,
        containers: [{ name: "web", image: "registry.example.invalid/shop/web:2.0", port: 80 }, LOG_ROUTER],
      });
      world.addService(shop, { name: "web", desiredCount: 1, taskDefinition: definition, launchType: "FARGATE" });
    }, "shop");
    const failed = advanceUntil("task that failed to start", () => tasks().find((t) => t.lastStatus === "STOPPED"));

    const detail = await adapter.describeTask(`shop~${failed.id}`);
    expect(detail.containers.map((c) => [c.name, c.state, c.startedAt, c.lastExit?.exitCode])).toEqual([
      ["web", "exited", null, null],
      ["log-router", "exited", null, null],
    ]);
    expect(detail.containers[0]?.stateReason).toMatch(/^CannotPullContainerError: .*registry\.example\.invalid/);
    expect(detail.history.map((s) => [s.what, s.level])).toEqual([
      ["STOPPED", "warning"],
      ["Execution stopped", "normal"],
      ["STOPPING", "normal"],
      ["Pull stopped", "warning"],
      ["Pull started", "normal"],
      ["PROVISIONING", "normal"],
    ]);
    expect(detail.history[0]?.detail).toMatch(/^TaskFailedToStart: CannotPullContainerError: /);
    expect(detail.history[3]?.detail).toMatch(/^container web: CannotPullContainerError: /);
  });

  it("answers a task ECS does not know, an unknown cluster and a malformed id as not found", async () => {
    const { adapter } = await setup((world) => void world.addCluster("shop", { capacityProviders: ["FARGATE"] }));
    await expect(adapter.describeTask("shop~0123456789abcdef0123456789abcdef")).rejects.toMatchObject({
      name: "AdapterError",
      code: "not-found",
      message: "DescribeTasks: task 0123456789abcdef0123456789abcdef MISSING",
    });
    await expect(adapter.describeTask("elsewhere~0123456789abcdef0123456789abcdef")).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringMatching(/ClusterNotFoundException/),
    });
    await expect(adapter.describeTask("no-cluster-in-it")).rejects.toMatchObject({ code: "not-found" });

    // An adapter of one cluster finds nothing in another.
    const { adapter: scoped } = await setup((world) => void world.addCluster("shop", { capacityProviders: ["FARGATE"] }), "shop");
    await expect(scoped.describeTask("other~0123456789abcdef0123456789abcdef")).rejects.toMatchObject({
      code: "not-found",
      message: "task 0123456789abcdef0123456789abcdef is not in ECS cluster shop",
    });
  });
});
