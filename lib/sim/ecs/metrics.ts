import { SimAwsError } from "./errors";
import type { EcsWorld, SimCluster, SimService } from "./state";

/**
 * Simulated CloudWatch for ECS: per-service `AWS/ECS` CPUUtilization and
 * MemoryUtilization (percent of what the running tasks reserve) and, where the
 * cluster has Container Insights, `ECS/ContainerInsights` CpuUtilized (CPU
 * units) and MemoryUtilized (MiB). One datapoint per complete period; a
 * service with no running task (or gapped by a test hook) has no datapoints.
 */

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967295;
}

const clamp = (x: number) => Math.min(0.98, Math.max(0.02, x));

/** Fraction of the reserved CPU a service uses at time t: smooth waves, different per service. */
export function cpuFraction(service: SimService, tMs: number): number {
  const phase = hash(service.name) * 2 * Math.PI;
  const w = (2 * Math.PI * tMs) / 1000 / service.load.periodSeconds;
  return clamp(service.load.mean + service.load.swing * Math.sin(w + phase) + 0.3 * service.load.swing * Math.sin(3.7 * w + 2 * phase));
}

/** Memory moves more slowly and sits higher than CPU, as it does for most services. */
export function memoryFraction(service: SimService, tMs: number): number {
  const phase = hash(service.name + "/mem") * 2 * Math.PI;
  const w = (2 * Math.PI * tMs) / 1000 / (service.load.periodSeconds * 3);
  return clamp(service.load.mean + 0.2 + 0.3 * service.load.swing * Math.sin(w + phase));
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
        values.push(Math.round(curve(t + periodMs / 2) * 1000) / 1000);
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
