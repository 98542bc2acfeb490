import { isDeepStrictEqual } from "node:util";
import { facts, recentEvents } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import type { Limits, NodeCore, Resources, Service, TaskCore, TaskState, Volume, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import { mountModes, mountStatus } from "../volumes";
import type { RawSwarmMount, RawSwarmNode, RawSwarmService, RawSwarmTask } from "./raw";

/** Pure mappers from Swarm API answers to the neutral model. */

export const GLOBAL_NOT_SCALABLE =
  "A global service runs one task per eligible node; change the node set or its placement constraints instead.";
export const JOB_NOT_SCALABLE = "A Swarm job runs to completion; its task count is set when the job is created.";

export const SERVICE_ID_LABEL = "com.docker.swarm.service.id";
/** On the container that runs a swarm task: which task. */
export const TASK_ID_LABEL = "com.docker.swarm.task.id";
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
  return { at: updateTime(status), level: known.level, message };
}

/** When the update reached its state: its start while it runs, else its end (a paused one has none). */
function updateTime(status: NonNullable<RawSwarmService["UpdateStatus"]>): string | null {
  const at =
    status.State === "updating" || status.State === "rollback_started" ? status.StartedAt : (status.CompletedAt ?? status.StartedAt);
  return engineTime(at);
}

/** An engine timestamp, or null for Go's zero time ("0001-01-01T00:00:00Z"), which means never. */
export function engineTime(at: string | undefined): string | null {
  return at && !at.startsWith("0001-") ? at : null;
}

/**
 * An update that stopped half-way: paused on a failed task (until someone
 * acts: critical), rolling back, or rolled back to the previous spec (a
 * past event).
 */
export function updateProblem(status: RawSwarmService["UpdateStatus"]): Problem | null {
  if (!status?.State) return null;
  const evidence = status.Message || `update ${status.State.replace(/_/g, " ")}`;
  const at = updateTime(status);
  switch (status.State) {
    case "paused":
    case "rollback_paused":
      return problem("critical", "Rollout paused", evidence, at);
    case "rollback_started":
      return problem("warning", "Rollout failed", evidence, at);
    case "rollback_completed":
      return problem("warning", "Rollout rolled back", evidence, at, false);
    default:
      return null;
  }
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

/**
 * Workload of a service; `tasks` (current and history) back up the counts on
 * engines without ServiceStatus and give its events and the problems of
 * slots no current task carries (a slot whose restart policy gave up).
 */
export function mapSwarmService(service: RawSwarmService, tasks: readonly RawSwarmTask[] = [], now = Date.now()): WorkloadCore {
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
    volumes: (service.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? []).map((m) => mountVolume(m, running > 0)),
    ...withProblems([updateProblem(update), ...abandonedSlotProblems(service, tasks, now)]),
  };
}

/**
 * A service spec's mount, named by where it is mounted: a named volume (the
 * same name on every node its tasks run on) or a bind's host path is what
 * holds the data; an anonymous volume or a tmpfs is each task's own.
 */
export function mountVolume(m: RawSwarmMount, running: boolean): Volume {
  const type = m.Type ?? "volume";
  return {
    name: m.Target,
    type,
    claim: type === "tmpfs" || !m.Source ? null : m.Source,
    capacityBytes: capOrNull(m.TmpfsOptions?.SizeBytes),
    accessModes: mountModes([m.ReadOnly]),
    status: mountStatus(running),
  };
}

/** The problems of the service's slots without a current task (scaled away, or given up by the restart policy). */
function abandonedSlotProblems(service: RawSwarmService, tasks: readonly RawSwarmTask[], now: number): Problem[] {
  const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
  const slots = [...tasksBySlot(tasks.filter((t) => t.ServiceID === service.ID)).values()];
  return slots
    .filter((slot) => !slot.some(isCurrent))
    .flatMap((slot) => slotProblems(slot, service, now, (slot[0].Slot ?? 0) > 0 && slot[0].Slot! <= replicas));
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

/** The tasks of each slot, current and history (Swarm keeps TaskHistoryRetentionLimit of them, 5 by default), newest first. */
function tasksBySlot(tasks: readonly RawSwarmTask[]): Map<string, RawSwarmTask[]> {
  const slots = new Map<string, RawSwarmTask[]>();
  for (const task of tasks) {
    const key = slotKey(task);
    const list = slots.get(key);
    if (list) list.push(task);
    else slots.set(key, [task]);
  }
  for (const list of slots.values()) list.sort((a, b) => (b.CreatedAt ?? "").localeCompare(a.CreatedAt ?? ""));
  return slots;
}

/** A task up this long has recovered: its slot's earlier failures are history, not a crash loop. */
export const STEADY_RUN_MS = 60_000;
/** Failed runs in a row after which a slot is in a crash loop rather than having failed. */
export const CRASH_LOOP_FAILURES = 3;

/** How the engine says a task's image is missing or cannot be pulled. */
const IMAGE_ERROR =
  /no such image|pull access denied|manifest unknown|manifest for \S+ not found|repository does not exist|invalid reference format/i;

type Failure = "image" | "health" | "start" | "exit";
const FAILURE_REASONS: Record<Failure, string> = {
  image: "Image cannot be pulled",
  health: "Failing health check",
  start: "Container cannot start",
  exit: "Container failed",
};

/** How a task ended badly, from its Err; null when it did not fail. */
function failureOf(task: RawSwarmTask): Failure | null {
  const { State: state, Err: err = "" } = task.Status;
  if (state !== "failed" && state !== "rejected") return null;
  if (IMAGE_ERROR.test(err)) return "image";
  // Swarm kills a container whose health check fails: "task: non-zero exit (137): dockerexec: unhealthy container".
  if (err.includes("unhealthy container")) return "health";
  if (state === "rejected" || err.startsWith("starting container failed")) return "start";
  return "exit";
}

/** When the task reached its state (or was created). */
function taskTime(task: RawSwarmTask): string | null {
  return engineTime(task.Status.Timestamp) ?? engineTime(task.CreatedAt);
}

function runsSteadily(task: RawSwarmTask, now: number): boolean {
  return task.Status.State === "running" && now - Date.parse(task.Status.Timestamp ?? "") >= STEADY_RUN_MS;
}

/**
 * The task was made from the service's current spec. Tasks from before an
 * update (or from the spec a rollback left) say nothing about it: a service
 * updated to a good spec is well again at once.
 */
function ofCurrentSpec(task: RawSwarmTask, service: RawSwarmService): boolean {
  const spec = task.Spec;
  const template = service.Spec.TaskTemplate;
  return (
    isDeepStrictEqual(spec?.ContainerSpec, template?.ContainerSpec) &&
    isDeepStrictEqual(spec?.Resources, template?.Resources) &&
    (spec?.ForceUpdate ?? 0) === (template?.ForceUpdate ?? 0)
  );
}

/**
 * What is wrong with one slot (tasks newest first), from its tasks of the
 * current spec: a current task no node can take, and the failures in a row
 * before it. Until the slot recovers (its current task runs for
 * STEADY_RUN_MS) these hold and are critical, CRASH_LOOP_FAILURES failed
 * runs being a crash loop; after that the last failure is a past warning.
 * A slot without a current task is one Swarm stopped restarting: its
 * failure holds while the slot is `wanted` (within the replica count).
 */
function slotProblems(slot: readonly RawSwarmTask[], service: RawSwarmService, now: number, wanted = false): Problem[] {
  const tasks = slot.filter((t) => ofCurrentSpec(t, service));
  const current = tasks.find(isCurrent);
  const problems: Problem[] = [];
  const placement = current?.Status.Err;
  if (current && mapTaskState(current.Status.State) === "pending" && placement?.startsWith("no suitable node")) {
    problems.push(problem("critical", "Cannot be placed", placement, taskTime(current)));
  }
  // A task that ended well, or was stopped, ends the run; the live current task is passed over.
  const run: RawSwarmTask[] = [];
  for (const task of tasks) {
    if (failureOf(task)) run.push(task);
    else if (task !== current) break;
  }
  if (!run.length) return problems;
  const last = run[0];
  const failure = failureOf(last)!;
  const otherFailure = run.findIndex((t) => failureOf(t) !== failure);
  const same = otherFailure === -1 ? run : run.slice(0, otherFailure);
  const said = last.Status.Err || `task ${last.Status.State}`;
  const times = same.length > 1 ? `, ${same.length} times in a row` : "";
  const since = taskTime(same[same.length - 1]);
  const restarting = current !== undefined;
  const holds = current ? !runsSteadily(current, now) : wanted;
  if (!holds || (restarting && failure === "exit" && same.length < CRASH_LOOP_FAILURES)) {
    problems.push(problem("warning", FAILURE_REASONS[failure], `${said}${holds ? times : ""}`, taskTime(last), false));
  } else if (restarting && failure === "exit") {
    problems.push(problem("critical", "Crash loop", `${said}${times}, restarting`, since));
  } else {
    problems.push(problem("critical", FAILURE_REASONS[failure], `${said}${times}${restarting ? "" : ", no longer restarted"}`, since));
  }
  return problems;
}

function taskIp(task: RawSwarmTask): string | null {
  const attachments = task.NetworksAttachments ?? [];
  const preferred =
    attachments.find((a) => !a.Network?.Spec?.Ingress && a.Addresses?.length) ?? attachments.find((a) => a.Addresses?.length);
  return preferred?.Addresses?.[0]?.replace(/\/\d+$/, "") ?? null;
}

/**
 * Current tasks as neutral tasks, each slot's problems on its newest one.
 * History (desired shutdown) only feeds the restart count of its slot, those
 * problems and, while a slot has no running task, the last error seen there;
 * it is not listed.
 */
export function mapSwarmTasks(tasks: readonly RawSwarmTask[], services: readonly RawSwarmService[], now = Date.now()): TaskCore[] {
  const byService = new Map(services.map((s) => [s.ID, s]));
  const slots = tasksBySlot(tasks);
  const result: TaskCore[] = [];
  for (const task of tasks) {
    if (!isCurrent(task)) continue;
    const service = byService.get(task.ServiceID);
    // A task whose service is gone is being removed; it has no workload to belong to.
    if (!service) continue;
    const slot = slots.get(slotKey(task))!;
    const created = task.CreatedAt ?? "";
    const earlier = slot.filter((t) => t !== task && (t.CreatedAt ?? "") < created);
    const state = mapTaskState(task.Status.State);
    const isGlobal = Boolean(service.Spec.Mode?.Global || service.Spec.Mode?.GlobalJob);
    let stateReason = task.Status.Err || (state === "running" ? null : task.Status.Message || null);
    if (state === "pending") {
      const lastFailure = earlier.find((t) => t.Status.Err);
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
      ...withProblems(slot.find(isCurrent) === task ? slotProblems(slot, service, now) : []),
    });
  }
  return result;
}
