import type { AdapterModule, DiscoveredCluster } from "@/lib/adapters/module";
import { SecretSet } from "@/lib/adapters/secrets";
import type { Logger } from "@/lib/log";
import { slugify } from "@/lib/model/ids";
import { EcsAdapter } from "./adapter";
import { EcsApi } from "./client";
import { EcsConnectionSchema, clusterNameOf, type EcsConnection } from "./connection";

/**
 * ECS clusters are the unit of capacity, so the recommended setup is one
 * Fleetdeck cluster per ECS cluster: an entry with `cluster:` set, or
 * discovery (opt-in with FLEETDECK_ECS_DISCOVER=1, since it calls AWS at
 * startup), which lists the account's clusters in the default region and
 * answers one entry each. An entry without `cluster:` still works: it follows
 * every cluster of the account-region as one Fleetdeck cluster, with each ECS
 * cluster's name as the namespace of its services and tasks.
 */
export const adapterModule: AdapterModule<EcsConnection> = {
  orchestrator: "ecs",
  connectionSchema: EcsConnectionSchema,
  create: (connection, context) => new EcsAdapter(connection, context),
  discover: discoverEcsClusters,
};

export async function discoverEcsClusters(
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<DiscoveredCluster<EcsConnection>[]> {
  if (!/^(1|true|yes)$/i.test(env.FLEETDECK_ECS_DISCOVER ?? "")) return [];
  let api: EcsApi | null = null;
  // Discovery runs before any cluster (and its SecretSet) exists: its own set redacts what it logs.
  const secrets = new SecretSet();
  try {
    const base = EcsConnectionSchema.parse({
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
      profile: env.AWS_PROFILE || undefined,
      // The AWS CLI's endpoint overrides, so discovery also works against an emulator.
      endpoint: env.AWS_ENDPOINT_URL_ECS || env.AWS_ENDPOINT_URL || undefined,
    });
    api = new EcsApi(base, { maxAttempts: 2, requestTimeoutMs: 10_000 }, secrets);
    const region = await api.region();
    const arns = await api.listClusterArns(AbortSignal.timeout(20_000));
    return arns.map((arn) => {
      const name = clusterNameOf(arn);
      return { id: slugify(`ecs-${region}-${name}`), name: `${name} (${region})`, connection: { ...base, region, cluster: arn } };
    });
  } catch (err) {
    // Discovery is best effort: a missing region or credentials must not stop the server.
    log.warn("ECS discovery failed", { error: secrets.redact((err as Error).message) });
    return [];
  } finally {
    api?.destroy();
  }
}

export { EcsAdapter } from "./adapter";
export { EcsConnectionSchema, type EcsConnection } from "./connection";
