import type { z } from "zod";
import {
  KubeDaemonSetSchema,
  KubeDeploymentSchema,
  KubeEndpointSliceSchema,
  KubeEventSchema,
  KubeHorizontalPodAutoscalerSchema,
  KubeNodeSchema,
  KubePersistentVolumeClaimSchema,
  KubePodSchema,
  KubeReplicaSetSchema,
  KubeServiceSchema,
  KubeStatefulSetSchema,
} from "./raw";
import type { ClusterState } from "./state";

/** One Kubernetes resource the adapter lists and watches cluster-wide, and what its events do to the state. */
export interface WatchedResource {
  /** The plural as RBAC and error messages name it. */
  name: string;
  path: string;
  /** Validates one raw object; null when it is not usable. */
  parse(raw: unknown): ParsedObject | null;
  replace(state: ClusterState, items: ParsedObject[]): void;
  upsert(state: ClusterState, item: ParsedObject): void;
  remove(state: ClusterState, item: ParsedObject): void;
  /**
   * Nice to have: when RBAC forbids it (403) or the cluster does not serve it
   * (404), the adapter logs that once at info, treats it as empty, keeps the
   * cluster "ok" and only retries at the resync period.
   */
  optional?: boolean;
}

/** Every parsed object has the metadata the watch loop needs. */
export interface ParsedObject {
  metadata: { name: string; resourceVersion?: string | null };
}

function resource<T extends ParsedObject>(
  name: string,
  path: string,
  schema: z.ZodType<T>,
  handlers: {
    replace(state: ClusterState, items: T[]): void;
    upsert(state: ClusterState, item: T): void;
    remove(state: ClusterState, item: T): void;
  },
  optional = false,
): WatchedResource {
  return {
    name,
    optional,
    path,
    parse: (raw) => {
      const result = schema.safeParse(raw);
      return result.success ? result.data : null;
    },
    // The parse above is the only way ParsedObjects reach these handlers, so they are Ts.
    replace: (state, items) => handlers.replace(state, items as T[]),
    upsert: (state, item) => handlers.upsert(state, item as T),
    remove: (state, item) => handlers.remove(state, item as T),
  };
}

/**
 * ReplicaSets come before pods, so on a first sync most pods resolve their
 * Deployment directly (the state re-resolves the rest when owners arrive).
 */
export const WATCHED_RESOURCES: WatchedResource[] = [
  resource("nodes", "/api/v1/nodes", KubeNodeSchema, {
    replace: (s, items) => s.replaceNodes(items),
    upsert: (s, item) => s.upsertNode(item),
    remove: (s, item) => s.deleteNode(item),
  }),
  resource("replicasets", "/apis/apps/v1/replicasets", KubeReplicaSetSchema, {
    replace: (s, items) => s.replaceReplicaSets(items),
    upsert: (s, item) => s.upsertReplicaSet(item),
    remove: (s, item) => s.deleteReplicaSet(item),
  }),
  resource("deployments", "/apis/apps/v1/deployments", KubeDeploymentSchema, {
    replace: (s, items) => s.replaceDeployments(items),
    upsert: (s, item) => s.upsertDeployment(item),
    remove: (s, item) => s.deleteDeployment(item),
  }),
  resource("statefulsets", "/apis/apps/v1/statefulsets", KubeStatefulSetSchema, {
    replace: (s, items) => s.replaceStatefulSets(items),
    upsert: (s, item) => s.upsertStatefulSet(item),
    remove: (s, item) => s.deleteStatefulSet(item),
  }),
  resource("daemonsets", "/apis/apps/v1/daemonsets", KubeDaemonSetSchema, {
    replace: (s, items) => s.replaceDaemonSets(items),
    upsert: (s, item) => s.upsertDaemonSet(item),
    remove: (s, item) => s.deleteDaemonSet(item),
  }),
  resource("horizontalpodautoscalers", "/apis/autoscaling/v2/horizontalpodautoscalers", KubeHorizontalPodAutoscalerSchema, {
    replace: (s, items) => s.replaceAutoscalers(items),
    upsert: (s, item) => s.upsertAutoscaler(item),
    remove: (s, item) => s.deleteAutoscaler(item),
  }),
  resource("pods", "/api/v1/pods", KubePodSchema, {
    replace: (s, items) => s.replacePods(items),
    upsert: (s, item) => s.upsertPod(item),
    remove: (s, item) => s.deletePod(item),
  }),
  // Optional as events are: without them (forbidden, say) the workloads' claims show status "unknown".
  resource(
    "persistentvolumeclaims",
    "/api/v1/persistentvolumeclaims",
    KubePersistentVolumeClaimSchema,
    {
      replace: (s, items) => s.replaceClaims(items),
      upsert: (s, item) => s.upsertClaim(item),
      remove: (s, item) => s.deleteClaim(item),
    },
    true,
  ),
  resource("services", "/api/v1/services", KubeServiceSchema, {
    replace: (s, items) => s.replaceServices(items),
    upsert: (s, item) => s.upsertService(item),
    remove: (s, item) => s.deleteService(item),
  }),
  resource("endpointslices", "/apis/discovery.k8s.io/v1/endpointslices", KubeEndpointSliceSchema, {
    replace: (s, items) => s.replaceEndpointSlices(items),
    upsert: (s, item) => s.upsertEndpointSlice(item),
    remove: (s, item) => s.deleteEndpointSlice(item),
  }),
  // events.k8s.io/v1 rather than core/v1 events: it is the API's current home
  // for them (core/v1 events is kept for compatibility), names the involved
  // object `regarding` and carries the newer recorders' eventTime and series,
  // while core/v1-recorded events appear there too with their deprecated*
  // times and counts. Both need the same RBAC (list/watch events), and
  // everything this targets (1.19+) serves it.
  resource(
    "events",
    "/apis/events.k8s.io/v1/events",
    KubeEventSchema,
    {
      replace: (s, items) => s.replaceEvents(items),
      upsert: (s, item) => s.upsertEvent(item),
      remove: (s, item) => s.deleteEvent(item),
    },
    true,
  ),
];
