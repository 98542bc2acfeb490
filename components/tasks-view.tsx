"use client";

import { Link } from "./link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { clusterQuery, nodesQuery, tasksQuery, workloadsQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { namespaceLabel, taskNoun, withoutNodeLabel } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu } from "@/lib/format";
import { LIST_PAGE, listParamsFrom, TaskQuerySchema, type TaskParams } from "@/lib/model/queries";
import type { Task } from "@/lib/model/types";
import { Age, useNow } from "./age";
import { ListTable, type Column } from "./data-table";
import { ListFilters } from "./list-filters";
import { TaskState } from "./status";

type TaskColumn = "namespace" | "workload" | "node";

const linkClass = "text-accent hover:underline";

/** Tasks of a cluster (pods, allocations, containers…) for the given filters. */
export function TasksTable({
  clusterId,
  params,
  hide = [],
  onSort,
  maxHeight,
}: {
  clusterId: string;
  params: TaskParams;
  hide?: TaskColumn[];
  onSort?: (next: { sort?: string; order?: "asc" | "desc" }) => void;
  maxHeight?: string;
}) {
  const now = useNow();
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const noun = cluster ? taskNoun(cluster.orchestrator) : { singular: "Task", plural: "Tasks" };
  const query = useQuery({ ...tasksQuery(clusterId, params), placeholderData: keepPreviousData });
  // Names for the ids tasks carry; both lists are usually cached already by the other tabs.
  const workloads = useQuery({ ...workloadsQuery(clusterId, { limit: LIST_PAGE }), enabled: !hide.includes("workload") }).data;
  const nodes = useQuery({ ...nodesQuery(clusterId, { limit: LIST_PAGE }), enabled: !hide.includes("node") }).data;
  const workloadNames = new Map(workloads?.items.map((w) => [w.id, w.name]));
  const nodeNames = new Map(nodes?.items.map((n) => [n.id, n.name]));
  const base = `/clusters/${encodeURIComponent(clusterId)}`;

  const allColumns: Column<Task>[] = [
    {
      key: "name",
      header: "Name",
      width: "minmax(200px, 2.2fr)",
      phone: true,
      sort: "name",
      cell: (t) => (
        <Link title={t.name} className={`font-medium ${linkClass}`} href={`${base}/tasks/${encodeURIComponent(t.id)}`}>
          {t.name}
        </Link>
      ),
    },
    {
      key: "namespace",
      header: cluster ? namespaceLabel(cluster.orchestrator) : "Namespace",
      width: "minmax(90px, 0.8fr)",
      sort: "namespace",
      cell: (t) => t.namespace ?? <span className="text-faint">—</span>,
    },
    {
      key: "workload",
      header: "Workload",
      width: "minmax(120px, 1.2fr)",
      cell: (t) =>
        t.workloadId ? (
          <Link className={linkClass} href={`${base}/workloads/${encodeURIComponent(t.workloadId)}`}>
            {workloadNames.get(t.workloadId) ?? t.workloadId}
          </Link>
        ) : (
          <span className="text-faint">none</span>
        ),
    },
    {
      key: "node",
      header: "Node",
      width: "minmax(110px, 1fr)",
      sort: "node",
      cell: (t) =>
        t.node ? (
          <Link className={linkClass} href={`${base}/nodes/${encodeURIComponent(t.node)}`}>
            {nodeNames.get(t.node) ?? t.node}
          </Link>
        ) : (
          <span className="text-faint">{withoutNodeLabel(t)}</span>
        ),
    },
    { key: "state", header: "State", width: "minmax(150px, 1.6fr)", phone: true, sort: "state", cell: (t) => <TaskState task={t} /> },
    {
      key: "restarts",
      header: "Restarts",
      width: "84px",
      phone: "80px",
      sort: "restarts",
      align: "right",
      cell: (t) => <span className={t.restarts > 0 ? "text-warn" : ""}>{t.restarts}</span>,
    },
    {
      key: "age",
      header: "Age",
      width: "56px",
      sort: "createdAt",
      align: "right",
      cell: (t) => <Age since={t.startedAt ?? t.createdAt} now={now} />,
    },
    {
      key: "cpu",
      header: "CPU",
      width: "84px",
      sort: "usage.cpuMillis",
      align: "right",
      title: "CPU in use (requested)",
      cell: (t) => <UseCell used={t.usage?.cpuMillis} requested={t.requests.cpuMillis} format={formatCpu} note={t.usageNote} />,
    },
    {
      key: "memory",
      header: "Memory",
      width: "92px",
      sort: "usage.memoryBytes",
      align: "right",
      title: "Memory in use (requested)",
      cell: (t) => <UseCell used={t.usage?.memoryBytes} requested={t.requests.memoryBytes} format={formatBytes} note={t.usageNote} />,
    },
  ];
  const columns = allColumns.filter((c) => !hide.includes(c.key as TaskColumn));

  return (
    <ListTable
      query={query}
      noun={noun.plural.toLowerCase()}
      filtered={Boolean(params.namespace || params.selector || params.node || params.q)}
      emptyTitle={`No ${noun.plural.toLowerCase()} here`}
      columns={columns}
      params={params}
      onSort={onSort}
      maxHeight={maxHeight}
    />
  );
}

function UseCell({
  used,
  requested,
  format,
  note,
}: {
  used: number | undefined;
  requested: number;
  format: (v: number | null | undefined) => string;
  note: string | null;
}) {
  return (
    <span title={used === undefined && note ? `No live use: ${note}` : `requested ${format(requested)}`}>
      {used === undefined ? <span className="text-faint">—</span> : format(used)}
    </span>
  );
}

/** The tasks tab: filters in the URL, the table below. */
export function TasksView({ clusterId }: { clusterId: string }) {
  const [search, update] = useUrlParams();
  const params = listParamsFrom(TaskQuerySchema, search);
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const query = useQuery({ ...tasksQuery(clusterId, params), placeholderData: keepPreviousData });
  return (
    <>
      <ListFilters
        clusterId={clusterId}
        fields={["q", "namespace", "node", "selector"]}
        namespaceLabel={cluster ? namespaceLabel(cluster.orchestrator) : "Namespace"}
        error={query.error}
      />
      <TasksTable clusterId={clusterId} params={params} onSort={(s) => update({ sort: s.sort, order: s.order })} />
    </>
  );
}
