import { z } from "zod";

/**
 * Health: what is wrong with what runs, apart from Fleetdeck's connection to
 * the cluster (ClusterStatus). Adapters report problems in each
 * orchestrator's own terms on nodes, workloads and tasks; the pure rules
 * here turn them into one state per object, so every orchestrator reads the
 * same way.
 */

export const PROBLEM_SEVERITIES = ["critical", "warning"] as const;
export type ProblemSeverity = (typeof PROBLEM_SEVERITIES)[number];

export const ProblemSchema = z.object({
  severity: z.enum(PROBLEM_SEVERITIES),
  /** Plain words: "Crash loop", "Image cannot be pulled", "Cannot be placed". */
  reason: z.string(),
  /** What the orchestrator said, with the figures: "container web: back-off 5m0s restarting failed container (80 restarts)". */
  evidence: z.string(),
  /** Since when it holds (or when it happened), ISO-8601; null when the orchestrator does not say. */
  since: z.string().nullable(),
  /**
   * False for something that happened rather than a condition that holds
   * (an OOM kill, a task that failed and was replaced): it counts for
   * RECENT_PROBLEM_MS after `since`, then lapses.
   */
  ongoing: z.boolean(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** How long a past problem (ongoing: false) still counts. */
export const RECENT_PROBLEM_MS = 60 * 60_000;

/**
 * healthy; progressing (starting or rolling out, nothing wrong yet); scaling
 * down (more running than wanted, on the way down); degraded (running, but
 * something is wrong or some replicas are failing); failing (nothing of it
 * works, or a node or task is down).
 */
export const HEALTH_STATES = ["healthy", "progressing", "scaling-down", "degraded", "failing"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export const HealthSchema = z.object({
  state: z.enum(HEALTH_STATES),
  /** Most severe first, then oldest. */
  problems: z.array(ProblemSchema),
});
export type Health = z.infer<typeof HealthSchema>;

/** A workload's tasks by how they stand, beside its health: the figures its state is read from. */
export const WorkloadHealthSchema = HealthSchema.extend({
  tasks: z.object({
    ready: z.number().int().nonnegative(),
    /** Wanted, not ready and not failing (created or not yet): on the way up. */
    starting: z.number().int().nonnegative(),
    /** Live with a critical problem (crash loop, image pull, cannot be placed). */
    failing: z.number().int().nonnegative(),
    /** Running above the desired count, on the way down. */
    stopping: z.number().int().nonnegative(),
  }),
});
export type WorkloadHealth = z.infer<typeof WorkloadHealthSchema>;

export const ProblemCountsSchema = z.object({
  critical: z.number().int().nonnegative(),
  warning: z.number().int().nonnegative(),
});
export type ProblemCounts = z.infer<typeof ProblemCountsSchema>;

const SEVERITY_RANK: Record<ProblemSeverity, number> = { critical: 0, warning: 1 };

/** Most severe first, then oldest (no time last), then by reason. */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.since ?? "\uffff").localeCompare(b.since ?? "\uffff") ||
    a.reason.localeCompare(b.reason)
  );
}

/** The problems that count now: ongoing ones, and past ones for RECENT_PROBLEM_MS. */
export function currentProblems(problems: readonly Problem[] | undefined, now: number): Problem[] {
  if (!problems?.length) return [];
  return problems.filter((p) => p.ongoing || (p.since !== null && now - Date.parse(p.since) < RECENT_PROBLEM_MS)).sort(compareProblems);
}

const hasCritical = (problems: readonly Problem[]) => problems.some((p) => p.severity === "critical");

/** What a task reads as; `live` says it is meant to run (not finished). */
export function taskHealth(
  task: { state: string; ready: boolean; problems?: readonly Problem[] },
  now: number,
): Health & { live: boolean } {
  const problems = currentProblems(task.problems, now);
  const live = task.state === "running" || task.state === "pending" || task.state === "unknown";
  let state: HealthState;
  if (task.state === "failed" || (live && hasCritical(problems))) state = "failing";
  else if (problems.length) state = "degraded";
  else if (live && !task.ready) state = "progressing";
  else state = "healthy";
  return { state, problems, live };
}

export function nodeHealth(node: { status: string; statusReason: string | null; problems?: readonly Problem[] }, now: number): Health {
  const problems = currentProblems(node.problems, now);
  if (node.status !== "ready") {
    const notReady = node.status === "not-ready";
    problems.unshift({
      severity: notReady ? "critical" : "warning",
      reason: notReady ? "Node not ready" : "Node status unknown",
      evidence:
        node.statusReason ?? (notReady ? "the orchestrator reports the node not ready" : "the orchestrator does not say how the node is"),
      since: null,
      ongoing: true,
    });
  }
  const state: HealthState = hasCritical(problems) ? "failing" : problems.length ? "degraded" : "healthy";
  return { state, problems };
}

/**
 * The problems of several tasks said once per reason, naming how many and
 * the first task's evidence: "2 of 3 pods: web-1: container web: back-off".
 */
function problemsOfTasks(tasks: readonly { name: string; problems: readonly Problem[] }[], total: number, noun: string): Problem[] {
  const byReason = new Map<string, { problem: Problem; names: string[] }>();
  for (const task of tasks) {
    for (const p of task.problems) {
      const entry = byReason.get(p.reason);
      if (!entry) byReason.set(p.reason, { problem: { ...p, evidence: `${task.name}: ${p.evidence}` }, names: [task.name] });
      else {
        if (!entry.names.includes(task.name)) entry.names.push(task.name);
        const first = entry.problem;
        if (p.severity === "critical") first.severity = "critical";
        if (p.ongoing) first.ongoing = true;
        if (p.since !== null && (first.since === null || p.since < first.since)) first.since = p.since;
      }
    }
  }
  return [...byReason.values()].map(({ problem, names }) =>
    names.length > 1 ? { ...problem, evidence: `${names.length} of ${total} ${noun}: ${problem.evidence}` } : problem,
  );
}

/**
 * What a workload reads as, from its own problems, its desired and ready
 * counts and its tasks' health. `noun` names its tasks in the evidence
 * ("pods", "tasks", "allocations").
 */
export function workloadHealth(
  workload: { desired: number; ready: number; problems?: readonly Problem[] },
  tasks: readonly { name: string; state: string; ready: boolean; problems?: readonly Problem[] }[],
  now: number,
  noun = "tasks",
): WorkloadHealth {
  const judged = tasks.map((t) => ({ name: t.name, ready: t.ready, ...taskHealth(t, now) }));
  const live = judged.filter((t) => t.live);
  const failing = live.filter((t) => t.state === "failing").length;
  const ready = workload.ready;
  const stopping = ready >= workload.desired ? Math.max(0, live.length - workload.desired) : 0;
  // Replicas not created yet are on the way up too (a StatefulSet adds one at a time).
  const starting = ready < workload.desired ? Math.max(0, workload.desired - ready - failing) : 0;
  const problems = [
    ...currentProblems(workload.problems, now),
    ...problemsOfTasks(
      judged.filter((t) => t.problems.length),
      Math.max(tasks.length, workload.desired),
      noun,
    ),
  ].sort(compareProblems);

  let state: HealthState;
  const critical = hasCritical(problems);
  if (critical && ready === 0 && workload.desired > 0) state = "failing";
  else if (critical || (problems.length && ready < workload.desired)) state = "degraded";
  else if (ready < workload.desired) state = "progressing";
  else if (stopping > 0) state = "scaling-down";
  else if (problems.length) state = "degraded";
  else state = "healthy";
  return { state, problems, tasks: { ready, starting, failing, stopping } };
}

export function countProblems(problems: Iterable<Pick<Problem, "severity">>): ProblemCounts {
  const counts: ProblemCounts = { critical: 0, warning: 0 };
  for (const p of problems) counts[p.severity]++;
  return counts;
}

export const PROBLEM_OBJECT_KINDS = ["node", "workload", "task"] as const;

/** One problem in the fleet-wide list, with the object it is about, to link to. */
export const FleetProblemSchema = ProblemSchema.extend({
  clusterId: z.string(),
  clusterName: z.string(),
  object: z.object({
    kind: z.enum(PROBLEM_OBJECT_KINDS),
    id: z.string(),
    name: z.string(),
    namespace: z.string().nullable(),
  }),
});
export type FleetProblem = z.infer<typeof FleetProblemSchema>;

/** A problem as adapters say it; `ongoing: false` for something that happened at `since`. */
export function problem(severity: ProblemSeverity, reason: string, evidence: string, since: string | null, ongoing = true): Problem {
  return { severity, reason, evidence, since, ongoing };
}

/** `{ problems }` when there are any, else nothing: mapped items stay as they were when all is well. */
export function withProblems(problems: readonly (Problem | null | undefined | false)[]): { problems?: Problem[] } {
  const found = problems.filter((p): p is Problem => !!p);
  return found.length ? { problems: found } : {};
}
