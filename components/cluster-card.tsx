"use client";

import { Link } from "./link";
import { ORCHESTRATOR_LABELS, taskNoun } from "@/lib/client/vocabulary";
import { isCutOff, type ClusterInfo } from "@/lib/model/types";
import { Badge } from "./badge";
import { ResourceBar } from "./resource-bar";
import { Skeleton } from "./states";
import { ClusterStatusBadge, ConnectionNote, isSyncing } from "./status";
import { ProblemCount } from "./health";
import { RANGE_LABELS, UsageSparkline } from "./usage-chart";
import type { UsageChartRange } from "@/lib/model/queries";

function Count({ label, value, of, href }: { label: string; value: number; of?: number; href: string }) {
  return (
    <Link href={href} className="rounded px-2 py-1 hover:bg-surface-2">
      <div className="text-[11px] uppercase tracking-wide text-muted">{label}</div>
      <div className="figure text-base font-semibold">
        {value}
        {of !== undefined && of !== value ? <span className="text-[12px] font-normal text-muted"> / {of}</span> : null}
      </div>
    </Link>
  );
}

export function ClusterCard({ cluster, now, usageRange }: { cluster: ClusterInfo; now: number; usageRange?: UsageChartRange }) {
  const base = `/clusters/${encodeURIComponent(cluster.id)}`;
  const noun = taskNoun(cluster.orchestrator);
  const s = cluster.summary;
  const edge = isCutOff(cluster.status) ? "border-danger/50" : cluster.status === "degraded" ? "border-warn/50" : "border-border";
  return (
    <article aria-label={cluster.name} className={`flex flex-col gap-3 rounded-md border bg-surface p-3 ${edge}`}>
      <header>
        <div className="flex items-center gap-2">
          <h2 className="min-w-0 truncate text-[15px] font-semibold">
            <Link href={`${base}/nodes`} className="hover:underline">
              {cluster.name}
            </Link>
          </h2>
          {cluster.demo ? (
            <Badge tone="demo" title="A simulated cluster of the demo fleet">
              DEMO
            </Badge>
          ) : null}
          <span className="ml-auto">
            <ClusterStatusBadge cluster={cluster} />
          </span>
        </div>
        <div className="mt-1 flex min-w-0 items-center gap-2 text-[12px] text-muted">
          <Badge>{ORCHESTRATOR_LABELS[cluster.orchestrator]}</Badge>
          <ProblemCount counts={s.problems} />
          {cluster.version ? (
            <span className="figure truncate" title={cluster.version}>
              {cluster.version}
            </span>
          ) : null}
        </div>
        <ConnectionNote
          cluster={cluster}
          now={now}
          className={`mt-1.5 rounded px-2 py-1 text-[12px] ${isCutOff(cluster.status) ? "bg-danger-soft" : "bg-warn-soft"}`}
        />
      </header>

      {isSyncing(cluster) ? (
        <div role="status" aria-label={`${cluster.name} is syncing`} className="space-y-2">
          <p className="text-[12px] text-muted">Waiting for the first full list from the cluster…</p>
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-6 w-full" />
          <Skeleton className="h-6 w-full" />
        </div>
      ) : !cluster.synced ? (
        <p className="text-[12px] text-muted">Nothing is known about this cluster yet; Fleetdeck keeps retrying.</p>
      ) : (
        <>
          <div className="-mx-2 grid grid-cols-3">
            <Count label="Nodes" value={s.readyNodes} of={s.nodes} href={`${base}/nodes`} />
            <Count label="Workloads" value={s.workloads} href={`${base}/workloads`} />
            <Count label={noun.plural} value={s.runningTasks} of={s.tasks} href={`${base}/tasks`} />
          </div>
          <div className="space-y-2">
            <ResourceBar
              kind="cpu"
              used={s.used?.cpuMillis ?? null}
              requested={s.requested.cpuMillis}
              allocatable={s.allocatable.cpuMillis}
            />
            <ResourceBar
              kind="memory"
              used={s.used?.memoryBytes ?? null}
              requested={s.requested.memoryBytes}
              allocatable={s.allocatable.memoryBytes}
            />
          </div>
          <div>
            <div className="mb-1 text-[11px] uppercase tracking-wide text-muted">Last {RANGE_LABELS[usageRange ?? "15m"]}</div>
            <UsageSparkline clusterId={cluster.id} usageAvailable={cluster.usageAvailable} range={usageRange} />
          </div>
        </>
      )}
    </article>
  );
}
