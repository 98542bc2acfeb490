import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AdapterError } from "@/lib/adapters/errors";
import { createLogger } from "@/lib/log";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { StandaloneDockerAdapter, SwarmAdapter } from "./adapter";
import {
  createTestService,
  engineConnection,
  engineForTests,
  holdEngineAlone,
  removeTestObjects,
  sharedDockerdPid,
  startSharedDockerd,
  TEST_IMAGE,
  TEST_PREFIX,
  ENGINE_POLL_MS,
  ENGINE_WAIT_MS,
  testClient,
  testContext,
} from "./int-support";
import { SwarmNode, SwarmTask } from "./raw";
import { COMPOSE_NOT_SCALABLE, CONTAINER_NOT_SCALABLE } from "./standalone-mappers";
import { GLOBAL_NOT_SCALABLE } from "./swarm-mappers";

/**
 * The Docker adapters against the real engine of ../shared/tools/docker-swarm.sh
 * (a one-node swarm). One file, so its parts run one after another: the last
 * test stops and restarts the engine, which nothing else may be using then.
 * Every object made here is named fleetdeck-test-* and removed afterwards.
 */

const { probe, skipReason } = await engineForTests();
const swarmSkip = skipReason ?? (probe && probe.mode !== "swarm" ? `the engine at ${engineConnection.host} is not a swarm manager` : null);
if (probe && swarmSkip) console.warn(`[docker swarm integration tests skipped] ${swarmSkip}`);

describe.runIf(!probe && process.env.CI === "true")("docker engine (CI)", () => {
  it("answers: CI must start one with ../shared/tools/docker-swarm.sh up", () => {
    throw new Error(`no Docker engine answers at ${engineConnection.host}`);
  });
});

/**
 * The standalone (`docker`) view: Compose-labelled containers created through
 * the API, labelled as `docker compose up` labels them. On the shared swarm
 * engine the docker adapter still shows containers (and says the engine would
 * be better added as a swarm).
 */
describe.skipIf(!probe || skipReason !== null)("standalone docker adapter against a real engine", () => {
  const client = testClient();
  const sink = new RecordingSink();
  const stop = new AbortController();
  const adapter = new StandaloneDockerAdapter(engineConnection, testContext("docker-int", createLogger("docker-int")), {
    debounceMs: 50,
    resyncMs: 600_000,
  });
  let running: Promise<void>;
  const project = `${TEST_PREFIX}shop`;

  async function runContainer(name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) {
    const created = (await client.post(
      "/containers/create",
      { Image: TEST_IMAGE, Labels: labels, HostConfig: { Init: true }, ...extra },
      { name },
    )) as { Id: string };
    await client.post(`/containers/${created.Id}/start`, undefined);
    return created.Id;
  }
  const compose = (service: string, n: number) => ({
    "com.docker.compose.project": project,
    "com.docker.compose.service": service,
    "com.docker.compose.container-number": String(n),
    "com.docker.compose.oneoff": "False",
  });

  beforeAll(async () => {
    await removeTestObjects(client);
    running = adapter.run(sink, stop.signal);
    await waitFor("the first list", () => sink.connection !== null, ENGINE_WAIT_MS, ENGINE_POLL_MS);
  });

  afterAll(async () => {
    stop.abort();
    await running;
    await removeTestObjects(client).catch(() => undefined);
    await client.close();
  });

  it("shows the host as the one node", () => {
    expect(sink.items.nodes.size).toBe(1);
    const node = [...sink.items.nodes.values()][0];
    expect(node).toMatchObject({
      name: probe!.info.Name,
      roles: ["host"],
      capacity: { cpuMillis: probe!.info.NCPU * 1000, memoryBytes: probe!.info.MemTotal },
    });
    if (probe!.mode === "swarm")
      expect(sink.connection).toMatchObject({ status: "degraded", reason: expect.stringMatching(/swarm manager/) });
    else expect(sink.connection?.status).toBe("ok");
  });

  it("groups Compose-labelled containers into services of their project, lone containers apart, as events arrive", async () => {
    await runContainer(`${project}-web-1`, compose("web", 1));
    await runContainer(`${project}-web-2`, compose("web", 2));
    // Exits at once and is restarted twice by its policy: RestartCount 2.
    await runContainer(`${project}-worker-1`, compose("worker", 1), {
      Cmd: ["sh", "-c", "exit 3"],
      HostConfig: { Init: true, RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 } },
    });
    await runContainer(`${TEST_PREFIX}lone`, {});

    const web = await waitFor(
      "compose service web with 2 running containers",
      () => {
        const w = sink.items.workloads.get(`compose~${project}~web`);
        return w?.ready === 2 ? w : null;
      },
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(web).toMatchObject({
      name: "web",
      namespace: project,
      kind: "ComposeService",
      desired: 2,
      scalable: false,
      notScalableReason: COMPOSE_NOT_SCALABLE,
    });
    const webTasks = sink.tasksOf(web.id);
    expect(webTasks.map((t) => t.name).sort()).toEqual([`${project}-web-1`, `${project}-web-2`]);
    expect(webTasks.every((t) => t.state === "running" && t.namespace === project && t.startedAt)).toBe(true);

    const lone = await waitFor(
      "the lone container",
      () => sink.items.workloads.get(`container~${TEST_PREFIX}lone`),
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(lone).toMatchObject({ kind: "Container", namespace: null, notScalableReason: CONTAINER_NOT_SCALABLE });

    const worker = await waitFor(
      "the worker failed after its restarts",
      () => {
        const t = sink.tasksOf(`compose~${project}~worker`)[0];
        return t?.state === "failed" && t.restarts === 2 ? t : null;
      },
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(worker.stateReason).toMatch(/Exited \(3\)/);
    expect(worker.problems).toEqual([expect.objectContaining({ reason: "Container failed", evidence: "exited with code 3 (2 restarts)" })]);
  });

  it("reads an unhealthy container as a failing health check, quoting its probe", async () => {
    const id = await runContainer(
      `${TEST_PREFIX}sick`,
      {},
      {
        Healthcheck: { Test: ["CMD-SHELL", "echo connection refused; exit 1"], Interval: 1e9, Timeout: 2e9, Retries: 1 },
      },
    );
    const sick = await waitFor(
      "the container's failing health check",
      () => sink.items.tasks.get(id)?.problems?.find((p) => p.reason === "Failing health check"),
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(sick).toMatchObject({
      severity: "critical",
      ongoing: true,
      evidence: expect.stringMatching(/\(exit code 1\): connection refused$/),
    });
    expect(sink.items.tasks.get(id)).toMatchObject({ state: "running", ready: false });
    await client.delete(`/containers/${id}`, { force: true });
  });

  it("measures running containers' use", async () => {
    const sample = await adapter.sampleUsage();
    expect(sample).not.toBeNull();
    for (const t of sink.tasksOf(`compose~${project}~web`)) expect(sample!.tasks.get(t.id)?.memoryBytes).toBeGreaterThan(0);
    const nodeId = [...sink.items.nodes.keys()][0];
    expect(sample!.nodes.get(nodeId)!.memoryBytes).toBeGreaterThan(0);
  });

  it("refuses to scale a Compose service, saying why", async () => {
    const err = await adapter.scale(`compose~${project}~web`, 3).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ code: "invalid", message: COMPOSE_NOT_SCALABLE });
  });

  it("follows container removal", async () => {
    const doomed = sink.tasksOf(`compose~${project}~web`).find((t) => t.name === `${project}-web-2`)!;
    await client.delete(`/containers/${doomed.id}`, { force: true });
    await waitFor(
      "web down to one container",
      () => {
        const w = sink.items.workloads.get(`compose~${project}~web`);
        return w?.desired === 1 && !sink.items.tasks.has(doomed.id);
      },
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
  });
});

/** The swarm view; the tests run in order on one running adapter. */
describe.skipIf(!probe || swarmSkip !== null)("swarm adapter against a real engine", () => {
  const client = testClient();
  const sink = new RecordingSink();
  const stop = new AbortController();
  const adapter = new SwarmAdapter(engineConnection, testContext("swarm-int", createLogger("docker-int")), {
    debounceMs: 50,
    taskPollMs: 700,
    resyncMs: 20_000,
    backoff: { baseMs: 200, maxMs: 1_000 },
  });
  let running: Promise<void>;
  const webName = `${TEST_PREFIX}web`;
  let webId = "";

  /** The web service's workload and current tasks as the snapshot has them. */
  const web = () => ({ workload: sink.items.workloads.get(webId), tasks: sink.tasksOf(webId) });
  const converged = (n: number) => () => {
    const { workload, tasks } = web();
    return workload?.desired === n && workload.ready === n && tasks.length === n && tasks.every((t) => t.state === "running");
  };

  beforeAll(async () => {
    await removeTestObjects(client);
    webId = await createTestService(
      client,
      webName,
      { replicas: 2 },
      { labels: { "com.docker.stack.namespace": "fleetdeck-test" }, publish: true },
    );
    running = adapter.run(sink, stop.signal);
  });

  afterAll(async () => {
    stop.abort();
    await running;
    // If a test failed while the engine was down, bring it back for everyone else.
    if (!(await client.ping(undefined, 1000)) && !sharedDockerdPid()) {
      startSharedDockerd();
      await waitFor("the engine to answer again", () => client.ping(undefined, 1000), 30_000, 250).catch(() => undefined);
    }
    await removeTestObjects(client).catch(() => undefined);
    await client.close();
  });

  it("lists the node, the service, its tasks and its published port", async () => {
    await waitFor("2 running web tasks", converged(2), ENGINE_WAIT_MS, ENGINE_POLL_MS);
    expect(sink.connection).toMatchObject({ status: "ok", version: probe!.info.ServerVersion });
    const node = sink.items.nodes.get(probe!.info.Swarm!.NodeID!)!;
    expect(node).toMatchObject({ status: "ready", schedulable: true });
    expect(node.roles).toContain("manager");
    expect(node.capacity.cpuMillis).toBe(probe!.info.NCPU * 1000);
    const { workload, tasks } = web();
    expect(workload).toMatchObject({
      name: webName,
      namespace: "fleetdeck-test",
      kind: "SwarmService",
      scalable: true,
      images: ["local/busybox:latest"],
    });
    expect(tasks.map((t) => t.name).sort()).toEqual([`${webName}.1`, `${webName}.2`]);
    expect(tasks[0]).toMatchObject({ node: node.id, requests: { cpuMillis: 10, memoryBytes: 8 * 1024 * 1024 }, restarts: 0 });
    const service = sink.items.services.get(webId)!;
    expect(service.ports[0]).toMatchObject({ targetPort: "80", protocol: "TCP" });
    expect(service.ports[0].port).toBeGreaterThan(0);
    expect(service.clusterIp).toMatch(/^\d+\.\d+\.\d+\.\d+/);
  });

  it("scales 2 → 5 → 0 → 3 and the snapshot converges each time", async () => {
    for (const n of [5, 0, 3]) {
      const started = Date.now();
      const answer = await adapter.scale(webId, n);
      expect(answer).toMatchObject({ id: webId, desired: n });
      await waitFor(`${n} running web tasks`, converged(n), 30_000, ENGINE_POLL_MS);
      console.info(`[docker int] scale to ${n}: snapshot converged in ${Date.now() - started} ms`);
    }
  }, 90_000);

  it("measures the tasks' live use from container stats", async () => {
    const sample = await adapter.sampleUsage();
    expect(sample).not.toBeNull();
    for (const task of web().tasks) {
      const usage = sample!.tasks.get(task.id);
      expect(usage, `usage of ${task.name}`).toBeDefined();
      expect(usage!.memoryBytes).toBeGreaterThan(0);
    }
    const nodeUse = sample!.nodes.get(probe!.info.Swarm!.NodeID!)!;
    expect(nodeUse.memoryBytes).toBeGreaterThanOrEqual(web().tasks.reduce((sum, t) => sum + sample!.tasks.get(t.id)!.memoryBytes, 0));
    // A one-node swarm: nothing is on another node.
    expect(sample!.unavailable.tasks.size).toBe(0);
  });

  it("replaces a killed task's container and counts the restart on its slot", async () => {
    const slot1 = web().tasks.find((t) => t.name === `${webName}.1`)!;
    const raw = await client.get(`/tasks/${slot1.id}`, SwarmTask);
    const containerId = raw.Status.ContainerStatus?.ContainerID;
    expect(containerId).toBeTruthy();
    await client.post(`/containers/${containerId}/kill`, undefined);
    const replacement = await waitFor(
      "a running replacement on slot 1",
      () => web().tasks.find((t) => t.name === `${webName}.1` && t.id !== slot1.id && t.state === "running"),
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(replacement.restarts).toBe(slot1.restarts + 1);
    await waitFor("3 running web tasks again", converged(3), ENGINE_WAIT_MS, ENGINE_POLL_MS);
  });

  it("drains and reactivates the node", async () => {
    const nodeId = probe!.info.Swarm!.NodeID!;
    const setAvailability = async (availability: string) => {
      const node = await client.get(
        `/nodes/${nodeId}`,
        z.looseObject({ Version: z.object({ Index: z.number() }), Spec: z.looseObject({}) }),
      );
      await client.post(`/nodes/${nodeId}/update`, { ...node.Spec, Availability: availability }, { version: node.Version.Index });
    };
    try {
      await setAvailability("drain");
      await waitFor(
        "the node drained in the snapshot",
        () => {
          const node = sink.items.nodes.get(nodeId);
          return node && !node.schedulable && node.info.availability === "drain";
        },
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      await waitFor(
        "the web tasks to wait for a node",
        () => {
          const { workload, tasks } = web();
          return workload?.ready === 0 && tasks.length === 3 && tasks.every((t) => t.state === "pending" && t.node === null);
        },
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      const pending = web().tasks[0];
      expect(pending.stateReason).toMatch(/no suitable node/);
    } finally {
      await setAvailability("active");
    }
    await waitFor("the node active again", () => sink.items.nodes.get(nodeId)?.schedulable === true, ENGINE_WAIT_MS, ENGINE_POLL_MS);
    await waitFor("3 running web tasks after reactivation", converged(3), 30_000, ENGINE_POLL_MS);
    await client.get(`/nodes/${nodeId}`, SwarmNode);
  }, 60_000);

  it("shows a global service as not scalable and refuses to scale it", async () => {
    const id = await createTestService(client, `${TEST_PREFIX}global`, "global");
    const workload = await waitFor(
      "the global service",
      () => {
        const w = sink.items.workloads.get(id);
        return w && w.ready === 1 ? w : null;
      },
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(workload).toMatchObject({ scalable: false, notScalableReason: GLOBAL_NOT_SCALABLE, desired: 1 });
    const task = sink.tasksOf(id)[0];
    expect(task.name).toBe(`${TEST_PREFIX}global.${probe!.info.Swarm!.NodeID}`);
    const err = await adapter.scale(id, 3).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err.code).toBe("invalid");
  });

  it("follows events: services enter and leave the snapshot as upserts and deletes, without polling or relisting", async () => {
    // A second adapter that never polls and never relists on its own: only events can move it.
    const eventsOnly = new RecordingSink();
    const stopEventsOnly = new AbortController();
    const follower = new SwarmAdapter(engineConnection, testContext("swarm-events", createLogger("docker-int")), {
      debounceMs: 50,
      taskPollMs: 600_000,
      resyncMs: 600_000,
    });
    const following = follower.run(eventsOnly, stopEventsOnly.signal);
    try {
      await waitFor("the first list", () => eventsOnly.connection?.status === "ok", ENGINE_WAIT_MS, ENGINE_POLL_MS);
      const replacesAfterList = eventsOnly.counts.replace;
      const globalId = [...eventsOnly.items.workloads.values()].find((w) => w.name === `${TEST_PREFIX}global`)!.id;
      await client.delete(`/services/${globalId}`);
      await waitFor(
        "the global service gone",
        () => !eventsOnly.items.workloads.has(globalId) && eventsOnly.tasksOf(globalId).length === 0,
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      const id = await createTestService(client, `${TEST_PREFIX}late`, { replicas: 1 });
      await waitFor("the new service", () => eventsOnly.items.workloads.get(id), ENGINE_WAIT_MS, ENGINE_POLL_MS);
      await waitFor(
        "its task started (container events)",
        () => eventsOnly.tasksOf(id).some((t) => t.state === "running"),
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      expect(eventsOnly.counts.replace).toBe(replacesAfterList);
      expect(eventsOnly.counts.delete).toBeGreaterThanOrEqual(2);
    } finally {
      stopEventsOnly.abort();
      await following;
    }
  });

  it("survives the engine stopping and starting again", async () => {
    // Other test files may be using the engine: wait for them to be done, and keep new ones off meanwhile.
    const release = await holdEngineAlone(240_000);
    if (!release) {
      console.warn("[docker int] engine restart not tested: other test files held the engine for 4 minutes");
      return;
    }
    try {
      await restartEngine();
    } finally {
      release();
    }
  }, 420_000);

  async function restartEngine() {
    const pid = sharedDockerdPid();
    if (!pid) {
      console.warn(
        `[docker int] engine restart not tested: no live dockerd pid in /var/run/shared-dockerd.pid (engine not started by the shared script)`,
      );
      return;
    }
    const started = Date.now();
    process.kill(pid, "SIGTERM");
    await waitFor("the adapter to report the engine unreachable", () => sink.connection?.status === "unreachable", 30_000, ENGINE_POLL_MS);
    await waitFor("dockerd to exit", () => sharedDockerdPid() === null, 30_000, 200);
    startSharedDockerd();
    await waitFor("the adapter to reconnect", () => sink.connection?.status === "ok", 45_000, 100);
    // After the restart swarm brings the tasks back; the snapshot follows.
    await waitFor("3 running web tasks after the restart", converged(3), 45_000, 100);
    console.info(`[docker int] engine restart: snapshot current again after ${Date.now() - started} ms`);
  }
});
