import { facts, recentEvents } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import { joinId } from "@/lib/model/ids";
import type { NodeCore, Resources, Service, TaskCore, TaskState, Volume, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import { mountModes, mountStatus, ordinalRange } from "../volumes";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadJobSummary,
  NomadNode,
  NomadServiceRegistration,
  NomadTaskEvent,
  NomadTaskGroupSummary,
  NomadTaskState,
} from "./raw";
import { goTimeToIso, mbToBytes, mhzPerCore, mhzToMillis, nanosToIso } from "./units";

/** Pure mappers from Nomad's JSON to the neutral model. */

export const WORKLOAD_KIND = "NomadTaskGroup";
/** Used to convert MHz when a task's node is not known (queued work): a common core speed. */
export const FALLBACK_MHZ_PER_CORE = 2000;

export const SYSTEM_NOT_SCALABLE =
  "A system job runs one allocation per eligible client; its count follows the clients, not a number you set.";
export const SYSBATCH_NOT_SCALABLE = "A sysbatch job runs one allocation per eligible client to completion; its count follows the clients.";

/**
 * joinId(namespace, job, group), made to fit the model's URL-safe id alphabet:
 * job IDs of periodic and dispatched children hold a "/" that joinId
 * percent-encodes. Those become "_2F"; such ids are resolved through the
 * adapter's cache, never split back.
 */
export function workloadIdOf(namespace: string | null | undefined, jobId: string, group: string): string {
  return joinId(namespace || "default", jobId, group).replace(/%/g, "_");
}

/** Node attributes too long or too volatile to be useful as labels. */
const SKIPPED_ATTRIBUTES = new Set(["os.signals", "unique.storage.bytesfree"]);

export function mapNode(raw: NomadNode): { node: NodeCore; mhzPerCore: number | null } {
  const attributes = raw.Attributes ?? {};
  const perCore = mhzPerCore(attributes, raw.NodeResources?.Cpu?.CpuShares, raw.NodeResources?.Cpu?.TotalCpuCores);
  const toMillis = (mhz: number | null | undefined) => mhzToMillis(mhz, perCore ?? FALLBACK_MHZ_PER_CORE);

  const capacity: Resources = {
    cpuMillis: toMillis(raw.NodeResources?.Cpu?.CpuShares),
    memoryBytes: mbToBytes(raw.NodeResources?.Memory?.MemoryMB),
  };
  const allocatable: Resources = {
    cpuMillis: Math.max(0, capacity.cpuMillis - toMillis(raw.ReservedResources?.Cpu?.CpuShares)),
    memoryBytes: Math.max(0, capacity.memoryBytes - mbToBytes(raw.ReservedResources?.Memory?.MemoryMB)),
  };

  const labels: Record<string, string> = {};
  // Named as Nomad's own constraint interpolation does: ${node.datacenter}, ${attr.cpu.arch}, ${meta.rack}.
  if (raw.Datacenter) labels["node.datacenter"] = raw.Datacenter;
  if (raw.NodeClass) labels["node.class"] = raw.NodeClass;
  if (raw.NodePool) labels["node.pool"] = raw.NodePool;
  for (const [k, v] of Object.entries(attributes)) if (!SKIPPED_ATTRIBUTES.has(k)) labels[`attr.${k}`] = v;
  for (const [k, v] of Object.entries(raw.Meta ?? {})) labels[`meta.${k}`] = v;

  const draining = Boolean(raw.Drain || raw.DrainStrategy);
  const eligible = (raw.SchedulingEligibility ?? "eligible") === "eligible";
  const status: NodeCore["status"] =
    raw.Status === "ready" ? "ready" : raw.Status === "down" || raw.Status === "initializing" ? "not-ready" : "unknown";
  const reasons = [
    raw.Status !== "ready" ? `${raw.Status}${raw.StatusDescription ? `: ${raw.StatusDescription}` : ""}` : null,
    draining ? "draining" : null,
    !eligible ? "ineligible for scheduling" : null,
  ].filter(Boolean);

  const info: Record<string, string> = {};
  const put = (key: string, value: string | null | undefined) => {
    if (value) info[key] = value;
  };
  put("datacenter", raw.Datacenter);
  put("nodeClass", raw.NodeClass);
  put("nodePool", raw.NodePool);
  put("address", raw.HTTPAddr ?? raw.Address);
  put("nomadVersion", attributes["nomad.version"] ?? raw.Version);
  put("os", [attributes["os.name"], attributes["os.version"]].filter(Boolean).join(" "));
  put("kernel", attributes["kernel.version"]);
  put("cpu", attributes["cpu.modelname"]);
  put("cpuCores", attributes["cpu.numcores"]);
  put("cpuMhzPerCore", perCore ? String(Math.round(perCore)) : null);
  put("eligibility", raw.SchedulingEligibility);
  put("drain", draining ? "true" : "false");
  const drivers = Object.entries(raw.Drivers ?? {})
    .filter(([, d]) => d.Detected && d.Healthy)
    .map(([name]) => name)
    .sort();
  put("drivers", drivers.join(", "));

  return {
    node: {
      id: raw.ID,
      name: raw.Name,
      status,
      statusReason: reasons.length ? reasons.join("; ") : null,
      schedulable: status === "ready" && eligible && !draining,
      roles: ["client"],
      labels,
      capacity,
      allocatable,
      createdAt: goTimeToIso(raw.Events?.[0]?.Timestamp),
      info,
      ...withProblems(nodeProblems(raw)),
    },
    mhzPerCore: perCore,
  };
}

/**
 * A driver the client detected but reports unhealthy (the docker daemon
 * down, say): the node is ready, yet nothing that needs the driver is placed
 * there. Down, draining and ineligible are the node's status already.
 */
export function nodeProblems(raw: NomadNode): Problem[] {
  return Object.entries(raw.Drivers ?? {})
    .filter(([, d]) => d.Detected && d.Healthy === false)
    .map(([name, d]) =>
      problem("warning", "Driver unhealthy", `driver ${name}: ${d.HealthDescription || "unhealthy"}`, goTimeToIso(d.UpdateTime)),
    );
}

function notScalableReason(job: NomadJob): string | null {
  if (job.Type === "system") return SYSTEM_NOT_SCALABLE;
  if (job.Type === "sysbatch") return SYSBATCH_NOT_SCALABLE;
  if (job.Periodic && job.Periodic.Enabled !== false) {
    const spec = job.Periodic.Spec ?? job.Periodic.Specs?.join(", ") ?? "";
    return `A periodic job launches a child batch job on its schedule (${spec}); its groups are not scaled in place.`;
  }
  if (job.ParameterizedJob) return "A parameterized job runs only when dispatched; it has no count to scale.";
  if (job.Type === "batch")
    return `A batch job runs to completion (status: ${job.Status ?? "unknown"}); rescaling it would start new work.`;
  if (job.Stop) return "The job is stopped; start it again before scaling.";
  return null;
}

function groupImages(group: NonNullable<NomadJob["TaskGroups"]>[number]): string[] {
  const images: string[] = [];
  for (const task of group.Tasks ?? []) {
    const config: { image?: unknown; command?: unknown } = task.Config ?? {};
    const image = typeof config.image === "string" ? config.image : null;
    const command = typeof config.command === "string" ? config.command : null;
    images.push(image ?? (command ? `${task.Driver ?? "exec"}:${command}` : (task.Driver ?? task.Name)));
  }
  return [...new Set(images)];
}

/** A Kubernetes label value, which the server's selectors accept. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A count Nomad reports, as a whole number from 0 (absent is 0). */
export const count = (n: number | null | undefined) => Math.max(0, Math.trunc(n ?? 0));

/** "3 nodes", "1 node". */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** What the adapter knows of a job beside its spec and summary. */
export interface JobContext {
  /** The latest blocked evaluation: why queued allocations wait. */
  blocked?: NomadEvaluation;
  /** Recent events of the job's allocations, by workload id (see allocationEvents). */
  allocationEvents?: ReadonlyMap<string, readonly WorkloadEvent[]>;
  /** The job's latest deployment: how its current version rolled out. */
  deployment?: NomadDeployment;
}

function jobInfo(job: NomadJob, group: NonNullable<NomadJob["TaskGroups"]>[number], s: NomadTaskGroupSummary): Record<string, string> {
  const perSystem = job.Type === "system" || job.Type === "sysbatch";
  const periodic = job.Periodic && job.Periodic.Enabled !== false ? (job.Periodic.Spec ?? job.Periodic.Specs?.join(", ") ?? "yes") : null;
  // The job summary's counts on one line; the rare ones only when there are any.
  const allocations = [
    `${count(s.Running)} running`,
    count(s.Starting) ? `${count(s.Starting)} starting` : null,
    `${count(s.Queued)} queued`,
    `${count(s.Failed)} failed`,
    count(s.Lost) ? `${count(s.Lost)} lost` : null,
    count(s.Complete) ? `${count(s.Complete)} complete` : null,
  ].filter(Boolean);
  return facts([
    ["Job type", job.Type],
    ["Job status", job.Status ? `${job.Status}${job.StatusDescription ? ` (${job.StatusDescription})` : ""}` : null],
    ["Periodic", periodic],
    ["Parameterized", job.ParameterizedJob ? "yes: runs when dispatched" : null],
    ["Parent job", job.ParentID],
    ["Datacenters", job.Datacenters?.join(", ")],
    ["Group count", perSystem ? null : count(group.Count)],
    ["Allocations", allocations.join(", ")],
  ]);
}

/** The placement failure of a group with queued allocations, as a warning event. */
function placementEvent(job: NomadJob, group: string, queued: number, blocked: NomadEvaluation | undefined): WorkloadEvent | null {
  const why = placementFailure(blocked, group);
  if (!why || queued <= 0) return null;
  return {
    at: nanosToIso(blocked?.ModifyTime ?? blocked?.CreateTime),
    level: "warning",
    message: `Placement failed for ${plural(queued, "allocation")}: ${why}`,
  };
}

/**
 * What is wrong with a group as a whole: allocations the scheduler cannot
 * place (queued, with a blocked evaluation that says why), and a rollout of
 * the job's latest version that failed, on the groups it left short (on all
 * of them when none is short, as when an operator failed it).
 */
export function groupProblems(group: string, queued: number, context: JobContext): Problem[] {
  const out: Problem[] = [];
  const why = placementFailure(context.blocked, group);
  if (why && queued > 0) {
    out.push(
      problem("critical", "Cannot be placed", `${plural(queued, "allocation")} queued: ${why}`, nanosToIso(context.blocked?.CreateTime)),
    );
  }
  const d = context.deployment;
  const state = d?.TaskGroups?.[group];
  if (d?.Status === "failed" && state) {
    const short = (s: { HealthyAllocs?: number | null; DesiredTotal?: number | null }) => count(s.HealthyAllocs) < count(s.DesiredTotal);
    if (short(state) || !Object.values(d.TaskGroups ?? {}).some(short)) {
      const figures = `${count(state.HealthyAllocs)} of ${count(state.DesiredTotal)} healthy, ${count(state.UnhealthyAllocs)} unhealthy`;
      const said = `${d.StatusDescription || "failed"} (${figures})`;
      const evidence = `deployment ${d.ID.slice(0, 8)} of job version ${d.JobVersion ?? "unknown"}: ${said}`;
      out.push(problem("critical", "Rollout failed", evidence, nanosToIso(d.ModifyTime)));
    }
  }
  return out;
}

/**
 * A group's volumes, by name: what it asks of the clients (a host volume) or
 * the CSI plugin (a volume, or one per allocation, Source[0], Source[1], ...
 * for a per_alloc one), how its tasks mount it, and whether one runs.
 */
export function groupVolumes(group: NonNullable<NomadJob["TaskGroups"]>[number], groupCount: number, running: boolean): Volume[] {
  const mounts = (group.Tasks ?? []).flatMap((t) => t.VolumeMounts ?? []);
  return Object.entries(group.Volumes ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, v]) => {
      const readOnly = mounts.filter((m) => m.Volume === name).map((m) => Boolean(v.ReadOnly || m.ReadOnly));
      const range = ordinalRange(groupCount);
      return {
        name,
        type: v.Type || "host",
        claim: !v.Source ? null : v.PerAlloc ? (range === null ? null : `${v.Source}[${range}]`) : v.Source,
        capacityBytes: null,
        accessModes: v.AccessMode ? [v.AccessMode] : mountModes(readOnly.length ? readOnly : [v.ReadOnly]),
        status: mountStatus(running),
      };
    });
}

/** One workload per task group of a job; readiness from the job summary. */
export function mapJob(job: NomadJob, summary: NomadJobSummary | null | undefined, context: JobContext = {}): WorkloadCore[] {
  const namespace = job.Namespace || "default";
  const reason = notScalableReason(job);
  const perSystem = job.Type === "system" || job.Type === "sysbatch";
  return (job.TaskGroups ?? []).map((group) => {
    const s: NomadTaskGroupSummary = summary?.Summary?.[group.Name] ?? {};
    const desired = job.Stop
      ? 0
      : perSystem
        ? count(s.Running) + count(s.Starting) + count(s.Queued) + count(s.Unknown)
        : count(group.Count);
    const scaling = group.Scaling;
    const autoscaled = Boolean(scaling && scaling.Enabled !== false && scaling.Policy && Object.keys(scaling.Policy).length);
    const id = workloadIdOf(namespace, job.ID, group.Name);
    const placement = placementEvent(job, group.Name, count(s.Queued), context.blocked);
    return {
      id,
      name: `${job.ID}.${group.Name}`,
      namespace,
      kind: WORKLOAD_KIND,
      labels: {
        ...(job.Meta ?? {}),
        ...(group.Meta ?? {}),
        "nomad/job": job.ID,
        "nomad/group": group.Name,
      },
      images: groupImages(group),
      desired,
      ready: count(s.Running),
      scalable: reason === null,
      notScalableReason: reason,
      autoscaler:
        autoscaled && scaling
          ? { name: "nomad-autoscaler policy", minReplicas: scaling.Min ?? null, maxReplicas: count(scaling.Max) }
          : null,
      createdAt: nanosToIso(job.SubmitTime),
      // Only when both names are valid label values (a periodic child's ID has a "/").
      selector: LABEL_VALUE.test(job.ID) && LABEL_VALUE.test(group.Name) ? `nomad/job=${job.ID},nomad/group=${group.Name}` : null,
      info: jobInfo(job, group, s),
      events: recentEvents([...(placement ? [placement] : []), ...(context.allocationEvents?.get(id) ?? [])]),
      volumes: groupVolumes(group, count(group.Count), count(s.Running) > 0),
      ...withProblems(groupProblems(group.Name, count(s.Queued), context)),
    };
  });
}

/** Task events that ask for attention: the task died, restarts, or could not start. */
export const WARNING_TASK_EVENTS: ReadonlySet<string> = new Set([
  "Terminated",
  "Restarting",
  "Not Restarting",
  "Driver Failure",
  "Failed Validation",
  "Setup Failure",
  "Failed Artifact Download",
  "Task hook failed",
  "Sibling Task Failed",
  "Alloc Unhealthy",
]);

/**
 * What went wrong in one allocation, as warning events of its workload: the
 * task events above, and the allocation itself when it is lost or failed
 * without a task event that says why. Newest first, bounded.
 */
export function allocationEvents(alloc: NomadAllocation): WorkloadEvent[] {
  const events: WorkloadEvent[] = [];
  for (const [task, state] of Object.entries(alloc.TaskStates ?? {})) {
    let killing = false;
    for (const ev of [...(state.Events ?? [])].sort((a, b) => (a.Time ?? 0) - (b.Time ?? 0))) {
      // A task stopped on purpose (a job update, a scale-in) also ends in "Terminated": not a fault.
      if (ev.Type === "Killing") killing = true;
      if (ev.Type === "Started") killing = false;
      if (!ev.Type || !WARNING_TASK_EVENTS.has(ev.Type) || (ev.Type === "Terminated" && killing)) continue;
      const message = ev.DisplayMessage || ev.Type;
      events.push({ at: nanosToIso(ev.Time), level: "warning", message: `${alloc.Name} (${task}): ${message}` });
    }
  }
  if (alloc.ClientStatus === "lost") {
    events.push({
      at: nanosToIso(alloc.ModifyTime),
      level: "warning",
      message: `${alloc.Name} lost${alloc.ClientDescription ? `: ${alloc.ClientDescription}` : ": its node stopped answering"}`,
    });
  } else if (alloc.ClientStatus === "failed" && events.length === 0) {
    events.push({
      at: nanosToIso(alloc.ModifyTime),
      level: "warning",
      message: `${alloc.Name} failed${alloc.ClientDescription ? `: ${alloc.ClientDescription}` : ""}`,
    });
  }
  return recentEvents(events);
}

// ---------------------------------------------------------------- health of allocations

/** Failures this close together (three runs in ten minutes) are a crash loop, even while the task is briefly up between them. */
const CRASH_LOOP_FAILURES = 3;
const CRASH_LOOP_WINDOW_NS = 10 * 60 * 1e9;

/** Task events of a start that failed: the driver could not start the task, or its setup, validation, artifact or a hook failed. */
const START_FAILURES = new Set([
  "Driver Failure",
  "Setup Failure",
  "Failed Validation",
  "Failed Artifact Download",
  "Task hook failed",
  "Failed Restoring Task",
]);

export const byTime = (events: readonly NomadTaskEvent[] | null | undefined) =>
  [...(events ?? [])].sort((a, b) => (a.Time ?? 0) - (b.Time ?? 0));

export const oomKilled = (ev: NomadTaskEvent) => ev.Details?.oom_killed === "true" || /\bOOM Killed\b/.test(ev.DisplayMessage ?? "");

/** A Terminated event's exit code: Details.exit_code, or "Exit Code: N" in the message (servers before Details); null when neither says. */
export function exitCode(ev: NomadTaskEvent): number | null {
  const raw = ev.Details?.exit_code ?? /Exit Code: (-?\d+)/.exec(ev.DisplayMessage ?? "")?.[1];
  const n = raw === undefined ? NaN : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? n : null;
}

/**
 * The failures of a task, oldest first: runs that ended in an OOM kill or a
 * non-zero exit (not one that followed a stop asked for: a job update or a
 * scale-in also ends in "Terminated"), and starts that failed.
 */
function taskFailures(state: NomadTaskState): NomadTaskEvent[] {
  const out: NomadTaskEvent[] = [];
  let killing = false;
  for (const ev of byTime(state.Events)) {
    if (ev.Type === "Killing") killing = true;
    else if (ev.Type === "Started") killing = false;
    else if (ev.Type === "Terminated" && !killing && (oomKilled(ev) || (exitCode(ev) ?? 0) !== 0)) out.push(ev);
    else if (ev.Type && START_FAILURES.has(ev.Type)) out.push(ev);
  }
  return out;
}

/** What a failure event says went wrong, in the words every orchestrator's problems share. */
function failureReason(ev: NomadTaskEvent): string {
  if (ev.Type === "Terminated") return oomKilled(ev) ? "Out of memory" : "Container failed";
  // The docker driver says "Failed to pull `image`: ..."; podman and containerd name the image too.
  if (ev.Type === "Driver Failure" && /\b(pull|image)\b/i.test(ev.DisplayMessage ?? "")) return "Image cannot be pulled";
  return "Container cannot start";
}

/** How an allocation stands for its problems: meant to run now, or ended. */
interface AllocStanding {
  /** Pending or running, and meant to run. */
  live: boolean;
  /** Ended, but its work is not done by another allocation: a failed or lost service or system allocation not replaced yet. */
  unreplaced: boolean;
  /** Replaced by a newer allocation, or stopped on purpose: its failure is history. */
  superseded: boolean;
}

function standing(alloc: NomadAllocation): AllocStanding {
  const meantToRun = (alloc.DesiredStatus ?? "run") === "run";
  // The scheduler marks a lost allocation "stop" itself; only a replacement settles it.
  const superseded = Boolean(alloc.NextAllocation) || (!meantToRun && alloc.ClientStatus !== "lost");
  // A batch allocation that failed for good is the outcome of a run, not something that still holds.
  const longRunning = alloc.JobType !== "batch" && alloc.JobType !== "sysbatch";
  return {
    live: meantToRun && (alloc.ClientStatus === "pending" || alloc.ClientStatus === "running"),
    unreplaced: !superseded && longRunning,
    superseded,
  };
}

/**
 * A problem of an allocation that ended: critical and holding while its work
 * is undone; history once it was replaced or stopped on purpose (a warning),
 * or when it was a batch run (critical for the hour after).
 */
function endedProblem(at: AllocStanding, reason: string, evidence: string, since: string | null): Problem {
  if (at.unreplaced) return problem("critical", reason, evidence, since);
  return problem(at.superseded ? "warning" : "critical", reason, evidence, since, false);
}

/**
 * One task's latest failure as a problem. While the allocation lives and the
 * task is down (waiting out its restart delay, or never started) it is
 * critical and holds; a run that ended badly and is being restarted is a
 * crash loop. Once the task runs again it is a past warning, unless the
 * failures come close together (a crash loop between short runs). In an
 * allocation that failed, it holds until a replacement takes over.
 */
function taskProblem(name: string, state: NomadTaskState, at: AllocStanding): Problem | null {
  const failures = taskFailures(state);
  const last = failures.at(-1);
  if (!last) return null;
  const lastNs = last.Time ?? 0;
  const looping = failures.filter((f) => lastNs - (f.Time ?? 0) <= CRASH_LOOP_WINDOW_NS).length >= CRASH_LOOP_FAILURES;
  const down = state.State !== "running";
  let reason = failureReason(last);
  const exited = reason === "Container failed" || reason === "Out of memory";
  if (exited && (looping || (at.live && down))) reason = "Crash loop";

  // What the task runner said next: "Task restarting in 15.3s", or why it gave up.
  const next = byTime(state.Events).find((e) => (e.Time ?? 0) >= lastNs && (e.Type === "Restarting" || e.Type === "Not Restarting"));
  const restarts = count(state.Restarts);
  const evidence = [
    `task ${name}: ${last.DisplayMessage || last.Type}`,
    next?.DisplayMessage ? `; ${next.DisplayMessage}` : "",
    restarts ? ` (${plural(restarts, "restart")})` : "",
  ].join("");
  const since = nanosToIso(last.Time);

  if (!at.live) return endedProblem(at, reason, evidence, since);
  if (down) return problem("critical", reason, evidence, since);
  return problem(looping ? "critical" : "warning", reason, evidence, since, false);
}

/** The "Alloc Unhealthy" event's words: why the deployment marked the allocation unhealthy. */
function unhealthyMessage(alloc: NomadAllocation): string | null {
  const events = Object.values(alloc.TaskStates ?? {}).flatMap((s) => s.Events ?? []);
  return byTime(events).findLast((e) => e.Type === "Alloc Unhealthy")?.DisplayMessage || null;
}

/**
 * What is wrong with an allocation: each task's latest failure (see
 * taskProblem); a lost one (its node went down or stopped answering); one
 * that failed without a task that says why; one its deployment marked
 * unhealthy while its tasks run (failing checks, or not up for the minimum
 * healthy time by the deadline). Allocations stopped on purpose have none.
 */
export function allocationProblems(alloc: NomadAllocation): Problem[] {
  const at = standing(alloc);
  if (!at.live && alloc.ClientStatus !== "failed" && alloc.ClientStatus !== "lost") return [];
  const since = nanosToIso(alloc.ModifyTime);
  if (alloc.ClientStatus === "lost") {
    const why = alloc.ClientDescription || "its node stopped answering";
    return [endedProblem(at, "Node lost", `lost on node ${alloc.NodeName || alloc.NodeID || "unknown"}: ${why}`, since)];
  }
  const out = Object.entries(alloc.TaskStates ?? {})
    .map(([name, state]) => taskProblem(name, state, at))
    .filter((p): p is Problem => p !== null);
  if (out.length) return out;
  if (alloc.ClientStatus === "failed")
    return [endedProblem(at, "Container failed", `failed: ${alloc.ClientDescription || "no task says why"}`, since)];
  if (at.live && alloc.DeploymentStatus?.Healthy === false) {
    const said = unhealthyMessage(alloc) ?? "marked unhealthy by its deployment";
    const reason = /\b(check|service)s?\b/i.test(said) ? "Failing health check" : "Not healthy by deadline";
    return [problem("critical", reason, said, goTimeToIso(alloc.DeploymentStatus.Timestamp))];
  }
  return [];
}

const CLIENT_STATES: Record<string, TaskState> = {
  pending: "pending",
  running: "running",
  complete: "succeeded",
  failed: "failed",
  lost: "failed",
  unknown: "unknown",
};

function lastTaskEvent(alloc: NomadAllocation): string | null {
  let latest: { time: number; message: string } | null = null;
  for (const state of Object.values(alloc.TaskStates ?? {})) {
    for (const ev of state.Events ?? []) {
      const message = ev.DisplayMessage || ev.Type;
      if (message && (!latest || (ev.Time ?? 0) >= latest.time)) latest = { time: ev.Time ?? 0, message };
    }
  }
  return latest?.message ?? null;
}

/**
 * An allocation as a task. `perCoreOf` gives the MHz per core of a node, to
 * convert the allocation's reserved MHz to millicores.
 */
export function mapAllocation(alloc: NomadAllocation, perCoreOf: (nodeId: string | null) => number): TaskCore {
  const namespace = alloc.Namespace || "default";
  const state = CLIENT_STATES[alloc.ClientStatus] ?? "unknown";
  const stopping = alloc.DesiredStatus && alloc.DesiredStatus !== "run" && state === "running";
  const event = lastTaskEvent(alloc);
  let stateReason: string | null;
  if (stopping) stateReason = `Stopping (desired ${alloc.DesiredStatus}${alloc.DesiredDescription ? `: ${alloc.DesiredDescription}` : ""})`;
  else if (alloc.ClientStatus === "lost")
    stateReason = `Lost${alloc.ClientDescription ? `: ${alloc.ClientDescription}` : ": its node stopped answering"}`;
  else if (state === "running") stateReason = null;
  else stateReason = alloc.ClientDescription || event || null;

  const taskStates = Object.values(alloc.TaskStates ?? {});
  const restarts = taskStates.reduce((sum, t) => sum + count(t.Restarts), 0);
  const started = taskStates
    .map((t) => goTimeToIso(t.StartedAt))
    .filter((t): t is string => t !== null)
    .sort();

  const perCore = perCoreOf(alloc.NodeID ?? null);
  // A task given whole cores holds exactly that many (ReservedCores); its CpuShares are their MHz.
  let cpuMhz = 0;
  let cores = 0;
  let memoryMb = 0;
  // Caps: memory_max where set (MemoryMaxMB), else `memory` itself, which the isolating drivers enforce;
  // CPU MHz are only shares, so CPU is capped only when every task is pinned to whole cores.
  let memoryMaxMb = 0;
  let allPinned = true;
  const allocated = Object.values(alloc.AllocatedResources?.Tasks ?? {});
  for (const t of allocated) {
    const reserved = t.Cpu?.ReservedCores?.length ?? 0;
    if (reserved > 0) cores += reserved;
    else {
      cpuMhz += t.Cpu?.CpuShares ?? 0;
      allPinned = false;
    }
    memoryMb += t.Memory?.MemoryMB ?? 0;
    memoryMaxMb += Math.max(t.Memory?.MemoryMaxMB ?? 0, t.Memory?.MemoryMB ?? 0);
  }
  const shared = alloc.AllocatedResources?.Shared;
  const ip = shared?.Networks?.find((n) => n.IP)?.IP ?? shared?.Ports?.find((p) => p.HostIP)?.HostIP ?? null;

  return {
    id: alloc.ID,
    name: alloc.Name,
    namespace,
    workloadId: workloadIdOf(namespace, alloc.JobID, alloc.TaskGroup),
    node: alloc.NodeID || null,
    state,
    stateReason,
    ready: state === "running" && !stopping && taskStates.every((t) => t.State === "running"),
    restarts,
    labels: { "nomad/job": alloc.JobID, "nomad/group": alloc.TaskGroup, "nomad/desired": alloc.DesiredStatus ?? "run" },
    requests: { cpuMillis: mhzToMillis(cpuMhz, perCore) + cores * 1000, memoryBytes: mbToBytes(memoryMb) },
    ...(allocated.length
      ? { limits: { cpuMillis: allPinned ? cores * 1000 : null, memoryBytes: memoryMaxMb > 0 ? mbToBytes(memoryMaxMb) : null } }
      : {}),
    startedAt: started[0] ?? null,
    createdAt: nanosToIso(alloc.CreateTime),
    ip,
    ...withProblems(allocationProblems(alloc)),
  };
}

/**
 * The evaluation that says why a job's queued allocations wait: the latest
 * one with placement failures (FailedTGAllocs) that is blocked itself (Nomad
 * 1.2 and later copy the failures onto the blocked evaluation) or whose
 * BlockedEval is still blocked (older servers keep them on the evaluation
 * that created it).
 */
export function latestPlacementFailure(evaluations: readonly NomadEvaluation[]): NomadEvaluation | undefined {
  const blocked = new Set(evaluations.filter((e) => e.Status === "blocked").map((e) => e.ID));
  return evaluations
    .filter(
      (e) =>
        e.FailedTGAllocs &&
        Object.keys(e.FailedTGAllocs).length > 0 &&
        (blocked.has(e.ID) || (e.BlockedEval && blocked.has(e.BlockedEval))),
    )
    .sort((a, b) => (b.CreateIndex ?? 0) - (a.CreateIndex ?? 0))[0];
}

/** Why the scheduler could not place a group, from its latest blocked evaluation, in words like Nomad's CLI. */
export function placementFailure(evaluation: NomadEvaluation | undefined, group: string): string | null {
  const failed = evaluation?.FailedTGAllocs?.[group];
  if (!failed) return null;
  const parts: string[] = [];
  for (const [dimension, n] of Object.entries(failed.DimensionExhausted ?? {}))
    parts.push(`${dimension} exhausted on ${plural(n, "node")}`);
  for (const [constraint, n] of Object.entries(failed.ConstraintFiltered ?? {}))
    parts.push(`constraint ${constraint} filtered ${plural(n, "node")}`);
  if (!parts.length && failed.NodesEvaluated === 0) parts.push("no eligible nodes");
  return `${parts.join("; ") || "resources exhausted"} (${plural(count(failed.NodesEvaluated), "node")} evaluated)`;
}

/**
 * Nomad does not create allocations it cannot place: they are "Queued" in the
 * job summary with the reason on a blocked evaluation. These stand in for
 * them as pending tasks so the dashboard shows what is waiting and why.
 */
export function queuedTasks(job: NomadJob, summary: NomadJobSummary | null | undefined, blocked: NomadEvaluation | undefined): TaskCore[] {
  const namespace = job.Namespace || "default";
  const out: TaskCore[] = [];
  for (const group of job.TaskGroups ?? []) {
    const queued = count(summary?.Summary?.[group.Name]?.Queued);
    if (!queued) continue;
    const why = placementFailure(blocked, group.Name);
    let cpuMhz = 0;
    let cores = 0;
    let memoryMb = 0;
    for (const t of group.Tasks ?? []) {
      if ((t.Resources?.Cores ?? 0) > 0) cores += t.Resources?.Cores ?? 0;
      else cpuMhz += t.Resources?.CPU ?? 0;
      memoryMb += t.Resources?.MemoryMB ?? 0;
    }
    for (let i = 0; i < queued; i++) {
      out.push({
        id: queuedTaskId(namespace, job.ID, group.Name, i),
        name: `${job.ID}.${group.Name} (queued ${i + 1} of ${queued})`,
        namespace,
        workloadId: workloadIdOf(namespace, job.ID, group.Name),
        node: null,
        state: "pending",
        stateReason: `Queued: ${why ?? "waiting for the scheduler to place it"}`,
        ready: false,
        restarts: 0,
        labels: { "nomad/job": job.ID, "nomad/group": group.Name, "nomad/queued": "true" },
        requests: { cpuMillis: mhzToMillis(cpuMhz, FALLBACK_MHZ_PER_CORE) + cores * 1000, memoryBytes: mbToBytes(memoryMb) },
        startedAt: null,
        createdAt: null,
        ip: null,
      });
    }
  }
  return out;
}

export function queuedTaskId(namespace: string, jobId: string, group: string, i: number): string {
  return joinId(namespace, jobId, group, "queued", String(i)).replace(/%/g, "_");
}

export function isQueuedTaskId(id: string): boolean {
  return id.includes("~queued~");
}

/** A Nomad-native service: its registrations (one per allocation and port) as endpoints. */
export function mapNativeService(namespace: string, name: string, registrations: NomadServiceRegistration[]): Service {
  const ports = [...new Set(registrations.map((r) => r.Port).filter((p): p is number => typeof p === "number" && p > 0))].sort(
    (a, b) => a - b,
  );
  const jobs = [...new Set(registrations.map((r) => r.JobID).filter(Boolean))];
  const tags = [...new Set(registrations.flatMap((r) => r.Tags ?? []))];
  return {
    id: joinId("nomad", namespace, name),
    name,
    namespace,
    type: "nomad",
    clusterIp: null,
    headless: true,
    ports: ports.map((port) => ({ name: null, port, targetPort: null, protocol: "TCP", nodePort: null })),
    selector: jobs.length === 1 ? { "nomad/job": jobs[0] as string } : {},
    labels: { "nomad/provider": "nomad", ...(tags.length ? { "nomad/tags": tags.join(",") } : {}) },
    readyEndpoints: registrations.length,
    totalEndpoints: registrations.length,
    createdAt: null,
  };
}

/**
 * Consul services a job declares. Nomad does not report their health or
 * endpoints (Consul does), so those stay null rather than a made-up zero.
 */
export function consulServicesOfJob(job: NomadJob): Service[] {
  const namespace = job.Namespace || "default";
  const out = new Map<string, Service>();
  for (const group of job.TaskGroups ?? []) {
    const staticPorts = new Map<string, number>();
    for (const net of group.Networks ?? []) {
      for (const p of net.ReservedPorts ?? []) if (p.Value) staticPorts.set(p.Label, p.Value);
    }
    const specs = [...(group.Services ?? []), ...(group.Tasks ?? []).flatMap((t) => t.Services ?? [])];
    for (const spec of specs) {
      if ((spec.Provider || "consul") !== "consul") continue;
      const id = joinId("consul", namespace, spec.Name);
      const port = spec.PortLabel ? (staticPorts.get(spec.PortLabel) ?? Number.parseInt(spec.PortLabel, 10)) : NaN;
      out.set(id, {
        id,
        name: spec.Name,
        namespace,
        type: "consul",
        clusterIp: null,
        headless: true,
        ports: Number.isFinite(port) ? [{ name: spec.PortLabel ?? null, port, targetPort: null, protocol: "TCP", nodePort: null }] : [],
        selector: { "nomad/job": job.ID, "nomad/group": group.Name },
        labels: { "nomad/provider": "consul", ...(spec.Tags?.length ? { "nomad/tags": spec.Tags.join(",") } : {}) },
        readyEndpoints: null,
        totalEndpoints: null,
        createdAt: null,
      });
    }
  }
  return [...out.values()];
}
