"use client";

import { Link } from "./link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { clusterQuery, nodesQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { taskNoun } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu, formatPercent } from "@/lib/format";
import { listParamsFrom, NodeQuerySchema } from "@/lib/model/queries";
import type { Node } from "@/lib/model/types";
import { Badge } from "./badge";
import { ListTable, type Column } from "./data-table";
import { ListFilters } from "./list-filters";
import { NodeStatus } from "./status";
import { UsageHistoryPanel } from "./usage-chart";

function UsedCell({
  used,
  allocatable,
  format,
  note,
}: {
  used: number | undefined;
  allocatable: number;
  format: (v: number) => string;
  note: string | null;
}) {
  if (used === undefined)
    return (
      <span className="text-faint" title={note ? `No live use: ${note}` : "No live metrics"}>
        —
      </span>
    );
  return (
    <span title={`${formatPercent(used, allocatable)} of allocatable`}>
      {format(used)} <span className="text-faint">{formatPercent(used, allocatable)}</span>
    </span>
  );
}

/** Allocatable of capacity in one cell, the shared unit written once: "7.86 / 8 cores". */
function AllocatableCell({ allocatable, capacity, format }: { allocatable: number; capacity: number; format: (v: number) => string }) {
  const a = format(allocatable);
  const c = format(capacity);
  const unit = c.includes(" ") ? c.slice(c.lastIndexOf(" ")) : null;
  return (
    <span title={`${a} allocatable of ${c} capacity`}>
      {unit && a.endsWith(unit) ? a.slice(0, -unit.length) : a} <span className="text-faint">/</span> {c}
    </span>
  );
}

export function NodesView({ clusterId }: { clusterId: string }) {
  const [search, update] = useUrlParams();
  const params = listParamsFrom(NodeQuerySchema, search);
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const noun = cluster ? taskNoun(cluster.orchestrator) : { singular: "Task", plural: "Tasks" };
  const query = useQuery({ ...nodesQuery(clusterId, params), placeholderData: keepPreviousData });
  const base = `/clusters/${encodeURIComponent(clusterId)}`;

  const columns: Column<Node>[] = [
    {
      key: "name",
      header: "Name",
      width: "minmax(150px, 1.6fr)",
      phone: true,
      sort: "name",
      cell: (n) => (
        <Link className="font-medium text-accent hover:underline" href={`${base}/nodes/${encodeURIComponent(n.id)}`} title={n.name}>
          {n.name}
        </Link>
      ),
    },
    { key: "status", header: "Status", width: "84px", phone: "76px", sort: "status", cell: (n) => <NodeStatus node={n} /> },
    {
      key: "roles",
      header: "Roles",
      width: "minmax(80px, 0.8fr)",
      cell: (n) => (n.roles.length ? n.roles.join(", ") : <span className="text-faint">—</span>),
    },
    {
      key: "schedulable",
      header: "Scheduling",
      width: "96px",
      sort: "schedulable",
      cell: (n) =>
        n.schedulable ? (
          <span className="text-muted">Schedulable</span>
        ) : (
          <Badge tone="warn" title="New work will not be placed here">
            Cordoned
          </Badge>
        ),
    },
    {
      key: "cpuAlloc",
      header: "CPU alloc / cap",
      title: "CPU allocatable to tasks / node capacity",
      width: "minmax(128px, 1fr)",
      sort: "allocatable.cpuMillis",
      align: "right",
      cell: (n) => <AllocatableCell allocatable={n.allocatable.cpuMillis} capacity={n.capacity.cpuMillis} format={formatCpu} />,
    },
    {
      key: "cpuReq",
      header: "CPU req",
      title: "CPU requested by the node's tasks",
      width: "minmax(112px, 1fr)",
      sort: "requested.cpuMillis",
      align: "right",
      cell: (n) => (
        <span>
          {formatCpu(n.requested.cpuMillis)}{" "}
          <span className="text-faint">{formatPercent(n.requested.cpuMillis, n.allocatable.cpuMillis)}</span>
        </span>
      ),
    },
    {
      key: "cpuUse",
      header: "CPU used",
      title: "CPU in use now",
      width: "minmax(112px, 1fr)",
      phone: "104px",
      sort: "usage.cpuMillis",
      align: "right",
      cell: (n) => <UsedCell used={n.usage?.cpuMillis} allocatable={n.allocatable.cpuMillis} format={formatCpu} note={n.usageNote} />,
    },
    {
      key: "memAlloc",
      header: "Mem alloc / cap",
      title: "Memory allocatable to tasks / node capacity",
      width: "minmax(132px, 1fr)",
      sort: "allocatable.memoryBytes",
      align: "right",
      cell: (n) => <AllocatableCell allocatable={n.allocatable.memoryBytes} capacity={n.capacity.memoryBytes} format={formatBytes} />,
    },
    {
      key: "memReq",
      header: "Mem req",
      title: "Memory requested by the node's tasks",
      width: "minmax(116px, 1fr)",
      sort: "requested.memoryBytes",
      align: "right",
      cell: (n) => (
        <span>
          {formatBytes(n.requested.memoryBytes)}{" "}
          <span className="text-faint">{formatPercent(n.requested.memoryBytes, n.allocatable.memoryBytes)}</span>
        </span>
      ),
    },
    {
      key: "memUse",
      header: "Mem used",
      title: "Memory in use now",
      width: "minmax(116px, 1fr)",
      sort: "usage.memoryBytes",
      align: "right",
      cell: (n) => <UsedCell used={n.usage?.memoryBytes} allocatable={n.allocatable.memoryBytes} format={formatBytes} note={n.usageNote} />,
    },
    { key: "tasks", header: noun.plural, width: "56px", sort: "taskCount", align: "right", cell: (n) => n.taskCount },
  ];

  const body = (
    <ListTable
      query={query}
      noun="nodes"
      filtered={Boolean(params.q || params.selector)}
      emptyTitle="This cluster reports no nodes"
      columns={columns}
      params={params}
      onSort={(s) => update({ sort: s.sort, order: s.order })}
      maxHeight="55vh"
    />
  );

  return (
    <div className="space-y-3">
      <div>
        <ListFilters clusterId={clusterId} fields={["q", "selector"]} error={query.error} />
        {body}
      </div>
      <UsageHistoryPanel
        clusterId={clusterId}
        scope="cluster"
        usageAvailable={cluster?.usageAvailable ?? true}
        title="Cluster usage history"
      />
    </div>
  );
}
