import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AdapterContext } from "@/lib/adapters/module";
import { SecretSet } from "@/lib/adapters/secrets";
import type { Logger } from "@/lib/log";
import { DockerClient } from "./client";
import { connectionFromEnv, type DockerConnection } from "./connection";
import { probeEngine, type EngineProbe } from "./index";
import { DockerContainerSummary, SwarmService, SwarmServiceInspectForUpdate } from "./raw";

/** Shared by the *.int.test.ts files: the real engine, its wait timings, cleanup. */

export const TEST_PREFIX = "fleetdeck-test-";
export const TEST_IMAGE = "local/busybox:latest";
export const SHARED_DOCKERD_PIDFILE = "/var/run/shared-dockerd.pid";
const SHARED_DOCKERD_LOG = "/tmp/shared-dockerd.log";
/** A real engine converges slower than a simulator: longer waits, politer polling. */
export const ENGINE_WAIT_MS = 20_000;
export const ENGINE_POLL_MS = 50;

export const engineConnection: DockerConnection = connectionFromEnv(process.env);

/**
 * Whether the integration tests can run: an engine must answer. Without one
 * they skip with a message, except under CI=true where that is a failure.
 */
export async function engineForTests(): Promise<{ probe: EngineProbe | null; skipReason: string | null }> {
  const probe = await probeEngine(engineConnection, 1500);
  if (probe) return { probe, skipReason: null };
  const reason = `no Docker engine answers at ${engineConnection.host}; start one with ../shared/tools/docker-swarm.sh up`;
  if (process.env.CI === "true") return { probe: null, skipReason: null };
  console.warn(`[docker integration tests skipped] ${reason}`);
  return { probe: null, skipReason: reason };
}

/** An adapter context of its own for each test adapter. */
export function testContext(clusterId: string, log: Logger): AdapterContext {
  return { clusterId, log, secrets: new SecretSet(), env: {} };
}

export function testClient(): DockerClient {
  return new DockerClient(engineConnection, { timeoutMs: 15_000 });
}

/** A replicated (or global) service that stops fast: tini forwards SIGTERM and the grace period is 1 s. */
export async function createTestService(
  client: DockerClient,
  name: string,
  mode: { replicas: number } | "global",
  extra: {
    labels?: Record<string, string>;
    publish?: boolean;
    /** Laid over the ContainerSpec: Image, Args, Healthcheck. */
    container?: Record<string, unknown>;
    reservedMemoryBytes?: number;
  } = {},
): Promise<string> {
  const answer = (await client.post("/services/create", {
    Name: name,
    Labels: extra.labels ?? {},
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Init: true, StopGracePeriod: 1_000_000_000, ...extra.container },
      Resources: { Reservations: { NanoCPUs: 10_000_000, MemoryBytes: extra.reservedMemoryBytes ?? 8 * 1024 * 1024 } },
      RestartPolicy: { Condition: "any", Delay: 100_000_000 },
    },
    Mode: mode === "global" ? { Global: {} } : { Replicated: { Replicas: mode.replicas } },
    EndpointSpec: extra.publish ? { Ports: [{ Protocol: "tcp", TargetPort: 80 }] } : undefined,
  })) as { ID: string };
  return answer.ID;
}

/** Replaces a service's task template by what `change` makes of it (the update takes the whole spec). */
export async function updateTestService(
  client: DockerClient,
  id: string,
  change: (template: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const current = await client.get(`/services/${id}`, SwarmServiceInspectForUpdate);
  const template = (current.Spec.TaskTemplate ?? {}) as Record<string, unknown>;
  await client.post(`/services/${id}/update`, { ...current.Spec, TaskTemplate: change(template) }, { version: current.Version.Index });
}

/** Removes every service and container whose name starts with the test prefix. */
export async function removeTestObjects(client: DockerClient): Promise<void> {
  const services = await client.get("/services", z.array(SwarmService)).catch(() => []);
  for (const s of services) {
    if (s.Spec.Name.startsWith(TEST_PREFIX)) await client.delete(`/services/${s.ID}`).catch(() => undefined);
  }
  const containers = await client.get("/containers/json", z.array(DockerContainerSummary), { all: true });
  for (const c of containers) {
    if ((c.Names ?? []).some((n) => n.startsWith(`/${TEST_PREFIX}`))) {
      await client.delete(`/containers/${c.Id}`, { force: true }).catch(() => undefined);
    }
  }
}

/** The pid of the engine the shared script started, when this test may stop and restart it. */
export function sharedDockerdPid(): number | null {
  if (!existsSync(SHARED_DOCKERD_PIDFILE)) return null;
  const pid = Number(readFileSync(SHARED_DOCKERD_PIDFILE, "utf8").trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Starts dockerd the way ../shared/tools/docker-swarm.sh does (same socket, pidfile and log). */
export function startSharedDockerd(): void {
  const log = openSync(SHARED_DOCKERD_LOG, "a");
  const child = spawn("dockerd", ["--host", "unix:///var/run/docker.sock", "--pidfile", SHARED_DOCKERD_PIDFILE], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
}

/**
 * Test files run in parallel and docker.int.test.ts stops and restarts the
 * engine: a file whose tests need the engine up holds it (holdEngine), and
 * the restart waits until it holds the engine alone (holdEngineAlone). Holds
 * are files here named by process, so those of a killed run do not count.
 */
const ENGINE_HOLDS = "/tmp/fleetdeck-docker-engine-holds";

type HoldKind = "shared" | "alone";

function takeHold(kind: HoldKind): string {
  mkdirSync(ENGINE_HOLDS, { recursive: true });
  const file = path.join(ENGINE_HOLDS, `${kind}-${process.pid}-${randomBytes(4).toString("hex")}`);
  writeFileSync(file, "");
  return file;
}

function othersHolding(kind: HoldKind, own: string): boolean {
  return readdirSync(ENGINE_HOLDS).some((name) => {
    const file = path.join(ENGINE_HOLDS, name);
    if (!name.startsWith(`${kind}-`) || file === own) return false;
    try {
      process.kill(Number(name.split("-")[1]), 0);
      return true;
    } catch {
      rmSync(file, { force: true });
      return false;
    }
  });
}

/** Holds the engine up for this file's tests, once no restart is under way; answers the release. */
export async function holdEngine(timeoutMs = 180_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const own = takeHold("shared");
    if (!othersHolding("alone", own)) return () => rmSync(own, { force: true });
    // A restart is waiting or under way: step back so that it can go ahead.
    rmSync(own, { force: true });
    if (Date.now() > deadline) throw new Error(`the Docker engine was being restarted by another test for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until no other test file holds the engine, keeping new ones off; null (and no hold) when that takes over `timeoutMs`. */
export async function holdEngineAlone(timeoutMs: number): Promise<(() => void) | null> {
  const own = takeHold("alone");
  const deadline = Date.now() + timeoutMs;
  while (othersHolding("shared", own)) {
    if (Date.now() > deadline) {
      rmSync(own, { force: true });
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return () => rmSync(own, { force: true });
}
