import { queryOptions, type QueryKey } from "@tanstack/react-query";
import { z } from "zod";
import {
  ClusterInfoSchema,
  NodeSchema,
  ServiceSchema,
  TaskSchema,
  UsageHistorySchema,
  WorkloadSchema,
  type ClusterInfo,
  type ListAnswer,
  type Node,
  type Service,
  type Task,
  type UsageHistory,
  type Workload,
} from "@/lib/model/types";
import { apiGet, apiPost, listSchema } from "./api";

/**
 * One queryOptions factory per resource. Keys are rooted at
 * ["clusters", clusterId, resource, params] so a live change to a resource
 * invalidates every view of it by prefix. Server pages reuse these factories
 * and override queryFn to read the fleet facade directly.
 */

/** Freshness in ONE place. SSE invalidation does the real work; polling is the safety net for a wall display. */
export const REFRESH = {
  /** Hydrated data is fresh this long, so a page does not refetch right after it loads. */
  staleMs: 10_000,
  /** Lists and details, in case an SSE message was lost. */
  resourcesPollMs: 60_000,
  /** Usage history moves every sample (15 s upstream). */
  usagePollMs: 30_000,
  /** Cluster status drives the overview. */
  clustersPollMs: 30_000,
} as const;

/** The largest page the UI asks for; lists longer than that offer "show more". */
export const LIST_PAGE = 500;

export const clusterKeys = {
  all: ["clusters"] as const,
  cluster: (clusterId: string) => ["clusters", clusterId] as const,
  resource: (clusterId: string, resource: string) => ["clusters", clusterId, resource] as const,
};

/** List parameters as the API takes them (lib/model/queries.ts validates them on the server). */
export interface TaskParams {
  namespace?: string;
  selector?: string;
  node?: string;
  workload?: string;
  q?: string;
  sort?: string;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}
export type NodeParams = Omit<TaskParams, "namespace" | "node" | "workload">;
export type WorkloadParams = Omit<TaskParams, "node" | "workload">;
export type ServiceParams = WorkloadParams;
export interface UsageParams {
  scope?: "cluster" | "node" | "workload";
  target?: string;
  range?: string;
}

/** Drops empty values so that "no filter" has exactly one key, on the server and in the browser. */
export function cleanParams<T extends object>(params: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(params).sort()) {
    const value = (params as Record<string, unknown>)[key];
    if (value !== undefined && value !== "" && value !== null) out[key] = value;
  }
  return out as T;
}

const base = (clusterId: string) => `/api/clusters/${encodeURIComponent(clusterId)}`;

const ClusterListSchema = z.object({ items: z.array(ClusterInfoSchema) });
const NodeListSchema = listSchema(NodeSchema);
const WorkloadListSchema = listSchema(WorkloadSchema);
const TaskListSchema = listSchema(TaskSchema);
const ServiceListSchema = listSchema(ServiceSchema);
const NamespacesSchema = z.object({ items: z.array(z.string()) });

export function clustersQuery() {
  return queryOptions({
    queryKey: clusterKeys.all,
    queryFn: async ({ signal }): Promise<ClusterInfo[]> =>
      (await apiGet("/api/clusters", ClusterListSchema, undefined, signal)).items,
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.clustersPollMs,
  });
}

export function clusterQuery(clusterId: string) {
  return queryOptions({
    queryKey: [...clusterKeys.cluster(clusterId), "cluster"] as const,
    queryFn: ({ signal }): Promise<ClusterInfo> => apiGet(base(clusterId), ClusterInfoSchema, undefined, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.clustersPollMs,
  });
}

export function nodesQuery(clusterId: string, params: NodeParams = {}) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "nodes"), p] as const,
    queryFn: ({ signal }): Promise<ListAnswer<Node>> => apiGet(`${base(clusterId)}/nodes`, NodeListSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function nodeQuery(clusterId: string, nodeId: string) {
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "nodes"), "item", nodeId] as const,
    queryFn: ({ signal }): Promise<Node> =>
      apiGet(`${base(clusterId)}/nodes/${encodeURIComponent(nodeId)}`, NodeSchema, undefined, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function workloadsQuery(clusterId: string, params: WorkloadParams = {}) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "workloads"), p] as const,
    queryFn: ({ signal }): Promise<ListAnswer<Workload>> =>
      apiGet(`${base(clusterId)}/workloads`, WorkloadListSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function workloadQuery(clusterId: string, workloadId: string) {
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "workloads"), "item", workloadId] as const,
    queryFn: ({ signal }): Promise<Workload> =>
      apiGet(`${base(clusterId)}/workloads/${encodeURIComponent(workloadId)}`, WorkloadSchema, undefined, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function tasksQuery(clusterId: string, params: TaskParams = {}) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "tasks"), p] as const,
    queryFn: ({ signal }): Promise<ListAnswer<Task>> => apiGet(`${base(clusterId)}/tasks`, TaskListSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function servicesQuery(clusterId: string, params: ServiceParams = {}) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "services"), p] as const,
    queryFn: ({ signal }): Promise<ListAnswer<Service>> =>
      apiGet(`${base(clusterId)}/services`, ServiceListSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function namespacesQuery(clusterId: string) {
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "namespaces")] as const,
    queryFn: async ({ signal }): Promise<string[]> =>
      (await apiGet(`${base(clusterId)}/namespaces`, NamespacesSchema, undefined, signal)).items,
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function usageQuery(clusterId: string, params: UsageParams) {
  const p = cleanParams({ scope: params.scope ?? "cluster", target: params.target, range: params.range ?? "15m" });
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "usage"), p] as const,
    queryFn: ({ signal }): Promise<UsageHistory> => apiGet(`${base(clusterId)}/usage`, UsageHistorySchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.usagePollMs,
  });
}

/** force: scale through a rollout that holds the workload (a Marathon deployment), cancelling it. */
export function scaleWorkload(clusterId: string, workloadId: string, replicas: number, force = false): Promise<Workload> {
  return apiPost(
    `${base(clusterId)}/workloads/${encodeURIComponent(workloadId)}/scale`,
    force ? { replicas, force: true } : { replicas },
    WorkloadSchema,
  );
}

/** Which cached queries a server change makes stale (prefix filters for invalidateQueries). */
export function keysForChange(change: { clusterId: string; resources: readonly string[] }): { queryKey: QueryKey; exact?: boolean }[] {
  const keys: { queryKey: QueryKey; exact?: boolean }[] = [];
  let namespaces = false;
  for (const resource of new Set(change.resources)) {
    if (resource === "cluster") {
      keys.push({ queryKey: [...clusterKeys.cluster(change.clusterId), "cluster"] });
      continue;
    }
    keys.push({ queryKey: clusterKeys.resource(change.clusterId, resource) });
    if (resource === "workloads" || resource === "tasks" || resource === "services") namespaces = true;
  }
  if (namespaces) keys.push({ queryKey: clusterKeys.resource(change.clusterId, "namespaces") });
  // Counts and usage on the overview cards come from the cluster list.
  if (change.resources.length > 0) keys.push({ queryKey: clusterKeys.all, exact: true });
  return keys;
}

/* ---- URL search params <-> list params: the same reading on the server page and in the browser ---- */

type SearchLike = URLSearchParams | { get(name: string): string | null };

export function toSearchLike(record: Record<string, string | string[] | undefined>): SearchLike {
  return { get: (name) => { const v = record[name]; return Array.isArray(v) ? (v[0] ?? null) : (v ?? null); } };
}

function text(search: SearchLike, name: string): string | undefined {
  const value = search.get(name)?.trim();
  return value ? value : undefined;
}

function order(search: SearchLike): "asc" | "desc" | undefined {
  const value = search.get("order");
  return value === "asc" || value === "desc" ? value : undefined;
}

function limit(search: SearchLike): number {
  const value = Number(search.get("limit"));
  return Number.isInteger(value) && value > LIST_PAGE && value <= 5000 ? value : LIST_PAGE;
}

export function nodeParamsFrom(search: SearchLike): NodeParams {
  return cleanParams({ selector: text(search, "selector"), q: text(search, "q"), sort: text(search, "sort"), order: order(search), limit: limit(search) });
}

export function workloadParamsFrom(search: SearchLike): WorkloadParams {
  return cleanParams({
    namespace: text(search, "namespace"),
    selector: text(search, "selector"),
    q: text(search, "q"),
    sort: text(search, "sort"),
    order: order(search),
    limit: limit(search),
  });
}

export function taskParamsFrom(search: SearchLike): TaskParams {
  return cleanParams({
    namespace: text(search, "namespace"),
    selector: text(search, "selector"),
    node: text(search, "node"),
    workload: text(search, "workload"),
    q: text(search, "q"),
    sort: text(search, "sort"),
    order: order(search),
    limit: limit(search),
  });
}

export function serviceParamsFrom(search: SearchLike): ServiceParams {
  return cleanParams({
    namespace: text(search, "namespace"),
    selector: text(search, "selector"),
    q: text(search, "q"),
    sort: text(search, "sort"),
    order: order(search),
    limit: limit(search),
  });
}

/** The task lists on the node and workload pages (server prefetch and browser must agree on the key). */
export function nodeTaskParams(nodeId: string): TaskParams {
  return { node: nodeId, limit: LIST_PAGE };
}

export function workloadTaskParams(workloadId: string): TaskParams {
  return { workload: workloadId, limit: LIST_PAGE };
}
