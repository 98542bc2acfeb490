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
  const windowSeconds = Math.max(60, stepSeconds);
  const window = `${windowSeconds}s`;
  // Memory is summed per pod at each instant, then averaged (a subquery): a container restarted within the
  // window (an OOM kill) has two series there, whose separate averages would add up to twice the pod.
  const subquery = `[${window}:${Math.max(15, Math.round(windowSeconds / 20))}s]`;
  const matchers = (own: string) => `{${[own, selector].filter(Boolean).join(", ")}}`;
  // Per container, not the pod-level cgroup or the pause container, so a pod is the sum of what it runs.
  const containers = matchers('container!="", container!="POD"');
  const root = matchers('id="/"');
  const podMemory = `sum by (namespace, pod) (container_memory_working_set_bytes${containers})`;
  const nodeMemory = `sum by (node) (container_memory_working_set_bytes${root})`;
  return {
    podCpu: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total${containers}[${window}]))`,
    podMemory: `avg_over_time((${podMemory})${subquery})`,
    podMemoryMax: `max_over_time((${podMemory})${subquery})`,
    nodeCpu: `sum by (node) (rate(container_cpu_usage_seconds_total${root}[${window}]))`,
    nodeMemory: `avg_over_time((${nodeMemory})${subquery})`,
    nodeMemoryMax: `max_over_time((${nodeMemory})${subquery})`,
  };
}
