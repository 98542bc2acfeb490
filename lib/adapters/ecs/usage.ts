import type { MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { emptyUsageSample, type UsageSample } from "@/lib/adapters/types";
import { ZERO_RESOURCES, type Resources } from "@/lib/model/types";
import { cpuUnitsToMillis, mibToBytes } from "./units";

/**
 * Live use from CloudWatch. Per service: with Container Insights, the
 * absolute `ECS/ContainerInsights` CpuUtilized (CPU units) and MemoryUtilized
 * (MiB); without it, `AWS/ECS` CPUUtilization and MemoryUtilization, which are
 * percentages of what the service's running tasks reserve. ECS publishes
 * these per service, not per task, so a service's use is split evenly over
 * its running tasks, and a node's use is the sum of its tasks' shares.
 */

export interface RunningTask {
  id: string;
  node: string | null;
}

export interface ServiceUsageTarget {
  clusterName: string;
  serviceName: string;
  workloadId: string;
  containerInsights: boolean;
  /** Reservation of one task, for turning percentages into absolute use. */
  taskRequests: Resources;
  runningTasks: RunningTask[];
}

/** What one poll tells usage: each service with running tasks, the running tasks of no service, every node. */
export interface UsageTargets {
  services: ServiceUsageTarget[];
  otherTasks: RunningTask[];
  nodeIds: string[];
}

export const USAGE_PERIOD_SECONDS = 60;
/** How far back a sample looks: CloudWatch publishes a minute late and sometimes skips one. */
export const USAGE_WINDOW_PERIODS = 5;

/**
 * Why CloudWatch cannot tell a service's use, before asking; null when it
 * can. AWS/ECS percentages are shares of what the tasks reserve, so without
 * Container Insights a service that reserves no CPU or no memory has none.
 */
export function unmeasurableReason(t: ServiceUsageTarget): string | null {
  if (t.containerInsights) return null;
  const unreserved = [t.taskRequests.cpuMillis > 0 ? null : "CPU", t.taskRequests.memoryBytes > 0 ? null : "memory"].filter(Boolean);
  if (unreserved.length === 0) return null;
  return `service ${t.serviceName} reserves no ${unreserved.join(" and no ")}, and AWS/ECS reports use only as a share of the reservation (Container Insights reports it whole)`;
}

export function buildQueries(targets: ServiceUsageTarget[]): MetricDataQuery[] {
  return targets.flatMap((t, i) => {
    const dims = [
      { Name: "ClusterName", Value: t.clusterName },
      { Name: "ServiceName", Value: t.serviceName },
    ];
    const [namespace, cpu, memory] = t.containerInsights
      ? ["ECS/ContainerInsights", "CpuUtilized", "MemoryUtilized"]
      : ["AWS/ECS", "CPUUtilization", "MemoryUtilization"];
    const stat = (metric: string) => ({
      Metric: { Namespace: namespace, MetricName: metric, Dimensions: dims },
      Period: USAGE_PERIOD_SECONDS,
      Stat: "Average",
    });
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
  return new Map(
    targets.map((t, i) => [t.workloadId, { cpu: latestValue(byId.get(`cpu${i}`)), memory: latestValue(byId.get(`mem${i}`)) }]),
  );
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

const NO_SERVICE = "not part of a service: CloudWatch reports ECS use per service";

/**
 * The sample: each service's use split evenly over its running tasks and
 * summed per node. A task without a figure is named in `unavailable` with
 * why, and so is a node running one: it gets no figure rather than an
 * understated one. A node running nothing reads zero.
 */
export function distribute(targets: UsageTargets, usage: Map<string, Resources>): UsageSample {
  const sample = emptyUsageSample();
  for (const id of targets.nodeIds) sample.nodes.set(id, { ...ZERO_RESOURCES }); // summed into below
  const unmeasuredOnNode = new Map<string, number>();
  const noFigure = (task: RunningTask, reason: string) => {
    sample.unavailable.tasks.set(task.id, reason);
    if (task.node) unmeasuredOnNode.set(task.node, (unmeasuredOnNode.get(task.node) ?? 0) + 1);
  };
  for (const t of targets.services) {
    const total = usage.get(t.workloadId);
    if (!total) {
      const reason =
        unmeasurableReason(t) ?? `no CloudWatch datapoint for service ${t.serviceName} in the last ${USAGE_WINDOW_PERIODS} minutes`;
      for (const task of t.runningTasks) noFigure(task, reason);
      continue;
    }
    for (const task of t.runningTasks) {
      const share = {
        cpuMillis: total.cpuMillis / t.runningTasks.length,
        memoryBytes: Math.round(total.memoryBytes / t.runningTasks.length),
      };
      sample.tasks.set(task.id, share);
      const node = task.node ? sample.nodes.get(task.node) : undefined;
      if (node) {
        node.cpuMillis += share.cpuMillis;
        node.memoryBytes += share.memoryBytes;
      }
    }
  }
  for (const task of targets.otherTasks) noFigure(task, NO_SERVICE);
  for (const [id, count] of unmeasuredOnNode) {
    if (sample.nodes.delete(id))
      sample.unavailable.nodes.set(id, `${count} of its running tasks ${count === 1 ? "has" : "have"} no figure`);
  }
  return sample;
}
