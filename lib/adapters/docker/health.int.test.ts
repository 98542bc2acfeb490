import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createLogger } from "@/lib/log";
import { workloadHealth } from "@/lib/model/health";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { SwarmAdapter } from "./adapter";
import {
  createTestService,
  ENGINE_POLL_MS,
  ENGINE_WAIT_MS,
  engineConnection,
  engineForTests,
  holdEngine,
  TEST_IMAGE,
  testClient,
  testContext,
  updateTestService,
} from "./int-support";
import { SwarmService } from "./raw";

/**
 * What goes wrong with Swarm services, as the health model reads it from the
 * real engine of ../shared/tools/docker-swarm.sh: each test makes a service
 * that fails one way, waits for the problem, mends or removes the service
 * and waits for the problem to clear. Names are unique per run, so files
 * running beside this one (and docker.int.test.ts's cleanup) leave them be.
 */

const { probe, skipReason } = await engineForTests();
const swarmSkip = skipReason ?? (probe && probe.mode !== "swarm" ? `the engine at ${engineConnection.host} is not a swarm manager` : null);
if (probe && swarmSkip) console.warn(`[docker swarm health tests skipped] ${swarmSkip}`);

/** A crash loop takes three failed runs; a slow machine gets plenty of time for them. */
const PROBLEM_WAIT_MS = 60_000;

describe.skipIf(!probe || swarmSkip !== null)("swarm health against a real engine", () => {
  const client = testClient();
  const sink = new RecordingSink();
  const stop = new AbortController();
  const adapter = new SwarmAdapter(engineConnection, testContext("swarm-health", createLogger("docker-health-int")), {
    debounceMs: 50,
    taskPollMs: 500,
    resyncMs: 20_000,
    backoff: { baseMs: 200, maxMs: 1_000 },
  });
  const prefix = `fleetdeck-health-${randomBytes(3).toString("hex")}-`;
  let release = () => {};
  let running: Promise<void>;

  beforeAll(async () => {
    release = await holdEngine();
    running = adapter.run(sink, stop.signal);
    await waitFor("the first list", () => sink.connection?.status === "ok", ENGINE_WAIT_MS, ENGINE_POLL_MS);
  }, 240_000);

  afterAll(async () => {
    stop.abort();
    await running;
    const services = await client.get("/services", z.array(SwarmService)).catch(() => []);
    for (const s of services) if (s.Spec.Name.startsWith(prefix)) await client.delete(`/services/${s.ID}`).catch(() => undefined);
    release();
    await client.close();
  });

  /** The service's health as the server's views judge it now. */
  const healthOf = (id: string) => {
    const workload = sink.items.workloads.get(id);
    return workload ? workloadHealth(workload, sink.tasksOf(id), Date.now()) : null;
  };

  const criticalProblem = (id: string, reason: string) =>
    waitFor(
      `a critical "${reason}" on ${id}`,
      () => {
        const health = healthOf(id);
        const found = health?.problems.find((p) => p.reason === reason && p.severity === "critical");
        return found ? { health: health!, problem: found } : null;
      },
      PROBLEM_WAIT_MS,
      ENGINE_POLL_MS,
    );

  const healthy = (id: string) =>
    waitFor(
      `${id} healthy (last: ${JSON.stringify(healthOf(id))})`,
      () => healthOf(id)?.state === "healthy",
      PROBLEM_WAIT_MS,
      ENGINE_POLL_MS,
    );

  async function removeAndWaitGone(id: string) {
    await client.delete(`/services/${id}`);
    await waitFor(
      `${id} and its tasks gone`,
      () => !sink.items.workloads.has(id) && sink.tasksOf(id).length === 0,
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
  }

  it("reads a service whose command exits 1 as a crash loop, healthy again once its command is mended", async () => {
    const id = await createTestService(client, `${prefix}crash`, { replicas: 1 }, { container: { Args: ["sh", "-c", "exit 1"] } });
    const { health, problem } = await criticalProblem(id, "Crash loop");
    expect(problem.evidence).toMatch(/^fleetdeck-health-\w+-crash.1: task: non-zero exit \(1\), \d+ times in a row, restarting$/);
    expect(problem.ongoing).toBe(true);
    expect(health.state).toBe("failing");
    await updateTestService(client, id, (t) => ({ ...t, ContainerSpec: { ...(t.ContainerSpec as object), Args: ["sleep", "3600"] } }));
    await healthy(id);
    await removeAndWaitGone(id);
  }, 180_000);

  it("reads a service whose image does not exist as an image that cannot be pulled, gone with the service", async () => {
    const image = `local/fleetdeck-missing:${prefix.slice(0, -1)}`;
    const id = await createTestService(client, `${prefix}image`, { replicas: 1 }, { container: { Image: image } });
    const { health, problem } = await criticalProblem(id, "Image cannot be pulled");
    expect(problem.evidence).toContain(`No such image: ${image}`);
    expect(health.state).toBe("failing");
    await removeAndWaitGone(id);
  }, 180_000);

  it("reads a service reserving more memory than the machine has as one that cannot be placed, placed once it asks for less", async () => {
    const id = await createTestService(client, `${prefix}huge`, { replicas: 1 }, { reservedMemoryBytes: probe!.info.MemTotal * 4 });
    const { health, problem } = await criticalProblem(id, "Cannot be placed");
    expect(problem.evidence).toMatch(/huge.1: no suitable node \(insufficient resources on \d+ node/);
    expect(health).toMatchObject({ state: "failing", tasks: { ready: 0, failing: 1 } });
    await updateTestService(client, id, (t) => ({ ...t, Resources: { Reservations: { MemoryBytes: 8 * 1024 * 1024 } } }));
    await healthy(id);
    await removeAndWaitGone(id);
  }, 180_000);

  it("reads a service whose health check fails as a failing health check, healthy again with a passing one", async () => {
    const check = (test: string) => ({ Test: ["CMD", test], Interval: 1e9, Timeout: 2e9, Retries: 1 });
    const id = await createTestService(client, `${prefix}unhealthy`, { replicas: 1 }, { container: { Healthcheck: check("false") } });
    const { health, problem } = await criticalProblem(id, "Failing health check");
    expect(problem.evidence).toMatch(/unhealthy container/);
    expect(health.state).toBe("failing");
    await updateTestService(client, id, (t) => ({ ...t, ContainerSpec: { ...(t.ContainerSpec as object), Healthcheck: check("true") } }));
    await healthy(id);
    await removeAndWaitGone(id);
  }, 180_000);

  it("keeps a healthy service healthy", async () => {
    const id = await createTestService(client, `${prefix}fine`, { replicas: 1 }, { container: { Image: TEST_IMAGE } });
    await healthy(id);
    expect(healthOf(id)?.problems).toEqual([]);
    await removeAndWaitGone(id);
  });
});
