import "server-only";
import { kubernetesUsageQueries } from "@/lib/adapters/kubernetes/prometheus";
import type { PrometheusClient, RangeSeries } from "@/lib/adapters/prometheus/client";
import type { ConsumptionPoint, Grid } from "@/lib/model/consumption";
import type { Snapshot } from "./snapshot";

/**
 * A Kubernetes cluster's consumption history from its Prometheus, in the
 * shape of the built-in history ("workload:<id>", "node:<id>" points), so the
 * consumption arithmetic does not know where its points came from.
 *
 * Pods join workloads through the snapshot; a pod that no longer exists (a
 * week holds rollouts) joins the workload of its namespace whose name, then
 * "-", begins the pod's name (Deployments, StatefulSets, DaemonSets and Jobs
 * all name their pods so), the longest such name winning. Pods that match no
 * workload count in no tenant, as bare pods do in the built-in history.
 */

export interface PointSource {
  points(key: string, since: number): ConsumptionPoint[];
}

interface Sums {
  cpu: number | null;
  memory: number | null;
  memoryMax: number | null;
}

/** Joins pods (namespace, name) to workload ids: by the snapshot's tasks, else by name prefix. */
function workloadOfPod(snapshot: Snapshot): (namespace: string, pod: string) => string | null {
  const byTask = new Map<string, string>();
  for (const t of snapshot.tasks.values()) if (t.workloadId) byTask.set(`${t.namespace}/${t.name}`, t.workloadId);
  const byNamespace = new Map<string, { name: string; id: string }[]>();
  for (const w of snapshot.workloads.values()) {
    const list = byNamespace.get(w.namespace ?? "") ?? [];
    list.push({ name: w.name, id: w.id });
    byNamespace.set(w.namespace ?? "", list);
  }
  for (const list of byNamespace.values()) list.sort((a, b) => b.name.length - a.name.length);
  return (namespace, pod) =>
    byTask.get(`${namespace}/${pod}`) ?? byNamespace.get(namespace)?.find((w) => pod.startsWith(`${w.name}-`))?.id ?? null;
}

/** Adds each series' values at their time into `into`, under the key `keyOf` gives its labels (null: left out). */
function addInto(
  into: Map<string, Map<number, Sums>>,
  series: readonly RangeSeries[],
  field: keyof Sums,
  keyOf: (labels: Record<string, string>) => string | null,
  stepMs: number,
) {
  for (const s of series) {
    const key = keyOf(s.labels);
    if (key === null) continue;
    let byTime = into.get(key);
    if (!byTime) into.set(key, (byTime = new Map()));
    for (const { t, value } of s.points) {
      // A value evaluated at T covers the step before it: the point that step starts.
      const start = t - stepMs;
      const sums = byTime.get(start) ?? { cpu: null, memory: null, memoryMax: null };
      sums[field] = (sums[field] ?? 0) + value;
      byTime.set(start, sums);
    }
  }
}

/** Reads the grid's range from Prometheus: six range queries, pods and nodes, CPU, memory and its maxima. */
export async function prometheusHistory(
  client: PrometheusClient,
  snapshot: Snapshot,
  grid: Grid,
  signal?: AbortSignal,
): Promise<PointSource> {
  const stepSeconds = grid.stepMs / 1000;
  const queries = kubernetesUsageQueries(client.selector, stepSeconds);
  const now = grid.now ?? grid.from + grid.steps * grid.stepMs;
  // Evaluations end at now, a whole number of steps after the first, so the step in progress has data too; the
  // points they give start between the grid's steps, and the arithmetic spreads them over the steps they overlap.
  const end = Math.max(grid.from + grid.stepMs, now);
  const range = { start: end - Math.floor((end - grid.from - grid.stepMs) / grid.stepMs) * grid.stepMs, end, stepSeconds };
  const [podCpu, podMemory, podMemoryMax, nodeCpu, nodeMemory, nodeMemoryMax] = await Promise.all(
    [queries.podCpu, queries.podMemory, queries.podMemoryMax, queries.nodeCpu, queries.nodeMemory, queries.nodeMemoryMax].map((q) =>
      client.queryRange(q, range, signal),
    ),
  );
  const workloadOf = workloadOfPod(snapshot);
  const nodeIds = new Map([...snapshot.nodes.values()].map((n) => [n.name, n.id]));
  const podKey = (labels: Record<string, string>) => {
    const id = workloadOf(labels.namespace ?? "", labels.pod ?? "");
    return id === null ? null : `workload:${id}`;
  };
  const nodeKey = (labels: Record<string, string>) => {
    const id = nodeIds.get(labels.node ?? "");
    return id === undefined ? null : `node:${id}`;
  };
  const sums = new Map<string, Map<number, Sums>>();
  addInto(sums, podCpu, "cpu", podKey, grid.stepMs);
  addInto(sums, podMemory, "memory", podKey, grid.stepMs);
  addInto(sums, podMemoryMax, "memoryMax", podKey, grid.stepMs);
  addInto(sums, nodeCpu, "cpu", nodeKey, grid.stepMs);
  addInto(sums, nodeMemory, "memory", nodeKey, grid.stepMs);
  addInto(sums, nodeMemoryMax, "memoryMax", nodeKey, grid.stepMs);

  const points = new Map<string, ConsumptionPoint[]>();
  for (const [key, byTime] of sums) {
    points.set(
      key,
      [...byTime]
        .sort(([a], [b]) => a - b)
        .map(([t, s]) => ({
          t,
          cpuMillis: s.cpu === null ? null : s.cpu * 1000,
          memoryBytes: s.memory,
          memoryMaxBytes: s.memoryMax,
        })),
    );
  }
  return { points: (key, since) => (points.get(key) ?? []).filter((p) => p.t >= since) };
}
