"use client";

import { segment } from "@/lib/client/segment";
import { Link } from "./link";
import { usePathname } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { clusterQuery, nodeQuery, taskQuery, workloadQuery } from "@/lib/client/queries";
import { ORCHESTRATOR_LABELS, taskNoun } from "@/lib/client/vocabulary";
import { RESOURCE_KINDS, type ClusterInfo, type ResourceKind } from "@/lib/model/types";
import { Badge } from "./badge";
import { useNow } from "./age";
import { ClusterStatusBadge, ConnectionNote } from "./status";
import { ProblemCount } from "./health";

function tabLabel(tab: ResourceKind, cluster: ClusterInfo): string {
  if (tab === "tasks") return taskNoun(cluster.orchestrator).plural;
  return tab.charAt(0).toUpperCase() + tab.slice(1);
}

function tabCount(tab: ResourceKind, cluster: ClusterInfo): number | null {
  if (tab === "nodes") return cluster.summary.nodes;
  if (tab === "workloads") return cluster.summary.workloads;
  if (tab === "tasks") return cluster.summary.tasks;
  return null;
}

/** Breadcrumbs, the cluster's identity and status, and the tabs (sub-routes). */
export function ClusterHeader({ clusterId, initial }: { clusterId: string; initial: ClusterInfo }) {
  const pathname = usePathname();
  const now = useNow();
  const cluster = useQuery({ ...clusterQuery(clusterId), initialData: initial }).data;
  const base = `/clusters/${encodeURIComponent(clusterId)}`;
  const [, , , tab, rawItem] = pathname.split("/");
  const item = rawItem ? segment(rawItem) : undefined;
  // Ids are opaque ("statefulset~default~mysql"); the crumb shows the name, from the detail page's cached query.
  const workloadName = useQuery({ ...workloadQuery(clusterId, item ?? ""), enabled: tab === "workloads" && Boolean(item) }).data?.name;
  const nodeName = useQuery({ ...nodeQuery(clusterId, item ?? ""), enabled: tab === "nodes" && Boolean(item) }).data?.name;
  const taskName = useQuery({ ...taskQuery(clusterId, item ?? ""), enabled: tab === "tasks" && Boolean(item) }).data?.name;

  return (
    <div className="mb-3 border-b border-border">
      <nav aria-label="Breadcrumb" className="mb-1 text-[12px] text-muted">
        <ol className="flex flex-wrap items-center gap-1">
          <li>
            <Link href="/" className="hover:text-foreground hover:underline">
              Fleet
            </Link>
          </li>
          <li aria-hidden>/</li>
          <li>
            <Link href={`${base}/nodes`} className="hover:text-foreground hover:underline">
              {cluster.name}
            </Link>
          </li>
          {tab && RESOURCE_KINDS.includes(tab as ResourceKind) ? (
            <>
              <li aria-hidden>/</li>
              <li>
                <Link href={`${base}/${tab}`} className="hover:text-foreground hover:underline">
                  {tabLabel(tab as ResourceKind, cluster)}
                </Link>
              </li>
            </>
          ) : null}
          {item ? (
            <>
              <li aria-hidden>/</li>
              <li aria-current="page" className="text-foreground">
                {{ workloads: workloadName, nodes: nodeName, tasks: taskName }[tab] ?? item}
              </li>
            </>
          ) : null}
        </ol>
      </nav>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h1 className="text-lg font-semibold tracking-tight">{cluster.name}</h1>
        <Badge>{ORCHESTRATOR_LABELS[cluster.orchestrator]}</Badge>
        {cluster.version ? <span className="figure text-[12px] text-muted">{cluster.version}</span> : null}
        <ClusterStatusBadge cluster={cluster} />
        <ProblemCount counts={cluster.summary.problems} />
        {cluster.demo ? <Badge tone="demo">DEMO</Badge> : null}
        <ConnectionNote cluster={cluster} now={now} className="text-[12px]" />
      </div>
      <nav aria-label="Cluster sections" className="-mb-px mt-2 flex gap-0.5 overflow-x-auto sm:gap-1">
        {RESOURCE_KINDS.map((t) => {
          const active = t === tab;
          const count = tabCount(t, cluster);
          return (
            <Link
              key={t}
              href={`${base}/${t}`}
              aria-current={active ? "page" : undefined}
              className={`flex shrink-0 items-center gap-1.5 border-b-2 px-2 py-1.5 text-[13px] sm:px-3 ${
                active ? "border-accent font-medium text-foreground" : "border-transparent text-muted hover:text-foreground"
              }`}
            >
              {tabLabel(t, cluster)}
              {count !== null ? <span className="figure rounded bg-surface-2 px-1 text-[11px] text-muted">{count}</span> : null}
            </Link>
          );
        })}
      </nav>
    </div>
  );
}
