import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { taskHealth, workloadHealth, type Problem } from "@/lib/model/health";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { startEcsSim, type EcsSim, type EcsWorld, type SimTimings } from "@/lib/sim/ecs";
import { EcsAdapter } from "./adapter";
import { EcsConnectionSchema } from "./connection";

/**
 * What goes wrong on ECS, as the simulator does it, read by the adapter
 * through the real SDK: each failure becomes its problem on the service and
 * its tasks, and clears again once it is fixed the way an operator would.
 */

const FAST = {
  provisionMs: 40,
  pendingMs: 40,
  stoppingMs: 40,
  tickMs: 20,
  healthCheckMs: 80,
  launchRetryMs: 40,
  launchRetryMaxMs: 160,
};
// Not shaped like an AWS key id, so that only its registration as the connection's credential redacts it.
const CREDENTIALS = { accessKeyId: "FLEETDECKHEALTHKEY01", secretAccessKey: "fleetdeck-health-not-a-secret" };
const BAD_IMAGE = "registry.example.invalid/shop/web:2.0";
const GOOD_IMAGE = "public.ecr.aws/nginx/nginx:1.27";
const log = createLogger("ecs-health-test");

const running: { sim: EcsSim; abort: AbortController }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.sim.close();
  }
});

async function setup(seed: (world: EcsWorld) => void, timings: Partial<SimTimings> = {}) {
  const sim = await startEcsSim({ timings: { ...FAST, ...timings }, seed });
  const connection = EcsConnectionSchema.parse({ region: "eu-west-1", cluster: "shop", endpoint: sim.endpoint, credentials: CREDENTIALS });
  const adapter = new EcsAdapter(
    connection,
    { clusterId: "test", log, secrets: new SecretSet(), env: {} },
    { resyncMs: 100, fastPollMs: 50, usageRefreshMs: 0, maxAttempts: 1, backoff: { baseMs: 50, maxMs: 400 } },
  );
  const sink = new RecordingSink();
  const abort = new AbortController();
  running.push({ sim, abort });
  void adapter.run(sink, abort.signal);
  const ecs = new ECSClient({ endpoint: sim.endpoint, region: "eu-west-1", credentials: CREDENTIALS, maxAttempts: 1 });
  const update = (service: string, input: { taskDefinition?: string; desiredCount?: number }) =>
    ecs.send(new UpdateServiceCommand({ cluster: "shop", service, ...input }));
  /** The service's health as the server judges it now, from what the adapter last reported. */
  const health = (service: string) => {
    const workload = sink.items.workloads.get(`shop~${service}`);
    return workload ? workloadHealth(workload, sink.tasksOf(workload.id), Date.now()) : null;
  };
  /** The service's tasks with a problem for `reason` that counts now, or null while there are none (to wait for). */
  const tasksWith = (service: string, reason: string) => {
    const tasks = sink.tasksOf(`shop~${service}`).filter((t) => taskHealth(t, Date.now()).problems.some((p) => p.reason === reason));
    return tasks.length ? tasks : null;
  };
  return { sim, adapter, sink, update, health, tasksWith };
}

const web = (world: EcsWorld, revision: number, image: string, healthCheck?: string[]) =>
  world.taskDefinition("web", revision, {
    cpu: 256,
    memory: 512,
    containers: [{ name: "web", image, port: 80, ...(healthCheck ? { healthCheck: { command: healthCheck } } : {}) }],
  });

const problemOf = (problems: readonly Problem[] | undefined, reason: string) => problems?.find((p) => p.reason === reason);

describe("ECS health against the simulator, through the real SDK", () => {
  it("reads an image that cannot be pulled on the failed tasks and the service, and clears it once the service runs a good task definition", async () => {
    const { sink, update, health, tasksWith } = await setup((world) => {
      const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
      web(world, 1, GOOD_IMAGE);
      world.addService(shop, { name: "web", desiredCount: 2, taskDefinition: web(world, 2, BAD_IMAGE), launchType: "FARGATE" });
    });
    // Critical: the deployment has run no task and counts failures, so it goes on.
    const failed = await waitFor("two stopped tasks that could not pull their image, critical", () => {
      const stopped = tasksWith("web", "Image cannot be pulled")?.filter(
        (t) => t.state === "failed" && problemOf(t.problems, "Image cannot be pulled")?.severity === "critical",
      );
      return stopped && stopped.length >= 2 ? stopped : null;
    });
    expect(problemOf(failed[0].problems, "Image cannot be pulled")).toMatchObject({
      evidence: expect.stringMatching(/^container web: CannotPullContainerError: .*registry\.example\.invalid\/shop\/web:2\.0/),
      since: expect.any(String),
      ongoing: false,
    });
    const failing = health("web")!;
    expect(failing.state).toBe("failing");
    expect(problemOf(failing.problems, "Image cannot be pulled")).toMatchObject({
      severity: "critical",
      evidence: expect.stringMatching(/^\d+ of \d+ tasks: /),
    });
    expect(sink.items.workloads.get("shop~web")!.info.Deployments).toMatch(/IN_PROGRESS 0\/2 running.*failed/);

    await update("web", { taskDefinition: "web:1" });
    await waitFor("web healthy on web:1", () => health("web")?.state === "healthy");
    expect(health("web")!.problems).toEqual([]);
    // The failed tasks are still listed, but they belong to a deployment the service has replaced.
    expect(sink.tasksOf("shop~web").filter((t) => t.state === "failed").length).toBeGreaterThanOrEqual(2);
    expect(tasksWith("web", "Image cannot be pulled")).toBeNull();
  });

  it("reads a deployment the circuit breaker failed as Rollout failed, until a good deployment completes", async () => {
    const { update, health } = await setup((world) => {
      const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
      web(world, 1, GOOD_IMAGE);
      world.addService(shop, {
        name: "web",
        desiredCount: 1,
        taskDefinition: web(world, 2, BAD_IMAGE),
        launchType: "FARGATE",
        circuitBreaker: { enable: true, rollback: false },
      });
    });
    const failed = await waitFor("the rollout failed", () => problemOf(health("web")?.problems, "Rollout failed"));
    expect(failed).toMatchObject({
      severity: "critical",
      evidence: "PRIMARY web:2 FAILED 0/1 running, 3 failed: ECS deployment circuit breaker: tasks failed to start.",
      ongoing: true,
    });
    expect(health("web")!.state).toBe("failing");

    await update("web", { taskDefinition: "web:1" });
    await waitFor("web healthy on web:1", () => health("web")?.state === "healthy");
    expect(health("web")!.problems).toEqual([]);
  });

  it("reads a failing health check on the running task, the stopped one and the service, and clears it once the service runs a passing one", async () => {
    const { update, health, tasksWith } = await setup(
      (world) => {
        const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
        web(world, 1, GOOD_IMAGE, ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]);
        world.addService(shop, {
          name: "web",
          desiredCount: 2,
          taskDefinition: web(world, 2, GOOD_IMAGE, ["CMD-SHELL", "exit 1"]),
          launchType: "FARGATE",
        });
      },
      // An unhealthy task runs for a few polls before ECS replaces it.
      { healthCheckMs: 300 },
    );
    const unhealthy = await waitFor("a running task failing its health check", () =>
      tasksWith("web", "Failing health check")?.find((t) => t.state === "running"),
    );
    expect(unhealthy.ready).toBe(false);
    expect(unhealthy.problems).toEqual([
      {
        severity: "critical",
        reason: "Failing health check",
        evidence: "container web health status UNHEALTHY",
        since: null,
        ongoing: true,
      },
    ]);
    // ECS replaces it; the stop counts on the deployment, which has run no task successfully: critical.
    const replaced = await waitFor("a task stopped for failing its health checks, critical", () =>
      tasksWith("web", "Failing health check")?.find(
        (t) => t.state === "failed" && problemOf(t.problems, "Failing health check")?.severity === "critical",
      ),
    );
    expect(problemOf(replaced.problems, "Failing health check")?.evidence).toBe(
      "Task failed container health checks (container web UNHEALTHY)",
    );
    await waitFor("web failing its health checks", () => {
      const h = health("web");
      return h?.state === "failing" && problemOf(h.problems, "Failing health check")?.severity === "critical";
    });

    await update("web", { taskDefinition: "web:1" });
    await waitFor("web healthy on web:1", () => health("web")?.state === "healthy");
    expect(health("web")!.problems).toEqual([]);
    expect(tasksWith("web", "Failing health check")).toBeNull();
  });

  it("reads a service too large for any container instance as Cannot be placed, and clears it once scaled down", async () => {
    const { adapter, sink, health } = await setup((world) => {
      const shop = world.addCluster("shop");
      world.addContainerInstance(shop, { instanceType: "m6i.large", cpu: 2048, memory: 7680, availabilityZone: "eu-west-1a" });
      const reports = world.taskDefinition("reports", 3, {
        cpu: 1024,
        memory: 16_384,
        containers: [{ name: "reports", image: GOOD_IMAGE, port: null }],
      });
      world.addService(shop, { name: "reports", desiredCount: 1, taskDefinition: reports, launchType: "EC2" });
    });
    const unplaced = await waitFor("reports cannot be placed", () => problemOf(health("reports")?.problems, "Cannot be placed"));
    expect(unplaced).toMatchObject({
      severity: "critical",
      evidence: expect.stringMatching(
        /^\(service reports\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance \w+\) has insufficient memory available\. .* \(0 of 1 running\)$/,
      ),
      since: sink.items.workloads.get("shop~reports")!.events.find((e) => e.message.includes("unable to place"))!.at,
    });
    expect(health("reports")!.state).toBe("failing");

    await adapter.scale("shop~reports", 0);
    await waitFor("reports healthy at 0", () => health("reports")?.state === "healthy");
    expect(health("reports")!.problems).toEqual([]);
  });

  it("keeps the connection's credentials out of the evidence it quotes", async () => {
    const { health } = await setup((world) => {
      const shop = world.addCluster("shop", { capacityProviders: ["FARGATE"] });
      const leaky = world.taskDefinition("leaky", 1, {
        cpu: 256,
        memory: 512,
        containers: [{ name: "leaky", image: `registry.example.invalid/shop/leaky:${CREDENTIALS.accessKeyId}`, port: null }],
      });
      world.addService(shop, { name: "leaky", desiredCount: 1, taskDefinition: leaky, launchType: "FARGATE" });
    });
    const pulled = await waitFor("the pull failure", () => problemOf(health("leaky")?.problems, "Image cannot be pulled"));
    expect(pulled.evidence).toContain("registry.example.invalid/shop/leaky:[redacted]");
    expect(pulled.evidence).not.toContain(CREDENTIALS.accessKeyId);
  });
});
