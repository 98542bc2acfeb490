"use client";

import { Link } from "./link";
import { useQuery } from "@tanstack/react-query";
import { problemsQuery } from "@/lib/client/queries";
import { plural } from "@/lib/format";
import type { FleetProblem, HealthState, Problem, ProblemCounts, WorkloadHealth } from "@/lib/model/health";
import { Age } from "./age";
import { Badge, Dot, TONE_TEXT, type Tone } from "./badge";
import { ErrorState, Skeleton } from "./states";

export const HEALTH_TONE: Record<HealthState, Tone> = {
  healthy: "ok",
  progressing: "accent",
  "scaling-down": "accent",
  degraded: "warn",
  failing: "danger",
};
const HEALTH_WORD: Record<HealthState, string> = {
  healthy: "Healthy",
  progressing: "Progressing",
  "scaling-down": "Scaling down",
  degraded: "Degraded",
  failing: "Failing",
};

export function HealthBadge({ state, title }: { state: HealthState; title?: string }) {
  return (
    <Badge tone={HEALTH_TONE[state]} title={title}>
      <Dot tone={HEALTH_TONE[state]} /> {HEALTH_WORD[state]}
    </Badge>
  );
}

/** "2 critical · 1 warning" in their colours, or "No problems"; apart from the connection's badge. */
export function ProblemCount({ counts, className = "" }: { counts: ProblemCounts; className?: string }) {
  if (counts.critical === 0 && counts.warning === 0) return <span className={`text-[12px] text-ok ${className}`}>No problems</span>;
  return (
    <span className={`figure text-[12px] ${className}`} aria-label={`${counts.critical} critical, ${counts.warning} warning problems`}>
      {counts.critical ? <span className={TONE_TEXT.danger}>{`${counts.critical} critical`}</span> : null}
      {counts.critical && counts.warning ? <span className="text-muted"> · </span> : null}
      {counts.warning ? <span className={TONE_TEXT.warn}>{plural(counts.warning, "warning")}</span> : null}
    </span>
  );
}

/** One problem: its severity, what it is, what the orchestrator said and since when. */
function ProblemLine({ problem, now, subject }: { problem: Problem; now: number; subject?: React.ReactNode }) {
  const critical = problem.severity === "critical";
  return (
    <li className="flex min-w-0 flex-wrap items-baseline gap-x-2 gap-y-0.5 py-1.5">
      <Badge tone={critical ? "danger" : "warn"}>{critical ? "Critical" : "Warning"}</Badge>
      <span className="font-medium">{problem.reason}</span>
      {subject}
      <span className="min-w-0 basis-full break-words text-[12px] text-muted sm:basis-auto sm:flex-1">{problem.evidence}</span>
      {problem.since ? (
        <span className="text-[11px] text-muted">
          {problem.ongoing ? "for " : ""}
          <Age since={problem.since} now={now} />
          {problem.ongoing ? "" : " ago"}
        </span>
      ) : null}
    </li>
  );
}

/** A workload's, node's or task's own problems, on its page. */
export function ProblemList({ problems, now }: { problems: readonly Problem[]; now: number }) {
  if (problems.length === 0) return null;
  return (
    <ul aria-label="Problems" className="divide-y divide-border">
      {problems.map((p, i) => (
        <ProblemLine key={`${p.reason}-${i}`} problem={p} now={now} />
      ))}
    </ul>
  );
}

/** "shop/web"; a name that already says its namespace (Marathon's "/shop/web") as it is. */
function qualifiedName({ namespace, name }: FleetProblem["object"]): string {
  return namespace && !name.startsWith(namespace) ? `${namespace}/${name}` : name;
}

function objectHref(p: FleetProblem): string {
  const base = `/clusters/${encodeURIComponent(p.clusterId)}`;
  if (p.object.kind === "node") return `${base}/nodes/${encodeURIComponent(p.object.id)}`;
  if (p.object.kind === "workload") return `${base}/workloads/${encodeURIComponent(p.object.id)}`;
  return `${base}/tasks/${encodeURIComponent(p.object.id)}`;
}

const SHOWN = 8;

/** The fleet's problems, most severe first, each linking to its object: what the overview leads with. */
export function FleetProblems({ now }: { now: number }) {
  const { data, error, isPending, refetch } = useQuery(problemsQuery());
  if (isPending) return <Skeleton className="mb-3 h-20" />;
  if (error) return <ErrorState title="Could not load the problems" error={error} onRetry={() => refetch()} />;
  const { items } = data;
  return (
    <section aria-labelledby="problems-heading" className="mb-4 rounded-md border border-border bg-surface px-3 py-2">
      <h2 id="problems-heading" className="flex items-baseline gap-2 text-[13px] font-semibold">
        Problems
        <ProblemCount
          counts={{
            critical: items.filter((p) => p.severity === "critical").length,
            warning: items.filter((p) => p.severity === "warning").length,
          }}
          className="font-normal"
        />
      </h2>
      {items.length ? (
        <ul className="divide-y divide-border text-[13px]">
          {items.slice(0, SHOWN).map((p, i) => (
            <ProblemLine
              key={`${p.clusterId}-${p.object.kind}-${p.object.id}-${p.reason}-${i}`}
              problem={p}
              now={now}
              subject={
                <Link href={objectHref(p)} className="text-accent hover:underline">
                  {`${p.clusterName} / ${qualifiedName(p.object)}`}
                </Link>
              }
            />
          ))}
        </ul>
      ) : null}
      {items.length > SHOWN ? <p className="py-1 text-[12px] text-muted">{`and ${items.length - SHOWN} more`}</p> : null}
    </section>
  );
}

/** "All 3 replicas ready", or "1 of 3 replicas ready · 1 failing · 1 starting": the counts a workload's state is read from. */
export function describeTasks(health: WorkloadHealth, desired: number, noun: string): string {
  const { ready, starting, failing, stopping } = health.tasks;
  if (ready === desired && !starting && !failing && !stopping)
    return desired === 0 ? "Scaled to zero" : `All ${plural(desired, noun)} ready`;
  return [
    `${ready} of ${plural(desired, noun)} ready`,
    failing ? `${failing} failing` : null,
    starting ? `${starting} starting` : null,
    stopping ? `${stopping} stopping` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}
