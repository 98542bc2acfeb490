"use client";

import { Link } from "./link";
import { useQuery } from "@tanstack/react-query";
import { clustersQuery } from "@/lib/client/queries";
import { CLUSTER_STATUSES, type ClusterStatus } from "@/lib/model/types";
import { TONE_TEXT } from "./badge";
import { CLUSTER_TONE } from "./status";
import { plural } from "@/lib/format";
import { useNow } from "./age";
import { ClusterCard } from "./cluster-card";
import { FleetProblems } from "./health";
import { UsageRangeSwitch, useUsageRange } from "./usage-chart";
import { EmptyState, ErrorState, Skeleton } from "./states";

export function Overview() {
  const now = useNow();
  // The cards' sparklines show the last quarter of an hour unless the URL asks for more.
  const [range, setRange] = useUsageRange("15m");
  const { data: clusters, error, isPending, refetch } = useQuery(clustersQuery());
  if (isPending) {
    return (
      <div className="grid grid-cols-[repeat(auto-fill,minmax(360px,1fr))] gap-3" role="status" aria-label="Loading clusters">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-80" />
        ))}
      </div>
    );
  }
  if (error) return <ErrorState title="Could not load the clusters" error={error} onRetry={() => refetch()} />;
  if (clusters.length === 0) {
    return (
      <EmptyState title="No clusters configured">
        Add clusters to <code className="font-mono">clusters.yaml</code>, point <code className="font-mono">KUBECONFIG</code> at a
        kubeconfig, or start with <code className="font-mono">FLEETDECK_DEMO=1</code> to see the demo fleet.
      </EmptyState>
    );
  }
  const counts = Object.fromEntries(CLUSTER_STATUSES.map((status) => [status, 0])) as Record<ClusterStatus, number>;
  for (const c of clusters) counts[c.status]++;
  return (
    <>
      <div className="mb-3 flex flex-wrap items-baseline gap-x-3 gap-y-2">
        <h1 className="text-lg font-semibold tracking-tight">Clusters</h1>
        <p className="figure text-[12px] text-muted">
          {plural(clusters.length, "cluster")} · {counts.ok} connected
          {(["unreachable", "unauthorized", "degraded", "connecting"] as const).map((status) =>
            counts[status] ? (
              <span key={status} className={TONE_TEXT[CLUSTER_TONE[status]]}>
                {` · ${counts[status]} ${status}`}
              </span>
            ) : null,
          )}
        </p>
        <div className="ml-auto flex items-center gap-3">
          <Link href={`/consumption?range=${range === "15m" ? "1h" : range}`} className="text-[11px] text-accent hover:underline">
            Consumption →
          </Link>
          <UsageRangeSwitch range={range} onChange={setRange} />
        </div>
      </div>
      <FleetProblems now={now} />
      <div className="grid grid-cols-[repeat(auto-fill,minmax(360px,1fr))] gap-3">
        {clusters.map((cluster) => (
          <ClusterCard key={cluster.id} cluster={cluster} now={now} usageRange={range} />
        ))}
      </div>
    </>
  );
}
