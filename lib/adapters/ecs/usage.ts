import type { MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import type { Resources } from "@/lib/model/types";
import { cpuUnitsToMillis, mibToBytes } from "./units";

/**
 * Live use from CloudWatch. Per service: with Container Insights, the
 * absolute `ECS/ContainerInsights` CpuUtilized (CPU units) and MemoryUtilized
 * (MiB); without it, `AWS/ECS` CPUUtilization and MemoryUtilization, which are
 * percentages of what the service's running tasks reserve. ECS publishes
 * these per service, not per task, so a service's use is split evenly over
 * its running tasks, and a node's use is the sum of its tasks' shares.
 */

export interface ServiceUsageTarget {
  clusterName: string;
  serviceName: string;
  workloadId: string;
  containerInsights: boolean;
  /** Reservation of one task, for turning percentages into absolute use. */
  taskRequests: Resources;
  runningTasks: { id: string; node: string | null }[];
}

export const USAGE_PERIOD_SECONDS = 60;

export function buildQueries(targets: ServiceUsageTarget[]): MetricDataQuery[] {
  return targets.flatMap((t, i) => {
    const dims = [
      { Name: "ClusterName", Value: t.clusterName },
      { Name: "ServiceName", Value: t.serviceName },
    ];
    const [namespace, cpu, memory] = t.containerInsights
      ? ["ECS/ContainerInsights", "CpuUtilized", "MemoryUtilized"]
      : ["AWS/ECS", "CPUUtilization", "MemoryUtilization"];
    const stat = (metric: string) => ({ Metric: { Namespace: namespace, MetricName: metric, Dimensions: dims }, Period: USAGE_PERIOD_SECONDS, Stat: "Average" });
    return [
      { Id: `cpu${i}`, MetricStat: stat(cpu), ReturnData: true },
      { Id: `mem${i}`, MetricStat: stat(memory), ReturnData: true },
    ];
  });
}

/** The newest value of a result, or null when the window holds no datapoint (a gap, not zero). */
export function latestValue(result: MetricDataResult | undefined): number | null {
  if (!result?.Values?.length) return null;
  let best = -Infinity;
  let value: number | null = null;
  result.Values.forEach((v, i) => {
    const t = result.Timestamps?.[i]?.getTime() ?? -Infinity;
    if (t > best && Number.isFinite(v)) {
      best = t;
      value = v;
    }
  });
  return value;
}

export interface LatestValues {
  cpu: number | null;
  memory: number | null;
}

/** The newest CPU and memory values by workload id, from the results of buildQueries(targets). */
export function latestByWorkload(targets: ServiceUsageTarget[], results: MetricDataResult[]): Map<string, LatestValues> {
  const byId = new Map(results.map((r) => [r.Id, r]));
  return new Map(targets.map((t, i) => [t.workloadId, { cpu: latestValue(byId.get(`cpu${i}`)), memory: latestValue(byId.get(`mem${i}`)) }]));
}

/** Whole-service use by workload id, for services with both a CPU and a memory datapoint. */
export function serviceUsage(targets: ServiceUsageTarget[], latest: Map<string, LatestValues>): Map<string, Resources> {
  const usage = new Map<string, Resources>();
  for (const t of targets) {
    const values = latest.get(t.workloadId);
    if (!values || values.cpu === null || values.memory === null) continue;
    const running = t.runningTasks.length;
    usage.set(
      t.workloadId,
      t.containerInsights
        ? { cpuMillis: cpuUnitsToMillis(values.cpu), memoryBytes: mibToBytes(values.memory) }
        : {
            cpuMillis: (values.cpu / 100) * t.taskRequests.cpuMillis * running,
            memoryBytes: Math.round((values.memory / 100) * t.taskRequests.memoryBytes * running),
          },
    );
  }
  return usage;
}

/**
 * Splits service use over running tasks and sums it per node. A node gets a
 * value only when every running task on it has one, so a gap stays a gap.
 */
export function distribute(targets: ServiceUsageTarget[], usage: Map<string, Resources>, nodeIds: string[]): { tasks: Map<string, Resources>; nodes: Map<string, Resources> } {
  const tasks = new Map<string, Resources>();
  const nodes = new Map<string, Resources>(nodeIds.map((id) => [id, { cpuMillis: 0, memoryBytes: 0 }]));
  const gapNodes = new Set<string>();
  for (const t of targets) {
    const total = usage.get(t.workloadId);
    for (const task of t.runningTasks) {
      if (!total) {
        if (task.node) gapNodes.add(task.node);
        continue;
      }
      const share = { cpuMillis: total.cpuMillis / t.runningTasks.length, memoryBytes: Math.round(total.memoryBytes / t.runningTasks.length) };
      tasks.set(task.id, share);
      const node = task.node ? nodes.get(task.node) : undefined;
      if (node) {
        node.cpuMillis += share.cpuMillis;
        node.memoryBytes += share.memoryBytes;
      }
    }
  }
  for (const id of gapNodes) nodes.delete(id);
  return { tasks, nodes };
}
