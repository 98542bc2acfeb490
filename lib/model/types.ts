import { z } from "zod";
import { HealthSchema, ProblemCountsSchema, ProblemSchema, WorkloadHealthSchema } from "./health";

/**
 * The orchestrator-neutral model: plain, serialisable data shared by adapters,
 * the server store, the HTTP API and the UI. Units are normalised:
 * CPU in millicores, memory in bytes, times as ISO-8601 strings. Who may do
 * what (roles, grants, users, display tokens, the audit trail) is modelled
 * beside this, in access.ts.
 */

export const ORCHESTRATORS = ["kubernetes", "swarm", "docker", "nomad", "mesos", "ecs"] as const;
export const OrchestratorSchema = z.enum(ORCHESTRATORS);
export type Orchestrator = z.infer<typeof OrchestratorSchema>;

export const ResourcesSchema = z.object({
  cpuMillis: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
});
export type Resources = z.infer<typeof ResourcesSchema>;

export const ZERO_RESOURCES: Resources = Object.freeze({ cpuMillis: 0, memoryBytes: 0 });

/**
 * A task's hard caps (what the kernel enforces: CPU throttling, an OOM kill),
 * per resource; null where that resource is not capped (a container limiting
 * memory but not CPU is common).
 */
export const LimitsSchema = z.object({
  cpuMillis: z.number().nonnegative().nullable(),
  memoryBytes: z.number().nonnegative().nullable(),
});
export type Limits = z.infer<typeof LimitsSchema>;

const Labels = z.record(z.string(), z.string());

/** What an adapter reports of a node; the store adds the derived fields of NodeSchema. */
export const NodeCoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["ready", "not-ready", "unknown"]),
  statusReason: z.string().nullable(),
  schedulable: z.boolean(),
  roles: z.array(z.string()),
  labels: Labels,
  capacity: ResourcesSchema,
  allocatable: ResourcesSchema,
  createdAt: z.string().nullable(),
  /** Orchestrator-specific facts worth showing (kubelet version, OS, availability, ...). */
  info: Labels,
  /** What the orchestrator reports wrong beyond the status (memory or disk pressure, a draining agent). */
  problems: z.array(ProblemSchema).optional(),
});
export type NodeCore = z.infer<typeof NodeCoreSchema>;

export const NodeSchema = NodeCoreSchema.extend({
  /** Sum of the requests of the node's non-terminated tasks. */
  requested: ResourcesSchema,
  /** Live use, or null when the orchestrator reports none. */
  usage: ResourcesSchema.nullable(),
  /** Why usage is null when the adapter knows. */
  usageNote: z.string().nullable(),
  taskCount: z.number().int().nonnegative(),
  health: HealthSchema,
});
export type Node = z.infer<typeof NodeSchema>;

export const AutoscalerSchema = z.object({
  name: z.string(),
  minReplicas: z.number().int().nullable(),
  maxReplicas: z.number().int(),
});

/** How many recent events a workload keeps: the snapshot holds every workload, so this stays small. */
export const MAX_WORKLOAD_EVENTS = 10;

export const WORKLOAD_EVENT_LEVELS = ["normal", "warning"] as const;

/** Something the orchestrator reported about a workload: a deployment step, a placement failure, a crash. */
export const WorkloadEventSchema = z.object({
  /** When it happened (ISO-8601), or null when the orchestrator does not say. */
  at: z.string().nullable(),
  level: z.enum(WORKLOAD_EVENT_LEVELS),
  message: z.string(),
});
export type WorkloadEvent = z.infer<typeof WorkloadEventSchema>;

/**
 * Storage a workload's tasks mount, one entry per volume its spec declares,
 * in the orchestrator's own terms:
 * - Kubernetes: the pod template's volumes, then a StatefulSet's claim
 *   templates, joined with the PersistentVolumeClaims they name.
 * - Docker (swarm services, Compose services, lone containers): the mounts
 *   of the service spec or of the containers.
 * - Nomad: the task group's volumes; ECS: the task definition's volumes;
 *   Marathon: the app container's volumes (other Mesos frameworks declare
 *   none to the master).
 */
export const VolumeSchema = z.object({
  /**
   * The volume's name in the spec. Docker and Marathon mounts have none
   * beside a volume's, so theirs is the path they are mounted at.
   */
  name: z.string(),
  /**
   * Its kind, in the orchestrator's word: the volume source on Kubernetes
   * (persistentVolumeClaim, emptyDir, configMap, hostPath, ...), the mount
   * type on Docker (volume, bind, tmpfs), host or csi on Nomad, efs, fsx,
   * docker, host or ebs on ECS, host, persistent, external or secret on
   * Marathon.
   */
  type: z.string(),
  /**
   * What holds the data beyond the tasks, by the orchestrator's name for it:
   * the PersistentVolumeClaim (for a claim template, its current replicas'
   * claims as `data-db-{0..2}`, or `data-db-0` for one), a hostPath's path or
   * an nfs export; the Docker named volume or a bind's host path; the Nomad
   * host volume or CSI volume (per allocation as `db[{0..2}]`); the EFS or
   * FSx file system (`fs-…:/root`) or a shared Docker volume on ECS; the host
   * path or external volume on Marathon. Null for what each task has of its
   * own: scratch space, configuration, tmpfs, anonymous or task-scoped
   * volumes, per-task EBS volumes, Marathon's local persistent volumes.
   */
  claim: z.string().nullable(),
  /**
   * Its size in bytes: a claim's provisioned capacity (its request until it
   * is bound; for a claim template, the smallest of its replicas' bound
   * claims), an emptyDir's or tmpfs' size limit, a Marathon persistent
   * volume's size; null where the orchestrator does not say (most host and
   * network storage).
   */
  capacityBytes: z.number().nonnegative().nullable(),
  /**
   * How it may be mounted: Kubernetes access modes (ReadWriteOnce, ...),
   * Nomad CSI access modes (single-node-writer, ...), elsewhere "read-write"
   * or "read-only" as the tasks mount it (both when they differ); empty
   * where nothing says.
   */
  accessModes: z.array(z.string()),
  /**
   * One word: on Kubernetes a claim's phase (Bound, Pending, Lost; Missing
   * when the claim does not exist; unknown when claims cannot be read; for
   * a claim template Bound only when every current replica's claim is,
   * unused at zero replicas). Elsewhere, and for Kubernetes volumes without
   * a claim, "mounted" while some task of the workload runs, else
   * "unmounted".
   */
  status: z.string(),
});
export type Volume = z.infer<typeof VolumeSchema>;

export const WorkloadCoreSchema = z.object({
  /** Opaque and URL-safe. */
  id: z.string().regex(/^[A-Za-z0-9._~-]+$/),
  name: z.string(),
  namespace: z.string().nullable(),
  kind: z.string(),
  labels: Labels,
  images: z.array(z.string()),
  desired: z.number().int().nonnegative(),
  ready: z.number().int().nonnegative(),
  scalable: z.boolean(),
  notScalableReason: z.string().nullable(),
  /** An autoscaler that will override a manual scale. */
  autoscaler: AutoscalerSchema.nullable(),
  createdAt: z.string().nullable(),
  /** Label selector of the workload's tasks, in Kubernetes syntax, when there is one. */
  selector: z.string().nullable(),
  /**
   * Orchestrator-specific facts worth showing, keyed by a human-readable name
   * ("Launch type", "Rollout", "Update strategy"); a value listing several
   * things (deployments) separates them with "; ". Labels stay the
   * orchestrator's own labels, which selectors match.
   */
  info: Labels,
  /** Recent events, newest first, at most MAX_WORKLOAD_EVENTS; empty where the orchestrator reports none. */
  events: z.array(WorkloadEventSchema).max(MAX_WORKLOAD_EVENTS),
  /** The storage its tasks mount (see VolumeSchema), in the order the spec declares it; empty when none. */
  volumes: z.array(VolumeSchema),
  /** Problems of the workload itself (a failed rollout, a placement failure, a delayed app); its tasks' come with them. */
  problems: z.array(ProblemSchema).optional(),
});
export type WorkloadCore = z.infer<typeof WorkloadCoreSchema>;

export const WorkloadSchema = WorkloadCoreSchema.extend({
  /** Sum of the live use of the workload's tasks, or null when none is known. */
  usage: ResourcesSchema.nullable(),
  /** Its own problems and its tasks', said once per reason, and the state they add up to. */
  health: WorkloadHealthSchema,
});
export type Workload = z.infer<typeof WorkloadSchema>;

export const TASK_STATES = ["pending", "running", "succeeded", "failed", "unknown"] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TaskCoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string().nullable(),
  workloadId: z.string().nullable(),
  node: z.string().nullable(),
  state: z.enum(TASK_STATES),
  /** Why the task is in its state: "ContainerCreating", "Unschedulable: ...", an exit reason. */
  stateReason: z.string().nullable(),
  ready: z.boolean(),
  restarts: z.number().int().nonnegative(),
  labels: Labels,
  requests: ResourcesSchema,
  /** Hard caps; absent where the orchestrator has none apart from the reservation or the adapter cannot tell. */
  limits: LimitsSchema.optional(),
  startedAt: z.string().nullable(),
  createdAt: z.string().nullable(),
  ip: z.string().nullable(),
  /** What the orchestrator reports wrong (a crash loop, a failing health check, an OOM kill), in its own terms. */
  problems: z.array(ProblemSchema).optional(),
});
export type TaskCore = z.infer<typeof TaskCoreSchema>;

export const TaskSchema = TaskCoreSchema.extend({
  usage: ResourcesSchema.nullable(),
  /** Why usage is null when the adapter knows. */
  usageNote: z.string().nullable(),
  health: HealthSchema,
});
export type Task = z.infer<typeof TaskSchema>;

export const CONTAINER_STATES = ["waiting", "running", "exited", "unknown"] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** How a container's run ended: the orchestrator's reason ("OOMKilled", "Error", "Essential container exited"), exit code and time. */
export const ContainerExitSchema = z.object({
  reason: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  at: z.string().nullable(),
});

/**
 * One container of a task: a pod's container (init containers too, named as
 * such), a Nomad allocation's task, an ECS task's container, the one
 * container of a Swarm task, a Docker container or a Mesos task.
 */
export const ContainerSchema = z.object({
  name: z.string(),
  image: z.string().nullable(),
  state: z.enum(CONTAINER_STATES),
  /** Why it is in its state, in the orchestrator's word: "CrashLoopBackOff", "ContainerCreating", "Completed". */
  stateReason: z.string().nullable(),
  /** Passing its readiness or health check; null where the orchestrator checks none. */
  ready: z.boolean().nullable(),
  restarts: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  /** How the current run ended (state "exited"), else how the one before the last restart did; null when it never ended. */
  lastExit: ContainerExitSchema.nullable(),
});
export type Container = z.infer<typeof ContainerSchema>;

export const MAX_TASK_HISTORY = 50;

/** One step of a task's life as the orchestrator recorded it: scheduled, pulled, started, unhealthy, killed, restarted. */
export const TaskTransitionSchema = z.object({
  /** When (ISO-8601), or null when the orchestrator does not say. */
  at: z.string().nullable(),
  /** The step in the orchestrator's own word: "Scheduled", "Started", "Restarting", "RUNNING", "BackOff". */
  what: z.string(),
  /** What it said about it: a message, an error, an exit code; null when nothing. */
  detail: z.string().nullable(),
  level: z.enum(WORKLOAD_EVENT_LEVELS),
  /** The container it concerns, where the task has several; null for the task as a whole. */
  container: z.string().nullable(),
});
export type TaskTransition = z.infer<typeof TaskTransitionSchema>;

/**
 * A task read in full from its orchestrator on request (not kept in the
 * snapshot): its containers and the steps of its life, newest first.
 */
export const TaskDetailSchema = z.object({
  containers: z.array(ContainerSchema),
  history: z.array(TaskTransitionSchema).max(MAX_TASK_HISTORY),
  /** When Fleetdeck read it (ISO-8601). */
  readAt: z.string(),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const ServicePortSchema = z.object({
  name: z.string().nullable(),
  port: z.number().int(),
  targetPort: z.string().nullable(),
  protocol: z.string(),
  nodePort: z.number().int().nullable(),
});

export const ServiceSchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string().nullable(),
  type: z.string(),
  /** Virtual IP(s) or null; a headless service has none. */
  clusterIp: z.string().nullable(),
  headless: z.boolean(),
  ports: z.array(ServicePortSchema),
  selector: Labels,
  labels: Labels,
  readyEndpoints: z.number().int().nullable(),
  totalEndpoints: z.number().int().nullable(),
  createdAt: z.string().nullable(),
});
export type Service = z.infer<typeof ServiceSchema>;

/**
 * What Fleetdeck's connection to a cluster is, apart from the health of what
 * runs there: "connecting" until the first answer or failure; "ok"; "degraded"
 * when the orchestrator answers but some sources fail (named in the reason);
 * "unauthorized" when it refuses Fleetdeck's credentials; "unreachable" when
 * it cannot be reached or does not answer in time.
 */
export const CLUSTER_STATUSES = ["connecting", "ok", "degraded", "unauthorized", "unreachable"] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** The connection is cut off: what Fleetdeck shows is the data from before, as of `dataAsOf`. */
export function isCutOff(status: ClusterStatus): boolean {
  return status === "unauthorized" || status === "unreachable";
}

export const ClusterSummarySchema = z.object({
  nodes: z.number().int(),
  readyNodes: z.number().int(),
  workloads: z.number().int(),
  tasks: z.number().int(),
  runningTasks: z.number().int(),
  capacity: ResourcesSchema,
  allocatable: ResourcesSchema,
  requested: ResourcesSchema,
  used: ResourcesSchema.nullable(),
  /** Problems of its nodes, workloads and lone tasks (a workload's tasks count with it). */
  problems: ProblemCountsSchema,
});
export type ClusterSummary = z.infer<typeof ClusterSummarySchema>;

export const ClusterInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  orchestrator: OrchestratorSchema,
  status: z.enum(CLUSTER_STATUSES),
  statusReason: z.string().nullable(),
  /** Since when the status (and its reason) has been what it is. */
  statusSince: z.string(),
  version: z.string().nullable(),
  demo: z.boolean(),
  /** False until the first full list has arrived. */
  synced: z.boolean(),
  lastSyncAt: z.string().nullable(),
  /**
   * Until when the snapshot is known to be current: now while Fleetdeck follows
   * the cluster, the moment the connection was lost when it is cut off, null
   * before the first list. Older than a few seconds means the data is old.
   */
  dataAsOf: z.string().nullable(),
  /** This viewer may scale workloads here: the orchestrator can, Fleetdeck is not read-only, and their role allows it. */
  canScale: z.boolean(),
  /** Why this viewer may not scale here (read-only mode, their role, signing in), when the orchestrator could. */
  scaleNote: z.string().nullable(),
  /** The orchestrator can scale through a rollout that holds a workload (Marathon). */
  canForceScale: z.boolean(),
  usageAvailable: z.boolean(),
  /** What runs there, apart from the connection: the worst state of its objects and their most severe problems. */
  health: HealthSchema,
  summary: ClusterSummarySchema,
});
export type ClusterInfo = z.infer<typeof ClusterInfoSchema>;

export const USAGE_SCOPES = ["cluster", "node", "workload", "task"] as const;
export type UsageScope = (typeof USAGE_SCOPES)[number];

/** One history sample; null values are gaps (no data), never zero. */
export const UsagePointSchema = z.object({
  t: z.number(),
  /** The sample, or a coarse bucket's average; null: a gap, never zero. */
  cpuMillis: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  /** A coarse bucket's maximum over the samples it covers (absent on raw samples, where it is the value). */
  cpuMaxMillis: z.number().nullable().optional(),
  memoryMaxBytes: z.number().nullable().optional(),
  /** How many raw samples with a value a coarse bucket covers (0: only gaps), so partial buckets show as such. */
  samples: z.number().optional(),
});
export type UsagePoint = z.infer<typeof UsagePointSchema>;

export const UsageHistorySchema = z.object({
  scope: z.enum(USAGE_SCOPES),
  target: z.string().nullable(),
  stepSeconds: z.number(),
  points: z.array(UsagePointSchema),
  /** What the usage is measured against, for drawing limits. */
  allocatable: ResourcesSchema.nullable(),
});
export type UsageHistory = z.infer<typeof UsageHistorySchema>;

/** The resources of a cluster: each is a list in the API, a tab in the UI and a map in the server's snapshot. */
export const RESOURCE_KINDS = ["nodes", "workloads", "tasks", "services"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
/** The kinds whose items may carry a namespace (every one but nodes). */
export const NAMESPACED_KINDS = RESOURCE_KINDS.filter((k): k is Exclude<ResourceKind, "nodes"> => k !== "nodes");

export interface ListAnswer<T> {
  items: T[];
  /** Total before paging, for lists that are paged on the server. */
  total?: number;
}

/** Clusters that could not answer a fleet-wide read, by id: shown beside the others' items and figures, never instead of them. */
export const ClusterErrorsSchema = z.record(z.string(), z.object({ code: z.string(), message: z.string() }));
export type ClusterErrors = z.infer<typeof ClusterErrorsSchema>;

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** One SSE message of /api/events: which resources of which cluster changed. */
export interface ChangeEvent {
  clusterId: string;
  resources: (ResourceKind | "cluster" | "usage")[];
}
