/** The resource types the simulated apiserver serves, as its discovery documents describe them. */

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs: string[];
  /** Subresources served under this resource, e.g. "scale". */
  subresources?: string[];
  /**
   * The top-level fields besides metadata that clients write, for kinds
   * without spec/status (RBAC's rules, subjects, roleRef). Default: spec.
   */
  fields?: string[];
  /** Groupings kubectl expands ("all": what `kubectl get all` lists). */
  categories?: string[];
  /**
   * A read-only view of objects stored as another resource (core/v1 events of
   * the events.k8s.io/v1 ones), converted on the way out as the apiserver
   * converts between versions. Views are never stored themselves.
   */
  viewOf?: { group: string; version: string; plural: string };
}

const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const ALL = ["all"];
export const RBAC_GROUP = "rbac.authorization.k8s.io";

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: "",
    version: "v1",
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: RW,
  },
  { group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], verbs: RW },
  {
    group: "",
    version: "v1",
    plural: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    verbs: RW,
    categories: ALL,
  },
  {
    group: "",
    version: "v1",
    plural: "services",
    singular: "service",
    kind: "Service",
    namespaced: true,
    shortNames: ["svc"],
    verbs: RW,
    categories: ALL,
  },
  {
    group: "",
    version: "v1",
    plural: "endpoints",
    singular: "endpoints",
    kind: "Endpoints",
    namespaced: true,
    shortNames: ["ep"],
    verbs: RW,
  },
  {
    group: "",
    version: "v1",
    plural: "persistentvolumeclaims",
    singular: "persistentvolumeclaim",
    kind: "PersistentVolumeClaim",
    namespaced: true,
    shortNames: ["pvc"],
    verbs: RW,
    subresources: ["status"],
  },
  {
    group: "",
    version: "v1",
    plural: "persistentvolumes",
    singular: "persistentvolume",
    kind: "PersistentVolume",
    namespaced: false,
    shortNames: ["pv"],
    verbs: RW,
    subresources: ["status"],
  },
  // core/v1 events: what `kubectl get events` reads; the same events as events.k8s.io/v1 below, in the older shape.
  {
    group: "",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    verbs: ["get", "list", "watch"],
    viewOf: { group: "events.k8s.io", version: "v1", plural: "events" },
  },
  {
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    verbs: RW,
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "apps",
    version: "v1",
    plural: "statefulsets",
    singular: "statefulset",
    kind: "StatefulSet",
    namespaced: true,
    shortNames: ["sts"],
    verbs: RW,
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "apps",
    version: "v1",
    plural: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
    namespaced: true,
    shortNames: ["ds"],
    verbs: RW,
    categories: ALL,
    subresources: ["status"],
  },
  {
    group: "apps",
    version: "v1",
    plural: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    verbs: RW,
    categories: ALL,
    subresources: ["scale", "status"],
  },
  {
    group: "autoscaling",
    version: "v2",
    plural: "horizontalpodautoscalers",
    singular: "horizontalpodautoscaler",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    verbs: RW,
    categories: ALL,
    subresources: ["status"],
  },
  {
    group: "discovery.k8s.io",
    version: "v1",
    plural: "endpointslices",
    singular: "endpointslice",
    kind: "EndpointSlice",
    namespaced: true,
    verbs: RW,
  },
  // The events the simulated recorders write, as the adapter reads them (core/v1 events above is a view of these).
  {
    group: "events.k8s.io",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    verbs: RW,
  },
  {
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    singular: "storageclass",
    kind: "StorageClass",
    namespaced: false,
    shortNames: ["sc"],
    verbs: RW,
    fields: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion", "mountOptions"],
  },
  // RBAC: what impersonated requests are authorized against (see rbac.ts).
  {
    group: RBAC_GROUP,
    version: "v1",
    plural: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    namespaced: false,
    verbs: RW,
    fields: ["rules", "aggregationRule"],
  },
  {
    group: RBAC_GROUP,
    version: "v1",
    plural: "clusterrolebindings",
    singular: "clusterrolebinding",
    kind: "ClusterRoleBinding",
    namespaced: false,
    verbs: RW,
    fields: ["subjects", "roleRef"],
  },
  { group: RBAC_GROUP, version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true, verbs: RW, fields: ["rules"] },
  {
    group: RBAC_GROUP,
    version: "v1",
    plural: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    namespaced: true,
    verbs: RW,
    fields: ["subjects", "roleRef"],
  },
];

/** metrics.k8s.io is computed on request (metrics-server), never stored or watched. */
export const METRICS_RESOURCE_TYPES: ResourceType[] = [
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    plural: "nodes",
    singular: "",
    kind: "NodeMetrics",
    namespaced: false,
    verbs: ["get", "list"],
  },
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    plural: "pods",
    singular: "",
    kind: "PodMetrics",
    namespaced: true,
    verbs: ["get", "list"],
  },
];

export function groupVersion(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** "deployments.apps", "pods": how the apiserver names a resource in messages. */
export function qualifiedName(type: Pick<ResourceType, "group" | "plural">): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** Where a resource's objects are stored: itself, or what it is a view of. */
export function storedType(type: ResourceType): ResourceType {
  return type.viewOf ? findResourceType(type.viewOf.group, type.viewOf.version, type.viewOf.plural)! : type;
}

/** The stored resource of a kind (never a view). */
export function resourceTypeByKind(kind: string): ResourceType {
  const type = RESOURCE_TYPES.find((t) => t.kind === kind && !t.viewOf);
  if (!type) throw new Error(`unknown kind ${kind}`);
  return type;
}

/** The served API groups (other than the legacy core group). */
export function apiGroups(metricsEnabled: boolean): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const t of [...RESOURCE_TYPES, ...(metricsEnabled ? METRICS_RESOURCE_TYPES : [])]) {
    if (!t.group) continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

export function apiResourceList(group: string, version: string, metricsEnabled: boolean) {
  const types = [...RESOURCE_TYPES, ...(metricsEnabled ? METRICS_RESOURCE_TYPES : [])].filter(
    (t) => t.group === group && t.version === version,
  );
  if (types.length === 0) return null;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
    },
    ...(t.subresources ?? []).map((sub) => ({
      name: `${t.plural}/${sub}`,
      singularName: "",
      namespaced: t.namespaced,
      ...(sub === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : { kind: t.kind }),
      verbs: ["get", "patch", "update"],
    })),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion({ group, version }), resources };
}
