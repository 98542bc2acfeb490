/**
 * Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for:
 * the columns kubectl users know per kind, computed from the stored objects.
 */

import type {
  AccessMode,
  Condition,
  ContainerStatus,
  CoreEventObject,
  DaemonSetObject,
  DeploymentObject,
  EventObject,
  HpaObject,
  KubeObject,
  NodeObject,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  Pod,
  ServiceObject,
  StatefulSetObject,
  StorageClassObject,
} from "./types";
import { selectorString } from "./selectors";

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  priority?: number;
  description: string;
}

/** Does the Accept header ask for a Table? */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? "") && /g=meta\.k8s\.io/.test(accept ?? "");
}

/** kubectl's short ages: 45s, 5m12s, 37m, 5h3m, 30h, 3d4h, 12d, 2y41d. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365 ? `${d % 365}d` : ""}`;
}

const name: Column = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace." };
const age: Column = {
  name: "Age",
  type: "string",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
};
const col = (n: string, type: Column["type"] = "string", priority = 0): Column => ({ name: n, type, priority, description: n });

function ageOf(o: KubeObject, now: number): string {
  return humanDuration(now - Date.parse(o.metadata.creationTimestamp));
}

function podStatus(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  const statuses: ContainerStatus[] = pod.status.containerStatuses ?? [];
  for (const c of statuses) {
    if (c.state.waiting?.reason) return c.state.waiting.reason;
    if (c.state.terminated?.reason) return c.state.terminated.reason;
  }
  return pod.status.phase;
}

function conditionTrue(conditions: Condition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === "True");
}

type Printer = { columns: Column[]; cells: (o: KubeObject, now: number) => (string | number)[] };

const num = (v: unknown) => Number(v ?? 0);

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      name,
      col("Ready"),
      col("Status"),
      col("Restarts"),
      age,
      col("IP", "string", 1),
      col("Node", "string", 1),
      col("Nominated Node", "string", 1),
      col("Readiness Gates", "string", 1),
    ],
    cells: (o, now) => {
      const pod = o as Pod;
      const statuses = pod.status.containerStatuses ?? [];
      const ready = statuses.filter((c) => c.ready).length;
      const restarts = statuses.reduce((n, c) => n + c.restartCount, 0);
      return [
        pod.metadata.name,
        `${ready}/${pod.spec.containers.length}`,
        podStatus(pod),
        restarts,
        ageOf(pod, now),
        pod.status.podIP ?? "<none>",
        pod.spec.nodeName ?? "<none>",
        "<none>",
        "<none>",
      ];
    },
  },
  Node: {
    columns: [
      name,
      col("Status"),
      col("Roles"),
      age,
      col("Version"),
      col("Internal-IP", "string", 1),
      col("External-IP", "string", 1),
      col("OS-Image", "string", 1),
      col("Kernel-Version", "string", 1),
      col("Container-Runtime", "string", 1),
    ],
    cells: (o, now) => {
      const n = o as NodeObject;
      const ready = conditionTrue(n.status.conditions, "Ready") ? "Ready" : "NotReady";
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((k) => k.startsWith("node-role.kubernetes.io/"))
        .map((k) => k.split("/")[1]);
      const info = n.status.nodeInfo;
      return [
        n.metadata.name,
        n.spec.unschedulable ? `${ready},SchedulingDisabled` : ready,
        roles.join(",") || "<none>",
        ageOf(n, now),
        info.kubeletVersion,
        n.status.addresses.find((a) => a.type === "InternalIP")?.address ?? "<none>",
        "<none>",
        info.osImage,
        info.kernelVersion,
        info.containerRuntimeVersion,
      ];
    },
  },
  Deployment: {
    columns: [
      name,
      col("Ready"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      age,
      col("Containers", "string", 1),
      col("Images", "string", 1),
      col("Selector", "string", 1),
    ],
    cells: (o, now) => {
      const d = o as DeploymentObject;
      const c = d.spec.template.spec.containers;
      return [
        d.metadata.name,
        `${num(d.status.readyReplicas)}/${d.spec.replicas}`,
        num(d.status.updatedReplicas),
        num(d.status.availableReplicas),
        ageOf(d, now),
        c.map((x) => x.name).join(","),
        c.map((x) => x.image).join(","),
        selectorString(d.spec.selector),
      ];
    },
  },
  StatefulSet: {
    columns: [name, col("Ready"), age, col("Containers", "string", 1), col("Images", "string", 1)],
    cells: (o, now) => {
      const s = o as StatefulSetObject;
      const c = s.spec.template.spec.containers;
      return [
        s.metadata.name,
        `${num(s.status.readyReplicas)}/${s.spec.replicas}`,
        ageOf(s, now),
        c.map((x) => x.name).join(","),
        c.map((x) => x.image).join(","),
      ];
    },
  },
  DaemonSet: {
    columns: [
      name,
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Node Selector"),
      age,
    ],
    cells: (o, now) => {
      const d = o as DaemonSetObject;
      const sel = Object.entries(d.spec.template.spec.nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return [
        d.metadata.name,
        num(d.status.desiredNumberScheduled),
        num(d.status.currentNumberScheduled),
        num(d.status.numberReady),
        num(d.status.updatedNumberScheduled),
        num(d.status.numberAvailable),
        sel || "<none>",
        ageOf(d, now),
      ];
    },
  },
  ReplicaSet: {
    columns: [name, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), age],
    cells: (o, now) => {
      const r = o as KubeObject & { spec: { replicas: number }; status: { replicas?: number; readyReplicas?: number } };
      return [r.metadata.name, r.spec.replicas, num(r.status.replicas), num(r.status.readyReplicas), ageOf(r, now)];
    },
  },
  Service: {
    columns: [name, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), age, col("Selector", "string", 1)],
    cells: (o, now) => {
      const s = o as ServiceObject;
      const ingress = (s.status as { loadBalancer?: { ingress?: { ip?: string }[] } }).loadBalancer?.ingress?.map((i) => i.ip).join(",");
      const external = s.spec.type === "LoadBalancer" ? ingress || "<pending>" : "<none>";
      const ports = s.spec.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol}`).join(",");
      const sel = Object.entries(s.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return [s.metadata.name, s.spec.type, s.spec.clusterIP, external, ports || "<none>", ageOf(s, now), sel || "<none>"];
    },
  },
  HorizontalPodAutoscaler: {
    columns: [
      name,
      col("Reference"),
      col("Targets"),
      col("MinPods", "integer"),
      col("MaxPods", "integer"),
      col("Replicas", "integer"),
      age,
    ],
    cells: (o, now) => {
      const h = o as HpaObject;
      const current = (h.status.currentMetrics as { resource?: { current?: { averageUtilization?: number } } }[] | undefined)?.[0]?.resource
        ?.current?.averageUtilization;
      const target = (h.spec.metrics as { resource?: { target?: { averageUtilization?: number } } }[] | undefined)?.[0]?.resource?.target
        ?.averageUtilization;
      return [
        h.metadata.name,
        `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`,
        `cpu: ${current === undefined ? "<unknown>" : `${current}%`}/${target ?? "?"}%`,
        h.spec.minReplicas ?? 1,
        h.spec.maxReplicas,
        num(h.status.currentReplicas),
        ageOf(h, now),
      ];
    },
  },
  Namespace: {
    columns: [name, col("Status"), age],
    cells: (o, now) => [o.metadata.name, String((o.status as { phase?: string } | undefined)?.phase ?? "Active"), ageOf(o, now)],
  },
  Endpoints: {
    columns: [name, col("Endpoints"), age],
    cells: (o, now) => {
      const subsets = (o.subsets as { addresses?: { ip: string }[]; ports?: { port: number }[] }[] | undefined) ?? [];
      const eps = subsets.flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`)));
      return [
        o.metadata.name,
        eps.length === 0 ? "<none>" : eps.slice(0, 3).join(",") + (eps.length > 3 ? ` + ${eps.length - 3} more...` : ""),
        ageOf(o, now),
      ];
    },
  },
};

/** kubectl's short access modes: RWO, ROX, RWX, RWOP. */
const ACCESS_MODE_SHORT: Record<AccessMode, string> = {
  ReadWriteOnce: "RWO",
  ReadOnlyMany: "ROX",
  ReadWriteMany: "RWX",
  ReadWriteOncePod: "RWOP",
};
const accessModes = (modes: AccessMode[] | undefined) => (modes ?? []).map((m) => ACCESS_MODE_SHORT[m] ?? m).join(",");

// Storage, with the apiserver's columns (VolumeAttributesClass is unset: the simulator has none).
PRINTERS.PersistentVolumeClaim = {
  columns: [
    name,
    col("Status"),
    col("Volume"),
    col("Capacity"),
    col("Access Modes"),
    col("StorageClass"),
    col("VolumeAttributesClass"),
    age,
    col("VolumeMode", "string", 1),
  ],
  cells: (o, now) => {
    const c = o as PersistentVolumeClaimObject;
    const bound = c.spec.volumeName !== undefined && c.spec.volumeName !== "";
    return [
      c.metadata.name,
      c.metadata.deletionTimestamp ? "Terminating" : c.status.phase,
      c.spec.volumeName ?? "",
      bound ? (c.status.capacity?.storage ?? "") : "",
      bound ? accessModes(c.status.accessModes) : "",
      c.spec.storageClassName ?? "",
      "<unset>",
      ageOf(c, now),
      c.spec.volumeMode,
    ];
  },
};
PRINTERS.PersistentVolume = {
  columns: [
    name,
    col("Capacity"),
    col("Access Modes"),
    col("Reclaim Policy"),
    col("Status"),
    col("Claim"),
    col("StorageClass"),
    col("VolumeAttributesClass"),
    col("Reason"),
    age,
    col("VolumeMode", "string", 1),
  ],
  cells: (o, now) => {
    const v = o as PersistentVolumeObject;
    const claim = v.spec.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : "";
    return [
      v.metadata.name,
      v.spec.capacity.storage,
      accessModes(v.spec.accessModes),
      v.spec.persistentVolumeReclaimPolicy,
      v.metadata.deletionTimestamp ? "Terminating" : v.status.phase,
      claim,
      v.spec.storageClassName ?? "",
      "<unset>",
      "",
      ageOf(v, now),
      v.spec.volumeMode,
    ];
  },
};
PRINTERS.StorageClass = {
  columns: [name, col("Provisioner"), col("ReclaimPolicy"), col("VolumeBindingMode"), col("AllowVolumeExpansion"), age],
  cells: (o, now) => {
    const sc = o as StorageClassObject;
    const isDefault = sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true";
    return [
      isDefault ? `${sc.metadata.name} (default)` : sc.metadata.name,
      sc.provisioner,
      sc.reclaimPolicy ?? "Delete",
      sc.volumeBindingMode ?? "Immediate",
      String(sc.allowVolumeExpansion ?? false),
      ageOf(sc, now),
    ];
  },
};

// RBAC, as the apiserver prints it: roles by creation time, bindings with their role and (wide) subjects.
const ROLE_PRINTER: Printer = {
  columns: [name, col("Created At", "date")],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};
const BINDING_PRINTER: Printer = {
  columns: [name, col("Role"), age, col("Users", "string", 1), col("Groups", "string", 1), col("ServiceAccounts", "string", 1)],
  cells: (o, now) => {
    const ref = o.roleRef as { kind: string; name: string };
    const subjects = (o.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? [];
    const of = (kind: string) =>
      subjects
        .filter((x) => x.kind === kind)
        .map((x) => (kind === "ServiceAccount" ? `${x.namespace ?? ""}/${x.name}` : x.name))
        .join(", ");
    return [o.metadata.name, `${ref.kind}/${ref.name}`, ageOf(o, now), of("User"), of("Group"), of("ServiceAccount")];
  },
};
PRINTERS.Role = PRINTERS.ClusterRole = ROLE_PRINTER;
PRINTERS.RoleBinding = PRINTERS.ClusterRoleBinding = BINDING_PRINTER;

/** kubectl get events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE. */
const EVENT_PRINTER: Printer = {
  columns: [
    col("Last Seen"),
    col("Type"),
    col("Reason"),
    col("Object"),
    col("Message"),
    col("Source", "string", 1),
    col("First Seen", "string", 1),
    col("Count", "integer", 1),
    name,
  ],
  cells: (o, now) => {
    // Either version of an Event: events.k8s.io/v1 as stored, or its core/v1 view.
    const e = "involvedObject" in o ? v1Facts(o as CoreEventObject) : (o as EventObject);
    const last = e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const first = e.deprecatedFirstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const seen = (t: string) => humanDuration(now - Date.parse(t));
    const object = `${e.regarding.kind.toLowerCase()}/${e.regarding.name}`;
    return [
      seen(last),
      e.type,
      e.reason,
      object,
      e.note,
      e.reportingController,
      seen(first),
      e.series?.count ?? e.deprecatedCount ?? 1,
      e.metadata.name,
    ];
  },
};

/** What the event printer reads of a core/v1 Event, in events.k8s.io/v1 names. */
function v1Facts(e: CoreEventObject) {
  return {
    metadata: e.metadata,
    regarding: e.involvedObject,
    type: e.type,
    reason: e.reason,
    note: e.message,
    reportingController: e.reportingComponent,
    eventTime: e.eventTime,
    series: e.series,
    deprecatedFirstTimestamp: e.firstTimestamp ?? undefined,
    deprecatedLastTimestamp: e.lastTimestamp ?? undefined,
    deprecatedCount: e.count,
  };
}

const DEFAULT_PRINTER: Printer = { columns: [name, age], cells: (o, now) => [o.metadata.name, ageOf(o, now)] };

function rowObject(o: KubeObject, includeObject: string | null) {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

export function toTable(
  kind: string,
  objects: KubeObject[],
  options: { resourceVersion?: string; includeObject: string | null; withColumns: boolean },
) {
  const printer = kind === "Event" ? EVENT_PRINTER : (PRINTERS[kind] ?? DEFAULT_PRINTER);
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: options.resourceVersion ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: options.withColumns ? printer.columns.map((c) => ({ priority: 0, format: "", ...c })) : [],
    rows: objects.map((o) => ({ cells: printer.cells(o, now), object: rowObject(o, options.includeObject) })),
  };
}
