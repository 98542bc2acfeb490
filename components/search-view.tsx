"use client";

import Link from "next/link";
import { keepPreviousData, useQuery, type UseQueryResult } from "@tanstack/react-query";
import {
  clustersQuery,
  fleetSearchFrom,
  fleetTasksQuery,
  fleetWorkloadsQuery,
  type FleetItem,
  type FleetListAnswer,
  type SearchKind,
} from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { plural } from "@/lib/format";
import type { Health } from "@/lib/model/health";
import type { Task, Workload } from "@/lib/model/types";
import { ClusterErrors } from "./cluster-errors";
import { ListTable, type Column } from "./data-table";
import { HealthBadge } from "./health";
import { FilterError, TextFilter } from "./list-filters";
import { ReplicaProgress } from "./replica-progress";
import { TaskState } from "./status";
import { TabList } from "./tabs";

const linkClass = "text-accent hover:underline";

/** Ids are unique within a cluster only: the same Deployment runs in several. */
const fleetRowKey = (item: FleetItem<{ id: string }>) => `${item.clusterId}/${item.id}`;

const clusterPath = (clusterId: string) => `/clusters/${encodeURIComponent(clusterId)}`;

/** The columns both lists start with: what the item is called, and where it runs. */
function placeColumns<T extends { id: string; name: string; namespace: string | null; clusterId: string }>(
  kind: SearchKind,
  clusterName: (id: string) => string,
): Column<T>[] {
  return [
    {
      key: "name",
      header: "Name",
      width: "minmax(180px, 2fr)",
      phone: true,
      sort: "name",
      cell: (item) => (
        <Link
          title={item.name}
          className={`font-medium ${linkClass}`}
          href={`${clusterPath(item.clusterId)}/${kind}/${encodeURIComponent(item.id)}`}
        >
          {item.name}
        </Link>
      ),
    },
    {
      key: "cluster",
      header: "Cluster",
      width: "minmax(110px, 1fr)",
      sort: "clusterId",
      cell: (item) => (
        <Link className={linkClass} href={`${clusterPath(item.clusterId)}/${kind}`}>
          {clusterName(item.clusterId)}
        </Link>
      ),
    },
    {
      key: "namespace",
      header: "Namespace",
      title: "Namespace, stack or group",
      width: "minmax(90px, 0.8fr)",
      sort: "namespace",
      cell: (item) => item.namespace ?? <span className="text-faint">—</span>,
    },
  ];
}

const healthColumn = <T extends { health: Health }>(): Column<T> => ({
  key: "health",
  header: "Health",
  width: "116px",
  cell: (item) => <HealthBadge state={item.health.state} title={item.health.problems[0]?.reason} />,
});

function workloadColumns(clusterName: (id: string) => string): Column<FleetItem<Workload>>[] {
  return [
    ...placeColumns<FleetItem<Workload>>("workloads", clusterName),
    { key: "kind", header: "Kind", width: "minmax(100px, 0.9fr)", sort: "kind", cell: (w) => <span title={w.kind}>{w.kind}</span> },
    healthColumn(),
    {
      key: "ready",
      header: "Ready",
      width: "112px",
      phone: true,
      sort: "ready",
      cell: (w) => <ReplicaProgress ready={w.ready} desired={w.desired} />,
    },
  ];
}

function taskColumns(clusterName: (id: string) => string): Column<FleetItem<Task>>[] {
  return [
    ...placeColumns<FleetItem<Task>>("tasks", clusterName),
    healthColumn(),
    { key: "state", header: "State", width: "minmax(150px, 1.4fr)", phone: true, sort: "state", cell: (t) => <TaskState task={t} /> },
    {
      key: "restarts",
      header: "Restarts",
      width: "84px",
      phone: "80px",
      sort: "restarts",
      align: "right",
      cell: (t) => <span className={t.restarts > 0 ? "text-warn" : ""}>{t.restarts}</span>,
    },
  ];
}

const NOUNS: Record<SearchKind, { singular: string; plural: string; label: string }> = {
  workloads: { singular: "workload", plural: "workloads", label: "Workloads" },
  // The fleet-wide word; each cluster's own (pods, allocations, containers) is on its pages.
  tasks: { singular: "task", plural: "tasks", label: "Tasks" },
};

/** "12 workloads in 3 clusters"; of a list cut at its limit, how many the shown rows come from. */
function totalsLine(answer: FleetListAnswer<unknown>, kind: SearchKind): string {
  const { singular, plural: pluralNoun } = NOUNS[kind];
  const total = answer.total ?? answer.items.length;
  const clusters = plural(new Set(answer.items.map((item) => item.clusterId)).size, "cluster");
  if (total > answer.items.length) return `${plural(total, singular, pluralNoun)}; the first ${answer.items.length} are in ${clusters}`;
  return `${plural(total, singular, pluralNoun)} in ${clusters}`;
}

function ClusterFilter() {
  const [search, update] = useUrlParams();
  const { data: clusters } = useQuery(clustersQuery());
  const value = search.get("cluster") ?? "";
  return (
    <label className="flex items-center gap-1.5 text-[12px] text-muted">
      Cluster
      <select
        aria-label="Cluster filter"
        value={value}
        onChange={(e) => update({ cluster: e.target.value })}
        className="h-7 max-w-56 rounded border border-border bg-surface px-2 text-[12px] text-foreground"
      >
        <option value="">All clusters</option>
        {(clusters ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
        {value && clusters && !clusters.some((c) => c.id === value) ? <option value={value}>{value}</option> : null}
      </select>
    </label>
  );
}

/** Workloads and tasks across every cluster, by name, label selector, namespace and cluster (issue 14). */
export function SearchView() {
  const [search, update] = useUrlParams();
  const { kind, ...params } = fleetSearchFrom(search);
  const { data: clusters } = useQuery(clustersQuery());
  const workloads = useQuery({ ...fleetWorkloadsQuery(params.workloads), placeholderData: keepPreviousData });
  const tasks = useQuery({ ...fleetTasksQuery(params.tasks), placeholderData: keepPreviousData });
  const names = new Map((clusters ?? []).map((c) => [c.id, c.name]));
  const clusterName = (id: string) => names.get(id) ?? id;
  const shown: UseQueryResult<FleetListAnswer<unknown>> = kind === "workloads" ? workloads : tasks;
  const shownParams = params[kind];
  const filtered = Boolean(shownParams.q || shownParams.selector || shownParams.namespace || shownParams.cluster);
  const onSort = (s: { sort?: string; order?: "asc" | "desc" }) => update({ sort: s.sort, order: s.order });

  return (
    <div className="space-y-3">
      <div>
        <h1 className="text-lg font-semibold tracking-tight">Search</h1>
        <p className="text-[12px] text-muted">Workloads and tasks (pods, allocations, containers) across every cluster</p>
      </div>

      <div>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <TextFilter name="q" label="Name" placeholder="contains…" width="w-48" />
          <TextFilter name="selector" label="Label selector" placeholder="app=mysql, tier in (db,cache), !canary" width="w-72" />
          <TextFilter name="namespace" label="Namespace" placeholder="exact name" width="w-36" />
          <ClusterFilter />
          {shown.isPlaceholderData ? <span className="text-[11px] text-muted">updating…</span> : null}
        </div>
        <FilterError error={shown.error} />
      </div>

      {shown.data ? <ClusterErrors errors={shown.data.errors} clusterName={clusterName} /> : null}

      <div>
        <TabList
          label="Results"
          tabs={[
            { id: "workloads", label: NOUNS.workloads.label, count: workloads.data?.total },
            { id: "tasks", label: NOUNS.tasks.label, count: tasks.data?.total },
          ]}
          selected={kind}
          onSelect={(id) => update({ kind: id === "workloads" ? "" : id, sort: "", order: "", limit: "" })}
        />
        <div role="tabpanel" aria-label={NOUNS[kind].label} className="mt-2 space-y-1.5">
          {shown.data && shown.data.items.length > 0 ? (
            <p role="status" className="figure text-[12px] text-muted">
              {totalsLine(shown.data, kind)}
            </p>
          ) : null}
          {kind === "workloads" ? (
            <ListTable
              query={workloads}
              noun={NOUNS.workloads.plural}
              filtered={filtered}
              emptyTitle="No workloads in any cluster"
              columns={workloadColumns(clusterName)}
              params={shownParams}
              onSort={onSort}
              rowKey={fleetRowKey}
            />
          ) : (
            <ListTable
              query={tasks}
              noun={NOUNS.tasks.plural}
              filtered={filtered}
              emptyTitle="No tasks in any cluster"
              columns={taskColumns(clusterName)}
              params={shownParams}
              onSort={onSort}
              rowKey={fleetRowKey}
            />
          )}
        </div>
      </div>
    </div>
  );
}
