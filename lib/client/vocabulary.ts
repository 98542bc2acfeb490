import type { Orchestrator } from "@/lib/model/types";

export { taskNoun } from "@/lib/model/vocabulary";

/** What each orchestrator calls things, so the UI speaks the operator's language. */

export const ORCHESTRATOR_LABELS: Record<Orchestrator, string> = {
  kubernetes: "Kubernetes",
  swarm: "Docker Swarm",
  docker: "Docker",
  nomad: "Nomad",
  mesos: "Mesos · Marathon",
  ecs: "Amazon ECS",
};

/** Kubernetes-only words where others have none: namespaces exist on Kubernetes and Nomad; ECS has clusters, Swarm has stacks. */
export function namespaceLabel(orchestrator: Orchestrator): string {
  return orchestrator === "swarm" || orchestrator === "docker" ? "Stack" : orchestrator === "mesos" ? "Group" : "Namespace";
}

/**
 * Whether a workload's orchestrator reports recent events for it (a service's
 * event log, deployment or update status, task failures), so an empty list
 * means "nothing happened lately" (on Kubernetes: the Events API's last hour
 * about the workload, its ReplicaSets and pods). Standalone Docker and Mesos
 * frameworks other than Marathon never report any, nor do the Compose
 * services and lone containers a swarm manager runs beside its services.
 */
export function reportsWorkloadEvents(orchestrator: Orchestrator, kind: string): boolean {
  switch (orchestrator) {
    case "ecs":
    case "kubernetes":
    case "nomad":
      return true;
    case "swarm":
      return kind !== "ComposeService" && kind !== "Container";
    case "mesos":
      return kind === "MarathonApp";
    default:
      return false;
  }
}

/**
 * What an empty volume list means for a workload: its tasks mount nothing,
 * except for Mesos frameworks other than Marathon, which declare no volumes
 * to the master (their tasks' are their own business).
 */
export function noVolumesText(orchestrator: Orchestrator | undefined, kind: string, tasksNoun: string): string {
  if (orchestrator === "mesos" && kind !== "MarathonApp") return "A Mesos framework declares no volumes to the master.";
  return `No volumes: its ${tasksNoun.toLowerCase()} mount none.`;
}

/**
 * What the node column says for a task without a node: Fargate tasks run on
 * capacity the provider manages, which is not "unscheduled".
 */
export function withoutNodeLabel(task: { state: string; labels: Record<string, string> }): string {
  const capacity = task.labels["ecs.launchType"] ?? task.labels["ecs.capacityProvider"] ?? "";
  if (capacity.startsWith("FARGATE")) return "Fargate";
  return task.state === "pending" ? "unscheduled" : "none";
}
