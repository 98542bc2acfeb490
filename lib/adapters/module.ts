import type { z } from "zod";
import type { Orchestrator } from "@/lib/model/types";
import type { Logger } from "@/lib/log";
import type { SecretSet } from "./secrets";
import type { ClusterAdapter } from "./types";

/**
 * What each lib/adapters/<orchestrator>/index.ts exports as `adapterModule`:
 * how its clusters.yaml entries look, how to build an adapter from one, and
 * how to find clusters without configuration.
 */
export interface AdapterModule<C = unknown> {
  orchestrator: Orchestrator;
  /**
   * Schema of a clusters.yaml entry's connection fields. The entry's common
   * fields (id, name, hidden, demo, orchestrator) are stripped before parsing.
   */
  connectionSchema: z.ZodType<C>;
  create(connection: C, context: AdapterContext): ClusterAdapter;
  /** Clusters found without configuration: kubeconfig contexts, a local socket, NOMAD_ADDR. */
  discover?(env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<DiscoveredCluster<C>[]>;
}

export interface AdapterContext {
  clusterId: string;
  log: Logger;
  /** Where the adapter registers every credential it loads, so that upstream text can be redacted. */
  secrets: SecretSet;
  /**
   * The environment credentials and kubeconfigs are read from (tokenEnv,
   * passwordEnv, KUBECONFIG, NOMAD_TOKEN): the server's, or a test's own.
   */
  env: Readonly<Record<string, string | undefined>>;
}

export interface DiscoveredCluster<C = unknown> {
  /** URL-safe; see slugify in lib/model/ids. */
  id: string;
  name: string;
  connection: C;
  /**
   * Another orchestrator of the module's family (the docker module finds a
   * swarm manager as a `swarm` cluster); the module's own when absent.
   */
  orchestrator?: Orchestrator;
  /**
   * Found on this machine without any setting (the local Docker socket).
   * Such a cluster is shown, but does not count as configuration: the demo
   * fleet still starts beside it.
   */
  ambient?: boolean;
}
