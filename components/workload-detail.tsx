"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { clusterQuery, workloadQuery, workloadTaskParams } from "@/lib/client/queries";
import { noVolumesText, reportsWorkloadEvents, taskNoun } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu } from "@/lib/format";
import type { Workload } from "@/lib/model/types";
import { Age, useNow } from "./age";
import { Badge, TONE_TEXT } from "./badge";
import { describeTasks, HealthBadge, HEALTH_TONE, ProblemList } from "./health";
import { Facts, Labels, Panel, RecentEvents } from "./details";
import { ReplicaProgress } from "./replica-progress";
import { ScaleControl } from "./scale-control";
import { ErrorState, Skeleton } from "./states";
import { TasksTable } from "./tasks-view";
import { UsageHistoryPanel } from "./usage-chart";
import { VolumeList } from "./volumes";

/** Facts the panel shows itself; an orchestrator fact of the same name is not repeated. */
const BUILT_IN_FACTS = new Set(["Images", "Age", "Selector", "Using now", "Labels"]);

/** The workload's state as its health reads it, the counts behind it, and its problems. */
function ReplicaStatus({ workload, now }: { workload: Workload; now: number }) {
  const { ready, desired, health } = workload;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <ReplicaProgress ready={ready} desired={desired} wide />
      <HealthBadge state={health.state} />
      <span role="status" aria-label="Replica status" className={`figure text-[13px] ${TONE_TEXT[HEALTH_TONE[health.state]]}`}>
        {describeTasks(health, desired, "replica")}
      </span>
      <div className="w-full">
        <ProblemList problems={health.problems} now={now} />
      </div>
    </div>
  );
}

/** An orchestrator fact; a list of several things ("a; b") shows one per line. */
function InfoValue({ value }: { value: string }) {
  const items = value.split("; ");
  if (items.length === 1) return <>{value}</>;
  return (
    <ul className="space-y-0.5">
      {items.map((item, i) => (
        <li key={i}>{item}</li>
      ))}
    </ul>
  );
}

export function WorkloadDetail({ clusterId, workloadId }: { clusterId: string; workloadId: string }) {
  const now = useNow();
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const { data: workload, error, isPending, refetch } = useQuery(workloadQuery(clusterId, workloadId));
  const noun = cluster ? taskNoun(cluster.orchestrator) : { singular: "Task", plural: "Tasks" };
  const taskWord = noun.singular.toLowerCase();

  if (isPending) return <Skeleton className="h-64 w-full" />;
  if (error) return <ErrorState title="Could not load this workload" error={error} onRetry={() => refetch()} />;

  const a = workload.autoscaler;
  // Orchestrators that never report events get no panel rather than an empty one.
  const showEvents = workload.events.length > 0 || (cluster ? reportsWorkloadEvents(cluster.orchestrator, workload.kind) : false);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-base font-semibold">{workload.name}</h2>
        <Badge>{workload.kind}</Badge>
        {workload.namespace ? <span className="text-[12px] text-muted">in {workload.namespace}</span> : null}
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        {/* Replicas and what happened to them share the left column; the last panel grows to the row's height. */}
        <div className="flex min-w-0 flex-col gap-3">
          <Panel title="Replicas" className={showEvents ? "" : "flex-1"}>
            <div className="space-y-3">
              <ReplicaStatus workload={workload} now={now} />
              {a ? (
                <p role="note" className="rounded border border-warn/40 bg-warn-soft px-3 py-2 text-[12px] text-warn">
                  {`Autoscaler ${a.name} manages this workload (${a.minReplicas ?? 1}–${a.maxReplicas} replicas) and will override a manual scale.`}
                </p>
              ) : null}
              {cluster && cluster.scaleNote ? (
                <p className="text-[12px] text-muted">{cluster.scaleNote}</p>
              ) : (
                <ScaleControl clusterId={clusterId} workload={workload} taskWord={taskWord} canForce={cluster?.canForceScale ?? false} />
              )}
            </div>
          </Panel>
          {showEvents ? (
            <Panel title="Recent events" className="flex-1">
              <RecentEvents events={workload.events} now={now} />
            </Panel>
          ) : null}
        </div>
        <Panel title="Details">
          <Facts
            items={[
              [
                "Images",
                <span key="img" className="font-mono">
                  {workload.images.join(", ") || "—"}
                </span>,
              ],
              ["Age", <Age key="age" since={workload.createdAt} now={now} />],
              ...Object.entries(workload.info)
                .filter(([k]) => !BUILT_IN_FACTS.has(k))
                .map(([k, v]): [string, ReactNode] => [k, <InfoValue key={k} value={v} />]),
              ["Selector", workload.selector ? <span className="font-mono">{workload.selector}</span> : "—"],
              [
                "Using now",
                workload.usage
                  ? `${formatCpu(workload.usage.cpuMillis)} CPU · ${formatBytes(workload.usage.memoryBytes)} memory`
                  : "no live metrics",
              ],
              ["Labels", <Labels key="labels" labels={workload.labels} />],
            ]}
          />
        </Panel>
      </div>
      <Panel title="Volumes">
        <VolumeList volumes={workload.volumes} emptyText={noVolumesText(cluster?.orchestrator, workload.kind, noun.plural)} />
      </Panel>
      <UsageHistoryPanel clusterId={clusterId} scope="workload" target={workloadId} usageAvailable={cluster?.usageAvailable ?? true} />
      <section aria-label={`${noun.plural} of this workload`}>
        <h2 className="mb-2 text-sm font-semibold">{`${noun.plural} of this workload`}</h2>
        <TasksTable clusterId={clusterId} params={workloadTaskParams(workloadId)} hide={["workload"]} maxHeight="60vh" />
      </section>
    </div>
  );
}
