import { DEFAULT_DOCKER_HOST, dockerAdapterModule } from "@/lib/adapters/docker";
import { createLogger } from "@/lib/log";
import type { DemoCluster, StartSimulator } from "@/lib/sim/types";

/**
 * There is no Docker simulator: Docker is tested and demonstrated against a
 * real engine. This adds the local engine (DOCKER_HOST or the local socket)
 * to the demo fleet as the Docker module's own discovery finds it: a `swarm` cluster when it is a swarm manager, a `docker` cluster
 * otherwise, nothing when no engine answers. Nothing is started, so closing
 * does nothing.
 */
export const startDockerDemo: StartSimulator = async () => {
  const env = process.env;
  const log = createLogger("docker-demo");
  const clusters: DemoCluster[] = [];
  const hosts = new Set<string>();
  for (const { id, name, orchestrator, connection } of await dockerAdapterModule.discover(env, log)) {
    clusters.push({ id, name, orchestrator: orchestrator ?? dockerAdapterModule.orchestrator, connection });
    hosts.add(connection.host ?? DEFAULT_DOCKER_HOST);
  }
  const close = async () => {};
  if (clusters.length === 0) return { label: "docker (no local engine answered)", urls: [], clusters, close };
  return { label: `docker (local engine, ${clusters[0].orchestrator})`, urls: [...hosts], clusters, close };
};
