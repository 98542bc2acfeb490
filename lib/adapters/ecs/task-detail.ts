import { recentHistory } from "@/lib/model/events";
import type { Container, ContainerState, TaskDetail, TaskTransition } from "@/lib/model/types";
import { describeExit, PULL_ERROR, stopCause, taskDefinitionName, type RawContainer } from "./mappers";
import type { RawTask } from "./raw";

/**
 * A task read with DescribeTasks as a task's detail: its containers as ECS
 * reports them, and the steps of its life from the task's timestamps. ECS
 * never restarts a container (it replaces the task), and records no time for
 * a change of health, so the health a live task has now is told undated.
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const CONTAINER_STATES: Record<string, ContainerState> = {
  PROVISIONING: "waiting",
  PENDING: "waiting",
  RUNNING: "running",
  STOPPED: "exited",
};

/** A container's healthStatus; UNKNOWN also stands for a container without a health check. */
const HEALTH: Record<string, boolean | null> = { HEALTHY: true, UNHEALTHY: false, UNKNOWN: null };

function container(raw: RawTask, c: RawContainer): Container {
  const state = CONTAINER_STATES[c.lastStatus ?? ""] ?? "unknown";
  const health = HEALTH[c.healthStatus ?? "UNKNOWN"] ?? null;
  // A container that never started has no exit code.
  const started = state === "running" || (state === "exited" && typeof c.exitCode === "number");
  return {
    name: c.name ?? "container",
    image: c.image ?? null,
    state,
    stateReason: c.reason ?? null,
    // A stopped container passes no check, whatever its last health status was.
    ready: state === "exited" && health !== null ? false : health,
    restarts: 0,
    startedAt: started ? iso(raw.startedAt) : null,
    lastExit:
      state === "exited"
        ? { reason: c.reason ?? null, exitCode: c.exitCode ?? null, at: iso(raw.executionStoppedAt ?? raw.stoppedAt) }
        : null,
  };
}

/** "EssentialContainerExited: Essential container in task exited", or either part alone. */
const stopText = (raw: RawTask) => [raw.stopCode, raw.stoppedReason].filter(Boolean).join(": ") || null;

/**
 * The task's timestamps as steps, oldest first (ECS's words where it has
 * them: its statuses): created (PROVISIONING), the image pull, RUNNING, the
 * stop with its code and reason (a warning when it is a failure), its
 * containers' exits; and, undated, the health of a task still meant to run.
 */
function taskSteps(raw: RawTask): TaskTransition[] {
  const containers = raw.containers ?? [];
  const steps: TaskTransition[] = [];
  const step = (at: Date | null | undefined, what: string, detail: string | null, level: TaskTransition["level"] = "normal") => {
    if (at) steps.push({ at: iso(at), what, detail: detail || null, level, container: null });
  };
  const definition = taskDefinitionName(raw.taskDefinitionArn);
  const created = [definition, raw.launchType ? `on ${raw.launchType}` : null, raw.startedBy ? `started by ${raw.startedBy}` : null];
  step(raw.createdAt, "PROVISIONING", created.filter(Boolean).join(" "));
  step(raw.pullStartedAt, "Pull started", [...new Set(containers.map((c) => c.image).filter(Boolean))].join(", "));
  const pullErrors = containers.filter((c) => c.reason && PULL_ERROR.test(c.reason)).map((c) => `container ${c.name ?? "?"}: ${c.reason}`);
  step(raw.pullStoppedAt, "Pull stopped", pullErrors.join("; "), pullErrors.length ? "warning" : "normal");
  step(raw.startedAt, "RUNNING", null);
  const failed = stopCause(raw) !== null;
  const stopped = Boolean(raw.stoppedAt);
  // The stop's reason goes with the last step that has it: STOPPED once there, STOPPING until then.
  step(raw.stoppingAt, "STOPPING", stopped ? null : stopText(raw), !stopped && failed ? "warning" : "normal");
  step(
    raw.executionStoppedAt,
    "Execution stopped",
    containers
      .filter((c) => typeof c.exitCode === "number")
      .map(describeExit)
      .join("; "),
  );
  step(raw.stoppedAt, "STOPPED", stopText(raw), failed ? "warning" : "normal");

  const health = raw.healthStatus;
  if (raw.desiredStatus !== "STOPPED" && raw.lastStatus !== "STOPPED" && (health === "HEALTHY" || health === "UNHEALTHY")) {
    const checked = containers.filter((c) => c.healthStatus === "HEALTHY" || c.healthStatus === "UNHEALTHY");
    steps.push({
      at: null,
      what: health,
      detail: checked.map((c) => `container ${c.name ?? "?"} ${c.healthStatus}`).join(", ") || null,
      level: health === "UNHEALTHY" ? "warning" : "normal",
      container: null,
    });
  }
  return steps;
}

export function mapTaskDetail(raw: RawTask, readAt: string): TaskDetail {
  return {
    containers: (raw.containers ?? []).map((c) => container(raw, c)),
    history: recentHistory(taskSteps(raw)),
    readAt,
  };
}
