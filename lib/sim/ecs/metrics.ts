import { cpuUnitsToMillis, mibToBytes } from "@/lib/adapters/ecs/units";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import { demand, hashUnit, leakCycle } from "@/lib/sim/usage-model";
import type { EcsWorld, SimCluster, SimService, SimTask } from "./state";
import { SimAwsError } from "./errors";

/**
 * Simulated CloudWatch for ECS: per-service `AWS/ECS` CPUUtilization and
 * MemoryUtilization (percent of what the running tasks reserve) and, where the
 * cluster has Container Insights, `ECS/ContainerInsights` CpuUtilized (CPU
 * units) and MemoryUtilized (MiB). One datapoint per complete period; a
 * service with no running task (or gapped by a test hook) has no datapoints.
 */

const clamp = (x: number) => Math.min(0.98, Math.max(0.02, x));
/** Memory may climb closer to the limit than CPU: a leaking service ends a cycle just below it, then is killed. */
const clampMemory = (x: number) => Math.min(0.995, Math.max(0.02, x));

const seedOf = (service: SimService) => Math.floor(hashUnit(`${service.clusterName}/${service.name}`) * 2 ** 31);

/**
 * Fraction of the reserved CPU a service uses at time t: its mean scaled by
 * the day's demand and bursts, with smooth waves of its own on top.
 */
export function cpuFraction(service: SimService, tMs: number): number {
  const phase = hashUnit(service.name) * 2 * Math.PI;
  const w = (2 * Math.PI * tMs) / 1000 / service.load.periodSeconds;
  const wave = 0.5 * service.load.swing * (Math.sin(w + phase) + 0.3 * Math.sin(3.7 * w + 2 * phase));
  return clamp(service.load.mean * demand(tMs, seedOf(service)) + wave);
}

/**
 * Memory moves more slowly and sits higher than CPU, as it does for most
 * services; one that crashes (crashEveryMs) leaks, climbing to its limit
 * between the OOM kills, which the scheduler times by the same cycle.
 */
export function memoryFraction(service: SimService, tMs: number): number {
  if (service.crashEveryMs !== null) return clampMemory(0.55 + 0.44 * leakCycle(tMs, service.crashEveryMs).position);
  const phase = hashUnit(service.name + "/mem") * 2 * Math.PI;
  const w = (2 * Math.PI * tMs) / 1000 / (service.load.periodSeconds * 3);
  const mean = service.load.memory ?? service.load.mean + 0.2;
  return clampMemory(mean * (0.85 + 0.15 * demand(tMs, seedOf(service))) + 0.3 * service.load.swing * Math.sin(w + phase));
}

interface Dimension {
  Name?: string;
  Value?: string;
}
interface MetricDataQuery {
  Id?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Period?: number; Stat?: string };
  Expression?: string;
}

const invalidValue = (message: string) => new SimAwsError("InvalidParameterValueException", message);

/** GetMetricData's default and largest MaxDatapoints. */
export const MAX_DATAPOINTS = 100_800;
/** Periods shorter than a minute that CloudWatch accepts (high-resolution metrics); longer ones are multiples of 60. */
const SHORT_PERIODS = new Set([1, 5, 10, 20, 30]);

/**
 * CloudWatch rounds StartTime down: to the minute within 15 days, to 5
 * minutes within 63 days, to the hour before that (GetMetricDataInput docs).
 */
function roundStart(startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  const step = age <= 15 * 86_400_000 ? 60_000 : age <= 63 * 86_400_000 ? 300_000 : 3_600_000;
  return Math.floor(startMs / step) * step;
}

interface PageToken {
  /** Datapoints already returned. */
  offset: number;
  /** The clock of the first page, so the later pages cut the same series. */
  asOf: number;
}

function readToken(value: unknown): PageToken {
  try {
    const token = JSON.parse(Buffer.from(String(value), "base64").toString("utf8")) as Partial<PageToken>;
    if (Number.isInteger(token.offset) && (token.offset as number) > 0 && Number.isFinite(token.asOf)) return token as PageToken;
  } catch {
    // fall through
  }
  throw new SimAwsError("InvalidNextToken", "The service returned an error with Error Code InvalidNextToken.");
}

/** Datapoints carry three decimals. */
export const roundDatapoint = (value: number) => Math.round(value * 1000) / 1000;

/** `defaultMax` stands in for the MaxDatapoints a request leaves out (tests lower it to make small answers page). */
export function getMetricData(world: EcsWorld, input: Record<string, unknown>, gaps: Set<string>, defaultMax = MAX_DATAPOINTS) {
  const queries = input.MetricDataQueries as MetricDataQuery[] | undefined;
  if (!Array.isArray(queries) || queries.length === 0)
    throw new SimAwsError("MissingRequiredParameterException", "The parameter MetricDataQueries is required.");
  if (queries.length > 500) throw invalidValue("The collection MetricDataQueries must not have a size greater than 500.");
  const token = input.NextToken === undefined || input.NextToken === null ? null : readToken(input.NextToken);
  const now = token?.asOf ?? world.now();
  const end = Number(input.EndTime) * 1000;
  if (!Number.isFinite(Number(input.StartTime) * 1000) || !Number.isFinite(end))
    throw new SimAwsError("MissingRequiredParameterException", "StartTime and EndTime are required.");
  const start = roundStart(Number(input.StartTime) * 1000, now);
  if (end <= start) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  const maxDatapoints = input.MaxDatapoints === undefined ? defaultMax : Number(input.MaxDatapoints);
  if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1 || maxDatapoints > MAX_DATAPOINTS) {
    throw invalidValue(`The parameter MaxDatapoints must be between 1 and ${MAX_DATAPOINTS}.`);
  }
  const ascending = input.ScanBy === "TimestampAscending";
  const ids = new Set<string>();
  const series: { Id: string; Label: string; Timestamps: number[]; Values: number[] }[] = [];
  for (const query of queries) {
    if (!query.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(query.Id))
      throw invalidValue(`The value ${query.Id ?? ""} for parameter MetricDataQueries.member.Id is invalid.`);
    if (ids.has(query.Id)) throw invalidValue(`The value ${query.Id} for parameter MetricDataQueries.member.Id is not unique.`);
    ids.add(query.Id);
    if (query.Expression) throw invalidValue("Metric math expressions are not supported by this simulator.");
    const stat = query.MetricStat;
    if (!stat?.Metric?.MetricName || !stat.Period || !stat.Stat) throw invalidValue("MetricStat requires Metric, Period and Stat.");
    if (!SHORT_PERIODS.has(stat.Period) && !(stat.Period >= 60 && stat.Period % 60 === 0)) {
      throw invalidValue("The parameter Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60.");
    }
    const dims = Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const curve = seriesFor(world, stat.Metric.Namespace ?? "", stat.Metric.MetricName, dims, gaps);
    const timestamps: number[] = [];
    const values: number[] = [];
    if (curve) {
      const periodMs = stat.Period * 1000;
      // Datapoints start at the rounded StartTime; EndTime is exclusive, and only complete periods are published,
      // so the newest datapoint is up to one period old.
      for (let t = start; t + periodMs <= Math.min(end, now); t += periodMs) {
        timestamps.push(t / 1000);
        values.push(roundDatapoint(curve(t + periodMs / 2)));
      }
      if (!ascending) {
        timestamps.reverse();
        values.reverse();
      }
    }
    if (query.ReturnData === false) continue;
    series.push({ Id: query.Id, Label: stat.Metric.MetricName, Timestamps: timestamps, Values: values });
  }
  // Pages hold at most MaxDatapoints datapoints, taken query after query; a query with more to come is PartialData.
  const offset = token?.offset ?? 0;
  let skipped = 0;
  let taken = 0;
  const results = series.map((s) => {
    const from = Math.max(0, Math.min(s.Values.length, offset - skipped));
    const count = Math.max(0, Math.min(s.Values.length - from, maxDatapoints - taken));
    skipped += s.Values.length;
    taken += count;
    const rest = s.Values.length - from - count;
    return {
      Id: s.Id,
      Label: s.Label,
      Timestamps: s.Timestamps.slice(from, from + count),
      Values: s.Values.slice(from, from + count),
      StatusCode: rest > 0 ? "PartialData" : "Complete",
    };
  });
  const total = skipped;
  const next =
    offset + taken < total
      ? Buffer.from(JSON.stringify({ offset: offset + taken, asOf: now } satisfies PageToken)).toString("base64")
      : undefined;
  return { MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) };
}

function seriesFor(
  world: EcsWorld,
  namespace: string,
  metric: string,
  dims: Record<string, string | undefined>,
  gaps: Set<string>,
): ((t: number) => number) | null {
  const cluster: SimCluster | undefined = dims.ClusterName ? world.clusters.get(dims.ClusterName) : undefined;
  const service = cluster && dims.ServiceName ? cluster.services.get(dims.ServiceName) : undefined;
  if (!cluster || !service || gaps.has(service.name)) return null;
  const running = [...cluster.tasks.values()].filter((t) => t.serviceName === service.name && t.lastStatus === "RUNNING").length;
  if (running === 0) return null;
  if (namespace === "AWS/ECS") {
    if (metric === "CPUUtilization") return (t) => 100 * cpuFraction(service, t);
    if (metric === "MemoryUtilization") return (t) => 100 * memoryFraction(service, t);
  }
  if (namespace === "ECS/ContainerInsights" && cluster.containerInsights === "enabled") {
    if (metric === "CpuUtilized") return (t) => cpuFraction(service, t) * service.taskDefinition.cpu * running;
    if (metric === "MemoryUtilized") return (t) => memoryFraction(service, t) * service.taskDefinition.memory * running;
    if (metric === "RunningTaskCount") return () => running;
  }
  return null;
}

/**
 * The DemoCluster's usageAt for one cluster: what the ECS adapter makes of
 * this CloudWatch at t (see lib/adapters/ecs/usage.ts). It reads the newest
 * complete minute, so the datapoint centred half a minute before t's minute;
 * a service's figure is split evenly over its running tasks, and a node's
 * use is the sum of its tasks' shares. The tasks are those running now.
 */
export function usageAtFor(world: EcsWorld, clusterName: string): (t: number) => DemoUsage {
  return (t) => {
    const usage: DemoUsage = { nodes: new Map(), tasks: new Map() };
    const cluster = world.clusters.get(clusterName);
    if (!cluster) return usage;
    const nodeNames = new Map<string, string>();
    for (const instance of cluster.instances.values()) {
      // The adapter names a node by its EC2 instance id.
      const name = instance.ec2InstanceId || instance.id;
      nodeNames.set(instance.id, name);
      usage.nodes.set(name, { cpuMillis: 0, memoryBytes: 0 });
    }
    const at = Math.floor(t / 60_000) * 60_000 - 30_000;
    const running = new Map<SimService, SimTask[]>();
    for (const task of cluster.tasks.values()) {
      const service = task.serviceName === null ? undefined : cluster.services.get(task.serviceName);
      if (!service || task.lastStatus !== "RUNNING") continue;
      running.set(service, [...(running.get(service) ?? []), task]);
    }
    for (const [service, tasks] of running) {
      const { cpu, memory } = service.taskDefinition;
      const n = tasks.length;
      let cpuMillis: number;
      let memoryBytes: number;
      if (cluster.containerInsights === "enabled") {
        cpuMillis = cpuUnitsToMillis(roundDatapoint(cpuFraction(service, at) * cpu * n)) / n;
        memoryBytes = Math.round(mibToBytes(roundDatapoint(memoryFraction(service, at) * memory * n)) / n);
      } else {
        cpuMillis = (roundDatapoint(100 * cpuFraction(service, at)) / 100) * cpuUnitsToMillis(cpu);
        memoryBytes = Math.round(Math.round((roundDatapoint(100 * memoryFraction(service, at)) / 100) * mibToBytes(memory) * n) / n);
      }
      for (const task of tasks) {
        usage.tasks.set(demoTaskKey(cluster.name, task.id), { cpuMillis, memoryBytes });
        const node = task.containerInstanceId ? usage.nodes.get(nodeNames.get(task.containerInstanceId) ?? "") : undefined;
        if (node) {
          node.cpuMillis += cpuMillis;
          node.memoryBytes += memoryBytes;
        }
      }
    }
    return usage;
  };
}
