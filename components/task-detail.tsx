"use client";

import { Link } from "./link";
import { useQuery } from "@tanstack/react-query";
import { clusterQuery, nodeQuery, taskDescriptionQuery, taskQuery, workloadQuery } from "@/lib/client/queries";
import { taskNoun } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu } from "@/lib/format";
import type { ReactNode } from "react";
import type { Resources, Task, TaskDetail, TaskTransition } from "@/lib/model/types";
import { Age, useNow } from "./age";
import { ContainerList } from "./containers";
import { Facts, Labels, Panel, RecentEvents, type TimelineEntry } from "./details";
import { HealthBadge, ProblemList } from "./health";
import { ErrorState, Skeleton } from "./states";
import { TaskState } from "./status";
import { UsageHistoryPanel } from "./usage-chart";

/** A task's use is kept a quarter of an hour (the server's TASK_HISTORY_SECONDS). */
const TASK_USAGE_RANGES = ["15m"] as const;

// Links stacked in the facts: 24 px tall, so each is a target of its own (WCAG 2.5.8).
const linkClass = "inline-flex min-h-6 items-center text-accent hover:underline";

/** "12m used · 100m requested · 500m limit", in the resource's unit; what is unknown is said. */
function resourceLine(task: Task, kind: keyof Resources): string {
  const format = kind === "cpuMillis" ? formatCpu : formatBytes;
  const used = task.usage ? `${format(task.usage[kind])} used` : "use n/a";
  const limit = task.limits?.[kind];
  return [used, `${format(task.requests[kind])} requested`, limit ? `${format(limit)} limit` : "no limit"].join(" · ");
}

/** A step of the task's life as a timeline line: the step's word leads, the container it concerns follows. */
function timelineEntry(t: TaskTransition): TimelineEntry {
  return { at: t.at, level: t.level, lead: t.container ? `${t.what} · ${t.container}` : t.what, message: t.detail ?? "" };
}

/** One task (a pod, an allocation, a container): its state and problems, what it asks for and uses, where it runs. */
export function TaskDetail({ clusterId, taskId }: { clusterId: string; taskId: string }) {
  const now = useNow();
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const { data: task, error, isPending, refetch } = useQuery(taskQuery(clusterId, taskId));
  const workloadId = task?.workloadId ?? null;
  const workload = useQuery({ ...workloadQuery(clusterId, workloadId ?? ""), enabled: workloadId !== null }).data;
  const node = useQuery({ ...nodeQuery(clusterId, task?.node ?? ""), enabled: !!task?.node }).data;
  // Read from the orchestrator on request, so it fails on its own: the rest of the page stands.
  const description = useQuery({ ...taskDescriptionQuery(clusterId, taskId), enabled: task !== undefined });
  const noun = cluster ? taskNoun(cluster.orchestrator) : { singular: "Task", plural: "Tasks" };

  if (isPending) return <Skeleton className="h-64 w-full" />;
  if (error) return <ErrorState title={`Could not load this ${noun.singular.toLowerCase()}`} error={error} onRetry={() => refetch()} />;

  const base = `/clusters/${encodeURIComponent(clusterId)}`;
  const described = (body: (detail: TaskDetail) => ReactNode) =>
    description.isPending ? (
      <Skeleton className="h-24 w-full" />
    ) : description.error ? (
      <ErrorState title="Could not read it from the orchestrator" error={description.error} onRetry={() => description.refetch()} />
    ) : (
      body(description.data)
    );
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="break-all text-base font-semibold">{task.name}</h2>
        <HealthBadge state={task.health.state} />
        {task.namespace ? <span className="text-[12px] text-muted">in {task.namespace}</span> : null}
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-3">
          <Panel title="State">
            <div className="space-y-2">
              <Facts
                items={[
                  ["State", <TaskState key="state" task={task} />],
                  [
                    "Restarts",
                    <span key="restarts" className={`figure ${task.restarts > 0 ? "text-warn" : ""}`}>
                      {task.restarts}
                    </span>,
                  ],
                  ["Started", task.startedAt ? <Age key="started" since={task.startedAt} now={now} /> : "not yet"],
                  ["Created", <Age key="created" since={task.createdAt} now={now} />],
                ]}
              />
              {task.health.problems.length ? (
                <ProblemList problems={task.health.problems} now={now} />
              ) : (
                <p className="text-[12px] text-ok">No problems reported</p>
              )}
            </div>
          </Panel>
          <Panel title="History" className="flex-1">
            {described((d) =>
              d.history.length ? (
                <RecentEvents events={d.history.map(timelineEntry)} now={now} />
              ) : (
                <p className="text-[12px] text-muted">The orchestrator has recorded no steps of its life.</p>
              ),
            )}
          </Panel>
        </div>
        <div className="flex min-w-0 flex-col gap-3">
          <Panel title="Resources">
            <Facts
              items={[
                [
                  "CPU",
                  <span key="cpu" className="figure">
                    {resourceLine(task, "cpuMillis")}
                  </span>,
                ],
                [
                  "Memory",
                  <span key="memory" className="figure">
                    {resourceLine(task, "memoryBytes")}
                  </span>,
                ],
                ...(task.usage === null && task.usageNote ? [["No live use", task.usageNote] as [string, string]] : []),
              ]}
            />
          </Panel>
          <Panel title="Containers">
            {described((d) => (
              <ContainerList containers={d.containers} now={now} />
            ))}
          </Panel>
          <Panel title="Placement" className="flex-1">
            <Facts
              items={[
                [
                  "Workload",
                  workloadId ? (
                    <Link key="workload" className={linkClass} href={`${base}/workloads/${encodeURIComponent(workloadId)}`}>
                      {workload?.name ?? workloadId}
                    </Link>
                  ) : (
                    "none"
                  ),
                ],
                [
                  "Node",
                  task.node ? (
                    <Link key="node" className={linkClass} href={`${base}/nodes/${encodeURIComponent(task.node)}`}>
                      {node?.name ?? task.node}
                    </Link>
                  ) : (
                    "not placed"
                  ),
                ],
                [
                  "IP",
                  task.ip ? (
                    <span key="ip" className="font-mono">
                      {task.ip}
                    </span>
                  ) : (
                    "—"
                  ),
                ],
                [
                  "Id",
                  <span key="id" className="break-all font-mono">
                    {task.id}
                  </span>,
                ],
                ["Labels", <Labels key="labels" labels={task.labels} />],
              ]}
            />
          </Panel>
        </div>
      </div>
      <UsageHistoryPanel
        clusterId={clusterId}
        scope="task"
        target={taskId}
        usageAvailable={cluster?.usageAvailable ?? true}
        ranges={TASK_USAGE_RANGES}
        reference={task.limits ? { word: "limit", values: task.limits } : undefined}
      />
    </div>
  );
}
