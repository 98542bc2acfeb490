import type { AdapterModule, DiscoveredCluster } from "@/lib/adapters/module";
import type { Logger } from "@/lib/log";
import { slugify } from "@/lib/model/ids";
import { DockerAdapter, modeOf, type DockerMode } from "./adapter";
import { DockerClient } from "./client";
import { connectionFromEnv, dockerConnectionSchema, type DockerConnection } from "./connection";
import { InfoAnswer, type RawInfo } from "./raw";

/**
 * The Docker family as two modules over one adapter: a swarm manager is a
 * `swarm` cluster, any other engine a `docker` cluster. AdapterModule has a
 * single orchestrator and ClusterAdapter a readonly one, so two modules keep
 * every cluster's orchestrator right from discovery on without changing the
 * contracts; each module's discover() claims the local engine only in its
 * own mode. The adapter reads /info on every (re)list: a `swarm` cluster
 * whose engine is not (or not yet, e.g. just restarted) a manager keeps its
 * last snapshot and reports "degraded" while it retries; a `docker` cluster
 * always shows containers and says "degraded" when its engine is a swarm
 * manager that would be better added as `swarm`.
 */

export { DockerAdapter, type DockerAdapterOptions, type DockerUsageSample } from "./adapter";
export { dockerConnectionSchema, connectionFromEnv, type DockerConnection } from "./connection";

export interface EngineProbe {
  info: RawInfo;
  mode: DockerMode;
}

/** Whether an engine answers /_ping within `timeoutMs`, and if so its /info and mode. */
export async function probeEngine(connection: DockerConnection, timeoutMs = 1000): Promise<EngineProbe | null> {
  return (await checkEngine(connection, timeoutMs)).probe;
}

/** probeEngine, saying why when no engine answers (nothing listening, a TLS failure, ...). */
export async function checkEngine(
  connection: DockerConnection,
  timeoutMs = 1000,
): Promise<{ probe: EngineProbe; failure: null } | { probe: null; failure: string }> {
  const client = new DockerClient(connection, { timeoutMs: Math.max(timeoutMs, 2000) });
  try {
    const failure = await client.pingFailure(undefined, timeoutMs);
    if (failure) return { probe: null, failure };
    const info = await client.get("/info", InfoAnswer);
    return { probe: { info, mode: modeOf(info) }, failure: null };
  } catch (err) {
    return { probe: null, failure: err instanceof Error ? err.message : String(err) };
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

function moduleFor(orchestrator: DockerMode): AdapterModule<DockerConnection> {
  return {
    orchestrator,
    connectionSchema: dockerConnectionSchema,
    // Nothing to register in context.secrets: the Engine API takes no token or password here (no
    // X-Registry-Auth is sent, scaling changes replicas only), and the TLS key is a file whose
    // contents never go over the wire; its path is configuration, not a secret.
    create: (connection, context) => new DockerAdapter(orchestrator, connection, context),
    async discover(env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<DiscoveredCluster<DockerConnection>[]> {
      const connection = connectionFromEnv(env);
      const { probe, failure } = await checkEngine(connection);
      if (!probe) {
        // The local socket is optional, but an engine DOCKER_HOST names was asked for: say why it is missing
        // (e.g. a TLS failure). Both modules probe it; the `docker` one says so, once.
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

export const swarmAdapterModule = moduleFor("swarm");
export const dockerAdapterModule = moduleFor("docker");
