"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { clustersQuery } from "@/lib/client/queries";
import { plural } from "@/lib/format";
import { useNow } from "./age";
import { ClusterCard } from "./cluster-card";
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
  const counts = { ok: 0, degraded: 0, unreachable: 0 };
  for (const c of clusters) counts[c.status]++;
  return (
    <>
      <div className="mb-3 flex flex-wrap items-baseline gap-x-3 gap-y-2">
        <h1 className="text-lg font-semibold tracking-tight">Clusters</h1>
        <p className="figure text-[12px] text-muted">
          {plural(clusters.length, "cluster")} · {counts.ok} ok
          {counts.degraded ? <span className="text-warn"> · {counts.degraded} degraded</span> : null}
          {counts.unreachable ? <span className="text-danger"> · {counts.unreachable} unreachable</span> : null}
        </p>
        <div className="ml-auto flex items-center gap-3">
          <Link href={`/consumption?range=${range === "15m" ? "1h" : range}`} className="text-[11px] text-accent hover:underline">
            Consumption →
          </Link>
          <UsageRangeSwitch range={range} onChange={setRange} />
        </div>
      </div>
      <div className="grid grid-cols-[repeat(auto-fill,minmax(360px,1fr))] gap-3">
        {clusters.map((cluster) => (
          <ClusterCard key={cluster.id} cluster={cluster} now={now} usageRange={range} />
        ))}
      </div>
    </>
  );
}
