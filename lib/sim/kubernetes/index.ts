/**
 * The Kubernetes simulator: `startKubeSim` for tests (one cluster, test hooks)
 * and `startKubernetesDemo` for the demo fleet (two clusters and one
 * kubeconfig with a context per cluster).
 */

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import { z } from "zod";
import type { DemoCluster, SimulatorControl, StartSimulator } from "@/lib/sim/types";
import { startKubeSim, type KubeSimHandle } from "./sim";
import { fleetClustersYaml, prometheusScrapeConfig } from "./prometheus-config";

export { startKubeSim } from "./sim";
export type { KubeSimHandle, KubeSimOptions, RbacManifest, TokenSpec } from "./sim";
export type { PolicyRule, Subject, RoleRef } from "./rbac";
export { ContentBuilder } from "./content";
export { fleetClustersYaml, prometheusScrapeConfig, PROMETHEUS_URL } from "./prometheus-config";
export type { ScrapeCluster } from "./prometheus-config";
export { KUBE_STATE_METRICS_PATH } from "./server";
export type { ContentPreset, NodeSpec, ServiceSpec, StatefulSetSpec, WorkloadSpec } from "./content";
export { FAST_TIMINGS, DEMO_TIMINGS } from "./types";
export type { SimTimings, UsageProfile } from "./types";

/** The demo clusters: id (= kubeconfig context), display name and content preset. */
export const KUBERNETES_DEMO_CLUSTERS = [
  { id: "demo-east", name: "demo-east", preset: "demo-east" as const, seed: 7 },
  { id: "demo-west", name: "demo-west", preset: "demo-west" as const, seed: 11 },
];

export interface KubeconfigEntry {
  context: string;
  server: string;
  token: string;
}

/** A kubeconfig any standard client (kubectl, client-node) reads: plain http, bearer-token users. */
export function kubeconfigYaml(entries: KubeconfigEntry[]): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": entries[0]?.context ?? "",
    clusters: entries.map((e) => ({ name: e.context, cluster: { server: e.server, "insecure-skip-tls-verify": true } })),
    users: entries.map((e) => ({ name: `${e.context}-admin`, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.context, context: { cluster: e.context, user: `${e.context}-admin`, namespace: "default" } })),
  });
}

/**
 * The demo clusters' identity, kept under the data directory as a real API
 * server keeps its own: a restarted fleet accepts the tokens clients already
 * hold, until they are rotated.
 */
const IdentitySchema = z.object({
  tokens: z.record(z.string(), z.object({ token: z.string().min(16), issuedAt: z.string() })),
});
type Identity = z.infer<typeof IdentitySchema>;

const newToken = () => ({ token: randomBytes(24).toString("base64url"), issuedAt: new Date().toISOString() });

async function writePrivate(file: string, text: string): Promise<void> {
  // Whole or not at all: a client reading the file never sees half of it.
  await writeFile(`${file}.new`, text, { mode: 0o600 });
  await rename(`${file}.new`, file);
}

/** The stored identity, with a token for every demo cluster (new ones for any missing, or all if the file is unreadable). */
export async function loadDemoIdentity(file: string): Promise<Identity> {
  let identity: Identity = { tokens: {} };
  try {
    identity = IdentitySchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    // Absent or damaged: the fleet starts with a new identity, as a fresh API server would.
  }
  let changed = false;
  for (const c of KUBERNETES_DEMO_CLUSTERS) {
    if (identity.tokens[c.id]) continue;
    identity.tokens[c.id] = newToken();
    changed = true;
  }
  if (changed) await writePrivate(file, JSON.stringify(identity, null, 2));
  return identity;
}

/** As kubeadm's admin.conf: in system:masters, so it may also impersonate. */
const adminToken = (token: string) => [{ token, user: "kubernetes-admin", groups: ["system:masters"] }];

export const startKubernetesDemo: StartSimulator = async ({ dataDir, host, basePort }) => {
  const started: KubeSimHandle[] = [];
  const entries: KubeconfigEntry[] = [];
  await mkdir(dataDir, { recursive: true });
  const identityFile = path.join(dataDir, "kubernetes-identity.json");
  const identity = await loadDemoIdentity(identityFile);
  try {
    for (const [i, c] of KUBERNETES_DEMO_CLUSTERS.entries()) {
      const { token } = identity.tokens[c.id];
      const sim = await startKubeSim({
        host,
        port: basePort ? basePort + i : 0,
        content: c.preset,
        seed: c.seed,
        tokens: adminToken(token),
        // kubectl (client-go) never sends a bearer token over plain http, so the local demo
        // lets credential-less requests through; a wrong token is still refused.
        anonymous: "admin",
      });
      started.push(sim);
      entries.push({ context: c.id, server: sim.url, token });
    }
    const kubeconfig = path.join(dataDir, "kubeconfig");
    await writePrivate(kubeconfig, kubeconfigYaml(entries));
    const clusters: DemoCluster[] = KUBERNETES_DEMO_CLUSTERS.map((c, i) => ({
      id: c.id,
      name: c.name,
      orchestrator: "kubernetes",
      connection: { kubeconfig, context: c.id },
      usageAt: (t: number) => started[i].usageAt(t),
    }));
    const writeScrapeConfig = () =>
      writePrivate(
        path.join(dataDir, "prometheus.yml"),
        prometheusScrapeConfig({
          clusters: entries.map((e, i) => ({ ...e, nodes: started[i].list("Node").map((n) => n.metadata.name) })),
        }),
      );
    await writeScrapeConfig();
    await writeFile(path.join(dataDir, "clusters.yaml"), fleetClustersYaml({ kubeconfig, contexts: entries.map((e) => e.context) }));
    return {
      label: `kubernetes (clusters ${KUBERNETES_DEMO_CLUSTERS.map((c) => c.id).join(", ")})`,
      urls: [
        ...started.map((s, i) => `${KUBERNETES_DEMO_CLUSTERS[i].id}: ${s.url}`),
        `kubeconfig: ${kubeconfig}`,
        `prometheus --config.file=${path.join(dataDir, "prometheus.yml")}; FLEETDECK_CONFIG=${path.join(dataDir, "clusters.yaml")}`,
      ],
      clusters,
      controls: Object.fromEntries(
        KUBERNETES_DEMO_CLUSTERS.map((c, i): [string, SimulatorControl] => {
          const sim = started[i];
          const replaceTokens = (tokens: ReturnType<typeof adminToken>) => {
            sim.setTokens(tokens);
            // Open watches outlive a revoked token on a real API server until they end; end them, as a restart would.
            sim.closeWatches();
          };
          return [
            c.id,
            {
              faults: sim.faults,
              stop: () => sim.stop(),
              start: () => sim.start(),
              async rotateCredentials() {
                identity.tokens[c.id] = newToken();
                entries[i] = { ...entries[i], token: identity.tokens[c.id].token };
                await writePrivate(identityFile, JSON.stringify(identity, null, 2));
                await writePrivate(kubeconfig, kubeconfigYaml(entries));
                await writeScrapeConfig();
                replaceTokens(adminToken(entries[i].token));
              },
              async expireCredentials() {
                replaceTokens([]);
              },
              async compactHistory() {
                sim.compact();
              },
            },
          ];
        }),
      ),
      async close() {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
};
