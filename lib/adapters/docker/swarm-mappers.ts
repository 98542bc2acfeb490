import { facts, recentEvents } from "@/lib/model/events";
import type { Limits, NodeCore, Resources, Service, TaskCore, TaskState, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import type { RawSwarmNode, RawSwarmService, RawSwarmTask } from "./raw";

/** Pure mappers from Swarm API answers to the neutral model. */

export const GLOBAL_NOT_SCALABLE =
  "A global service runs one task per eligible node; change the node set or its placement constraints instead.";
export const JOB_NOT_SCALABLE = "A Swarm job runs to completion; its task count is set when the job is created.";

export const SERVICE_ID_LABEL = "com.docker.swarm.service.id";
export const SERVICE_NAME_LABEL = "com.docker.swarm.service.name";
export const STACK_LABEL = "com.docker.stack.namespace";

export function nanoToMillis(nanoCpus: number | undefined): number {
  return (nanoCpus ?? 0) / 1e6;
}

function reservations(r: { NanoCPUs?: number; MemoryBytes?: number } | null | undefined): Resources {
  return { cpuMillis: nanoToMillis(r?.NanoCPUs), memoryBytes: r?.MemoryBytes ?? 0 };
}

/** A positive cap or null: Docker reads 0 (and no value) as no cap. */
export function capOrNull(value: number | undefined, scale = 1): number | null {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value * scale : null;
}

/** A Swarm task's Resources.Limits: NanoCPUs and MemoryBytes, each a cap only when set. */
function limits(l: { NanoCPUs?: number; MemoryBytes?: number } | null | undefined): Limits {
  return { cpuMillis: capOrNull(l?.NanoCPUs, 1e-6), memoryBytes: capOrNull(l?.MemoryBytes) };
}

/** "local/app:1@sha256:ab12…" → "local/app:1": the digest pins the image but is noise on screen. */
export function displayImage(image: string | undefined): string | null {
  if (!image) return null;
  return image.replace(/@sha256:[0-9a-f]+$/i, "");
}

export function mapSwarmNode(node: RawSwarmNode): NodeCore {
  const d = node.Description;
  const capacity: Resources = {
    cpuMillis: nanoToMillis(d?.Resources?.NanoCPUs),
    memoryBytes: d?.Resources?.MemoryBytes ?? 0,
  };
  const availability = node.Spec.Availability ?? "active";
  const leader = node.ManagerStatus?.Leader === true;
  const roles = [node.Spec.Role ?? "worker"];
  if (leader) roles.push("leader");
  const status = node.Status.State === "ready" ? "ready" : node.Status.State === "unknown" ? "unknown" : "not-ready";
  const info: Record<string, string> = { availability };
  if (d?.Engine?.EngineVersion) info.engineVersion = d.Engine.EngineVersion;
  if (d?.Platform?.OS) info.os = d.Platform.OS;
  if (d?.Platform?.Architecture) info.architecture = d.Platform.Architecture;
  if (node.Status.Addr) info.address = node.Status.Addr;
  if (node.ManagerStatus?.Reachability) info.managerReachability = node.ManagerStatus.Reachability;
  if (leader) info.leader = "true";
  return {
    id: node.ID,
    name: d?.Hostname ?? node.ID,
    status,
    statusReason: status === "ready" ? null : node.Status.Message || `node is ${node.Status.State}`,
    schedulable: availability === "active",
    roles,
    // Engine labels (dockerd --label) first; node labels set through the swarm win on a clash.
    labels: { ...(d?.Engine?.Labels ?? {}), ...node.Spec.Labels },
    capacity,
    allocatable: capacity,
    createdAt: node.CreatedAt ?? null,
    info,
  };
}

export function serviceNamespace(service: RawSwarmService): string | null {
  return service.Spec.Labels[STACK_LABEL] ?? null;
}

function modeOf(service: RawSwarmService): string {
  const mode = service.Spec.Mode ?? {};
  if (mode.Global) return "global";
  if (mode.GlobalJob) return "global job";
  if (mode.ReplicatedJob) {
    const j = mode.ReplicatedJob;
    const detail = [
      j.MaxConcurrent ? `${j.MaxConcurrent} at a time` : null,
      j.TotalCompletions ? `${j.TotalCompletions} completions` : null,
    ].filter(Boolean);
    return detail.length ? `replicated job (${detail.join(", ")})` : "replicated job";
  }
  return "replicated";
}

/** "18080→80/tcp (ingress)": published port, target port, protocol and how it is published. */
export function describePorts(service: RawSwarmService): string | null {
  const ports = (service.Endpoint?.Ports ?? []).filter((p) => p.PublishedPort);
  if (!ports.length) return null;
  return ports
    .map((p) => `${p.PublishedPort}→${p.TargetPort ?? "?"}/${p.Protocol ?? "tcp"}${p.PublishMode ? ` (${p.PublishMode})` : ""}`)
    .join(", ");
}

function describeUpdateConfig(config: NonNullable<RawSwarmService["Spec"]["UpdateConfig"]> | null | undefined): string | null {
  if (!config) return null;
  const parts = [
    config.Order ?? null,
    config.Parallelism === 0 ? "all at once" : config.Parallelism ? `${config.Parallelism} at a time` : null,
    config.Delay ? `${Math.round(config.Delay / 1e9)} s apart` : null,
    config.FailureAction ? `on failure ${config.FailureAction}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : null;
}

const UPDATE_STATES: Record<string, { title: string; level: WorkloadEvent["level"] }> = {
  updating: { title: "Update in progress", level: "normal" },
  completed: { title: "Update completed", level: "normal" },
  paused: { title: "Update paused", level: "warning" },
  rollback_started: { title: "Rollback started", level: "warning" },
  rollback_paused: { title: "Rollback paused", level: "warning" },
  rollback_completed: { title: "Rollback completed", level: "warning" },
};

/** The service's last rolling update, as an event: paused updates and rollbacks ask for attention. */
export function updateEvent(status: RawSwarmService["UpdateStatus"]): WorkloadEvent | null {
  if (!status?.State) return null;
  const known = UPDATE_STATES[status.State] ?? {
    title: `Update ${status.State.replace(/_/g, " ")}`,
    level: status.State.startsWith("rollback") ? "warning" : "normal",
  };
  const message =
    status.Message && status.Message.toLowerCase() !== known.title.toLowerCase() ? `${known.title}: ${status.Message}` : known.title;
  const at =
    status.State === "updating" || status.State === "rollback_started" ? status.StartedAt : (status.CompletedAt ?? status.StartedAt);
  return { at: at && !at.startsWith("0001-") ? at : null, level: known.level, message };
}

/** Failed or rejected tasks of the service, and current ones stuck with an error (no suitable node), as warnings. */
function taskEvents(service: RawSwarmService, tasks: readonly RawSwarmTask[]): WorkloadEvent[] {
  const isGlobal = Boolean(service.Spec.Mode?.Global || service.Spec.Mode?.GlobalJob);
  const events: WorkloadEvent[] = [];
  for (const task of tasks) {
    if (task.ServiceID !== service.ID || !task.Status.Err) continue;
    const state = task.Status.State;
    if (state !== "failed" && state !== "rejected" && mapTaskState(state) !== "pending") continue;
    const name = `${service.Spec.Name}.${isGlobal ? (task.NodeID ?? task.ID) : (task.Slot ?? task.ID)}`;
    events.push({
      at: task.Status.Timestamp ?? task.CreatedAt ?? null,
      level: "warning",
      message: `Task ${name} ${state}: ${task.Status.Err}`,
    });
  }
  return events;
}

/** Workload of a service; `tasks` (current and history) back up the counts on engines without ServiceStatus and give its events. */
export function mapSwarmService(service: RawSwarmService, tasks: readonly RawSwarmTask[] = []): WorkloadCore {
  const mode = service.Spec.Mode ?? {};
  const own = tasks.filter((t) => t.ServiceID === service.ID && isCurrent(t));
  const running = service.ServiceStatus?.RunningTasks ?? own.filter((t) => t.Status.State === "running").length;
  let desired: number;
  let scalable = false;
  let notScalableReason: string | null = null;
  if (mode.Replicated) {
    desired = mode.Replicated.Replicas ?? 1;
    scalable = true;
  } else if (mode.Global) {
    desired = service.ServiceStatus?.DesiredTasks ?? own.length;
    notScalableReason = GLOBAL_NOT_SCALABLE;
  } else {
    desired = service.ServiceStatus?.DesiredTasks ?? own.length;
    notScalableReason = JOB_NOT_SCALABLE;
  }
  const image = displayImage(service.Spec.TaskTemplate?.ContainerSpec?.Image);
  const update = service.UpdateStatus;
  const lastUpdate = updateEvent(update);
  return {
    id: service.ID,
    name: service.Spec.Name,
    namespace: serviceNamespace(service),
    kind: mode.ReplicatedJob || mode.GlobalJob ? "SwarmJob" : "SwarmService",
    labels: service.Spec.Labels,
    images: image ? [image] : [],
    desired,
    ready: running,
    scalable,
    notScalableReason,
    autoscaler: null,
    createdAt: service.CreatedAt ?? null,
    selector: `${SERVICE_ID_LABEL}=${service.ID}`,
    info: facts([
      ["Mode", modeOf(service)],
      ["Published ports", describePorts(service)],
      ["Update strategy", describeUpdateConfig(service.Spec.UpdateConfig)],
      ["Update status", update?.State ? `${update.State}${update.Message ? `: ${update.Message}` : ""}` : null],
    ]),
    events: recentEvents([...(lastUpdate ? [lastUpdate] : []), ...taskEvents(service, tasks)]),
  };
}

/** Published ports and virtual IPs of the services that have either. */
export function mapSwarmServiceEndpoints(service: RawSwarmService): Service | null {
  const ports = service.Endpoint?.Ports ?? [];
  const vips = (service.Endpoint?.VirtualIPs ?? []).map((v) => v.Addr?.replace(/\/\d+$/, "")).filter(Boolean) as string[];
  if (ports.length === 0 && vips.length === 0) return null;
  const mode = service.Endpoint?.Spec?.Mode ?? service.Spec.EndpointSpec?.Mode ?? "vip";
  return {
    id: service.ID,
    name: service.Spec.Name,
    namespace: serviceNamespace(service),
    type: mode === "dnsrr" ? "DNSRR" : "VIP",
    clusterIp: vips.length ? vips.join(", ") : null,
    headless: mode === "dnsrr",
    ports: ports.map((p) => ({
      name: p.Name ?? null,
      port: p.PublishedPort ?? p.TargetPort ?? 0,
      targetPort: p.TargetPort !== undefined ? String(p.TargetPort) : null,
      protocol: (p.Protocol ?? "tcp").toUpperCase(),
      // Ingress-published ports answer on every node, like a Kubernetes NodePort.
      nodePort: p.PublishMode !== "host" && p.PublishedPort ? p.PublishedPort : null,
    })),
    selector: { [SERVICE_ID_LABEL]: service.ID },
    labels: service.Spec.Labels,
    readyEndpoints: service.ServiceStatus?.RunningTasks ?? null,
    totalEndpoints: service.ServiceStatus?.DesiredTasks ?? null,
    createdAt: service.CreatedAt ?? null,
  };
}

const PENDING_STATES = new Set(["new", "allocated", "pending", "assigned", "accepted", "ready", "preparing", "starting"]);

export function mapTaskState(state: string): TaskState {
  if (PENDING_STATES.has(state)) return "pending";
  if (state === "running") return "running";
  if (state === "complete" || state === "shutdown") return "succeeded";
  if (state === "failed" || state === "rejected") return "failed";
  return "unknown"; // orphaned, remove, and states newer engines may add
}

/** A task Swarm still wants (desired running/ready/accepted), as opposed to history. */
export function isCurrent(task: RawSwarmTask): boolean {
  return task.DesiredState !== "shutdown" && task.DesiredState !== "remove";
}

/** Replicated tasks share a slot across restarts; global ones share their node. */
function slotKey(task: RawSwarmTask): string {
  return `${task.ServiceID}/${task.Slot !== undefined && task.Slot > 0 ? task.Slot : `node:${task.NodeID ?? ""}`}`;
}

function taskIp(task: RawSwarmTask): string | null {
  const attachments = task.NetworksAttachments ?? [];
  const preferred =
    attachments.find((a) => !a.Network?.Spec?.Ingress && a.Addresses?.length) ?? attachments.find((a) => a.Addresses?.length);
  return preferred?.Addresses?.[0]?.replace(/\/\d+$/, "") ?? null;
}

/**
 * Current tasks as neutral tasks. History (desired shutdown) only feeds the
 * restart count of its slot and, while a slot has no running task, the last
 * error seen there; it is not listed.
 */
export function mapSwarmTasks(tasks: readonly RawSwarmTask[], services: readonly RawSwarmService[]): TaskCore[] {
  const byService = new Map(services.map((s) => [s.ID, s]));
  const history = new Map<string, RawSwarmTask[]>();
  for (const task of tasks) {
    const key = slotKey(task);
    const list = history.get(key);
    if (list) list.push(task);
    else history.set(key, [task]);
  }
  const result: TaskCore[] = [];
  for (const task of tasks) {
    if (!isCurrent(task)) continue;
    const service = byService.get(task.ServiceID);
    // A task whose service is gone is being removed; it has no workload to belong to.
    if (!service) continue;
    const created = task.CreatedAt ?? "";
    const earlier = (history.get(slotKey(task)) ?? []).filter((t) => t !== task && (t.CreatedAt ?? "") < created);
    const state = mapTaskState(task.Status.State);
    const isGlobal = Boolean(service.Spec.Mode?.Global || service.Spec.Mode?.GlobalJob);
    let stateReason = task.Status.Err || (state === "running" ? null : task.Status.Message || null);
    if (state === "pending" && earlier.length) {
      const lastFailure = earlier.filter((t) => t.Status.Err).sort((a, b) => ((a.CreatedAt ?? "") < (b.CreatedAt ?? "") ? 1 : -1))[0];
      if (lastFailure?.Status.Err) stateReason = `${stateReason ?? "pending"}; previous task: ${lastFailure.Status.Err}`;
    }
    result.push({
      id: task.ID,
      name: `${service.Spec.Name}.${isGlobal ? (task.NodeID ?? task.ID) : (task.Slot ?? task.ID)}`,
      namespace: serviceNamespace(service),
      workloadId: service.ID,
      node: task.NodeID || null,
      state,
      stateReason,
      ready: state === "running",
      restarts: earlier.length,
      labels: {
        ...(task.Spec?.ContainerSpec?.Labels ?? {}),
        ...task.Labels,
        [SERVICE_ID_LABEL]: service.ID,
        [SERVICE_NAME_LABEL]: service.Spec.Name,
        ...(serviceNamespace(service) ? { [STACK_LABEL]: serviceNamespace(service)! } : {}),
      },
      requests: reservations(task.Spec?.Resources?.Reservations),
      limits: limits(task.Spec?.Resources?.Limits),
      startedAt: state === "running" ? (task.Status.Timestamp ?? null) : null,
      createdAt: task.CreatedAt ?? null,
      ip: taskIp(task),
    });
  }
  return result;
}
