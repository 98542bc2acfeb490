import { recentHistory } from "@/lib/model/events";
import type { Container, ContainerState, TaskDetail, TaskTransition } from "@/lib/model/types";
import { byTime, count, exitCode, oomKilled, WARNING_TASK_EVENTS } from "./mappers";
import type { NomadAllocationDetail, NomadTaskEvent, NomadTaskState } from "./raw";
import { goTimeToIso, nanosToIso } from "./units";

/**
 * An allocation read in full (GET /v1/allocation/:id) as a task's detail:
 * one container per task of its group, and the steps of its life from the
 * events its client recorded (the latest 10 of each task) and what its
 * servers recorded of it.
 */

const CONTAINER_STATES: Record<string, ContainerState> = { pending: "waiting", running: "running", dead: "exited" };

/** structs.AllocStateFieldClientStatus, the one field AllocStates records. */
const CLIENT_STATUS_FIELD = 0;

/** Client statuses after which the client reports no more: its tasks' last states may no longer hold. */
const UNREPORTED = new Set(["lost", "unknown"]);

/** ClientStatus values the servers record that ask for attention. */
const WARNING_CLIENT_STATUSES = new Set(["lost", "unknown", "failed"]);

/** The task's own events, oldest first: an "Alloc Unhealthy" one is the allocation's health, not a step of the task's run. */
const runEvents = (state: NomadTaskState) => byTime(state.Events).filter((e) => e.Type !== "Alloc Unhealthy");

/** The signal a run ended with: Details.signal, or "Signal: N" in the message (servers before Details); 0 or null when none. */
function signalOf(ev: NomadTaskEvent): number | null {
  const raw = ev.Details?.signal ?? /\bSignal: (\d+)/.exec(ev.DisplayMessage ?? "")?.[1];
  const n = raw === undefined ? NaN : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? n : null;
}

/** Why a run ended beside its exit code: an OOM kill, the driver's exit message, a signal; null when it just exited. */
function exitReason(ev: NomadTaskEvent): string | null {
  const message = ev.Details?.exit_message || /Exit Message: "((?:[^"\\]|\\.)*)"/.exec(ev.DisplayMessage ?? "")?.[1] || null;
  const signal = signalOf(ev);
  const parts = [oomKilled(ev) ? "OOM Killed" : message, signal ? `Signal: ${signal}` : null].filter(Boolean);
  return parts.length ? parts.join(", ") : null;
}

/**
 * How the task's last run ended: its last Terminated event. A task dead
 * without one (it never ran, or the events that said so were dropped) ends
 * as its last event says.
 */
function lastExit(state: NomadTaskState): Container["lastExit"] {
  const events = runEvents(state);
  const terminated = events.findLast((e) => e.Type === "Terminated");
  if (terminated) return { reason: exitReason(terminated), exitCode: exitCode(terminated), at: nanosToIso(terminated.Time) };
  if (state.State !== "dead") return null;
  const last = events.at(-1);
  return {
    reason: last?.DisplayMessage || last?.Type || null,
    exitCode: null,
    at: goTimeToIso(state.FinishedAt) ?? nanosToIso(last?.Time),
  };
}

/**
 * Whether the task passes its checks: the deployment's verdict on the
 * allocation (a task that does not run passes nothing), else an
 * "Alloc Unhealthy" event since the task last started; null when neither says.
 */
function taskReady(alloc: NomadAllocationDetail, state: NomadTaskState, containerState: ContainerState): boolean | null {
  const healthy = alloc.DeploymentStatus?.Healthy;
  if (typeof healthy === "boolean") return healthy && containerState === "running";
  const events = byTime(state.Events);
  const sinceStart = events.slice(events.findLastIndex((e) => e.Type === "Started") + 1);
  return sinceStart.some((e) => e.Type === "Alloc Unhealthy") ? false : null;
}

function taskContainer(alloc: NomadAllocationDetail, name: string, state: NomadTaskState | undefined, image: string | null): Container {
  const unreported = UNREPORTED.has(alloc.ClientStatus);
  const said = alloc.ClientDescription ? `: ${alloc.ClientDescription}` : "";
  if (!state) {
    // The client has not taken the allocation in yet (or never will, once lost).
    return {
      name,
      image,
      state: alloc.ClientStatus === "pending" ? "waiting" : "unknown",
      stateReason: `${alloc.ClientStatus}${said}`,
      ready: null,
      restarts: 0,
      startedAt: null,
      lastExit: null,
    };
  }
  const last = runEvents(state).at(-1);
  // A dead task stays dead; what else the client last said of a lost allocation may be long over.
  const stale = unreported && state.State !== "dead";
  const containerState: ContainerState = stale ? "unknown" : (CONTAINER_STATES[state.State ?? ""] ?? "unknown");
  return {
    name,
    image,
    state: containerState,
    stateReason: stale ? `allocation ${alloc.ClientStatus}${said}` : containerState === "running" ? null : last?.Type || null,
    ready: stale ? null : taskReady(alloc, state, containerState),
    restarts: count(state.Restarts),
    startedAt: goTimeToIso(state.StartedAt),
    lastExit: lastExit(state),
  };
}

/**
 * A task event as a step, a warning when it asks for attention. Stops asked
 * for (a job update, a scale-in, a signalled restart) also end in Killing,
 * Terminated and Restarting: those are not faults, nor is a clean exit.
 */
function eventLevel(ev: NomadTaskEvent, killing: boolean): TaskTransition["level"] {
  if (!ev.Type || !WARNING_TASK_EVENTS.has(ev.Type)) return "normal";
  if (ev.Type === "Terminated") return !killing && (oomKilled(ev) || (exitCode(ev) ?? 0) !== 0) ? "warning" : "normal";
  if (ev.Type === "Restarting" && killing) return "normal";
  return "warning";
}

function taskSteps(name: string, state: NomadTaskState, container: string | null): TaskTransition[] {
  let killing = false;
  return byTime(state.Events).flatMap((ev): TaskTransition[] => {
    if (!ev.Type) return [];
    if (ev.Type === "Killing") killing = true;
    else if (ev.Type === "Started") killing = false;
    return [
      {
        at: nanosToIso(ev.Time),
        what: ev.Type,
        detail: ev.DisplayMessage || ev.Message || null,
        level: eventLevel(ev, killing),
        container,
      },
    ];
  });
}

/** What the servers recorded of the allocation itself: its reschedule, its ClientStatus changes, its deployment's verdict. */
function allocationSteps(alloc: NomadAllocationDetail): TaskTransition[] {
  const steps: TaskTransition[] = [];
  const step = (at: string | null, what: string, detail: string | null, level: TaskTransition["level"] = "normal") =>
    steps.push({ at, what, detail, level, container: null });

  // The tracker carries the whole chain; its latest event is the one that placed this allocation.
  const reschedule = [...(alloc.RescheduleTracker?.Events ?? [])].sort((a, b) => (a.RescheduleTime ?? 0) - (b.RescheduleTime ?? 0)).at(-1);
  if (reschedule) {
    const previous = reschedule.PrevAllocID || alloc.PreviousAllocation;
    step(nanosToIso(reschedule.RescheduleTime), "Rescheduled", previous ? `replaces failed allocation ${previous.slice(0, 8)}` : null);
  }

  const recorded = (alloc.AllocStates ?? []).filter((s) => (s.Field ?? CLIENT_STATUS_FIELD) === CLIENT_STATUS_FIELD && s.Value);
  recorded.forEach((s, i) => {
    const current = i === recorded.length - 1 && s.Value === alloc.ClientStatus;
    step(
      goTimeToIso(s.Time),
      s.Value as string,
      current ? alloc.ClientDescription || null : null,
      WARNING_CLIENT_STATUSES.has(s.Value as string) ? "warning" : "normal",
    );
  });

  const verdict = alloc.DeploymentStatus;
  if (typeof verdict?.Healthy === "boolean") {
    // An unhealthy verdict is also an "Alloc Unhealthy" event on the tasks, which says why.
    const said = Object.values(alloc.TaskStates ?? {}).some((s) => (s.Events ?? []).some((e) => e.Type === "Alloc Unhealthy"));
    if (verdict.Healthy) step(goTimeToIso(verdict.Timestamp), "Healthy", "marked healthy by its deployment");
    else if (!said) step(goTimeToIso(verdict.Timestamp), "Unhealthy", "marked unhealthy by its deployment", "warning");
  }
  return steps;
}

/**
 * One container per task of the allocation's group, in the job's order (the
 * image from the job's task config, null for drivers without one); the
 * history of every task and of the allocation, newest first.
 */
export function mapAllocationDetail(alloc: NomadAllocationDetail, readAt: string): TaskDetail {
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  const states = alloc.TaskStates ?? {};
  const names = [...new Set([...(group?.Tasks ?? []).map((t) => t.Name), ...Object.keys(states)])];
  const imageOf = (name: string) => {
    const image = group?.Tasks?.find((t) => t.Name === name)?.Config?.image;
    return typeof image === "string" && image ? image : null;
  };
  const several = names.length > 1;
  return {
    containers: names.map((name) => taskContainer(alloc, name, states[name], imageOf(name))),
    history: recentHistory([
      ...allocationSteps(alloc),
      ...Object.entries(states).flatMap(([name, state]) => taskSteps(name, state, several ? name : null)),
    ]),
    readAt,
  };
}
