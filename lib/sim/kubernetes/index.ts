/**
 * The Kubernetes simulator: `startKubeSim` for tests (one cluster, test hooks)
 * and `startKubernetesDemo` for the demo fleet (two clusters and one
 * kubeconfig with a context per cluster).
 */

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import type { DemoCluster, StartSimulator } from "@/lib/sim/types";
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

export const startKubernetesDemo: StartSimulator = async ({ dataDir, host, basePort }) => {
  const started: KubeSimHandle[] = [];
  const entries: KubeconfigEntry[] = [];
  try {
    for (const [i, c] of KUBERNETES_DEMO_CLUSTERS.entries()) {
      // A fresh token per run: the kubeconfig lives outside git and the simulator is local.
      const token = randomBytes(24).toString("base64url");
      const sim = await startKubeSim({
        host,
        port: basePort ? basePort + i : 0,
        content: c.preset,
        seed: c.seed,
        // As kubeadm's admin.conf: in system:masters, so it may also impersonate.
        tokens: [{ token, user: "kubernetes-admin", groups: ["system:masters"] }],
        // kubectl (client-go) never sends a bearer token over plain http, so the local demo
        // lets credential-less requests through; a wrong token is still refused.
        anonymous: "admin",
      });
      started.push(sim);
      entries.push({ context: c.id, server: sim.url, token });
    }
    await mkdir(dataDir, { recursive: true });
    const kubeconfig = path.join(dataDir, "kubeconfig");
    await writeFile(kubeconfig, kubeconfigYaml(entries), { mode: 0o600 });
    const clusters: DemoCluster[] = KUBERNETES_DEMO_CLUSTERS.map((c, i) => ({
      id: c.id,
      name: c.name,
      orchestrator: "kubernetes",
      connection: { kubeconfig, context: c.id },
      usageAt: (t: number) => started[i].usageAt(t),
    }));
    await writeFile(
      path.join(dataDir, "prometheus.yml"),
      prometheusScrapeConfig({
        clusters: entries.map((e, i) => ({ ...e, nodes: started[i].list("Node").map((n) => n.metadata.name) })),
      }),
      { mode: 0o600 },
    );
    await writeFile(path.join(dataDir, "clusters.yaml"), fleetClustersYaml({ kubeconfig, contexts: entries.map((e) => e.context) }));
    return {
      label: `kubernetes (clusters ${KUBERNETES_DEMO_CLUSTERS.map((c) => c.id).join(", ")})`,
      urls: [
        ...started.map((s, i) => `${KUBERNETES_DEMO_CLUSTERS[i].id}: ${s.url}`),
        `kubeconfig: ${kubeconfig}`,
        `prometheus --config.file=${path.join(dataDir, "prometheus.yml")}; FLEETDECK_CONFIG=${path.join(dataDir, "clusters.yaml")}`,
      ],
      clusters,
      async close() {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
};
