import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, startEcsSim, type EcsSim } from "./index";
import type { EcsWorld, SimCluster, SimTaskDefinition, SimTimings } from "./state";

/**
 * What the simulator makes of failures, read through the SDK as the adapter
 * reads ECS, on a manual clock stepped tick by tick: images that cannot be
 * pulled, the service throttle, the deployment's failure count and circuit
 * breaker, health checks, placement failures and rolling updates.
 */

const TIMINGS: Partial<SimTimings> = {
  provisionMs: 100,
  pendingMs: 100,
  stoppingMs: 100,
  healthCheckMs: 500,
  launchRetryMs: 1000,
  launchRetryMaxMs: 4000,
  tickMs: 60_000,
};
const STEP_MS = 10;
const BAD_IMAGE = "registry.example.invalid/shop/web:2.0";
const GOOD_IMAGE = "public.ecr.aws/nginx/nginx:1.27";

const sims: EcsSim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

type Seed = (world: EcsWorld, cluster: SimCluster) => void;

async function start(seed: Seed) {
  let clock = Date.UTC(2026, 10, 26, 10, 0);
  const sim = await startEcsSim({
    now: () => clock,
    timings: TIMINGS,
    seed: (world) => seed(world, world.addCluster("c1", { capacityProviders: ["FARGATE"] })),
  });
  sims.push(sim);
  const ecs = new ECSClient({ endpoint: sim.endpoint, region: "eu-west-1", credentials: DEMO_CREDENTIALS, maxAttempts: 1 });
  const advance = (ms: number) => {
    for (const end = clock + ms; clock < end;) {
      clock += STEP_MS;
      sim.tick();
    }
  };
  const service = async (name: string) => (await ecs.send(new DescribeServicesCommand({ cluster: "c1", services: [name] }))).services![0];
  /** Every task of the service, stopped ones included, oldest first. */
  const tasks = async (name: string): Promise<Task[]> => {
    const arns: string[] = [];
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const)
      arns.push(...(await ecs.send(new ListTasksCommand({ cluster: "c1", serviceName: name, desiredStatus }))).taskArns!);
    if (arns.length === 0) return [];
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: "c1", tasks: arns }))).tasks!;
    return described.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  };
  const update = (name: string, input: Omit<ConstructorParameters<typeof UpdateServiceCommand>[0], "service">) =>
    ecs.send(new UpdateServiceCommand({ cluster: "c1", service: name, ...input }));
  return { sim, advance, service, tasks, update, now: () => clock };
}

const web = (world: EcsWorld, revision: number, image: string, healthCheck?: string[]): SimTaskDefinition =>
  world.taskDefinition("web", revision, {
    cpu: 256,
    memory: 512,
    containers: [
      { name: "web", image, port: 80, ...(healthCheck ? { healthCheck: { command: healthCheck } } : {}) },
      { name: "envoy", image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod", port: null },
    ],
  });

const messages = async (get: () => Promise<{ events?: { message?: string }[] }>) => ((await get()).events ?? []).map((e) => e.message);

describe("ECS simulator: failures as ECS reports them", () => {
  it("stamps a task's life as DescribeTasks does: the pull, the start, its containers' stop before its own", async () => {
    const { advance, tasks, update } = await start((world, c) => {
      world.addService(c, { name: "web", desiredCount: 1, taskDefinition: web(world, 1, GOOD_IMAGE), launchType: "FARGATE" });
    });
    advance(50);
    const [provisioning] = await tasks("web");
    expect(provisioning.lastStatus).toBe("PROVISIONING");
    expect([provisioning.pullStartedAt, provisioning.startedAt]).toEqual([undefined, undefined]);
    expect(provisioning.containers!.map((c) => c.lastStatus)).toEqual(["PENDING", "PENDING"]);
    advance(200);
    const [running] = await tasks("web");
    expect(running.lastStatus).toBe("RUNNING");
    expect(running.pullStartedAt!.getTime()).toBe(running.createdAt!.getTime() + 100);
    expect(running.pullStoppedAt!.getTime()).toBe(running.startedAt!.getTime());
    expect(running.containers!.map((c) => [c.lastStatus, c.exitCode])).toEqual([
      ["RUNNING", undefined],
      ["RUNNING", undefined],
    ]);

    // Scaled in: half way through STOPPING its containers have stopped with their exit codes; then the task is STOPPED.
    await update("web", { desiredCount: 0 });
    advance(60);
    const [stopping] = await tasks("web");
    expect(stopping).toMatchObject({ lastStatus: "STOPPING", executionStoppedAt: expect.any(Date) });
    expect(stopping.stoppedAt).toBeUndefined();
    expect(stopping.containers!.map((c) => [c.lastStatus, c.exitCode])).toEqual([
      ["STOPPED", 0],
      ["STOPPED", 0],
    ]);
    advance(60);
    const [stopped] = await tasks("web");
    expect(stopped.lastStatus).toBe("STOPPED");
    expect(stopped.stoppedAt!.getTime()).toBeGreaterThan(stopped.executionStoppedAt!.getTime());
  });

  it("stops a task whose image cannot be pulled before RUNNING, and throttles the service's retries until a new deployment", async () => {
    const { advance, service, tasks, update, now } = await start((world, c) => {
      web(world, 1, GOOD_IMAGE);
      world.addService(c, { name: "web", desiredCount: 1, taskDefinition: web(world, 2, BAD_IMAGE), launchType: "FARGATE" });
    });
    advance(300);
    const [failed] = await tasks("web");
    expect(failed).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason: expect.stringMatching(/^CannotPullContainerError: .*failed to resolve ref registry\.example\.invalid\/shop\/web:2\.0/),
    });
    expect(failed.startedAt).toBeUndefined();
    // Only the container whose image failed says why; neither ever ran, so neither has an exit code.
    expect(failed.containers!.map((c) => [c.name, c.reason, c.exitCode])).toEqual([
      ["web", failed.stoppedReason, undefined],
      ["envoy", undefined, undefined],
    ]);
    expect((await service("web")).deployments).toMatchObject([{ status: "PRIMARY", rolloutState: "IN_PROGRESS", failedTasks: 1 }]);
    // The pull started when the task went PENDING and ended with the failure; its containers stopped before it did.
    const stamp = (d: Date | undefined) => d?.getTime() ?? null;
    expect(stamp(failed.pullStartedAt)).toBe(stamp(failed.createdAt)! + 100);
    expect(stamp(failed.pullStoppedAt)).toBe(stamp(failed.stoppingAt));
    expect(stamp(failed.executionStoppedAt)).toBeGreaterThan(stamp(failed.stoppingAt)!);
    expect(stamp(failed.stoppedAt)).toBeGreaterThan(stamp(failed.executionStoppedAt)!);

    advance(20_000);
    const all = await tasks("web");
    // Each retry waits twice as long after the failure as the last, up to launchRetryMaxMs.
    const pauses = all.slice(1).map((t, i) => t.createdAt!.getTime() - all[i].stoppingAt!.getTime());
    expect(pauses.slice(0, 5)).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(all.every((t) => t.stopCode === "TaskFailedToStart" || t.desiredStatus === "RUNNING")).toBe(true);
    const events = await messages(() => service("web"));
    expect(events.filter((m) => m === "(service web) is unable to consistently start tasks successfully.")).toHaveLength(1);
    expect((await service("web")).deployments![0].failedTasks).toBe(all.filter((t) => t.stopCode === "TaskFailedToStart").length);

    // A new task definition ends the throttle at once, and the new deployment replaces the failing one.
    const before = all.length;
    const updatedAt = now();
    await update("web", { taskDefinition: "web:1" });
    advance(STEP_MS);
    const started = (await tasks("web")).slice(before);
    expect(started).toHaveLength(1);
    expect(started[0].createdAt!.getTime() - updatedAt).toBeLessThanOrEqual(STEP_MS);
    advance(1000);
    const fixed = await service("web");
    expect(fixed.deployments).toMatchObject([
      { status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: expect.stringMatching(/web:1$/) },
    ]);
    expect(fixed).toMatchObject({ runningCount: 1, taskDefinition: expect.stringMatching(/web:1$/) });
    expect(await messages(() => service("web"))).toContain("(service web) has reached a steady state.");
  });

  it("counts failed tasks on the deployment: the circuit breaker fails it, and rolls back where there is a completed deployment", async () => {
    const { advance, service, tasks, update } = await start((world, c) => {
      web(world, 1, GOOD_IMAGE);
      web(world, 2, BAD_IMAGE);
      world.addService(c, {
        name: "stuck",
        desiredCount: 1,
        taskDefinition: web(world, 3, BAD_IMAGE),
        launchType: "FARGATE",
        circuitBreaker: { enable: true, rollback: true },
      });
      world.addService(c, {
        name: "rolled",
        desiredCount: 2,
        taskDefinition: world.findTaskDefinition("web:1")!,
        launchType: "FARGATE",
        circuitBreaker: { enable: true, rollback: true },
      });
    });
    // The first deployment has nothing to roll back to: at 3 failures (the minimum threshold) it fails and launches no more.
    advance(30_000);
    const stuck = await service("stuck");
    expect(stuck.deployments).toMatchObject([
      {
        status: "PRIMARY",
        rolloutState: "FAILED",
        rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        failedTasks: 3,
      },
    ]);
    expect(await tasks("stuck")).toHaveLength(3);
    expect(await messages(() => service("stuck"))).toContain(
      `(service stuck) (deployment ${stuck.deployments![0].id}) deployment failed: tasks failed to start.`,
    );

    const good = await service("rolled");
    expect(good.deployments).toMatchObject([{ rolloutState: "COMPLETED" }]);
    const serving = (await tasks("rolled")).map((t) => t.taskArn);
    await update("rolled", { taskDefinition: "web:2" });
    let failedId = "";
    for (let i = 0; i < 100 && !failedId; i++) {
      advance(100);
      failedId = (await service("rolled")).deployments!.find((d) => d.rolloutState === "FAILED")?.id ?? "";
    }
    const rollingBack = await service("rolled");
    expect(rollingBack.deployments).toMatchObject([
      {
        id: good.deployments![0].id,
        status: "PRIMARY",
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${good.deployments![0].id}.`,
      },
      { id: failedId, status: "ACTIVE", rolloutState: "FAILED", failedTasks: 3 },
    ]);
    advance(1000);
    const rolledBack = await service("rolled");
    expect(rolledBack.deployments).toMatchObject([{ id: good.deployments![0].id, rolloutState: "COMPLETED" }]);
    expect(rolledBack.taskDefinition).toMatch(/web:1$/);
    // The tasks that served before the rollout served throughout.
    expect((await tasks("rolled")).filter((t) => t.lastStatus === "RUNNING").map((t) => t.taskArn)).toEqual(serving);
  });

  it("reads health checks after the check period, replaces an unhealthy service task, and completes a deployment only when healthy", async () => {
    const { advance, service, tasks } = await start((world, c) => {
      world.addService(c, {
        name: "sick",
        desiredCount: 1,
        taskDefinition: web(world, 1, GOOD_IMAGE, ["CMD-SHELL", "exit 1"]),
        launchType: "FARGATE",
      });
      world.addService(c, {
        name: "fine",
        desiredCount: 1,
        taskDefinition: web(world, 2, GOOD_IMAGE, ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]),
        launchType: "FARGATE",
      });
    });
    advance(200);
    const health = (t: Task) => [t.healthStatus, ...t.containers!.map((c) => c.healthStatus)];
    const [sick] = await tasks("sick");
    expect(sick.lastStatus).toBe("RUNNING");
    expect(health(sick)).toEqual(["UNKNOWN", "UNKNOWN", "UNKNOWN"]);
    expect((await service("fine")).deployments![0].rolloutState).toBe("IN_PROGRESS");

    advance(500);
    // Only the container with a health check has a health status of its own.
    expect(health((await tasks("sick"))[0])).toEqual(["UNHEALTHY", "UNHEALTHY", "UNKNOWN"]);
    expect(health((await tasks("fine"))[0])).toEqual(["HEALTHY", "HEALTHY", "UNKNOWN"]);
    expect((await service("fine")).deployments![0].rolloutState).toBe("COMPLETED");
    expect((await service("sick")).deployments![0].failedTasks).toBe(0);

    advance(500);
    const [replaced, replacement] = await tasks("sick");
    expect(replaced).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Task failed container health checks",
    });
    expect(replacement.desiredStatus).toBe("RUNNING");
    expect((await service("sick")).deployments![0]).toMatchObject({ rolloutState: "IN_PROGRESS", failedTasks: 1 });
    expect(await messages(() => service("sick"))).toContain(
      `(service sick) (task ${replaced.taskArn!.split("/").pop()}) failed container health checks.`,
    );
    advance(200);
    expect((await tasks("sick"))[0].containers!.map((c) => c.exitCode)).toEqual([143, 143]);
  });

  it("says once why a task cannot be placed, naming the closest container instance and what it lacks, until the cause clears", async () => {
    let instanceId = "";
    const { sim, advance, service, update } = await start((world, c) => {
      instanceId = world.addContainerInstance(c, { instanceType: "m6i.large", cpu: 2048, memory: 4096, availabilityZone: "eu-west-1a" }).id;
      const big = (family: string, cpu: number, memory: number) =>
        world.taskDefinition(family, 1, { cpu, memory, containers: [{ name: "app", image: GOOD_IMAGE, port: null }] });
      world.addService(c, { name: "memory", desiredCount: 1, taskDefinition: big("memory", 1024, 8192), launchType: "EC2" });
      world.addService(c, { name: "cpu", desiredCount: 1, taskDefinition: big("cpu", 4096, 1024), launchType: "EC2" });
      const empty = world.addCluster("empty");
      world.addService(empty, { name: "lonely", desiredCount: 1, taskDefinition: big("lonely", 256, 512), launchType: "EC2" });
    });
    const unplaced = (lacks: string) =>
      `was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${instanceId}) has insufficient ${lacks} available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;
    advance(10 * 60_000);
    const placementEvents = async (name: string) => (await messages(() => service(name))).filter((m) => m?.includes("unable to place"));
    expect(await placementEvents("memory")).toEqual([`(service memory) ${unplaced("memory")}`]);
    expect(await placementEvents("cpu")).toEqual([`(service cpu) ${unplaced("CPU units")}`]);
    expect((await service("memory")).runningCount).toBe(0);
    expect(
      sim.world.clusters
        .get("empty")!
        .services.get("lonely")!
        .events.map((e) => e.message),
    ).toEqual([
      "(service lonely) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
    ]);

    await update("memory", { desiredCount: 0 });
    advance(100);
    await update("memory", { desiredCount: 1 });
    advance(100);
    expect(await placementEvents("memory")).toHaveLength(2);
  });
});
