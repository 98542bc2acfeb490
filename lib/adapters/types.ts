import type { ClusterStatus, NodeCore, Orchestrator, Resources, Service, TaskCore, TaskDetail, WorkloadCore } from "@/lib/model/types";

/**
 * The one small interface every orchestrator adapter implements. An adapter
 * keeps a cluster's snapshot current by feeding neutral changes into a sink;
 * the server store owns the snapshot. Optional abilities (scaling, live usage)
 * are separate interfaces with type guards below.
 */

export interface CoreItems {
  nodes: NodeCore;
  workloads: WorkloadCore;
  tasks: TaskCore;
  services: Service;
}
export type CoreKind = keyof CoreItems;

/**
 * A change to one resource list of a cluster's snapshot. "replace" carries the
 * COMPLETE list of that resource: the store marks the resource listed on the
 * first one, so an adapter that builds one neutral list from several upstream
 * lists (Deployments, StatefulSets, DaemonSets → workloads) sends it only once
 * every source has been listed.
 */
export type SnapshotChange = {
  [K in CoreKind]:
    | { type: "replace"; resource: K; items: CoreItems[K][] }
    | { type: "upsert"; resource: K; item: CoreItems[K] }
    | { type: "delete"; resource: K; id: string };
}[CoreKind];

export interface ConnectionState {
  status: ClusterStatus;
  /** Why the cluster is degraded or unreachable; null when ok. */
  reason: string | null;
  version?: string | null;
}

export interface SnapshotSink {
  /** Applies changes atomically, in order. */
  apply(changes: SnapshotChange[]): void;
  setConnection(state: ConnectionState): void;
}

export interface ClusterAdapter {
  readonly orchestrator: Orchestrator;
  /**
   * Lists everything, then follows the cluster (watch, event stream or
   * polling) until `signal` aborts: reconnecting with back-off, relisting
   * after every reconnect and periodically. Never rejects except on abort.
   */
  run(sink: SnapshotSink, signal: AbortSignal): Promise<void>;
}

/** Who asked for a change, for orchestrators that record a reason or impersonate. */
export interface Requester {
  name: string;
  groups: readonly string[];
  anonymous: boolean;
}

/**
 * Callers (the Fleet) check `replicas` is a whole number from 0 to the
 * configured maximum before any adapter sees it. A workload id an adapter
 * cannot parse, or that names nothing, is an AdapterError "not-found".
 */
export interface Scalable {
  /**
   * Sets the desired replicas and answers the workload as the orchestrator now
   * has it. `requester` names who asked: orchestrators that record a reason
   * name them in it, and a Kubernetes cluster set to impersonate acts as them.
   */
  scale(workloadId: string, replicas: number, signal?: AbortSignal, requester?: Requester): Promise<WorkloadCore>;
}

/**
 * Scaling through a rollout that holds the workload (Marathon's `?force=true`,
 * which cancels the deployment). Only after the operator confirmed.
 */
export interface ForceScalable {
  forceScale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore>;
}

/** Live use at one moment; ids are the model ids of nodes and tasks. */
export interface UsageSample {
  nodes: Map<string, Resources>;
  tasks: Map<string, Resources>;
  /** Why some nodes or tasks have no figure (stats only readable on another node, a read that failed). */
  unavailable: { nodes: Map<string, string>; tasks: Map<string, string> };
}

export function emptyUsageSample(): UsageSample {
  return { nodes: new Map(), tasks: new Map(), unavailable: { nodes: new Map(), tasks: new Map() } };
}

export interface UsageSource {
  /**
   * Null means the cluster has no source of live usage at all (no
   * metrics-server, no Container Insights): "no metrics", never zeros. A
   * sample names in `unavailable` what it could not measure, and why. When
   * nothing could be read, this throws an AdapterError, so the failure is
   * shown as such.
   */
  sampleUsage(signal?: AbortSignal): Promise<UsageSample | null>;
}

/**
 * Reads one task in full, on request: what the snapshot leaves out (its
 * containers and the steps of its life, at most MAX_TASK_HISTORY, newest
 * first). A task id the adapter cannot parse, or that names nothing, is an
 * AdapterError "not-found"; upstream texts come back unredacted (the caller
 * redacts).
 */
export interface TaskDescriber {
  describeTask(taskId: string, signal?: AbortSignal): Promise<TaskDetail>;
}

export function isScalable(adapter: ClusterAdapter): adapter is ClusterAdapter & Scalable {
  return typeof (adapter as Partial<Scalable>).scale === "function";
}

export function isForceScalable(adapter: ClusterAdapter): adapter is ClusterAdapter & ForceScalable {
  return typeof (adapter as Partial<ForceScalable>).forceScale === "function";
}

export function isUsageSource(adapter: ClusterAdapter): adapter is ClusterAdapter & UsageSource {
  return typeof (adapter as Partial<UsageSource>).sampleUsage === "function";
}

export function isTaskDescriber(adapter: ClusterAdapter): adapter is ClusterAdapter & TaskDescriber {
  return typeof (adapter as Partial<TaskDescriber>).describeTask === "function";
}
