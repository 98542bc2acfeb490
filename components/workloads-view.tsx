"use client";

import { Link } from "./link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { clusterQuery, workloadsQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { namespaceLabel } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu } from "@/lib/format";
import { listParamsFrom, WorkloadQuerySchema } from "@/lib/model/queries";
import type { Workload } from "@/lib/model/types";
import { Age, useNow } from "./age";
import { Badge } from "./badge";
import { ListTable, type Column } from "./data-table";
import { ListFilters } from "./list-filters";
import { ReplicaProgress } from "./replica-progress";

function Scaling({ workload }: { workload: Workload }) {
  if (workload.autoscaler) {
    const a = workload.autoscaler;
    return (
      <Badge tone="accent" title={`Autoscaler ${a.name} sets the replicas between ${a.minReplicas ?? 1} and ${a.maxReplicas}`}>
        {`Autoscaled ${a.minReplicas ?? 1}–${a.maxReplicas}`}
      </Badge>
    );
  }
  if (!workload.scalable)
    return (
      <span className="text-faint" title={workload.notScalableReason ?? undefined}>
        fixed
      </span>
    );
  return <span className="text-muted">manual</span>;
}

export function WorkloadsView({ clusterId }: { clusterId: string }) {
  const now = useNow();
  const [search, update] = useUrlParams();
  const params = listParamsFrom(WorkloadQuerySchema, search);
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const query = useQuery({ ...workloadsQuery(clusterId, params), placeholderData: keepPreviousData });
  const base = `/clusters/${encodeURIComponent(clusterId)}`;

  const columns: Column<Workload>[] = [
    {
      key: "name",
      header: "Name",
      width: "minmax(170px, 1.6fr)",
      phone: true,
      sort: "name",
      cell: (w) => (
        <Link className="font-medium text-accent hover:underline" href={`${base}/workloads/${encodeURIComponent(w.id)}`} title={w.name}>
          {w.name}
        </Link>
      ),
    },
    { key: "kind", header: "Kind", width: "minmax(104px, 0.9fr)", sort: "kind", cell: (w) => <span title={w.kind}>{w.kind}</span> },
    {
      key: "namespace",
      header: cluster ? namespaceLabel(cluster.orchestrator) : "Namespace",
      width: "minmax(90px, 0.8fr)",
      sort: "namespace",
      cell: (w) => w.namespace ?? <span className="text-faint">—</span>,
    },
    {
      key: "images",
      header: "Images",
      width: "minmax(160px, 1.6fr)",
      cell: (w) => (
        <span className="font-mono text-[12px]" title={w.images.join("\n")}>
          {w.images.join(", ") || "—"}
        </span>
      ),
    },
    {
      key: "ready",
      header: "Ready",
      width: "112px",
      phone: true,
      sort: "ready",
      cell: (w) => <ReplicaProgress ready={w.ready} desired={w.desired} />,
    },
    { key: "scaling", header: "Scaling", width: "124px", cell: (w) => <Scaling workload={w} /> },
    { key: "age", header: "Age", width: "56px", sort: "createdAt", align: "right", cell: (w) => <Age since={w.createdAt} now={now} /> },
    {
      key: "cpu",
      header: "CPU used",
      width: "84px",
      sort: "usage.cpuMillis",
      align: "right",
      cell: (w) => (w.usage ? formatCpu(w.usage.cpuMillis) : <span className="text-faint">—</span>),
    },
    {
      key: "memory",
      header: "Mem used",
      width: "88px",
      sort: "usage.memoryBytes",
      align: "right",
      cell: (w) => (w.usage ? formatBytes(w.usage.memoryBytes) : <span className="text-faint">—</span>),
    },
  ];

  const body = (
    <ListTable
      query={query}
      noun="workloads"
      filtered={Boolean(params.q || params.selector || params.namespace)}
      emptyTitle="No workloads in this cluster"
      columns={columns}
      params={params}
      onSort={(s) => update({ sort: s.sort, order: s.order })}
    />
  );
  return (
    <>
      <ListFilters
        clusterId={clusterId}
        fields={["q", "namespace", "selector"]}
        namespaceLabel={cluster ? namespaceLabel(cluster.orchestrator) : "Namespace"}
        error={query.error}
      />
      {body}
    </>
  );
}
