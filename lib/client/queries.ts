import { queryOptions, type QueryKey } from "@tanstack/react-query";
import { z } from "zod";
import {
  ClusterErrorsSchema,
  ClusterInfoSchema,
  NAMESPACED_KINDS,
  NodeSchema,
  ServiceSchema,
  TaskDetailSchema,
  TaskSchema,
  UsageHistorySchema,
  WorkloadSchema,
  type ClusterErrors,
  type ClusterInfo,
  type ListAnswer,
  type ResourceKind,
  type UsageHistory,
  type Workload,
} from "@/lib/model/types";
import {
  ConsumptionQuerySchema,
  FleetWorkloadQuerySchema,
  LIST_PAGE,
  listParamsFrom,
  searchValues,
  type FleetTaskParams,
  type FleetWorkloadParams,
  type NodeParams,
  type SearchInput,
  type ProblemQuery,
  type ServiceParams,
  type TaskParams,
  type UsageQuery,
  type WorkloadParams,
} from "@/lib/model/queries";
import {
  ConsumptionAnswerSchema,
  ConsumptionSeriesSchema,
  type ConsumptionAnswer,
  type ConsumptionGroup,
  type ConsumptionRange,
  type ConsumptionSeries,
} from "@/lib/model/consumption";
import { FleetProblemSchema, type FleetProblem } from "@/lib/model/health";
import { apiGet, apiPost, apiUrl, listSchema } from "./api";

/**
 * One queryOptions factory per resource. Keys are rooted at
 * ["clusters", clusterId, resource, params] so a live change to a resource
 * invalidates every view of it by prefix; what spans clusters (the cluster
 * list, problems, consumption, the fleet-wide lists) is rooted apart. Server
 * pages reuse these factories and override queryFn to read the fleet facade
 * directly.
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

export const clusterKeys = {
  all: ["clusters"] as const,
  cluster: (clusterId: string) => ["clusters", clusterId] as const,
  resource: (clusterId: string, resource: string) => ["clusters", clusterId, resource] as const,
};

/**
 * A key that spans clusters rather than being one cluster's: a change in any
 * cluster may touch it, so the live stream refreshes it at most every few
 * seconds (lib/client/live.ts).
 */
export function isFleetWide(queryKey: QueryKey): boolean {
  return !(queryKey[0] === clusterKeys.all[0] && queryKey.length > 1);
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
    queryFn: async ({ signal }): Promise<ClusterInfo[]> => (await apiGet("/api/clusters", ClusterListSchema, undefined, signal)).items,
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

/** A resource list; the path and the key's resource segment are the same word. */
function listQuery<T, P extends object>(clusterId: string, resource: ResourceKind, schema: z.ZodType<ListAnswer<T>>, params: P) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, resource), p] as const,
    queryFn: ({ signal }): Promise<ListAnswer<T>> => apiGet(`${base(clusterId)}/${resource}`, schema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

/** One item of a list, keyed under the list's prefix so a change to the resource refreshes it too. */
function itemQuery<T>(
  clusterId: string,
  resource: Extract<ResourceKind, "nodes" | "workloads" | "tasks">,
  schema: z.ZodType<T>,
  id: string,
) {
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, resource), "item", id] as const,
    queryFn: ({ signal }): Promise<T> => apiGet(`${base(clusterId)}/${resource}/${encodeURIComponent(id)}`, schema, undefined, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export const nodesQuery = (clusterId: string, params: NodeParams = {}) => listQuery(clusterId, "nodes", NodeListSchema, params);
export const nodeQuery = (clusterId: string, nodeId: string) => itemQuery(clusterId, "nodes", NodeSchema, nodeId);
export const workloadsQuery = (clusterId: string, params: WorkloadParams = {}) =>
  listQuery(clusterId, "workloads", WorkloadListSchema, params);
export const workloadQuery = (clusterId: string, workloadId: string) => itemQuery(clusterId, "workloads", WorkloadSchema, workloadId);
export const tasksQuery = (clusterId: string, params: TaskParams = {}) => listQuery(clusterId, "tasks", TaskListSchema, params);
export const taskQuery = (clusterId: string, taskId: string) => itemQuery(clusterId, "tasks", TaskSchema, taskId);
/** A task read in full from its orchestrator; under the task's key, so a change to the cluster's tasks reads it again. */
export function taskDescriptionQuery(clusterId: string, taskId: string) {
  return queryOptions({
    queryKey: [...taskQuery(clusterId, taskId).queryKey, "describe"] as const,
    queryFn: ({ signal }) => apiGet(`${base(clusterId)}/tasks/${encodeURIComponent(taskId)}/describe`, TaskDetailSchema, undefined, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}
export const servicesQuery = (clusterId: string, params: ServiceParams = {}) => listQuery(clusterId, "services", ServiceListSchema, params);

export function namespacesQuery(clusterId: string) {
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "namespaces")] as const,
    queryFn: async ({ signal }): Promise<string[]> =>
      (await apiGet(`${base(clusterId)}/namespaces`, NamespacesSchema, undefined, signal)).items,
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export function usageQuery(clusterId: string, params: UsageQuery) {
  const p = cleanParams({ scope: params.scope ?? "cluster", target: params.target, range: params.range ?? "15m" });
  return queryOptions({
    queryKey: [...clusterKeys.resource(clusterId, "usage"), p] as const,
    queryFn: ({ signal }): Promise<UsageHistory> => apiGet(`${base(clusterId)}/usage`, UsageHistorySchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.usagePollMs,
  });
}

/** The consumption page's query: grouping and range always given (so a URL without them has the same key as one with the defaults). */
export interface ConsumptionParams {
  groupBy: ConsumptionGroup;
  range: ConsumptionRange;
  cluster?: string;
  tenant?: string;
}

/** The API's defaults (ConsumptionQuerySchema). */
export const CONSUMPTION_DEFAULTS = { groupBy: "cluster", range: "24h" } as const satisfies Pick<ConsumptionParams, "groupBy" | "range">;

/** The consumption page's query from its URL, read the same way by the server page and the browser; a bad value is the default. */
export function consumptionParamsFrom(search: SearchInput): ConsumptionParams {
  const values = searchValues(search);
  const read = <K extends "groupBy" | "range" | "cluster" | "tenant">(name: K) => {
    const parsed = ConsumptionQuerySchema.shape[name].safeParse(values[name]?.trim() || undefined);
    return parsed.success ? parsed.data : undefined;
  };
  return cleanParams({
    groupBy: (read("groupBy") as ConsumptionGroup | undefined) ?? CONSUMPTION_DEFAULTS.groupBy,
    range: (read("range") as ConsumptionRange | undefined) ?? CONSUMPTION_DEFAULTS.range,
    cluster: read("cluster") as string | undefined,
    tenant: read("tenant") as string | undefined,
  });
}

export type { ConsumptionAnswer, ConsumptionSeries };

/** Consumption spans clusters, so its keys are rooted apart from ["clusters", ...]; usage moves every sample, so it polls. */
export const consumptionKeys = { all: ["consumption"] as const };

export function consumptionQuery(params: ConsumptionParams) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...consumptionKeys.all, "items", p] as const,
    queryFn: ({ signal }): Promise<ConsumptionAnswer> => apiGet("/api/consumption", ConsumptionAnswerSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.usagePollMs,
  });
}

/** The series of the largest consumers (by average CPU) of the same grouping, for the stacked chart. */
export function consumptionSeriesQuery(params: ConsumptionParams, top = CONSUMPTION_CHART_TOP) {
  const p = cleanParams({ ...params, top });
  return queryOptions({
    queryKey: [...consumptionKeys.all, "series", p] as const,
    queryFn: ({ signal }): Promise<ConsumptionSeries> => apiGet("/api/consumption/series", ConsumptionSeriesSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.usagePollMs,
  });
}

/** How many consumers the stacked chart draws. */
export const CONSUMPTION_CHART_TOP = 8;

/** The same rows as CSV (a plain link: the browser downloads it). */
export const consumptionCsvUrl = (params: ConsumptionParams) => apiUrl("/api/consumption", { ...cleanParams(params), format: "csv" });

/** Problems span clusters too; any change anywhere may add or clear one. */
export const problemKeys = { all: ["problems"] as const };

const ProblemListSchema = z.object({ items: z.array(FleetProblemSchema), errors: ClusterErrorsSchema });
export type ProblemList = { items: FleetProblem[]; errors: ClusterErrors };

export function problemsQuery(params: ProblemQuery = {}) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...problemKeys.all, p] as const,
    queryFn: ({ signal }): Promise<ProblemList> => apiGet("/api/problems", ProblemListSchema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.clustersPollMs,
  });
}

type FleetResource = Extract<ResourceKind, "workloads" | "tasks">;

/** The fleet-wide lists (/api/workloads, /api/tasks), rooted apart from ["clusters", ...] as they span clusters. */
export const fleetKeys = {
  list: (resource: FleetResource) => ["fleet", resource] as const,
};

/** An item of a fleet-wide list: the cluster's item, naming its cluster. */
export type FleetItem<T> = T & { clusterId: string };
/** A fleet-wide list: the clusters' items, and the clusters that could not answer (FleetList on the server). */
export type FleetListAnswer<T> = ListAnswer<FleetItem<T>> & { errors: ClusterErrors };

const FleetWorkloadListSchema = listSchema(WorkloadSchema.extend({ clusterId: z.string() })).extend({ errors: ClusterErrorsSchema });
const FleetTaskListSchema = listSchema(TaskSchema.extend({ clusterId: z.string() })).extend({ errors: ClusterErrorsSchema });

function fleetListQuery<T, P extends object>(resource: FleetResource, schema: z.ZodType<FleetListAnswer<T>>, params: P) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...fleetKeys.list(resource), p] as const,
    queryFn: ({ signal }): Promise<FleetListAnswer<T>> => apiGet(`/api/${resource}`, schema, p, signal),
    staleTime: REFRESH.staleMs,
    refetchInterval: REFRESH.resourcesPollMs,
  });
}

export const fleetWorkloadsQuery = (params: FleetWorkloadParams = {}) => fleetListQuery("workloads", FleetWorkloadListSchema, params);
export const fleetTasksQuery = (params: FleetTaskParams = {}) => fleetListQuery("tasks", FleetTaskListSchema, params);

/** The search page's tabs: the fleet-wide lists it searches. */
export type SearchKind = FleetResource;

export interface FleetSearch {
  /** The tab shown. */
  kind: SearchKind;
  workloads: FleetWorkloadParams;
  tasks: FleetTaskParams;
}

/**
 * The search page's queries from its URL (?q=&selector=&namespace=&cluster=&kind=),
 * read the same way by the server page and the browser. Both lists take the
 * filters, so both tabs can say how many they hold; the sort, order and limit
 * the table sets are the shown tab's alone.
 */
export function fleetSearchFrom(search: SearchInput): FleetSearch {
  const kind: SearchKind = searchValues(search).kind === "tasks" ? "tasks" : "workloads";
  // Read with the workloads' schema: the task list's takes node and workload too, which the page does not offer.
  const shown = listParamsFrom(FleetWorkloadQuerySchema, search);
  const other = cleanParams({ q: shown.q, selector: shown.selector, namespace: shown.namespace, cluster: shown.cluster, limit: LIST_PAGE });
  return { kind, workloads: kind === "workloads" ? shown : other, tasks: kind === "tasks" ? shown : other };
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
    if ((NAMESPACED_KINDS as readonly string[]).includes(resource)) namespaces = true;
  }
  if (namespaces) keys.push({ queryKey: clusterKeys.resource(change.clusterId, "namespaces") });
  // Counts and usage on the overview cards come from the cluster list; problems from every resource.
  if (change.resources.length > 0) keys.push({ queryKey: clusterKeys.all, exact: true }, { queryKey: problemKeys.all });
  // The fleet-wide lists: a workload's health counts its tasks, and a cluster cut off is named in their errors.
  const touches = (...resources: string[]) => resources.some((r) => change.resources.includes(r));
  if (touches("workloads", "tasks", "cluster")) keys.push({ queryKey: fleetKeys.list("workloads") });
  if (touches("tasks", "cluster")) keys.push({ queryKey: fleetKeys.list("tasks") });
  return keys;
}

/** The task lists on the node and workload pages (server prefetch and browser must agree on the key). */
export function nodeTaskParams(nodeId: string): TaskParams {
  return { node: nodeId, limit: LIST_PAGE };
}

export function workloadTaskParams(workloadId: string): TaskParams {
  return { workload: workloadId, limit: LIST_PAGE };
}
