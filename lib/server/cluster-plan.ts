import type { AdapterModule } from "@/lib/adapters/module";
import type { PrometheusSource } from "@/lib/adapters/prometheus/client";
import type { Logger } from "@/lib/log";
import { OPENCOST_LIST_PRICES, type Pricing } from "@/lib/model/consumption";
import type { DemoCluster } from "@/lib/model/demo";
import type { Orchestrator } from "@/lib/model/types";
import type { ClusterEntry, Settings } from "./config";

/**
 * Which clusters the server runs: the discovered ones, then clusters.yaml
 * entries that rename, hide or add, then (maybe) the demo fleet.
 */

export type AdapterModules = Partial<Record<Orchestrator, AdapterModule<unknown>>>;

export interface Candidate {
  id: string;
  name: string;
  orchestrator: Orchestrator;
  connection: unknown;
  demo: boolean;
  /** See DiscoveredCluster.ambient. */
  ambient?: boolean;
  /** Where consumption history is read (clusters.yaml `prometheus`). */
  prometheus?: PrometheusSource;
  /** Its price sheet (clusters.yaml `pricing`). */
  pricing?: Pricing;
  /** A demo cluster's model of use over time (DemoCluster.usageAt). */
  usageAt?: DemoCluster["usageAt"];
}

const DISCOVERY_TIMEOUT_MS = 5_000;

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks every module to discover; one that fails or hangs is logged and skipped. The first of an id wins. */
export async function discoverClusters(
  modules: AdapterModules,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<Candidate[]> {
  const byId = new Map<string, Candidate>();
  for (const adapterModule of Object.values(modules)) {
    if (!adapterModule?.discover) continue;
    try {
      const found = await withTimeout(adapterModule.discover(env, log), DISCOVERY_TIMEOUT_MS, `${adapterModule.orchestrator} discovery`);
      for (const c of found) {
        if (!byId.has(c.id)) byId.set(c.id, { ...c, orchestrator: c.orchestrator ?? adapterModule.orchestrator, demo: false });
      }
    } catch (err) {
      log.warn(`${adapterModule.orchestrator} discovery failed`, { error: (err as Error).message });
    }
  }
  return [...byId.values()];
}

/** Applies clusters.yaml entries to the discovered clusters; a bad entry throws naming it. */
export function applyEntries(discovered: Candidate[], entries: ClusterEntry[], modules: AdapterModules, log: Logger): Candidate[] {
  const byId = new Map(discovered.map((c) => [c.id, c]));
  const hidden = new Set<string>();
  for (const entry of entries) {
    const { id, name, hidden: hide, demo, orchestrator, prometheus, pricing, ...connectionFields } = entry;
    if (hide) hidden.add(id);
    const kind = orchestrator ?? byId.get(id)?.orchestrator;
    if (prometheus && kind !== "kubernetes") {
      throw new Error(`clusters.yaml: cluster "${id}": prometheus applies to Kubernetes clusters (its queries read cAdvisor's metrics)`);
    }
    if (orchestrator) {
      const adapterModule = modules[orchestrator];
      if (!adapterModule) throw new Error(`clusters.yaml: cluster "${id}": Fleetdeck does not speak ${orchestrator} yet`);
      const parsed = adapterModule.connectionSchema.safeParse(connectionFields);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(entry)"}: ${i.message}`).join("; ");
        throw new Error(`clusters.yaml: cluster "${id}": ${issues}`);
      }
      byId.set(id, { id, name: name ?? id, orchestrator, connection: parsed.data, demo, prometheus, pricing });
    } else if (byId.has(id)) {
      // Naming a discovered cluster in clusters.yaml makes it configured.
      byId.set(id, {
        ...byId.get(id)!,
        ...(name ? { name } : {}),
        ...(prometheus ? { prometheus } : {}),
        ...(pricing ? { pricing } : {}),
        ambient: false,
      });
    } else if (!hide) {
      log.warn(`clusters.yaml names cluster "${id}", which has no orchestrator and was not discovered; ignoring it`);
    }
  }
  return [...byId.values()].filter((c) => !hidden.has(c.id));
}

/**
 * Each priced cluster's price sheet by id: its own, else the fleet's
 * (consumption.pricing), else OpenCost's list prices for a demo cluster; a
 * real cluster with neither has no cost rather than a made-up one.
 */
export function clusterPricing(candidates: readonly Candidate[], fleetDefault: Pricing | undefined): Record<string, Pricing> {
  return Object.fromEntries(
    candidates.flatMap((c) => {
      const sheet = c.pricing ?? fleetDefault ?? (c.demo ? OPENCOST_LIST_PRICES : undefined);
      return sheet ? [[c.id, sheet] as const] : [];
    }),
  );
}

/** The demo fleet runs when forced, or in "auto" when nothing but ambient clusters is there. */
export function wantsDemo(setting: Settings["demo"], candidates: Candidate[]): boolean {
  return setting === true || (setting === "auto" && candidates.every((c) => c.ambient));
}

/**
 * Adds the demo fleet's clusters where no configured cluster has their id,
 * through the same schemas as clusters.yaml entries so connection defaults apply.
 */
export function addDemoClusters(candidates: Candidate[], demo: DemoCluster[], modules: AdapterModules): Candidate[] {
  const taken = new Set(candidates.map((c) => c.id));
  const added = demo
    .filter((c) => !taken.has(c.id))
    .map((c) => {
      const adapterModule = modules[c.orchestrator];
      if (!adapterModule) throw new Error(`demo cluster "${c.id}": Fleetdeck does not speak ${c.orchestrator}`);
      return { ...c, connection: adapterModule.connectionSchema.parse(c.connection), demo: true };
    });
  return [...candidates, ...added];
}
