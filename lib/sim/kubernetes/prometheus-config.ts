/**
 * Files that point a real Prometheus at the simulated clusters and Fleetdeck
 * at that Prometheus: a scrape config (cAdvisor per node through the
 * apiserver's node proxy, kube-state-metrics through its service proxy, every
 * target labelled with its cluster's kubeconfig context) and a clusters.yaml
 * whose clusters read their history from it.
 */

import { stringify } from "yaml";
import { KUBE_STATE_METRICS_PATH } from "./server";

/** Where `prometheus --config.file=.fleet/prometheus.yml` listens by default. */
export const PROMETHEUS_URL = "http://127.0.0.1:9090";

export interface ScrapeCluster {
  /** The kubeconfig context: the `cluster` label of every series scraped from it. */
  context: string;
  /** The apiserver's URL (http://host:port). */
  server: string;
  token: string;
  nodes: string[];
}

/** The job label of the cAdvisor targets and of the kube-state-metrics targets. */
export const CADVISOR_JOB = "kubernetes-cadvisor";
export const KUBE_STATE_METRICS_JOB = "kube-state-metrics";

/**
 * prometheus.yml: per cluster and node a job `cadvisor/<context>/<node>`
 * (metrics_path `/api/v1/nodes/<node>/proxy/metrics/cadvisor`, labels
 * job="kubernetes-cadvisor", cluster, node), per cluster a job
 * `kube-state-metrics/<context>` (labels job="kube-state-metrics", cluster),
 * all with the cluster's bearer token inline.
 */
export function prometheusScrapeConfig(options: { clusters: ScrapeCluster[]; scrapeIntervalSeconds?: number }): string {
  const interval = `${options.scrapeIntervalSeconds ?? 15}s`;
  const target = (server: string) => {
    const url = new URL(server);
    return { scheme: url.protocol.replace(":", ""), address: url.host };
  };
  const jobs = options.clusters.flatMap((c) => {
    const { scheme, address } = target(c.server);
    const common = { scheme, authorization: { type: "Bearer", credentials: c.token }, honor_labels: false };
    return [
      ...c.nodes.map((node) => ({
        job_name: `cadvisor/${c.context}/${node}`,
        metrics_path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics/cadvisor`,
        ...common,
        // One job per node (its own metrics_path); the job label is shared so queries need not know the nodes.
        static_configs: [{ targets: [address], labels: { job: CADVISOR_JOB, cluster: c.context, node } }],
      })),
      {
        job_name: `kube-state-metrics/${c.context}`,
        metrics_path: KUBE_STATE_METRICS_PATH,
        ...common,
        static_configs: [{ targets: [address], labels: { job: KUBE_STATE_METRICS_JOB, cluster: c.context } }],
      },
    ];
  });
  return stringify({ global: { scrape_interval: interval, evaluation_interval: interval }, scrape_configs: jobs });
}

/** clusters.yaml for Fleetdeck: the fleet's kubeconfig contexts, each reading its history from Prometheus by its cluster label. */
export function fleetClustersYaml(options: { kubeconfig: string; contexts: string[]; prometheusUrl?: string }): string {
  return stringify({
    // These are the demo's clusters, served by `npm run fleet`: no embedded demo beside them.
    demo: false,
    clusters: options.contexts.map((context) => ({
      id: context,
      orchestrator: "kubernetes",
      kubeconfig: options.kubeconfig,
      context,
      prometheus: { url: options.prometheusUrl ?? PROMETHEUS_URL, selector: `cluster="${context}"` },
    })),
  });
}
