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
 * contracts; each module's discover() claims the local engine only in its
 * own mode, from one probe of it per discovery round. The adapter reads
 * /info on every (re)list: a `swarm` cluster whose engine is not (or not
 * yet, e.g. just restarted) a manager keeps its last snapshot and reports
 * "degraded" while it retries; a `docker` cluster always shows containers
 * and says "degraded" when its engine is a swarm manager that would be
 * better added as `swarm`.
 */

export { DockerAdapter, StandaloneDockerAdapter, SwarmAdapter, DEFAULT_DOCKER_TIMINGS, type DockerTimings } from "./adapter";
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
 * The probe of the current discovery round per environment. A round asks the
 * swarm and the docker module in turn, with one env: the probe the first one
 * starts serves the other, and is dropped once the other took it. A module
 * that asks again before that (a retry) starts a new round, so no probe is
 * reused beyond the round it was made for.
 */
const discoveryRounds = new WeakMap<object, { check: Promise<EngineCheck>; startedBy: DockerMode }>();

function checkForDiscovery(env: Readonly<Record<string, string | undefined>>, mode: DockerMode, connection: DockerConnection): Promise<EngineCheck> {
  const round = discoveryRounds.get(env);
  if (round && round.startedBy !== mode) {
    discoveryRounds.delete(env);
    return round.check;
  }
  const check = checkEngine(connection);
  discoveryRounds.set(env, { check, startedBy: mode });
  return check;
}

type DockerModule = AdapterModule<DockerConnection> & Required<Pick<AdapterModule<DockerConnection>, "discover">>;

function moduleFor(orchestrator: DockerMode, create: AdapterModule<DockerConnection>["create"]): DockerModule {
  return {
    orchestrator,
    connectionSchema: dockerConnectionSchema,
    create,
    async discover(env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<DiscoveredCluster<DockerConnection>[]> {
      const connection = connectionFromEnv(env);
      const { probe, failure } = await checkForDiscovery(env, orchestrator, connection);
      if (!probe) {
        // The local socket is optional, but an engine DOCKER_HOST names was asked for: say why it is missing
        // (e.g. a TLS failure). Both modules see the failure; the `docker` one says so, once.
        if (env.DOCKER_HOST && orchestrator === "docker") log.warn("the Docker engine DOCKER_HOST names does not answer", { host: connection.host, reason: failure });
        return [];
      }
      if (probe.mode !== orchestrator) return [];
      log.info("found a Docker engine", { host: connection.host, mode: probe.mode });
      // The default socket is ambient; an engine named by DOCKER_HOST was asked for.
      return [{ ...clusterIdentity(probe), connection, ambient: !env.DOCKER_HOST }];
    },
  };
}

export const swarmAdapterModule = moduleFor("swarm", (connection, context) => new SwarmAdapter(connection, context));
export const dockerAdapterModule = moduleFor("docker", (connection, context) => new StandaloneDockerAdapter(connection, context));
