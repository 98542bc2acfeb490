/**
 * Kubernetes consumption history in PromQL, over the metric names every
 * Kubernetes Prometheus has: cAdvisor's (through the kubelet) per container
 * and, for a node's own total, its root cgroup (id="/"). Series are labelled
 * `namespace`/`pod` (cAdvisor) and `node` (the scrape config's target label,
 * as kube-prometheus's kubelet job sets it).
 */

/** Each query, by what it answers: pods by namespace and pod, nodes by node. */
export interface KubernetesUsageQueries {
  podCpu: string;
  podMemory: string;
  podMemoryMax: string;
  nodeCpu: string;
  nodeMemory: string;
  nodeMemoryMax: string;
}

/**
 * The queries for one step of `stepSeconds`, each value covering the step
 * before its evaluation. rate() needs a few scrapes, so the window is never
 * shorter than a minute (a 15 s step is then a moving minute).
 */
export function kubernetesUsageQueries(selector: string, stepSeconds: number): KubernetesUsageQueries {
  const window = `${Math.max(60, stepSeconds)}s`;
  const matchers = (own: string) => `{${[own, selector].filter(Boolean).join(", ")}}`;
  // Per container, not the pod-level cgroup or the pause container, so a pod is the sum of what it runs.
  const containers = matchers('container!="", container!="POD"');
  const root = matchers('id="/"');
  return {
    podCpu: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total${containers}[${window}]))`,
    podMemory: `sum by (namespace, pod) (avg_over_time(container_memory_working_set_bytes${containers}[${window}]))`,
    podMemoryMax: `sum by (namespace, pod) (max_over_time(container_memory_working_set_bytes${containers}[${window}]))`,
    nodeCpu: `sum by (node) (rate(container_cpu_usage_seconds_total${root}[${window}]))`,
    nodeMemory: `sum by (node) (avg_over_time(container_memory_working_set_bytes${root}[${window}]))`,
    nodeMemoryMax: `sum by (node) (max_over_time(container_memory_working_set_bytes${root}[${window}]))`,
  };
}
