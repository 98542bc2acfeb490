import type { UsageSample } from "@/lib/adapters/types";
import {
  NAMESPACED_KINDS,
  ZERO_RESOURCES,
  type ClusterSummary,
  type ListAnswer,
  type Node,
  type Resources,
  type Task,
  type TaskCore,
  type Workload,
} from "@/lib/model/types";
import { compareProblems, countProblems, nodeHealth, taskHealth, workloadHealth, type FleetProblem } from "@/lib/model/health";
import { matches, parseSelector } from "@/lib/model/selector";
import type { TaskParams } from "@/lib/model/queries";
import type { Snapshot } from "./snapshot";

/**
 * Pure read-side helpers: the API's items are the snapshot's slim items plus
 * what is derived across resources (node requests and task counts, usage
 * joined from the latest sample, health from the problems the adapters
 * report, judged at `now`), then filtered, sorted and paged. `noun` names a
 * cluster's tasks in the evidence of a workload's problems ("pods").
 */

function add(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}

function sum(values: Iterable<Resources>): Resources | null {
  let total: Resources | null = null;
  for (const v of values) total = total ? add(total, v) : v;
  return total;
}

/** Tasks that hold their node's resources: placed and not finished. */
function holdsResources(task: TaskCore): boolean {
  return task.node !== null && (task.state === "running" || task.state === "pending" || task.state === "unknown");
}

export function taskView(task: TaskCore, usage: UsageSample | null, now: number): Task {
  const { state, problems } = taskHealth(task, now);
  return {
    ...task,
    usage: usage?.tasks.get(task.id) ?? null,
    usageNote: usage?.unavailable.tasks.get(task.id) ?? null,
    health: { state, problems },
  };
}

export function taskViews(snapshot: Snapshot, usage: UsageSample | null, now: number): Task[] {
  return [...snapshot.tasks.values()].map((t) => taskView(t, usage, now));
}

/** What the tasks placed on each node request, and how many there are. */
function placedOnNodes(snapshot: Snapshot): Map<string, { requested: Resources; count: number }> {
  const perNode = new Map<string, { requested: Resources; count: number }>();
  for (const t of snapshot.tasks.values()) {
    if (!holdsResources(t)) continue;
    const entry = perNode.get(t.node!) ?? { requested: ZERO_RESOURCES, count: 0 };
    entry.requested = add(entry.requested, t.requests);
    entry.count++;
    perNode.set(t.node!, entry);
  }
  return perNode;
}

export function nodeViews(snapshot: Snapshot, usage: UsageSample | null, now: number): Node[] {
  const perNode = placedOnNodes(snapshot);
  return [...snapshot.nodes.values()].map((n) => ({
    ...n,
    requested: perNode.get(n.id)?.requested ?? ZERO_RESOURCES,
    taskCount: perNode.get(n.id)?.count ?? 0,
    usage: usage?.nodes.get(n.id) ?? null,
    usageNote: usage?.unavailable.nodes.get(n.id) ?? null,
    health: nodeHealth(n, now),
  }));
}

/** Live use per workload: the sum over its tasks with known use. */
export function usageByWorkload(snapshot: Snapshot, usage: UsageSample | null): Map<string, Resources> {
  const perWorkload = new Map<string, Resources>();
  if (!usage) return perWorkload;
  for (const t of snapshot.tasks.values()) {
    const u = t.workloadId ? usage.tasks.get(t.id) : undefined;
    if (!u) continue;
    const prev = perWorkload.get(t.workloadId!);
    perWorkload.set(t.workloadId!, prev ? add(prev, u) : u);
  }
  return perWorkload;
}

function tasksByWorkload(snapshot: Snapshot): Map<string, TaskCore[]> {
  const byWorkload = new Map<string, TaskCore[]>();
  for (const t of snapshot.tasks.values()) {
    if (!t.workloadId) continue;
    const list = byWorkload.get(t.workloadId);
    if (list) list.push(t);
    else byWorkload.set(t.workloadId, [t]);
  }
  return byWorkload;
}

export function workloadViews(snapshot: Snapshot, usage: UsageSample | null, now: number, noun: string): Workload[] {
  const perWorkload = usageByWorkload(snapshot, usage);
  const tasks = tasksByWorkload(snapshot);
  return [...snapshot.workloads.values()].map((w) => ({
    ...w,
    usage: perWorkload.get(w.id) ?? null,
    health: workloadHealth(w, tasks.get(w.id) ?? [], now, noun),
  }));
}

/** A cluster's problem as the fleet-wide list has it, short of the cluster's name. */
export type SnapshotProblem = Omit<FleetProblem, "clusterId" | "clusterName">;

/**
 * Every problem in the snapshot, each on the object to open for it: a
 * workload's own and its tasks' on the workload, a lone task's on the task,
 * a node's on the node. Most severe first, then oldest.
 */
export function snapshotProblems(snapshot: Snapshot, now: number, noun: string): SnapshotProblem[] {
  const out: SnapshotProblem[] = [];
  const tasks = tasksByWorkload(snapshot);
  const object = (kind: SnapshotProblem["object"]["kind"], o: { id: string; name: string; namespace?: string | null }) => ({
    kind,
    id: o.id,
    name: o.name,
    namespace: o.namespace ?? null,
  });
  for (const n of snapshot.nodes.values()) {
    for (const p of nodeHealth(n, now).problems) out.push({ ...p, object: object("node", n) });
  }
  for (const w of snapshot.workloads.values()) {
    for (const p of workloadHealth(w, tasks.get(w.id) ?? [], now, noun).problems) out.push({ ...p, object: object("workload", w) });
  }
  for (const t of snapshot.tasks.values()) {
    if (t.workloadId && snapshot.workloads.has(t.workloadId)) continue;
    for (const p of taskHealth(t, now).problems) out.push({ ...p, object: object("task", t) });
  }
  return out.sort(compareProblems);
}

/** The cluster's live use: its nodes', or without nodes (Fargate, say) its tasks'. */
export function clusterUsed(usage: UsageSample | null): Resources | null {
  if (!usage) return null;
  return usage.nodes.size > 0 ? sum(usage.nodes.values()) : sum(usage.tasks.values());
}

export function summarize(snapshot: Snapshot, usage: UsageSample | null, problems: readonly SnapshotProblem[]): ClusterSummary {
  const nodes = [...snapshot.nodes.values()];
  const placed = placedOnNodes(snapshot);
  let running = 0;
  for (const t of snapshot.tasks.values()) if (t.state === "running") running++;
  return {
    nodes: nodes.length,
    readyNodes: nodes.filter((n) => n.status === "ready").length,
    workloads: snapshot.workloads.size,
    tasks: snapshot.tasks.size,
    runningTasks: running,
    capacity: sum(nodes.map((n) => n.capacity)) ?? ZERO_RESOURCES,
    allocatable: sum(nodes.map((n) => n.allocatable)) ?? ZERO_RESOURCES,
    requested: sum(nodes.map((n) => placed.get(n.id)?.requested ?? ZERO_RESOURCES)) ?? ZERO_RESOURCES,
    used: clusterUsed(usage),
    problems: countProblems(problems),
  };
}

/** Every list filter; each resource's query schema allows a subset. */
export type ListFilter = TaskParams;

type Filterable = {
  name: string;
  namespace?: string | null;
  labels: Record<string, string>;
  node?: string | null;
  workloadId?: string | null;
};

/** Reads a dotted field ("usage.cpuMillis"); "age" sorts by creation, newest last. */
function field(item: unknown, path: string): unknown {
  const key = path === "age" ? "createdAt" : path;
  return key.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), item);
}

function compare(a: unknown, b: unknown): number {
  // Missing values sort last in either order; see the caller.
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Filters, sorts and pages; the selector must have been validated (lib/model/queries.ts). */
export function queryList<T extends Filterable>(items: T[], filter: ListFilter): ListAnswer<T> {
  const requirements = filter.selector ? parseSelector(filter.selector) : null;
  const q = filter.q?.toLowerCase();
  const kept = items.filter(
    (item) =>
      (filter.namespace === undefined || item.namespace === filter.namespace) &&
      (filter.node === undefined || item.node === filter.node) &&
      (filter.workload === undefined || item.workloadId === filter.workload) &&
      (q === undefined || item.name.toLowerCase().includes(q)) &&
      (requirements === null || matches(requirements, item.labels)),
  );
  const sortKey = filter.sort ?? "name";
  const direction = filter.order === "desc" ? -1 : 1;
  kept.sort((a, b) => {
    const va = field(a, sortKey);
    const vb = field(b, sortKey);
    const missingA = va === null || va === undefined;
    const missingB = vb === null || vb === undefined;
    if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
    return direction * compare(va, vb) || a.name.localeCompare(b.name, undefined, { numeric: true });
  });
  const offset = filter.offset ?? 0;
  const page = filter.limit === undefined ? kept.slice(offset) : kept.slice(offset, offset + filter.limit);
  return { items: page, total: kept.length };
}

export function namespacesOf(snapshot: Snapshot): string[] {
  const names = new Set<string>();
  for (const kind of NAMESPACED_KINDS) {
    for (const item of (snapshot[kind] as ReadonlyMap<string, { namespace: string | null }>).values()) {
      if (item.namespace) names.add(item.namespace);
    }
  }
  return [...names].sort();
}
