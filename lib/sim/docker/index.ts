import { clusterIdentity, connectionFromEnv, probeEngine } from "@/lib/adapters/docker";
import type { StartSimulator } from "@/lib/sim/types";

/**
 * There is no Docker simulator: Docker is tested and demonstrated against a
 * real engine. This adds the local engine (DOCKER_HOST or the local socket)
 * to the demo fleet when one answers within a second, as a `swarm` cluster
 * when it is a swarm manager and a `docker` cluster otherwise; with no engine
 * it adds nothing. Nothing is started, so closing does nothing.
 */
export const startDockerDemo: StartSimulator = async () => {
  const connection = connectionFromEnv(process.env);
  const probe = await probeEngine(connection, 1000);
  const host = connection.host ?? "unix:///var/run/docker.sock";
  if (!probe) {
    return { label: "docker (no local engine answered)", urls: [], clusters: [], close: async () => {} };
  }
  return {
    label: `docker (local engine, ${probe.mode})`,
    urls: [host],
    clusters: [{ ...clusterIdentity(probe), orchestrator: probe.mode, connection }],
    close: async () => {},
  };
};
