import { z } from "zod";
import { ClusterErrorsSchema } from "./types";
/**
 * One model of consumption for every orchestrator (issue 12): what a
 * workload, tenant, team, node or cluster reserved, used and could give back,
 * from usage history points. Pure arithmetic, no I/O: the server feeds it
 * snapshots and history, the tests feed it numbers.
 *
 * - Points are resampled onto a grid of the range's step (each point stands
 *   for the time until the next one, so coarser, older tiers of the history
 *   weigh as much time as they cover); gaps (null values, or time with no
 *   point) count as no data, never as zero.
 * - used: time-weighted average, p95 over the grid, max (a point's
 *   cpuMaxMillis/memoryBytes maxima where the history keeps them);
 *   coverage: the share of the range with samples.
 * - allocated = max(reserved, used average) (OpenCost), idle reserved =
 *   max(0, reserved − used), efficiency = used / reserved (none without a
 *   reservation: such use is flagged "unreserved", never 100%).
 * - Groups (tenant, team, cluster, fleet) add up: reserved, capacity and the
 *   used average are sums of their members; p95 and max are those of the
 *   members' series added step by step (the sum of the members' averages,
 *   and of their maxima, in each step), so peaks that did not coincide do
 *   not add.
 * - limit: the hard caps of a workload's tasks added up, for a resource every
 *   one of them caps (one uncapped task leaves the workload uncapped); groups
 *   add their members' the same way. Starved: p95 of use at or near the
 *   limit, or OOM kills reported.
 * - cost (where the cluster has a price sheet): what the range costs at the
 *   current reservations and the average use seen: used = average used ×
 *   hours × price, reserved = reserved × hours × price, idle = idle reserved
 *   × hours × price, CPU and memory added; groups add their members' (in one
 *   currency only).
 */

export const CONSUMPTION_GROUPS = ["cluster", "tenant", "team", "workload", "node"] as const;
export type ConsumptionGroup = (typeof CONSUMPTION_GROUPS)[number];

export const CONSUMPTION_RANGES = ["1h", "6h", "24h", "7d"] as const;
export type ConsumptionRange = (typeof CONSUMPTION_RANGES)[number];

/** Each range's length and the step of its grid (a few hundred steps per range). */
export const RANGE_GRID: Record<ConsumptionRange, { seconds: number; stepSeconds: number }> = {
  "1h": { seconds: 3600, stepSeconds: 15 },
  "6h": { seconds: 6 * 3600, stepSeconds: 60 },
  "24h": { seconds: 24 * 3600, stepSeconds: 300 },
  "7d": { seconds: 7 * 24 * 3600, stepSeconds: 1800 },
};

export const FLAG_KINDS = ["idle", "starved", "oom", "over-committed", "unreserved"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Thresholds; the defaults follow the issue (and Robusta KRR for right-sizing). */
export const THRESHOLDS = {
  /** Efficiency below this over the whole range is idle. */
  idleEfficiency: 0.2,
  /** Coverage needed before calling anything idle or recommending a size. */
  minCoverage: 0.5,
  /** A node whose reserved share of allocatable is above this is over-committed. */
  overCommitted: 0.9,
  /** A workload whose p95 of use is at or above this share of its limit is starved. */
  starved: 0.9,
  memoryHeadroom: 1.15,
  cpuFloorMillis: 10,
  memoryFloorBytes: 100 * 1024 * 1024,
} as const;

/** The tenant of items the orchestrator puts in no namespace, stack, project or group. */
export const NO_TENANT = "(none)";
/** The team of workloads without the team label. */
export const UNASSIGNED_TEAM = "unassigned";

/** A history point as this model reads it: averages, and maxima where the history keeps them. */
export interface ConsumptionPoint {
  t: number;
  cpuMillis: number | null;
  memoryBytes: number | null;
  cpuMaxMillis?: number | null;
  memoryMaxBytes?: number | null;
}

export interface Grid {
  /** Epoch ms of the first step's start; a multiple of stepMs. */
  from: number;
  stepMs: number;
  steps: number;
  /** When the range ends (the last step runs past it): coverage counts the time until then. */
  now?: number;
}

/** The grid of a range ending at `now`: aligned to the step, so every cluster's series line up. */
export function gridFor(range: ConsumptionRange, now: number): Grid {
  const { seconds, stepSeconds } = RANGE_GRID[range];
  const stepMs = stepSeconds * 1000;
  const steps = seconds / stepSeconds;
  const end = Math.floor(now / stepMs) * stepMs + stepMs;
  return { from: end - steps * stepMs, stepMs, steps, now };
}

/** One resource over the grid: per step, the time-weighted average and the maximum, and how much of the step had data (0..1). */
export interface Series {
  avg: Float64Array;
  max: Float64Array;
  covered: Float64Array;
}

export interface UsageSeries {
  cpu: Series;
  memory: Series;
}

function emptySeries(steps: number): Series {
  return { avg: new Float64Array(steps).fill(NaN), max: new Float64Array(steps).fill(NaN), covered: new Float64Array(steps) };
}

export function emptyUsage(grid: Grid): UsageSeries {
  return { cpu: emptySeries(grid.steps), memory: emptySeries(grid.steps) };
}

/**
 * How long each point stands for: until the next point, but no longer than
 * twice the spacing before it (a restart or an outage leaves a hole, not a
 * stretched sample); the last one as long as the spacing before it
 * (`defaultSpanMs` for a single point), ending at `end` at most.
 */
export function pointSpans(points: readonly { t: number }[], end: number, defaultSpanMs: number): number[] {
  return points.map((p, i) => {
    const before = i > 0 ? p.t - points[i - 1].t : i + 1 < points.length ? points[i + 1].t - p.t : defaultSpanMs;
    const next = i + 1 < points.length ? points[i + 1].t - p.t : Math.min(before, Math.max(0, end - p.t));
    return Math.max(0, Math.min(next, 2 * before));
  });
}

/** Spreads the points over the grid by the time each stands for. Points must be oldest first. */
export function resample(points: readonly ConsumptionPoint[], grid: Grid, defaultSpanMs = 15_000): UsageSeries {
  const out = emptyUsage(grid);
  const end = grid.from + grid.steps * grid.stepMs;
  const spans = pointSpans(points, end, defaultSpanMs);
  const weight = { cpu: new Float64Array(grid.steps), memory: new Float64Array(grid.steps) };
  const sums = { cpu: new Float64Array(grid.steps), memory: new Float64Array(grid.steps) };
  points.forEach((p, i) => {
    const start = Math.max(p.t, grid.from);
    const stop = Math.min(p.t + spans[i], end);
    if (stop <= start) return;
    const values = [
      ["cpu", p.cpuMillis, p.cpuMaxMillis ?? p.cpuMillis],
      ["memory", p.memoryBytes, p.memoryMaxBytes ?? p.memoryBytes],
    ] as const;
    for (let step = Math.floor((start - grid.from) / grid.stepMs); step < grid.steps; step++) {
      const stepStart = grid.from + step * grid.stepMs;
      if (stepStart >= stop) break;
      const overlap = Math.min(stop, stepStart + grid.stepMs) - Math.max(start, stepStart);
      if (overlap <= 0) continue;
      for (const [resource, value, max] of values) {
        if (value === null || !Number.isFinite(value)) continue;
        const s = out[resource];
        weight[resource][step] += overlap;
        sums[resource][step] += value * overlap;
        const peak = max !== null && Number.isFinite(max) ? Math.max(max, value) : value;
        s.max[step] = Number.isNaN(s.max[step]) ? peak : Math.max(s.max[step], peak);
      }
    }
  });
  for (const resource of ["cpu", "memory"] as const) {
    for (let step = 0; step < grid.steps; step++) {
      const w = weight[resource][step];
      if (w <= 0) continue;
      out[resource].avg[step] = sums[resource][step] / w;
      out[resource].covered[step] = Math.min(1, w / grid.stepMs);
    }
  }
  return out;
}

/**
 * The members' series added step by step: a step with data from any member
 * has a value (the members without data there add nothing), a step with data
 * from none is a gap.
 */
export function sumSeries(members: readonly UsageSeries[], grid: Grid): UsageSeries {
  const out = emptyUsage(grid);
  for (const resource of ["cpu", "memory"] as const) {
    const s = out[resource];
    for (const m of members) {
      const ms = m[resource];
      for (let step = 0; step < grid.steps; step++) {
        if (Number.isNaN(ms.avg[step])) continue;
        s.avg[step] = (Number.isNaN(s.avg[step]) ? 0 : s.avg[step]) + ms.avg[step];
        s.max[step] = (Number.isNaN(s.max[step]) ? 0 : s.max[step]) + ms.max[step];
        s.covered[step] = Math.max(s.covered[step], ms.covered[step]);
      }
    }
  }
  return out;
}

export interface UsedStats {
  avg: number | null;
  p95: number | null;
  max: number | null;
  /** Share of the range with samples, 0..1. */
  coverage: number;
}

/** Weighted percentile (`q` in 0..1) of values with weights; null without any weight. */
export function weightedPercentile(values: readonly number[], weights: readonly number[], q: number): number | null {
  const pairs = values.map((v, i) => [v, weights[i]] as const).filter(([, w]) => w > 0);
  if (!pairs.length) return null;
  pairs.sort((a, b) => a[0] - b[0]);
  const total = pairs.reduce((sum, [, w]) => sum + w, 0);
  let acc = 0;
  for (const [v, w] of pairs) {
    acc += w;
    if (acc >= q * total - 1e-9) return v;
  }
  return pairs[pairs.length - 1][0];
}

/**
 * Used average, p95, max and coverage straight from the points (each
 * weighted by the time it stands for, within the grid's range), at the
 * history's own resolution rather than the grid's: an item's own figures.
 */
export function pointStats(points: readonly ConsumptionPoint[], grid: Grid, defaultSpanMs = 15_000): { cpu: UsedStats; memory: UsedStats } {
  const end = grid.from + grid.steps * grid.stepMs;
  const elapsed = elapsedSteps(grid, grid.steps) * grid.stepMs;
  const spans = pointSpans(points, end, defaultSpanMs);
  const one = (value: (p: ConsumptionPoint) => number | null | undefined, peak: (p: ConsumptionPoint) => number | null | undefined) => {
    const values: number[] = [];
    const weights: number[] = [];
    let weighted = 0;
    let covered = 0;
    let max: number | null = null;
    points.forEach((p, i) => {
      const v = value(p);
      const w = Math.min(p.t + spans[i], end) - Math.max(p.t, grid.from);
      if (v === null || v === undefined || !Number.isFinite(v) || w <= 0) return;
      values.push(v);
      weights.push(w);
      weighted += v * w;
      covered += w;
      const m = peak(p);
      const top = m !== null && m !== undefined && Number.isFinite(m) ? Math.max(m, v) : v;
      max = max === null ? top : Math.max(max, top);
    });
    return {
      avg: covered > 0 ? weighted / covered : null,
      p95: weightedPercentile(values, weights, 0.95),
      max,
      coverage: elapsed > 0 ? Math.min(1, covered / elapsed) : 0,
    };
  };
  return {
    cpu: one(
      (p) => p.cpuMillis,
      (p) => p.cpuMaxMillis,
    ),
    memory: one(
      (p) => p.memoryBytes,
      (p) => p.memoryMaxBytes,
    ),
  };
}

/** How many steps of the grid have passed by its `now` (all of them without one). */
function elapsedSteps(grid: Grid | undefined, steps: number): number {
  if (!grid || grid.now === undefined) return steps;
  return Math.max(1e-9, Math.min(steps, (grid.now - grid.from) / grid.stepMs));
}

/** Used average (time-weighted), p95 and max of one resource's series; gaps excluded. Coverage counts the grid's steps until its `now`. */
export function statsOf(series: Series, grid?: Grid): UsedStats {
  const values: number[] = [];
  const weights: number[] = [];
  let weighted = 0;
  let covered = 0;
  let max: number | null = null;
  for (let step = 0; step < series.avg.length; step++) {
    const v = series.avg[step];
    if (Number.isNaN(v)) continue;
    const w = series.covered[step];
    values.push(v);
    weights.push(w);
    weighted += v * w;
    covered += w;
    const m = series.max[step];
    max = max === null ? m : Math.max(max, m);
  }
  return {
    avg: covered > 0 ? weighted / covered : null,
    p95: weightedPercentile(values, weights, 0.95),
    max,
    coverage: series.avg.length ? Math.min(1, covered / elapsedSteps(grid, series.avg.length)) : 0,
  };
}

/** One resource of an item; the API names them ...Millis for CPU and ...Bytes for memory. */
export interface Figures {
  /** Allocatable (a node's, a cluster's; a tenant's or team's share of it by what it reserved); absent where it does not apply. */
  capacity?: number;
  reserved: number;
  /** The hard cap, where every task holding resources has one. */
  limit?: number;
  usedAvg: number | null;
  usedP95: number | null;
  usedMax: number | null;
  /** max(reserved, used average). */
  allocated: number;
  /** max(0, reserved − used average). */
  idleReserved: number;
  /** Capacity nobody reserved (clusters, nodes, tenants' and teams' shares): max(0, capacity − reserved). */
  unreserved?: number;
  /** used / reserved; null without a reservation or without data. */
  efficiency: number | null;
  /** Said where use exceeds the reservation. */
  note?: string;
}

export function figures(reserved: number, used: UsedStats, capacity?: number, unit: Unit = CPU_UNIT, limit?: number | null): Figures {
  const usedAvg = used.avg;
  const u = usedAvg ?? 0;
  const out: Figures = {
    ...(capacity !== undefined ? { capacity } : {}),
    reserved,
    ...(limit !== undefined && limit !== null ? { limit } : {}),
    usedAvg,
    usedP95: used.p95,
    usedMax: used.max,
    allocated: Math.max(reserved, u),
    idleReserved: Math.max(0, reserved - u),
    ...(capacity !== undefined ? { unreserved: Math.max(0, capacity - reserved) } : {}),
    efficiency: reserved > 0 && usedAvg !== null ? usedAvg / reserved : null,
  };
  if (usedAvg !== null && usedAvg > reserved) {
    out.note =
      reserved > 0
        ? `used ${unit.format(usedAvg)} on average, over the ${unit.format(reserved)} reserved`
        : `used ${unit.format(usedAvg)} on average with nothing reserved`;
  }
  return out;
}

export interface Unit {
  format(value: number): string;
}

export const CPU_UNIT: Unit = { format: (m) => `${Math.round(m)}m CPU` };
export const MEMORY_UNIT: Unit = {
  format: (b) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(b / 1024 ** 2)} MiB`),
};

export interface Flag {
  kind: FlagKind;
  evidence: string;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Use with no reservation: flagged, never 100% efficient. */
export function unreservedFlag(cpu: Figures, memory: Figures): Flag | null {
  const parts: string[] = [];
  if (cpu.reserved === 0 && (cpu.usedAvg ?? 0) > 0) parts.push(`${CPU_UNIT.format(cpu.usedAvg!)} used on average`);
  if (memory.reserved === 0 && (memory.usedAvg ?? 0) > 0) parts.push(`${MEMORY_UNIT.format(memory.usedAvg!)} used on average`);
  return parts.length ? { kind: "unreserved", evidence: `nothing reserved, ${parts.join(" and ")}` } : null;
}

/**
 * Idle: every resource with a reservation used below the threshold on
 * average over the whole range, with enough coverage.
 */
export function idleFlag(cpu: Figures, memory: Figures, coverage: number, range: string, t = THRESHOLDS): Flag | null {
  if (coverage < t.minCoverage) return null;
  const reserved = [
    [cpu, CPU_UNIT, "CPU"],
    [memory, MEMORY_UNIT, "memory"],
  ].filter(([f]) => (f as Figures).reserved > 0) as [Figures, Unit, string][];
  if (!reserved.length) return null;
  if (!reserved.every(([f]) => f.efficiency !== null && f.efficiency < t.idleEfficiency)) return null;
  const said = reserved.map(
    ([f, unit, name]) =>
      `${name} ${unit.format(f.usedAvg!)} used on average of ${unit.format(f.reserved)} reserved (${pct(f.efficiency!)})`,
  );
  return {
    kind: "idle",
    evidence: `${said.join("; ")} over ${range}, ${pct(coverage)} coverage; below ${pct(t.idleEfficiency)}`,
  };
}

/** A node whose reservations exceed the share of its allocatable the threshold allows. */
export function overCommittedFlag(
  reserved: { cpuMillis: number; memoryBytes: number },
  allocatable: { cpuMillis: number; memoryBytes: number },
  /** The limits of the tasks that have one, added up. */
  limits: { cpuMillis: number; memoryBytes: number } = { cpuMillis: 0, memoryBytes: 0 },
  t = THRESHOLDS,
): Flag | null {
  const parts: string[] = [];
  if (allocatable.cpuMillis > 0 && limits.cpuMillis > allocatable.cpuMillis)
    parts.push(`CPU limits ${CPU_UNIT.format(limits.cpuMillis)} above ${CPU_UNIT.format(allocatable.cpuMillis)} allocatable`);
  if (allocatable.memoryBytes > 0 && limits.memoryBytes > allocatable.memoryBytes)
    parts.push(`memory limits ${MEMORY_UNIT.format(limits.memoryBytes)} above ${MEMORY_UNIT.format(allocatable.memoryBytes)} allocatable`);
  if (allocatable.cpuMillis > 0 && reserved.cpuMillis > t.overCommitted * allocatable.cpuMillis)
    parts.push(
      `CPU reserved ${CPU_UNIT.format(reserved.cpuMillis)} of ${CPU_UNIT.format(allocatable.cpuMillis)} allocatable (${pct(reserved.cpuMillis / allocatable.cpuMillis)}, above ${pct(t.overCommitted)})`,
    );
  if (allocatable.memoryBytes > 0 && reserved.memoryBytes > t.overCommitted * allocatable.memoryBytes)
    parts.push(
      `memory reserved ${MEMORY_UNIT.format(reserved.memoryBytes)} of ${MEMORY_UNIT.format(allocatable.memoryBytes)} allocatable (${pct(reserved.memoryBytes / allocatable.memoryBytes)}, above ${pct(t.overCommitted)})`,
    );
  return parts.length ? { kind: "over-committed", evidence: parts.join("; ") } : null;
}

/**
 * Starved: a resource whose p95 of use is at or above the threshold's share
 * of its limit, with enough coverage of that resource; or OOM kills reported
 * (the "oom" flag, cited). A workload's limit is its tasks' added up, so one
 * task at its cap among idle ones may not show here; no orchestrator read
 * here reports CPU throttling.
 */
export function starvedFlag(
  cpu: Figures,
  memory: Figures,
  coverage: { cpu: number; memory: number },
  range: string,
  oom?: Flag,
  t = THRESHOLDS,
): Flag | null {
  const parts: string[] = [];
  for (const [f, unit, name, covered] of [
    [cpu, CPU_UNIT, "CPU", coverage.cpu],
    [memory, MEMORY_UNIT, "memory", coverage.memory],
  ] as const) {
    if (f.limit === undefined || f.limit <= 0 || f.usedP95 === null || covered < t.minCoverage) continue;
    if (f.usedP95 >= t.starved * f.limit)
      parts.push(`${name} p95 ${unit.format(f.usedP95)} of ${unit.format(f.limit)} limit (${pct(f.usedP95 / f.limit)}) over ${range}`);
  }
  if (oom) parts.push(`OOM kills reported (${oom.evidence})`);
  return parts.length ? { kind: "starved", evidence: parts.join("; ") } : null;
}

// ---- limits and cost

/** Hard caps added up: a number where every member caps the resource, null where one does not. */
export interface LimitTotals {
  cpuMillis: number | null;
  memoryBytes: number | null;
}

/**
 * The members' caps added up per resource: null when any member is uncapped
 * there; undefined members (holding nothing) are left out, and without any
 * member there is no limit to tell.
 */
export function sumLimits(members: readonly (LimitTotals | undefined)[]): LimitTotals | undefined {
  const present = members.filter((l): l is LimitTotals => l !== undefined);
  if (!present.length) return undefined;
  const one = (get: (l: LimitTotals) => number | null) =>
    present.reduce<number | null>((sum, l) => (sum === null || get(l) === null ? null : sum + get(l)!), 0);
  return { cpuMillis: one((l) => l.cpuMillis), memoryBytes: one((l) => l.memoryBytes) };
}

/** A price sheet: per CPU core-hour and per GiB-hour of memory, in one currency. */
export const PricingSchema = z
  .object({
    cpuCoreHour: z.number().nonnegative(),
    memoryGiBHour: z.number().nonnegative(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code such as USD")
      .default("USD"),
  })
  .strict();
export type Pricing = z.output<typeof PricingSchema>;

/** OpenCost's default list prices (its configs/default.json, from GCP us-central1), in US dollars. */
export const OPENCOST_LIST_PRICES: Pricing = Object.freeze({ cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, currency: "USD" });

export interface Cost {
  currency: string;
  used: number;
  reserved: number;
  idle: number;
}

const GIB = 1024 ** 3;

/** What `hours` cost at the reservation and the average use (null: no data, costing nothing). */
export function costOf(
  reserved: { cpuMillis: number; memoryBytes: number },
  usedAvg: { cpu: number | null; memory: number | null },
  pricing: Pricing,
  hours: number,
): Cost {
  const price = (cpuMillis: number, memoryBytes: number) =>
    ((cpuMillis / 1000) * pricing.cpuCoreHour + (memoryBytes / GIB) * pricing.memoryGiBHour) * hours;
  const cpu = usedAvg.cpu ?? 0;
  const memory = usedAvg.memory ?? 0;
  return {
    currency: pricing.currency,
    used: price(cpu, memory),
    reserved: price(reserved.cpuMillis, reserved.memoryBytes),
    idle: price(Math.max(0, reserved.cpuMillis - cpu), Math.max(0, reserved.memoryBytes - memory)),
  };
}

/** The members' costs added up, only when every member has one and all are in one currency. */
export function sumCosts(members: readonly (Cost | undefined)[]): Cost | undefined {
  if (!members.length || members.some((c) => c === undefined || c.currency !== members[0]!.currency)) return undefined;
  const costs = members as readonly Cost[];
  return {
    currency: costs[0].currency,
    used: costs.reduce((s, c) => s + c.used, 0),
    reserved: costs.reduce((s, c) => s + c.reserved, 0),
    idle: costs.reduce((s, c) => s + c.idle, 0),
  };
}

export interface Recommendation {
  /** For a workload, the request to set per task (pod, allocation, instance); for a group, its workloads' recommended reservations added up. */
  cpuMillis: number;
  memoryBytes: number;
  /** For a workload: how many tasks the recommendation is for. */
  tasks?: number;
  basis: string;
  /** What the workload's reservation would shrink by (negative: it needs more). */
  frees: { cpuMillis: number; memoryBytes: number };
}

export type RecommendationResult = { recommendation: Recommendation } | { skipped: string };

export const SAVINGS_NOTE = "money is saved only when nodes are removed";

/**
 * Right-sizing as Robusta KRR: CPU = p95 of use, memory = max × 1.15, floors
 * of 10m and 100 MiB, per task (the workload's use shared by its tasks); only
 * with enough coverage, never under an autoscaler.
 */
export function rightSize(input: {
  cpu: UsedStats;
  memory: UsedStats;
  reserved: { cpuMillis: number; memoryBytes: number };
  tasks: number;
  autoscaler: string | null;
  range: string;
  thresholds?: typeof THRESHOLDS;
}): RecommendationResult {
  const t = input.thresholds ?? THRESHOLDS;
  if (input.autoscaler) return { skipped: `under the autoscaler ${input.autoscaler}, which sets the replicas from use` };
  if (input.tasks <= 0) return { skipped: "no task holds resources" };
  const coverage = Math.min(input.cpu.coverage, input.memory.coverage);
  if (input.cpu.p95 === null || input.memory.max === null || coverage < t.minCoverage)
    return { skipped: `not enough history: ${pct(coverage)} of ${input.range} has samples, ${pct(t.minCoverage)} needed` };
  const cpuMillis = Math.max(t.cpuFloorMillis, Math.ceil(input.cpu.p95 / input.tasks));
  const memoryBytes = Math.max(t.memoryFloorBytes, Math.ceil((input.memory.max * t.memoryHeadroom) / input.tasks));
  return {
    recommendation: {
      cpuMillis,
      memoryBytes,
      tasks: input.tasks,
      basis:
        `per task over ${input.tasks} task(s): CPU = p95 of use over ${input.range} (floor ${t.cpuFloorMillis}m), ` +
        `memory = max × ${t.memoryHeadroom} (floor ${MEMORY_UNIT.format(t.memoryFloorBytes)}); ${pct(coverage)} coverage; ${SAVINGS_NOTE}`,
      frees: {
        cpuMillis: input.reserved.cpuMillis - cpuMillis * input.tasks,
        memoryBytes: input.reserved.memoryBytes - memoryBytes * input.tasks,
      },
    },
  };
}

/** The members' recommendations added up: what right-sizing all of them would free. */
export function sumRecommendations(members: readonly (Recommendation | undefined)[]): Recommendation | undefined {
  const present = members.filter((r): r is Recommendation => r !== undefined);
  if (!present.length) return undefined;
  return {
    cpuMillis: present.reduce((s, r) => s + r.cpuMillis * (r.tasks ?? 1), 0),
    memoryBytes: present.reduce((s, r) => s + r.memoryBytes * (r.tasks ?? 1), 0),
    basis: `the recommended reservations of the right-sized workloads added up (those without a recommendation left out); ${SAVINGS_NOTE}`,
    frees: {
      cpuMillis: present.reduce((s, r) => s + r.frees.cpuMillis, 0),
      memoryBytes: present.reduce((s, r) => s + r.frees.memoryBytes, 0),
    },
  };
}

// ---- items ----

export interface ResourceAnswer {
  capacity?: number;
  reserved: number;
  usedAvg: number | null;
  usedP95: number | null;
  usedMax: number | null;
}

/** One line of /api/consumption, as JSON. */
export interface ConsumptionItem {
  /** Stable within an answer: "cluster:<id>", "tenant:<cluster>/<tenant>", "team:<team>", ... */
  key: string;
  /** The cluster id; null for a team, which spans clusters. */
  cluster: string | null;
  tenant?: string;
  team?: string;
  workloadId?: string;
  nodeId?: string;
  name: string;
  cpu: CpuFigures;
  memory: MemoryFigures;
  flags: Flag[];
  recommendation?: Recommendation;
  /** Why there is no recommendation, for workloads. */
  recommendationNote?: string;
  /** What the range cost, where the cluster has a price sheet. */
  cost?: Cost;
  coverage: number;
}

export interface CpuFigures {
  capacityMillis?: number;
  reservedMillis: number;
  limitMillis?: number;
  usedAvgMillis: number | null;
  usedP95Millis: number | null;
  usedMaxMillis: number | null;
  allocatedMillis: number;
  idleReservedMillis: number;
  unreservedMillis?: number;
  efficiency: number | null;
  note?: string;
}

export interface MemoryFigures {
  capacityBytes?: number;
  reservedBytes: number;
  limitBytes?: number;
  usedAvgBytes: number | null;
  usedP95Bytes: number | null;
  usedMaxBytes: number | null;
  allocatedBytes: number;
  idleReservedBytes: number;
  unreservedBytes?: number;
  efficiency: number | null;
  note?: string;
}

/** Figures in the answer: millicores to a thousandth, bytes whole, efficiency to four places (no float noise). */
function roundMillis<T extends number | null>(x: T): T {
  return (x === null ? null : Math.round(x * 1000) / 1000) as T;
}
function roundBytes<T extends number | null>(x: T): T {
  return (x === null ? null : Math.round(x)) as T;
}
function roundRatio(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10000) / 10000;
}
/** Money to a hundredth of a cent: an hour of a small workload costs less than one. */
function roundCost(c: Cost): Cost {
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return { currency: c.currency, used: r(c.used), reserved: r(c.reserved), idle: r(c.idle) };
}

export function cpuFigures(f: Figures): CpuFigures {
  return {
    ...(f.capacity !== undefined ? { capacityMillis: roundMillis(f.capacity) } : {}),
    reservedMillis: roundMillis(f.reserved),
    ...(f.limit !== undefined ? { limitMillis: roundMillis(f.limit) } : {}),
    usedAvgMillis: roundMillis(f.usedAvg),
    usedP95Millis: roundMillis(f.usedP95),
    usedMaxMillis: roundMillis(f.usedMax),
    allocatedMillis: roundMillis(f.allocated),
    idleReservedMillis: roundMillis(f.idleReserved),
    ...(f.unreserved !== undefined ? { unreservedMillis: roundMillis(f.unreserved) } : {}),
    efficiency: roundRatio(f.efficiency),
    ...(f.note ? { note: f.note } : {}),
  };
}

export function memoryFigures(f: Figures): MemoryFigures {
  return {
    ...(f.capacity !== undefined ? { capacityBytes: roundBytes(f.capacity) } : {}),
    reservedBytes: roundBytes(f.reserved),
    ...(f.limit !== undefined ? { limitBytes: roundBytes(f.limit) } : {}),
    usedAvgBytes: roundBytes(f.usedAvg),
    usedP95Bytes: roundBytes(f.usedP95),
    usedMaxBytes: roundBytes(f.usedMax),
    allocatedBytes: roundBytes(f.allocated),
    idleReservedBytes: roundBytes(f.idleReserved),
    ...(f.unreserved !== undefined ? { unreservedBytes: roundBytes(f.unreserved) } : {}),
    efficiency: roundRatio(f.efficiency),
    ...(f.note ? { note: f.note } : {}),
  };
}

/** What an item is computed from: its identity, reservations and capacity, and its usage over the grid. */
export interface Member {
  key: string;
  cluster: string | null;
  tenant?: string;
  team?: string;
  workloadId?: string;
  nodeId?: string;
  name: string;
  reserved: { cpuMillis: number; memoryBytes: number };
  /** Hard caps (sumLimits); absent where nothing holds resources. */
  limit?: LimitTotals;
  capacity?: { cpuMillis: number; memoryBytes: number };
  usage: UsageSeries;
  /** An item's own figures from its points (pointStats), finer than its series on the grid. */
  stats?: { cpu: UsedStats; memory: UsedStats };
  /** The used average, when it is a sum of members' (groups): keeps groups additive. */
  usedAvg?: { cpu: number | null; memory: number | null };
  flags?: Flag[];
  recommendation?: Recommendation;
  recommendationNote?: string;
  /** What the range cost (costOf), or the members' added up. */
  cost?: Cost;
}

const addNullable = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);

/** The group of members: sums of reservations, limits, capacity, used averages and costs; p95 and max of the summed series. */
export function aggregate(
  identity: Pick<Member, "key" | "cluster" | "tenant" | "team" | "workloadId" | "nodeId" | "name">,
  members: readonly Member[],
  grid: Grid,
  options: { capacity?: { cpuMillis: number; memoryBytes: number } } = {},
): Member {
  let usedCpu: number | null = null;
  let usedMem: number | null = null;
  let capacity: { cpuMillis: number; memoryBytes: number } | undefined = options.capacity;
  const reserved = { cpuMillis: 0, memoryBytes: 0 };
  for (const m of members) {
    reserved.cpuMillis += m.reserved.cpuMillis;
    reserved.memoryBytes += m.reserved.memoryBytes;
    const avg =
      m.usedAvg ??
      (m.stats
        ? { cpu: m.stats.cpu.avg, memory: m.stats.memory.avg }
        : { cpu: statsOf(m.usage.cpu, grid).avg, memory: statsOf(m.usage.memory, grid).avg });
    usedCpu = addNullable(usedCpu, avg.cpu);
    usedMem = addNullable(usedMem, avg.memory);
    if (!options.capacity && m.capacity) {
      capacity = {
        cpuMillis: (capacity?.cpuMillis ?? 0) + m.capacity.cpuMillis,
        memoryBytes: (capacity?.memoryBytes ?? 0) + m.capacity.memoryBytes,
      };
    }
  }
  const limit = sumLimits(members.map((m) => m.limit));
  const cost = sumCosts(members.map((m) => m.cost));
  return {
    ...identity,
    reserved,
    ...(limit ? { limit } : {}),
    ...(cost ? { cost } : {}),
    ...(capacity ? { capacity } : {}),
    usage: sumSeries(
      members.map((m) => m.usage),
      grid,
    ),
    usedAvg: { cpu: usedCpu, memory: usedMem },
    recommendation: sumRecommendations(members.map((m) => m.recommendation)),
  };
}

/** An item's figures and flags from what it is computed from. */
export function itemOf(member: Member, range: string, grid?: Grid, t = THRESHOLDS): ConsumptionItem {
  const cpuStats = { ...(member.stats?.cpu ?? statsOf(member.usage.cpu, grid)) };
  const memStats = { ...(member.stats?.memory ?? statsOf(member.usage.memory, grid)) };
  if (member.usedAvg) {
    cpuStats.avg = member.usedAvg.cpu;
    memStats.avg = member.usedAvg.memory;
  }
  const coverage = Math.max(cpuStats.coverage, memStats.coverage);
  const cpu = figures(member.reserved.cpuMillis, cpuStats, member.capacity?.cpuMillis, CPU_UNIT, member.limit?.cpuMillis);
  const memory = figures(member.reserved.memoryBytes, memStats, member.capacity?.memoryBytes, MEMORY_UNIT, member.limit?.memoryBytes);
  const flags = [...(member.flags ?? [])];
  const unreserved = unreservedFlag(cpu, memory);
  if (unreserved) flags.push(unreserved);
  const idle = idleFlag(cpu, memory, coverage, range, t);
  if (idle) flags.push(idle);
  // Starvation is a workload's: a group's summed caps hide the member at its own.
  if (member.workloadId !== undefined) {
    const oom = flags.find((f) => f.kind === "oom");
    const starved = starvedFlag(cpu, memory, { cpu: cpuStats.coverage, memory: memStats.coverage }, range, oom, t);
    if (starved) flags.push(starved);
  }
  return {
    key: member.key,
    cluster: member.cluster,
    ...(member.tenant !== undefined ? { tenant: member.tenant } : {}),
    ...(member.team !== undefined ? { team: member.team } : {}),
    ...(member.workloadId !== undefined ? { workloadId: member.workloadId } : {}),
    ...(member.nodeId !== undefined ? { nodeId: member.nodeId } : {}),
    name: member.name,
    cpu: cpuFigures(cpu),
    memory: memoryFigures(memory),
    flags,
    ...(member.recommendation ? { recommendation: member.recommendation } : {}),
    ...(member.recommendationNote ? { recommendationNote: member.recommendationNote } : {}),
    ...(member.cost ? { cost: roundCost(member.cost) } : {}),
    coverage: Math.round(coverage * 1000) / 1000,
  };
}

/** A chart's points from a series: t in epoch ms (each step's start), null for gaps. */
export function seriesPoints(usage: UsageSeries, grid: Grid): { t: number; cpuMillis: number | null; memoryBytes: number | null }[] {
  const out = [];
  for (let step = 0; step < grid.steps; step++) {
    const cpu = usage.cpu.avg[step];
    const mem = usage.memory.avg[step];
    out.push({
      t: grid.from + step * grid.stepMs,
      cpuMillis: Number.isNaN(cpu) ? null : cpu,
      memoryBytes: Number.isNaN(mem) ? null : mem,
    });
  }
  return out;
}

// ---------------------------------------------------------------- the answers, as the browser checks them

const nullableNumber = z.number().nullable();
const FlagSchema = z.object({ kind: z.enum(FLAG_KINDS), evidence: z.string() });
const ConsumptionItemSchema: z.ZodType<ConsumptionItem> = z.object({
  key: z.string(),
  cluster: z.string().nullable(),
  tenant: z.string().optional(),
  team: z.string().optional(),
  workloadId: z.string().optional(),
  nodeId: z.string().optional(),
  name: z.string(),
  cpu: z.object({
    capacityMillis: z.number().optional(),
    reservedMillis: z.number(),
    limitMillis: z.number().optional(),
    usedAvgMillis: nullableNumber,
    usedP95Millis: nullableNumber,
    usedMaxMillis: nullableNumber,
    allocatedMillis: z.number(),
    idleReservedMillis: z.number(),
    unreservedMillis: z.number().optional(),
    efficiency: nullableNumber,
    note: z.string().optional(),
  }),
  memory: z.object({
    capacityBytes: z.number().optional(),
    reservedBytes: z.number(),
    limitBytes: z.number().optional(),
    usedAvgBytes: nullableNumber,
    usedP95Bytes: nullableNumber,
    usedMaxBytes: nullableNumber,
    allocatedBytes: z.number(),
    idleReservedBytes: z.number(),
    unreservedBytes: z.number().optional(),
    efficiency: nullableNumber,
    note: z.string().optional(),
  }),
  flags: z.array(FlagSchema),
  recommendation: z
    .object({
      cpuMillis: z.number(),
      memoryBytes: z.number(),
      tasks: z.number().optional(),
      basis: z.string(),
      frees: z.object({ cpuMillis: z.number(), memoryBytes: z.number() }),
    })
    .optional(),
  recommendationNote: z.string().optional(),
  cost: z.object({ currency: z.string(), used: z.number(), reserved: z.number(), idle: z.number() }).optional(),
  coverage: z.number(),
});
/** Where a cluster's figures come from: Fleetdeck's own history, the cluster's Prometheus, or the demo's simulated model. */
export const HISTORY_ORIGINS = ["history", "prometheus", "demo"] as const;
export type HistoryOrigin = (typeof HISTORY_ORIGINS)[number];
export const ConsumptionAnswerSchema = z.object({
  items: z.array(ConsumptionItemSchema),
  totals: ConsumptionItemSchema,
  range: z.object({ from: z.string(), to: z.string(), stepSeconds: z.number() }),
  /** The one origin of every cluster's figures; "history" when they differ (`sources` says which is which). */
  source: z.enum(HISTORY_ORIGINS),
  sources: z.record(z.string(), z.enum(HISTORY_ORIGINS)),
  errors: ClusterErrorsSchema,
});
export type ConsumptionAnswer = z.infer<typeof ConsumptionAnswerSchema>;
export const ConsumptionSeriesSchema = z.object({
  series: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      points: z.array(z.object({ t: z.number(), cpuMillis: nullableNumber, memoryBytes: nullableNumber })),
    }),
  ),
  stepSeconds: z.number(),
  errors: ClusterErrorsSchema,
});
export type ConsumptionSeries = z.infer<typeof ConsumptionSeriesSchema>;
