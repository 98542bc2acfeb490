import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { createLogger } from "@/lib/log";
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
} from "./int-support";
import { COMPOSE_NOT_SCALABLE, CONTAINER_NOT_SCALABLE } from "./standalone-mappers";

/**
 * Everything that runs on a swarm manager, shown: a Compose project started
 * with the real `docker-compose` CLI (Debian's 1.29) and a lone `docker run`
 * container appear in the swarm cluster beside its services, each labelled
 * by kind, and go with `docker-compose down` and `docker rm -f`. The CLIs
 * reach the same engine as the adapter (they read the same DOCKER_HOST).
 * Names are unique per run.
 */

const run = promisify(execFile);
const { probe, skipReason } = await engineForTests();
const hasCompose = await run("docker-compose", ["version", "--short"]).then(
  () => true,
  () => false,
);
const composeSkip =
  skipReason ??
  (probe && probe.mode !== "swarm" ? `the engine at ${engineConnection.host} is not a swarm manager` : null) ??
  (hasCompose ? null : "the docker-compose CLI is not installed (apt-get install docker-compose)");
if (probe && composeSkip) console.warn(`[docker compose integration tests skipped] ${composeSkip}`);

describe.runIf(probe !== null && !hasCompose && process.env.CI === "true")("docker-compose for the Compose tests (CI)", () => {
  it("is installed: CI installs Debian's docker-compose", () => {
    throw new Error("the docker-compose CLI is not installed");
  });
});

const COMPOSE_FILE = `version: "3.7"
services:
  web:
    image: ${TEST_IMAGE}
    command: sleep 3600
    init: true
    volumes:
      - data:/var/lib/data
  worker:
    image: ${TEST_IMAGE}
    command: sleep 3600
    init: true
volumes:
  data: {}
`;

describe.skipIf(!probe || composeSkip !== null)("Compose projects and lone containers in a swarm cluster", () => {
  const client = testClient();
  const sink = new RecordingSink();
  const stop = new AbortController();
  const adapter = new SwarmAdapter(engineConnection, testContext("swarm-compose", createLogger("docker-compose-int")), {
    debounceMs: 50,
    taskPollMs: 500,
    resyncMs: 20_000,
    backoff: { baseMs: 200, maxMs: 1_000 },
  });
  const unique = randomBytes(3).toString("hex");
  const project = `fleetdeck-compose-${unique}`;
  const lone = `fleetdeck-lone-${unique}`;
  const serviceName = `fleetdeck-compose-${unique}-svc`;
  const dir = mkdtempSync(path.join(tmpdir(), "fleetdeck-compose-"));
  const composeFile = path.join(dir, "docker-compose.yml");
  const compose = (...args: string[]) => run("docker-compose", ["-p", project, "-f", composeFile, ...args], { timeout: 120_000 });
  let release = () => {};
  let running: Promise<void>;

  beforeAll(async () => {
    writeFileSync(composeFile, COMPOSE_FILE);
    release = await holdEngine();
    running = adapter.run(sink, stop.signal);
    await waitFor("the first list", () => sink.connection?.status === "ok", ENGINE_WAIT_MS, ENGINE_POLL_MS);
  }, 240_000);

  afterAll(async () => {
    stop.abort();
    await running;
    await compose("down", "--volumes", "--timeout", "1").catch(() => undefined);
    await run("docker", ["rm", "-f", lone]).catch(() => undefined);
    await client.delete(`/services/${serviceName}`).catch(() => undefined);
    release();
    rmSync(dir, { recursive: true, force: true });
    await client.close();
  }, 120_000);

  it("shows a docker-compose project's services and a lone container beside the swarm's services, and lets them go", async () => {
    const serviceId = await createTestService(
      client,
      serviceName,
      { replicas: 1 },
      {
        container: { Mounts: [{ Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 16 * 1024 * 1024 } }] },
      },
    );
    await compose("up", "-d");
    await run("docker", ["run", "-d", "--init", "--name", lone, TEST_IMAGE]);
    const nodeId = probe!.info.Swarm!.NodeID!;

    const ids = { web: `compose~${project}~web`, worker: `compose~${project}~worker`, lone: `container~${lone}` };
    for (const id of Object.values(ids)) {
      await waitFor(`${id} with a running task`, () => sink.tasksOf(id).some((t) => t.state === "running"), ENGINE_WAIT_MS, ENGINE_POLL_MS);
    }
    for (const service of ["web", "worker"] as const) {
      expect(sink.items.workloads.get(ids[service])).toMatchObject({
        name: service,
        namespace: project,
        kind: "ComposeService",
        desired: 1,
        ready: 1,
        scalable: false,
        notScalableReason: COMPOSE_NOT_SCALABLE,
        info: { "Compose project": project, "Compose service": service },
      });
      expect(sink.tasksOf(ids[service])).toEqual([
        expect.objectContaining({ name: `${project}_${service}_1`, namespace: project, node: nodeId, ready: true }),
      ]);
    }
    // The named volume Compose made for the project, read from the engine's container list.
    expect(sink.items.workloads.get(ids.web)?.volumes).toEqual([
      {
        name: "/var/lib/data",
        type: "volume",
        claim: `${project}_data`,
        capacityBytes: null,
        accessModes: ["read-write"],
        status: "mounted",
      },
    ]);
    expect(sink.items.workloads.get(ids.worker)?.volumes).toEqual([]);
    expect(sink.items.workloads.get(ids.lone)).toMatchObject({
      name: lone,
      kind: "Container",
      namespace: null,
      notScalableReason: CONTAINER_NOT_SCALABLE,
    });

    // The swarm service's container is its task, listed once.
    await waitFor(
      "the swarm service's running task",
      () => sink.tasksOf(serviceId).some((t) => t.state === "running"),
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(sink.tasksOf(serviceId)).toHaveLength(1);
    // Mounted once the service's status counts its running task, which a later list may bring.
    await waitFor(
      "the swarm service's tmpfs mounted",
      () => sink.items.workloads.get(serviceId)?.volumes[0]?.status === "mounted",
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(sink.items.workloads.get(serviceId)?.volumes).toEqual([
      { name: "/scratch", type: "tmpfs", claim: null, capacityBytes: 16 * 1024 * 1024, accessModes: ["read-write"], status: "mounted" },
    ]);
    expect(sink.list("workloads").filter((w) => w.name.startsWith(serviceName))).toEqual([
      expect.objectContaining({ id: serviceId, kind: "SwarmService" }),
    ]);
    expect(sink.list("tasks").filter((t) => t.name.startsWith(serviceName))).toHaveLength(1);

    // Their use is measured as the tasks they are.
    const sample = await adapter.sampleUsage();
    for (const id of Object.values(ids)) expect(sample.tasks.get(sink.tasksOf(id)[0].id)?.memoryBytes, `use of ${id}`).toBeGreaterThan(0);

    const refused = await adapter.scale(ids.web, 3).catch((e) => e);
    expect(refused).toBeInstanceOf(AdapterError);
    expect(refused).toMatchObject({ code: "invalid", message: COMPOSE_NOT_SCALABLE });

    await compose("down", "--volumes", "--timeout", "1");
    await waitFor(
      "the Compose project gone",
      () => [ids.web, ids.worker].every((id) => !sink.items.workloads.has(id) && sink.tasksOf(id).length === 0),
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    await run("docker", ["rm", "-f", lone]);
    await waitFor(
      "the lone container gone",
      () => !sink.items.workloads.has(ids.lone) && sink.tasksOf(ids.lone).length === 0,
      ENGINE_WAIT_MS,
      ENGINE_POLL_MS,
    );
    expect(sink.items.workloads.has(serviceId)).toBe(true);
  }, 180_000);
});
