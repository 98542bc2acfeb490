import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { z } from "zod";
import type { AdapterContext } from "@/lib/adapters/module";
import { SecretSet } from "@/lib/adapters/secrets";
import type { Logger } from "@/lib/log";
import { DockerClient } from "./client";
import { connectionFromEnv, type DockerConnection } from "./connection";
import { probeEngine, type EngineProbe } from "./index";
import { DockerContainerSummary, SwarmService } from "./raw";

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
  extra: { labels?: Record<string, string>; publish?: boolean } = {},
): Promise<string> {
  const answer = (await client.post("/services/create", {
    Name: name,
    Labels: extra.labels ?? {},
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Init: true, StopGracePeriod: 1_000_000_000 },
      Resources: { Reservations: { NanoCPUs: 10_000_000, MemoryBytes: 8 * 1024 * 1024 } },
      RestartPolicy: { Condition: "any", Delay: 100_000_000 },
    },
    Mode: mode === "global" ? { Global: {} } : { Replicated: { Replicas: mode.replicas } },
    EndpointSpec: extra.publish ? { Ports: [{ Protocol: "tcp", TargetPort: 80 }] } : undefined,
  })) as { ID: string };
  return answer.ID;
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
