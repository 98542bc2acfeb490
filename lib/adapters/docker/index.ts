import { asAdapterError } from "@/lib/adapters/errors";
import type { AdapterModule, DiscoveredCluster } from "@/lib/adapters/module";
import type { Logger } from "@/lib/log";
import { slugify } from "@/lib/model/ids";
import { modeOf, StandaloneDockerAdapter, SwarmAdapter, type DockerMode } from "./adapter";
import { DockerClient } from "./client";
import { connectionFromEnv, DEFAULT_DOCKER_HOST, dockerConnectionSchema, type DockerConnection } from "./connection";
import { DockerInfoAnswer, type RawInfo } from "./raw";

/**
 * The Docker family as two modules over one adapter: a swarm manager is a
 * `swarm` cluster, any other engine a `docker` cluster. AdapterModule has a
 * single orchestrator and ClusterAdapter a readonly one, so two modules keep
 * every cluster's orchestrator right from discovery on without changing the
 * contracts; the docker module's discover() probes the local engine once
 * and answers it in the mode it is in. The adapter reads
 * /info on every (re)list: a `swarm` cluster whose engine is not (or not
 * yet, e.g. just restarted) a manager keeps its last snapshot and reports
 * "degraded" while it retries; a `docker` cluster always shows containers
 * and says "degraded" when its engine is a swarm manager that would be
 * better added as `swarm`.
 */

export { DockerAdapter, StandaloneDockerAdapter, SwarmAdapter, type DockerTimings } from "./adapter";
export { dockerConnectionSchema, connectionFromEnv, DEFAULT_DOCKER_HOST, type DockerConnection } from "./connection";

export interface EngineProbe {
  info: RawInfo;
  mode: DockerMode;
}

export type EngineCheck = { probe: EngineProbe; failure: null } | { probe: null; failure: string };

/** Whether an engine answers /_ping within `timeoutMs`, and if so its /info and mode. */
export async function probeEngine(connection: DockerConnection, timeoutMs = 1000): Promise<EngineProbe | null> {
  return (await checkEngine(connection, timeoutMs)).probe;
}

/** probeEngine, saying why when no engine answers (nothing listening, a TLS failure, ...). */
export async function checkEngine(connection: DockerConnection, timeoutMs = 1000): Promise<EngineCheck> {
  const client = new DockerClient(connection, { timeoutMs: Math.max(timeoutMs, 2000) });
  try {
    const failure = await client.pingFailure(undefined, timeoutMs);
    if (failure) return { probe: null, failure };
    const info = await client.get("/info", DockerInfoAnswer);
    return { probe: { info, mode: modeOf(info) }, failure: null };
  } catch (err) {
    return { probe: null, failure: asAdapterError(err, `Docker Engine at ${connection.host ?? DEFAULT_DOCKER_HOST}`).message };
  } finally {
    await client.close();
  }
}

/** Cluster id and name of an engine: stable across restarts (from its hostname). */
export function clusterIdentity(probe: EngineProbe): { id: string; name: string } {
  const host = probe.info.Name;
  return probe.mode === "swarm"
    ? { id: slugify(`swarm-${host}`), name: `Swarm on ${host}` }
    : { id: slugify(`docker-${host}`), name: `Docker on ${host}` };
}

/**
 * Finds the local engine (DOCKER_HOST or the default socket) with one probe,
 * as a `swarm` cluster when it is a swarm manager and a `docker` cluster
 * otherwise: the docker module discovers for the whole family.
 */
async function discoverEngine(
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<DiscoveredCluster<DockerConnection>[]> {
  const connection = connectionFromEnv(env);
  const { probe, failure } = await checkEngine(connection);
  if (!probe) {
    // The local socket is optional, but an engine DOCKER_HOST names was asked for: say why it is missing (e.g. a TLS failure).
    if (env.DOCKER_HOST) log.warn("the Docker engine DOCKER_HOST names does not answer", { host: connection.host, reason: failure });
    return [];
  }
  log.info("found a Docker engine", { host: connection.host, mode: probe.mode });
  // The default socket is ambient; an engine named by DOCKER_HOST was asked for.
  return [{ ...clusterIdentity(probe), orchestrator: probe.mode, connection, ambient: !env.DOCKER_HOST }];
}

export const swarmAdapterModule: AdapterModule<DockerConnection> = {
  orchestrator: "swarm",
  connectionSchema: dockerConnectionSchema,
  create: (connection, context) => new SwarmAdapter(connection, context),
};

export const dockerAdapterModule: AdapterModule<DockerConnection> & Required<Pick<AdapterModule<DockerConnection>, "discover">> = {
  orchestrator: "docker",
  connectionSchema: dockerConnectionSchema,
  create: (connection, context) => new StandaloneDockerAdapter(connection, context),
  discover: discoverEngine,
};
