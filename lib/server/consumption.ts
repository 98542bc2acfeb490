import { spreadsheetCsv } from "./csv";
import {
  aggregate,
  costOf,
  gridFor,
  itemOf,
  NO_TENANT,
  overCommittedFlag,
  pointStats,
  RANGE_GRID,
  resample,
  rightSize,
  seriesPoints,
  statsOf,
  sumLimits,
  UNASSIGNED_TEAM,
  type ConsumptionGroup,
  type ConsumptionItem,
  type ConsumptionPoint,
  type ConsumptionAnswer as ConsumptionAnswerShape,
  type ConsumptionRange,
  type Flag,
  type HistoryOrigin,
  type Grid,
  type LimitTotals,
  type Member,
  type Pricing,
} from "@/lib/model/consumption";
import { ZERO_RESOURCES, type Orchestrator, type Resources, type TaskCore, type WorkloadCore } from "@/lib/model/types";
import { InvalidInputError } from "./errors";
import type { Snapshot } from "./snapshot";

/**
 * GET /api/consumption and /api/consumption/series from the built-in
 * history: each cluster's snapshot (what exists, what is reserved, who it
 * belongs to) joined with its usage history ("node:<id>", "workload:<id>"),
 * through the arithmetic of lib/model/consumption.ts.
 *
 * A cluster's figures are the sum of its workloads' (so its tenants add up to
 * it); tasks that belong to no workload (a bare pod) count on their node but
 * in no tenant. Reserved is what the placed, unfinished tasks request (the
 * nodes' "requested" of /api/clusters/{id}/nodes); limit is what the same
 * tasks are capped at, where every one of them is.
 */

/** What one cluster contributes. Only `points` of the history is read. */
export interface ClusterSource {
  id: string;
  name: string;
  snapshot: Snapshot;
  history: { points(key: string, since: number): ConsumptionPoint[] };
  origin: HistoryOrigin;
  orchestrator: Orchestrator;
}

/**
 * A workload's tenant, in each orchestrator's own terms: the Kubernetes or
 * Nomad namespace, the Swarm stack or Compose project, the Marathon group,
 * each the workload's namespace here; on ECS the service itself (named with
 * its cluster in the answers), since an ECS cluster is shared the way a
 * Kubernetes cluster is.
 */
function tenantOf(workload: WorkloadCore, orchestrator: Orchestrator): string {
  if (orchestrator === "ecs") return workload.name;
  return workload.namespace ?? NO_TENANT;
}

export interface ConsumptionOptions {
  groupBy: ConsumptionGroup;
  range: ConsumptionRange;
  tenant?: string;
  /** The workload label naming its team (clusters.yaml consumption.teamLabel). */
  teamLabel: string;
  /** Each priced cluster's price sheet, by cluster id; a cluster without one gets no cost. */
  pricing?: Readonly<Record<string, Pricing>>;
  now: number;
}

/** The answer before the Fleet adds the clusters that could not answer; `totals` adds up the listed items. */
export type ConsumptionAnswer = Omit<ConsumptionAnswerShape, "errors">;

export interface SeriesAnswer {
  series: { key: string; name: string; points: { t: number; cpuMillis: number | null; memoryBytes: number | null }[] }[];
  stepSeconds: number;
}

const add = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryBytes: a.memoryBytes + b.memoryBytes,
});

/**
 * Tasks that hold what they reserved: running ones (on a node, or serverless
 * like Fargate), and placed ones not finished (as the nodes' "requested").
 */
function holdsResources(task: TaskCore): boolean {
  return task.state === "running" || (task.node !== null && (task.state === "pending" || task.state === "unknown"));
}

const OOM = /OOMKilled|OutOfMemory|\bOOM\b|out of memory/i;

interface WorkloadMember extends Member {
  cluster: string;
  tenant: string;
  team: string;
  /** This workload's share of its cluster's allocatable, by what it reserved (absent without nodes). */
  share?: Resources;
}

interface ClusterParts {
  source: ClusterSource;
  allocatable: Resources | null;
  workloads: WorkloadMember[];
  nodes: Member[];
}

function clusterParts(source: ClusterSource, grid: Grid, options: ConsumptionOptions): ClusterParts {
  const { snapshot, history } = source;
  const since = grid.from;
  const pricing = options.pricing?.[source.id];
  const hours = RANGE_GRID[options.range].seconds / 3600;
  const costFor = (reserved: Resources, stats: Member["stats"]) =>
    pricing ? { cost: costOf(reserved, { cpu: stats?.cpu.avg ?? null, memory: stats?.memory.avg ?? null }, pricing, hours) } : {};
  // A task without `limits` (the orchestrator has none apart from the reservation) is uncapped in both.
  const capsOf = (t: TaskCore): LimitTotals => ({ cpuMillis: t.limits?.cpuMillis ?? null, memoryBytes: t.limits?.memoryBytes ?? null });
  const perWorkload = new Map<string, { reserved: Resources; limit?: LimitTotals; count: number; oom: string[] }>();
  // Per node also the caps of the tasks that have one, added up: above allocatable, the node is over-committed
  // even where other tasks have none.
  const perNode = new Map<string, { reserved: Resources; limit?: LimitTotals; capped: Resources }>();
  for (const t of snapshot.tasks.values()) {
    if (holdsResources(t) && t.node !== null) {
      const node = perNode.get(t.node);
      const caps = capsOf(t);
      perNode.set(t.node, {
        reserved: add(node?.reserved ?? ZERO_RESOURCES, t.requests),
        limit: sumLimits([node?.limit, caps]),
        capped: add(node?.capped ?? ZERO_RESOURCES, { cpuMillis: caps.cpuMillis ?? 0, memoryBytes: caps.memoryBytes ?? 0 }),
      });
    }
    if (!t.workloadId) continue;
    const entry = perWorkload.get(t.workloadId) ?? { reserved: ZERO_RESOURCES, count: 0, oom: [] };
    if (holdsResources(t)) {
      entry.reserved = add(entry.reserved, t.requests);
      entry.limit = sumLimits([entry.limit, capsOf(t)]);
      entry.count++;
    }
    if (t.stateReason && OOM.test(t.stateReason)) entry.oom.push(`task ${t.name}: ${t.stateReason}`);
    perWorkload.set(t.workloadId, entry);
  }
  let allocatable: Resources | null = null;
  for (const n of snapshot.nodes.values()) allocatable = add(allocatable ?? ZERO_RESOURCES, n.allocatable);

  const workloads: WorkloadMember[] = [];
  for (const w of snapshot.workloads.values()) {
    const tasks = perWorkload.get(w.id) ?? { reserved: ZERO_RESOURCES, count: 0, oom: [] };
    const points = history.points(`workload:${w.id}`, since);
    const usage = resample(points, grid);
    const stats = pointStats(points, grid);
    const flags: Flag[] = [];
    const oomEvents = w.events.filter((e) => OOM.test(e.message)).map((e) => `${e.at ?? "recently"}: ${e.message}`);
    const oom = [...tasks.oom, ...oomEvents];
    if (oom.length) flags.push({ kind: "oom", evidence: oom.slice(0, 3).join("; ") });
    const sized = rightSize({
      cpu: stats.cpu,
      memory: stats.memory,
      reserved: tasks.reserved,
      tasks: tasks.count,
      autoscaler: w.autoscaler?.name ?? null,
      range: options.range,
    });
    const tenant = tenantOf(w, source.orchestrator);
    workloads.push({
      key: `workload:${source.id}/${w.id}`,
      cluster: source.id,
      tenant,
      team: w.labels[options.teamLabel] || UNASSIGNED_TEAM,
      workloadId: w.id,
      name: w.name,
      reserved: tasks.reserved,
      ...(tasks.limit ? { limit: tasks.limit } : {}),
      usage,
      stats,
      flags,
      ...costFor(tasks.reserved, stats),
      ...("recommendation" in sized ? { recommendation: sized.recommendation } : { recommendationNote: sized.skipped }),
    });
  }
  // Each workload's share of the allocatable, by what it reserved (by what it used where nothing is reserved,
  // as on a Docker engine); shares add up to the cluster's.
  if (allocatable) {
    const shareOf = (weight: (w: WorkloadMember) => number, of: number) => {
      const total = workloads.reduce((sum, w) => sum + weight(w), 0);
      return (w: WorkloadMember) => (total > 0 ? (of * weight(w)) / total : 0);
    };
    const cpuTotal = workloads.reduce((sum, w) => sum + w.reserved.cpuMillis, 0);
    const memTotal = workloads.reduce((sum, w) => sum + w.reserved.memoryBytes, 0);
    const cpuShare = shareOf((w) => (cpuTotal > 0 ? w.reserved.cpuMillis : (w.stats?.cpu.avg ?? 0)), allocatable.cpuMillis);
    const memShare = shareOf((w) => (memTotal > 0 ? w.reserved.memoryBytes : (w.stats?.memory.avg ?? 0)), allocatable.memoryBytes);
    for (const w of workloads) w.share = { cpuMillis: cpuShare(w), memoryBytes: memShare(w) };
  }

  const nodes: Member[] = [...snapshot.nodes.values()].map((n) => {
    const { reserved, limit, capped } = perNode.get(n.id) ?? { reserved: ZERO_RESOURCES, capped: ZERO_RESOURCES };
    const flag = overCommittedFlag(reserved, n.allocatable, capped);
    const points = history.points(`node:${n.id}`, since);
    const stats = pointStats(points, grid);
    return {
      key: `node:${source.id}/${n.id}`,
      cluster: source.id,
      nodeId: n.id,
      name: n.name,
      reserved,
      ...(limit ? { limit } : {}),
      capacity: n.allocatable,
      usage: resample(points, grid),
      stats,
      flags: flag ? [flag] : [],
      ...costFor(reserved, stats),
    };
  });
  return { source, allocatable, workloads, nodes };
}

function sumShares(members: readonly WorkloadMember[]): Resources | undefined {
  const withShare = members.filter((m) => m.share);
  return withShare.length ? withShare.reduce((sum, m) => add(sum, m.share!), ZERO_RESOURCES) : undefined;
}

/** The members of the asked grouping, before they become items. */
function groupMembers(sources: readonly ClusterSource[], options: ConsumptionOptions, grid: Grid): Member[] {
  if (options.groupBy === "node" && options.tenant !== undefined) {
    throw new InvalidInputError("tenant does not apply to groupBy=node: nodes are shared by tenants", 400);
  }
  const parts = sources.map((s) => clusterParts(s, grid, options));
  const inTenant = (w: WorkloadMember) => options.tenant === undefined || w.tenant === options.tenant;
  switch (options.groupBy) {
    case "node":
      return parts.flatMap((p) => p.nodes);
    case "workload":
      return parts.flatMap((p) => p.workloads.filter(inTenant));
    case "cluster":
      return parts.map((p) => {
        const members = p.workloads.filter(inTenant);
        const capacity = options.tenant === undefined ? (p.allocatable ?? undefined) : sumShares(members);
        const over = p.nodes.filter((n) => n.flags?.length);
        const group = aggregate({ key: `cluster:${p.source.id}`, cluster: p.source.id, name: p.source.name }, members, grid, { capacity });
        if (over.length) {
          group.flags = [
            { kind: "over-committed", evidence: `${over.length} node(s) over-committed: ${over.map((n) => n.name).join(", ")}` },
          ];
        }
        return group;
      });
    case "tenant": {
      const out: Member[] = [];
      for (const p of parts) {
        const byTenant = new Map<string, WorkloadMember[]>();
        for (const w of p.workloads.filter(inTenant)) byTenant.set(w.tenant, [...(byTenant.get(w.tenant) ?? []), w]);
        for (const [tenant, members] of byTenant) {
          out.push(
            aggregate({ key: `tenant:${p.source.id}/${tenant}`, cluster: p.source.id, tenant, name: tenant }, members, grid, {
              capacity: sumShares(members),
            }),
          );
        }
      }
      return out;
    }
    case "team": {
      const byTeam = new Map<string, WorkloadMember[]>();
      for (const w of parts.flatMap((p) => p.workloads.filter(inTenant))) byTeam.set(w.team, [...(byTeam.get(w.team) ?? []), w]);
      return [...byTeam].map(([team, members]) =>
        aggregate({ key: `team:${team}`, cluster: null, team, name: team }, members, grid, { capacity: sumShares(members) }),
      );
    }
  }
}

const byClusterThenName = (a: Member, b: Member) =>
  (a.cluster ?? "").localeCompare(b.cluster ?? "") || a.name.localeCompare(b.name, undefined, { numeric: true });

function rangeOf(grid: Grid) {
  return {
    from: new Date(grid.from).toISOString(),
    to: new Date(grid.now ?? grid.from + grid.steps * grid.stepMs).toISOString(),
    stepSeconds: grid.stepMs / 1000,
  };
}

function originsOf(sources: readonly ClusterSource[]): Pick<ConsumptionAnswer, "source" | "sources"> {
  const origins = new Set(sources.map((s) => s.origin));
  return {
    source: origins.size === 1 ? [...origins][0] : "history",
    sources: Object.fromEntries(sources.map((s) => [s.id, s.origin])),
  };
}

export function consumptionReport(sources: readonly ClusterSource[], options: ConsumptionOptions): ConsumptionAnswer {
  const grid = gridFor(options.range, options.now);
  const members = groupMembers(sources, options, grid).sort(byClusterThenName);
  const totals = aggregate({ key: "fleet", cluster: null, name: "fleet" }, members, grid);
  return {
    items: members.map((m) => itemOf(m, options.range, grid)),
    totals: itemOf(totals, options.range, grid),
    range: rangeOf(grid),
    ...originsOf(sources),
  };
}

/** The top consumers (by average CPU, then memory) of the grouping over time, for the charts. */
export function consumptionSeries(sources: readonly ClusterSource[], options: ConsumptionOptions & { top: number }): SeriesAnswer {
  const grid = gridFor(options.range, options.now);
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const ranked = groupMembers(sources, options, grid)
    .map((m) => ({ m, cpu: statsOf(m.usage.cpu, grid).avg ?? -1, memory: statsOf(m.usage.memory, grid).avg ?? -1 }))
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.m.key.localeCompare(b.m.key))
    .slice(0, options.top);
  return {
    series: ranked.map(({ m }) => ({
      key: m.key,
      name: options.groupBy === "cluster" || m.cluster === null ? m.name : `${m.name} (${names.get(m.cluster) ?? m.cluster})`,
      points: seriesPoints(m.usage, grid),
    })),
    stepSeconds: grid.stepMs / 1000,
  };
}

const CSV_COLUMNS: [string, (i: ConsumptionItem) => unknown][] = [
  ["cluster", (i) => i.cluster],
  ["tenant", (i) => i.tenant],
  ["team", (i) => i.team],
  ["workloadId", (i) => i.workloadId],
  ["nodeId", (i) => i.nodeId],
  ["name", (i) => i.name],
  ["cpuCapacityMillis", (i) => i.cpu.capacityMillis],
  ["cpuReservedMillis", (i) => i.cpu.reservedMillis],
  ["cpuLimitMillis", (i) => i.cpu.limitMillis],
  ["cpuUsedAvgMillis", (i) => i.cpu.usedAvgMillis],
  ["cpuUsedP95Millis", (i) => i.cpu.usedP95Millis],
  ["cpuUsedMaxMillis", (i) => i.cpu.usedMaxMillis],
  ["cpuAllocatedMillis", (i) => i.cpu.allocatedMillis],
  ["cpuIdleReservedMillis", (i) => i.cpu.idleReservedMillis],
  ["cpuUnreservedMillis", (i) => i.cpu.unreservedMillis],
  ["cpuEfficiency", (i) => i.cpu.efficiency],
  ["memoryCapacityBytes", (i) => i.memory.capacityBytes],
  ["memoryReservedBytes", (i) => i.memory.reservedBytes],
  ["memoryLimitBytes", (i) => i.memory.limitBytes],
  ["memoryUsedAvgBytes", (i) => i.memory.usedAvgBytes],
  ["memoryUsedP95Bytes", (i) => i.memory.usedP95Bytes],
  ["memoryUsedMaxBytes", (i) => i.memory.usedMaxBytes],
  ["memoryAllocatedBytes", (i) => i.memory.allocatedBytes],
  ["memoryIdleReservedBytes", (i) => i.memory.idleReservedBytes],
  ["memoryUnreservedBytes", (i) => i.memory.unreservedBytes],
  ["memoryEfficiency", (i) => i.memory.efficiency],
  ["coverage", (i) => i.coverage],
  ["costCurrency", (i) => i.cost?.currency],
  ["costUsed", (i) => i.cost?.used],
  ["costReserved", (i) => i.cost?.reserved],
  ["costIdle", (i) => i.cost?.idle],
  ["flags", (i) => i.flags.map((f) => f.kind).join(" ")],
  ["evidence", (i) => i.flags.map((f) => `${f.kind}: ${f.evidence}`).join(" | ")],
  ["recommendedCpuMillis", (i) => i.recommendation?.cpuMillis],
  ["recommendedMemoryBytes", (i) => i.recommendation?.memoryBytes],
  ["freesCpuMillis", (i) => i.recommendation?.frees.cpuMillis],
  ["freesMemoryBytes", (i) => i.recommendation?.frees.memoryBytes],
  ["recommendationNote", (i) => i.recommendationNote],
];

export function consumptionCsv(items: readonly ConsumptionItem[]): string {
  return spreadsheetCsv(
    CSV_COLUMNS.map(([name]) => name),
    items.map((i) => CSV_COLUMNS.map(([, get]) => get(i))),
  );
}
