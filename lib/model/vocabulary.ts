import type { Orchestrator } from "./types";

/** What each orchestrator calls its tasks, for the UI and for the evidence of a problem ("2 of 3 pods: ..."). */
interface Noun {
  singular: string;
  plural: string;
}

const TASK_NOUNS: Record<Orchestrator, Noun> = {
  kubernetes: { singular: "Pod", plural: "Pods" },
  swarm: { singular: "Task", plural: "Tasks" },
  ecs: { singular: "Task", plural: "Tasks" },
  mesos: { singular: "Task", plural: "Tasks" },
  nomad: { singular: "Allocation", plural: "Allocations" },
  docker: { singular: "Container", plural: "Containers" },
};

export function taskNoun(orchestrator: Orchestrator): Noun {
  return TASK_NOUNS[orchestrator];
}
