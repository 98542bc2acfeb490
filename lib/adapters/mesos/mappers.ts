import { facts, recentEvents } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import { joinId, splitId } from "@/lib/model/ids";
import type { NodeCore, Resources, Service, TaskCore, TaskState, Volume, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import { mountModes, mountStatus } from "../volumes";
import type {
  RawAgent,
  RawFramework,
  RawMarathonApp,
  RawMarathonDeployment,
  RawMarathonTask,
  RawMasterState,
  RawMesosTask,
  RawQueueEntry,
  RawResources,
} from "./raw";

/**
 * Pure mappers from Mesos master and Marathon JSON to the neutral model.
 * Units: Mesos `cpus` are cores (→ millicores); `mem` and `disk` are MB,
 * which Mesos means as MiB (→ bytes).
 */

const MIB = 1024 * 1024;

/**
 * Label keys Fleetdeck adds to Marathon tasks and services for the host ports
 * Mesos gave them: the model's tasks and services have no field for a list of
 * host:port pairs. Workloads' facts go to `info` instead.
 */
export const ENDPOINT_LABELS = {
  endpoints: "fleetdeck.io/endpoints",
  hostPorts: "fleetdeck.io/host-ports",
} as const;

export function cpusToMillis(cores: number | undefined): number {
  return Math.round((cores ?? 0) * 1000);
}

export function mbToBytes(mb: number | undefined): number {
  return Math.round((mb ?? 0) * MIB);
}

export function toResources(raw: RawResources | undefined): Resources {
  return { cpuMillis: cpusToMillis(raw?.cpus), memoryBytes: mbToBytes(raw?.mem) };
}

export function secondsToIso(seconds: number | undefined | null): string | null {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000).toISOString();
}

// ---- ids ----

export const nodeIdOf = (agentId: string): string => joinId(agentId);
export const taskIdOf = (mesosTaskId: string): string => joinId(mesosTaskId);

function appSegments(appId: string): string[] {
  return appId.split("/").filter(Boolean);
}

/** "/shop/web" → "app~shop~web": URL-safe and reversible. */
export function appWorkloadId(appId: string): string {
  return joinId("app", ...appSegments(appId));
}

export function frameworkWorkloadId(frameworkId: string): string {
  return joinId("fw", frameworkId);
}

export type ParsedWorkloadId = { kind: "app"; appId: string } | { kind: "framework"; frameworkId: string };

/** The app or framework a workload id names, or null for an id no workload of this adapter has. */
export function parseWorkloadId(id: string): ParsedWorkloadId | null {
  const [kind, ...rest] = splitId(id);
  // Marathon forbids "." and ".." as id segments; in a request path they would name another resource.
  if (kind === "app" && rest.length > 0 && rest.every((segment) => segment && segment !== "." && segment !== "..")) {
    return { kind: "app", appId: "/" + rest.join("/") };
  }
  if (kind === "fw" && rest.length === 1 && rest[0]) return { kind: "framework", frameworkId: rest[0] };
  return null;
}

/** The group an app lives in ("/shop/web" → "/shop"), or null for apps at the root. */
export function appGroup(appId: string): string | null {
  const segments = appSegments(appId);
  return segments.length > 1 ? "/" + segments.slice(0, -1).join("/") : null;
}

// ---- task states ----

export function mapTaskState(mesosState: string | undefined): { state: TaskState; reason: string | null } {
  switch (mesosState) {
    case "TASK_STAGING":
      return { state: "pending", reason: "Staging" };
    case "TASK_STARTING":
      return { state: "pending", reason: "Starting" };
    case "TASK_RUNNING":
      return { state: "running", reason: null };
    case "TASK_KILLING":
      return { state: "running", reason: "Killing" };
    case "TASK_FINISHED":
      return { state: "succeeded", reason: "Finished" };
    // A kill is a requested stop (scale-down, restart), not a fault of the task.
    case "TASK_KILLED":
      return { state: "succeeded", reason: "Killed" };
    case "TASK_FAILED":
      return { state: "failed", reason: "Failed" };
    case "TASK_ERROR":
      return { state: "failed", reason: "Error" };
    case "TASK_DROPPED":
      return { state: "failed", reason: "Dropped" };
    case "TASK_GONE":
    case "TASK_GONE_BY_OPERATOR":
      return { state: "failed", reason: "Gone" };
    case "TASK_LOST":
      return { state: "unknown", reason: "Lost" };
    case "TASK_UNREACHABLE":
      return { state: "unknown", reason: "Agent unreachable" };
    // The master's answer to reconciling a task it has never heard of.
    case "TASK_UNKNOWN":
      return { state: "unknown", reason: "Unknown to the master" };
    default:
      return { state: "unknown", reason: mesosState ?? null };
  }
}

// ---- master state ----

function describeResources(raw: RawResources): string {
  const parts = [`${round(raw.cpus ?? 0)} cpus`, formatMb(raw.mem ?? 0)];
  if (raw.disk) parts.push(`${formatMb(raw.disk)} disk`);
  return parts.join(", ");
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function formatMb(mb: number): string {
  return mb >= 1024 ? `${round(mb / 1024)} GiB` : `${round(mb)} MiB`;
}

/** Why a connected agent gets no new tasks: Mesos 1.9+ marks agents an operator deactivated or drains. */
function agentScheduling(agent: RawAgent): string | null {
  const drain = agent.drain_info?.state;
  if (drain === "DRAINING") return "Draining: its tasks are being killed and no offers are made";
  if (drain === "DRAINED") return "Drained: no offers are made";
  if (agent.deactivated) return "Deactivated by an operator: no offers are made";
  return null;
}

export function mapAgent(agent: RawAgent): NodeCore {
  const capacity = toResources(agent.resources);
  const reservedRoles = Object.keys(agent.reserved_resources).filter((role) => role !== "*");
  const scheduling = agent.active ? agentScheduling(agent) : null;
  const info: Record<string, string> = {};
  if (scheduling) info.scheduling = scheduling;
  if (agent.version) info.version = agent.version;
  info.used = describeResources(agent.used_resources);
  if (agent.resources.disk !== undefined) info.disk = formatMb(agent.resources.disk);
  if (agent.resources.ports) info.ports = agent.resources.ports;
  for (const role of reservedRoles) info[`reserved (${role})`] = describeResources(agent.reserved_resources[role]);
  return {
    id: nodeIdOf(agent.id),
    name: agent.hostname,
    status: agent.active ? "ready" : "not-ready",
    // `active` is the agent's connection to the master; an operator's deactivation is `deactivated` (Mesos 1.9+).
    statusReason: agent.active ? null : "Agent inactive: disconnected from the master",
    schedulable: agent.active && scheduling === null,
    roles: reservedRoles,
    labels: Object.fromEntries(Object.entries(agent.attributes).map(([k, v]) => [k, String(v)])),
    capacity,
    // Agents advertise only what they offer (--resources excludes the host's own share), so all of it is allocatable.
    allocatable: capacity,
    createdAt: secondsToIso(agent.registered_time),
    info,
  };
}

function mesosTaskImage(task: RawMesosTask): string | null {
  return task.container?.docker?.image ?? task.container?.mesos?.image?.docker?.name ?? null;
}

export function mapMesosTask(task: RawMesosTask): TaskCore {
  const { state, reason } = mapTaskState(task.state);
  const statuses = [...task.statuses].sort((a, b) => a.timestamp - b.timestamp);
  const last = statuses.at(-1);
  const running = statuses.find((s) => s.state === "TASK_RUNNING");
  const ip = last?.container_status?.network_infos?.flatMap((n) => n.ip_addresses ?? []).find((a) => a.ip_address)?.ip_address ?? null;
  return {
    id: taskIdOf(task.id),
    name: task.name,
    namespace: null,
    workloadId: frameworkWorkloadId(task.framework_id),
    node: nodeIdOf(task.slave_id),
    state,
    stateReason: last?.healthy === false && state === "running" ? "Unhealthy" : reason,
    ready: state === "running" && task.state !== "TASK_KILLING" && last?.healthy !== false,
    restarts: 0,
    labels: Object.fromEntries((task.labels ?? []).map((l) => [l.key, l.value ?? ""])),
    requests: toResources(task.resources),
    startedAt: secondsToIso(running?.timestamp),
    createdAt: secondsToIso(statuses[0]?.timestamp),
    ip,
  };
}

/** A framework's tasks the master knows: the live ones and, for partition-aware frameworks, those on unreachable agents. */
export function frameworkTasks(fw: RawFramework): RawMesosTask[] {
  return [...fw.tasks, ...fw.unreachable_tasks];
}

export function mapFramework(fw: RawFramework, notScalableReason: string): WorkloadCore {
  const all = frameworkTasks(fw);
  const tasks = all.map((t) => ({ raw: t, state: mapTaskState(t.state).state }));
  const images = [...new Set(all.map(mesosTaskImage).filter((i): i is string => i !== null))];
  const roles = fw.roles?.length ? fw.roles : fw.role ? [fw.role] : [];
  return {
    id: frameworkWorkloadId(fw.id),
    name: fw.name,
    namespace: null,
    kind: "MesosFramework",
    labels: roles.length ? { role: roles.join(",") } : {},
    images,
    desired: tasks.filter((t) => t.state === "pending" || t.state === "running").length,
    ready: tasks.filter((t) => t.state === "running").length,
    scalable: false,
    notScalableReason,
    autoscaler: null,
    createdAt: null,
    selector: null,
    info: facts([
      ["Framework ID", fw.id],
      ["Active", fw.active === undefined ? null : fw.active ? "yes" : "no"],
      ["Web UI", fw.webui_url],
    ]),
    // The master keeps no event log of a framework.
    events: [],
    // A framework declares no volumes to the master; its tasks' are its own business.
    volumes: [],
  };
}

export interface MasterItems {
  nodes: NodeCore[];
  workloads: WorkloadCore[];
  tasks: TaskCore[];
}

export interface MasterMapOptions {
  /** Marathon's framework, when Marathon itself is configured and supplies those workloads and tasks. */
  skipFramework?: (fw: RawFramework) => boolean;
  /** Why framework workloads cannot be scaled. */
  frameworkReason?: (fw: RawFramework) => string;
}

export function mapMasterState(state: RawMasterState, options: MasterMapOptions = {}): MasterItems {
  const frameworks = state.frameworks.filter((fw) => !options.skipFramework?.(fw));
  const reason =
    options.frameworkReason ??
    ((fw: RawFramework) => `The ${fw.name} framework schedules its own tasks; Mesos has no way to scale them from outside`);
  return {
    nodes: state.slaves.map(mapAgent),
    workloads: frameworks.map((fw) => mapFramework(fw, reason(fw))),
    tasks: frameworks.flatMap((fw) => frameworkTasks(fw).map(mapMesosTask)),
  };
}

// ---- Marathon ----

/** The neutral items of one Marathon app, before the launch queue is applied. */
export interface AppBundle {
  appId: string;
  /** Ids of the deployments that hold the app; their progress comes from /v2/deployments. */
  deploymentIds: string[];
  workload: WorkloadCore;
  tasks: TaskCore[];
  service: Service | null;
  /** What one instance reserves, for the waiting (queued) instances. */
  perInstance: Resources;
}

function appImages(app: RawMarathonApp): string[] {
  const image = app.container?.docker?.image;
  return image ? [image] : [];
}

function taskHealth(
  task: RawMarathonTask,
  hasHealthChecks: boolean,
): { ready: boolean; reason: string | null; failingSince?: string | null } {
  if (!hasHealthChecks) return { ready: true, reason: null };
  const results = task.healthCheckResults;
  if (results.length === 0) return { ready: false, reason: "Health check pending" };
  const failing = results.find((r) => !r.alive);
  if (!failing) return { ready: true, reason: null };
  const cause = failing.lastFailureCause ? `: ${failing.lastFailureCause}` : "";
  const count = failing.consecutiveFailures ? ` (${failing.consecutiveFailures} consecutive failures)` : "";
  return { ready: false, reason: `Unhealthy${cause}${count}`, failingSince: failing.lastFailure ?? null };
}

/** A running task whose health check fails (critical: Marathon will kill it), or one on an agent the master lost. */
function marathonTaskProblems(task: RawMarathonTask, running: boolean, health: ReturnType<typeof taskHealth>): Problem[] {
  if (task.state === "TASK_UNREACHABLE") {
    return [problem("critical", "Agent unreachable", `${task.state} on agent ${task.host ?? task.slaveId ?? "unknown"}`, null)];
  }
  if (running && health.failingSince !== undefined)
    return [problem("critical", "Failing health check", health.reason!, health.failingSince)];
  return [];
}

/**
 * Mesos and Marathon tasks carry no `limits`: an app's cpus and mem are both
 * its reservation and whatever the agent enforces, and whether it enforces
 * (cgroups isolators, CFS quota) or only accounts (posix isolators) is agent
 * configuration the APIs read here do not show. A separate limit would only
 * repeat the reservation, or claim a cap that may not exist.
 */
export function mapMarathonTask(app: RawMarathonApp, task: RawMarathonTask): TaskCore {
  const { state, reason } = mapTaskState(task.state ?? "TASK_RUNNING");
  const health = taskHealth(task, app.healthChecks.length > 0);
  const running = state === "running" && task.state !== "TASK_KILLING";
  const labels: Record<string, string> = { ...app.labels };
  if (task.ports.length) labels[ENDPOINT_LABELS.hostPorts] = task.ports.join(",");
  return {
    id: taskIdOf(task.id),
    name: task.id,
    namespace: appGroup(app.id),
    workloadId: appWorkloadId(app.id),
    node: task.slaveId ? nodeIdOf(task.slaveId) : null,
    state,
    stateReason: running && !health.ready ? health.reason : reason,
    ready: running && health.ready,
    restarts: 0,
    labels,
    requests: { cpuMillis: cpusToMillis(app.cpus), memoryBytes: mbToBytes(app.mem) },
    startedAt: task.startedAt ?? null,
    createdAt: task.stagedAt ?? null,
    ip: task.ipAddresses[0]?.ipAddress ?? null,
    ...withProblems(marathonTaskProblems(task, running, health)),
  };
}

function mapAppService(app: RawMarathonApp, tasks: TaskCore[]): Service | null {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings ?? [];
  const ports = mappings.length
    ? mappings.map((pm) => ({
        name: pm.name ?? null,
        port: pm.servicePort || pm.containerPort || 0,
        targetPort: pm.containerPort !== undefined ? String(pm.containerPort) : null,
        protocol: (pm.protocol ?? "tcp").toUpperCase(),
        // hostPort 0 asks Mesos for any port from the offer; only a fixed one is the same on every node.
        nodePort: pm.hostPort || null,
      }))
    : app.portDefinitions.map((pd) => ({
        name: pd.name ?? null,
        port: pd.port ?? 0,
        targetPort: null,
        protocol: (pd.protocol ?? "tcp").toUpperCase(),
        nodePort: null,
      }));
  if (ports.length === 0) return null;
  const endpoints = app.tasks
    .filter((t) => t.host && t.ports.length)
    .slice(0, 20)
    .map((t) => `${t.host}:${t.ports.join(",")}`);
  const labels: Record<string, string> = { ...app.labels };
  if (endpoints.length) labels[ENDPOINT_LABELS.endpoints] = endpoints.join(" ");
  const withPorts = new Set(app.tasks.filter((t) => t.ports.length || t.ipAddresses.length).map((t) => taskIdOf(t.id)));
  const endpointTasks = tasks.filter((t) => withPorts.has(t.id));
  return {
    id: joinId("svc", ...appSegments(app.id)),
    name: app.id,
    namespace: appGroup(app.id),
    type: mappings.length ? "MarathonPortMappings" : "MarathonPortDefinitions",
    clusterIp: null,
    // Marathon apps are reached at the tasks' own host:port pairs (Mesos-DNS, a load balancer), never a virtual IP.
    headless: true,
    ports,
    selector: {},
    labels,
    readyEndpoints: endpointTasks.filter((t) => t.ready).length,
    totalEndpoints: endpointTasks.length,
    createdAt: null,
  };
}

/** Dated changes of an app Marathon reports: its last configuration change, a later scaling, its last task failure. */
function appEvents(app: RawMarathonApp): WorkloadEvent[] {
  const events: WorkloadEvent[] = [];
  const configAt = app.versionInfo?.lastConfigChangeAt ?? null;
  const scaledAt = app.versionInfo?.lastScalingAt ?? null;
  // A configuration change sets both times; a scale moves only lastScalingAt, so the current count is the one it set.
  if (scaledAt && (!configAt || Date.parse(scaledAt) > Date.parse(configAt))) {
    events.push({ at: scaledAt, level: "normal", message: `Scaled to ${plural(Math.trunc(app.instances), "instance")}` });
  }
  if (configAt) events.push({ at: configAt, level: "normal", message: "Configuration changed" });
  const failure = app.lastTaskFailure;
  if (failure) {
    const where = failure.host ? ` on ${failure.host}` : "";
    const why = failure.message ? `: ${failure.message}` : "";
    events.push({
      at: failure.timestamp ?? null,
      level: "warning",
      message: `Task ${failure.taskId ?? ""} ${failure.state ?? "failed"}${where}${why}`.replace(/\s+/g, " "),
    });
  }
  return events;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function mapMarathonApp(app: RawMarathonApp): AppBundle {
  const tasks = app.tasks.map((t) => mapMarathonTask(app, t));
  const hasHealthChecks = app.healthChecks.length > 0;
  const running = app.tasksRunning ?? tasks.filter((t) => t.state === "running").length;
  const healthy = app.tasksHealthy ?? tasks.filter((t) => t.ready).length;
  const deploymentIds = app.deployments.map((d) => d.id);
  // Marathon's own counts, as its UI shows them; health only for apps with health checks.
  const taskCounts = [
    `${running} running`,
    `${app.tasksStaged ?? tasks.filter((t) => t.state === "pending").length} staged`,
    ...(hasHealthChecks ? [`${healthy} healthy`, `${app.tasksUnhealthy ?? 0} unhealthy`] : []),
  ];
  return {
    appId: app.id,
    deploymentIds,
    workload: {
      id: appWorkloadId(app.id),
      name: app.id,
      namespace: appGroup(app.id),
      kind: "MarathonApp",
      labels: { ...app.labels },
      images: appImages(app),
      desired: Math.max(0, Math.trunc(app.instances)),
      ready: hasHealthChecks ? healthy : running,
      scalable: true,
      notScalableReason: null,
      autoscaler: null,
      createdAt: null,
      selector: null,
      info: facts([
        ["Tasks", taskCounts.join(", ")],
        ["Deployments", deploymentIds.join("; ")],
      ]),
      events: recentEvents(appEvents(app)),
      volumes: appVolumes(app, running > 0),
    },
    tasks,
    service: mapAppService(app, tasks),
    perInstance: { cpuMillis: cpusToMillis(app.cpus), memoryBytes: mbToBytes(app.mem) },
  };
}

/**
 * An app container's volumes, by the path they are mounted at: a host path,
 * a local persistent volume (reserved with each instance on its agent: none
 * shared, its size in MiB), an external one by name, a secret.
 */
export function appVolumes(app: RawMarathonApp, running: boolean): Volume[] {
  return (app.container?.volumes ?? []).map((v) => ({
    name: v.containerPath,
    type: v.persistent ? "persistent" : v.external ? "external" : v.secret ? "secret" : "host",
    claim: v.hostPath ?? v.external?.name ?? null,
    capacityBytes: v.persistent?.size ? mbToBytes(v.persistent.size) : null,
    accessModes: mountModes([v.mode === "RO"]),
    status: mountStatus(running),
  }));
}

/** A running deployment, slimmed to what the workload shows: "step 1 of 2: ScaleApplication". */
export interface DeploymentInfo {
  id: string;
  progress: string;
}

export function mapDeployment(raw: RawMarathonDeployment): DeploymentInfo {
  const actions = [...new Set((raw.currentActions ?? []).map((a) => a.action).filter(Boolean))];
  const step = raw.currentStep !== undefined && raw.totalSteps ? `step ${raw.currentStep} of ${raw.totalSteps}` : null;
  return { id: raw.id, progress: [step, actions.join(", ")].filter(Boolean).join(": ") };
}

/** The launch queue entry of one app, slimmed to what the snapshot shows. */
export interface QueueInfo {
  count: number;
  reason: string;
  /** When the instances started waiting (ISO-8601), when Marathon says. */
  since: string | null;
  /** Launches held back after failures, or offers that never fit; null while it only waits for offers. */
  problem: Problem | null;
}

export function mapQueueEntry(entry: RawQueueEntry): QueueInfo {
  if (entry.delay && entry.delay.overdue === false && (entry.delay.timeLeftSeconds ?? 0) > 0) {
    const reason = `Launch delayed after failures: retry in ${Math.ceil(entry.delay.timeLeftSeconds ?? 0)} s`;
    const since = entry.since ?? null;
    return {
      count: entry.count,
      reason,
      since,
      problem: problem("critical", "Launch delayed after failures", `${entry.count} waiting: ${reason}`, since),
    };
  }
  const rejects = (entry.processedOffersSummary?.rejectSummaryLastOffers ?? [])
    .filter((r) => r.declined > 0)
    .sort((a, b) => b.declined - a.declined);
  const since = entry.since ?? null;
  if (rejects.length === 0) return { count: entry.count, reason: "Waiting for resource offers", since, problem: null };
  const detail = rejects.map((r) => `${r.reason} (${r.declined} of ${r.processed} offers)`).join(", ");
  const reason = `Unschedulable: no offer fits: ${detail}`;
  return {
    count: entry.count,
    reason,
    since,
    problem: problem("critical", "Cannot be placed", `${plural(entry.count, "instance")}: ${reason}`, since),
  };
}

/**
 * The app's workload and tasks with what Marathon knows beside the app: its
 * waiting instances (a fact, a warning event and pending tasks without a
 * node) and the progress of its running deployments.
 */
export function withQueue(
  bundle: AppBundle,
  queue: QueueInfo | undefined,
  deployments?: ReadonlyMap<string, DeploymentInfo>,
): { workload: WorkloadCore; tasks: TaskCore[] } {
  let workload = bundle.workload;
  const progress = bundle.deploymentIds.map((id) => deployments?.get(id)).filter((d): d is DeploymentInfo => Boolean(d?.progress));
  if (progress.length) {
    const described = bundle.deploymentIds.map((id) => {
      const d = deployments?.get(id);
      return d?.progress ? `${id} (${d.progress})` : id;
    });
    workload = { ...workload, info: { ...workload.info, Deployments: described.join("; ") } };
  }
  if (!queue || queue.count <= 0) return { workload, tasks: bundle.tasks };
  const waiting = `${plural(queue.count, "instance")} waiting: ${queue.reason}`;
  workload = {
    ...workload,
    info: { ...workload.info, Waiting: waiting },
    events: recentEvents([{ at: queue.since, level: "warning", message: waiting }, ...workload.events]),
    ...withProblems([...(workload.problems ?? []), queue.problem]),
  };
  const segments = appSegments(bundle.appId);
  const queued: TaskCore[] = Array.from({ length: queue.count }, (_, i) => ({
    id: joinId("queued", ...segments, String(i + 1)),
    name: `${bundle.appId} (waiting ${i + 1} of ${queue.count})`,
    namespace: bundle.workload.namespace,
    workloadId: bundle.workload.id,
    node: null,
    state: "pending",
    stateReason: queue.reason,
    ready: false,
    restarts: 0,
    labels: {},
    // What the instance asks for; it has no node, so no node's "requested" counts it.
    requests: bundle.perInstance,
    startedAt: null,
    createdAt: null,
    ip: null,
  }));
  return { workload, tasks: [...bundle.tasks, ...queued] };
}
