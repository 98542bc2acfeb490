import { recentHistory } from "@/lib/model/events";
import type { Container, ContainerState, TaskDetail, TaskTransition } from "@/lib/model/types";
import type { KubeEvent, KubePod } from "./raw";

/**
 * A pod read in full (GET the pod, and its events by uid) as a task's
 * detail: one container per init and app container, and the steps of its
 * life from its conditions, its containers' ends (which no event records
 * with an exit code) and the events about it.
 */

type ContainerStatus = NonNullable<NonNullable<KubePod["status"]>["containerStatuses"]>[number];
type Terminated = NonNullable<NonNullable<ContainerStatus["state"]>["terminated"]>;

/** An init container's name as the list shows it: init containers run first, so they lead. */
const initName = (name: string) => `init: ${name}`;

function exitOf(t: Terminated | null | undefined): Container["lastExit"] {
  return t ? { reason: t.reason || null, exitCode: t.exitCode ?? null, at: t.finishedAt } : null;
}

function containerOf(name: string, image: string | null, status: ContainerStatus | undefined, pod: KubePod): Container {
  const state = status?.state;
  const kind: ContainerState = state?.running ? "running" : state?.terminated ? "exited" : state?.waiting ? "waiting" : "unknown";
  const pending = pod.status?.phase === "Pending";
  return {
    name,
    image: status?.image || image,
    // No status yet: the kubelet has not taken the pod in (it is still being placed).
    state: status ? kind : pending ? "waiting" : "unknown",
    stateReason: state?.waiting?.reason ?? state?.terminated?.reason ?? (status ? null : (pod.status?.reason ?? pod.status?.phase ?? null)),
    ready: status ? (status.ready ?? null) : null,
    restarts: Math.max(0, status?.restartCount ?? 0),
    startedAt: state?.running?.startedAt ?? state?.terminated?.startedAt ?? null,
    lastExit: exitOf(state?.terminated ?? status?.lastState?.terminated),
  };
}

/** A container's run ended: a warning unless it exited 0 (a finished init container, a completed job). */
function endStep(t: Terminated, container: string | null): TaskTransition {
  const failed = t.reason === "OOMKilled" || (t.exitCode ?? 0) !== 0;
  const said = [t.reason, t.exitCode == null ? null : `exit code ${t.exitCode}`, t.message].filter(Boolean).join(", ");
  return { at: t.finishedAt, what: "Terminated", detail: said || null, level: failed ? "warning" : "normal", container };
}

/** The container an event's fieldPath names ("spec.containers{web}", "spec.initContainers{migrate}"), as the list names it. */
function eventContainer(fieldPath: string | null | undefined): string | null {
  const m = /^spec\.(containers|initContainers|ephemeralContainers)\{(.+)\}$/.exec(fieldPath ?? "");
  if (!m) return null;
  return m[1] === "initContainers" ? initName(m[2]) : m[2];
}

function eventStep(e: KubeEvent): TaskTransition {
  const count = Math.max(1, e.series?.count ?? e.deprecatedCount ?? 1);
  const note = e.note?.trim() || null;
  return {
    at: e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? null,
    what: e.reason?.trim() || "Event",
    detail: note && count > 1 ? `${note} (×${count})` : note,
    level: e.type === "Warning" ? "warning" : "normal",
    container: eventContainer(e.regarding?.fieldPath),
  };
}

/** A condition's last change: a pod that cannot be placed asks for attention; becoming ready or not is the pod's course. */
function conditionSteps(pod: KubePod): TaskTransition[] {
  return (pod.status?.conditions ?? []).flatMap((c): TaskTransition[] => {
    if (!c.lastTransitionTime) return [];
    const holds = c.status === "True";
    const said = [c.reason, c.message].filter(Boolean).join(": ");
    return [
      {
        at: c.lastTransitionTime,
        what: holds ? c.type : `Not ${c.type}`,
        detail: said || null,
        level: !holds && c.type === "PodScheduled" ? "warning" : "normal",
        container: null,
      },
    ];
  });
}

/**
 * The pod's containers, init containers first as they run, and its steps
 * newest first. `events` are those about this pod (by uid), in any order, or
 * why they could not be read: an undated step that leads the history.
 */
export function mapPodDetail(pod: KubePod, events: readonly KubeEvent[] | Error, readAt: string): TaskDetail {
  const status = pod.status;
  const statusOf = (list: ContainerStatus[] | null | undefined, name: string) => list?.find((s) => s.name === name);
  const init = (pod.spec?.initContainers ?? []).map((c) => ({
    name: initName(c.name),
    image: c.image ?? null,
    status: statusOf(status?.initContainerStatuses, c.name),
  }));
  const app = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? null,
    status: statusOf(status?.containerStatuses, c.name),
  }));
  const all = [...init, ...app];

  // A step names its container only where the pod has several.
  const several = all.length > 1;
  const ends = all.flatMap(({ name, status: s }) =>
    [s?.lastState?.terminated, s?.state?.terminated]
      .filter((t): t is Terminated => !!t?.finishedAt)
      .map((t) => endStep(t, several ? name : null)),
  );
  const eventSteps: TaskTransition[] =
    events instanceof Error
      ? [{ at: null, what: "Events unreadable", detail: events.message, level: "warning", container: null }]
      : events.map((e) => ({ ...eventStep(e), ...(several ? {} : { container: null }) }));
  const created: TaskTransition[] = pod.metadata.creationTimestamp
    ? [{ at: pod.metadata.creationTimestamp, what: "Created", detail: null, level: "normal", container: null }]
    : [];
  const byTime = (a: TaskTransition, b: TaskTransition) => Date.parse(a.at ?? "") - Date.parse(b.at ?? "");
  return {
    containers: all.map(({ name, image, status: s }) => containerOf(name, image, s, pod)),
    history: recentHistory([...created, ...conditionSteps(pod), ...ends, ...eventSteps.sort(byTime)]),
    readAt,
  };
}
