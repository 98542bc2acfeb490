"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { clusterQuery, servicesQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { namespaceLabel } from "@/lib/client/vocabulary";
import { listParamsFrom, ServiceQuerySchema } from "@/lib/model/queries";
import type { Service } from "@/lib/model/types";
import { Age, useNow } from "./age";
import { Badge } from "./badge";
import { ListTable, type Column } from "./data-table";
import { ListFilters } from "./list-filters";

function portText(p: Service["ports"][number]): string {
  const target = p.targetPort && p.targetPort !== String(p.port) ? `→${p.targetPort}` : "";
  const node = p.nodePort ? ` (node ${p.nodePort})` : "";
  return `${p.name ? `${p.name} ` : ""}${p.port}${target}/${p.protocol}${node}`;
}

function Endpoints({ service }: { service: Service }) {
  if (service.readyEndpoints === null) return <span className="text-faint">—</span>;
  const total = service.totalEndpoints ?? service.readyEndpoints;
  const tone = service.readyEndpoints === 0 && total > 0 ? "text-danger" : service.readyEndpoints < total ? "text-warn" : "";
  return <span className={tone}>{`${service.readyEndpoints} / ${total}`}</span>;
}

export function ServicesView({ clusterId }: { clusterId: string }) {
  const now = useNow();
  const [search, update] = useUrlParams();
  const params = listParamsFrom(ServiceQuerySchema, search);
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const query = useQuery({ ...servicesQuery(clusterId, params), placeholderData: keepPreviousData });

  const columns: Column<Service>[] = [
    {
      key: "name",
      header: "Name",
      width: "minmax(160px, 1.6fr)",
      phone: true,
      sort: "name",
      cell: (s) => (
        <span className="font-medium" title={s.name}>
          {s.name}
        </span>
      ),
    },
    {
      key: "namespace",
      header: cluster ? namespaceLabel(cluster.orchestrator) : "Namespace",
      width: "minmax(90px, 0.8fr)",
      sort: "namespace",
      cell: (s) => s.namespace ?? <span className="text-faint">—</span>,
    },
    { key: "type", header: "Type", width: "100px", phone: "88px", sort: "type", cell: (s) => s.type },
    {
      key: "ip",
      header: "Cluster IP",
      width: "120px",
      cell: (s) =>
        s.headless ? (
          <Badge title="No virtual IP: DNS answers with the ready endpoints directly">Headless</Badge>
        ) : (
          <span className="figure font-mono text-[12px]">{s.clusterIp ?? "—"}</span>
        ),
    },
    {
      key: "ports",
      header: "Ports",
      width: "minmax(140px, 1.4fr)",
      cell: (s) => {
        const text = s.ports.map(portText).join(", ");
        return s.ports.length ? (
          <span className="font-mono text-[12px]" title={text}>
            {text}
          </span>
        ) : (
          <span className="text-faint">none</span>
        );
      },
    },
    {
      key: "selector",
      header: "Selector",
      width: "minmax(140px, 1.4fr)",
      cell: (s) => {
        const text = Object.entries(s.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        return text ? (
          <span className="font-mono text-[12px]" title={text}>
            {text}
          </span>
        ) : (
          <span className="text-faint">none</span>
        );
      },
    },
    {
      key: "endpoints",
      header: "Endpoints",
      title: "Ready / total endpoints",
      width: "96px",
      phone: "88px",
      sort: "readyEndpoints",
      align: "right",
      cell: (s) => <Endpoints service={s} />,
    },
    { key: "age", header: "Age", width: "56px", sort: "createdAt", align: "right", cell: (s) => <Age since={s.createdAt} now={now} /> },
  ];

  const body = (
    <ListTable
      query={query}
      noun="services"
      filtered={Boolean(params.q || params.selector || params.namespace)}
      emptyTitle="No services in this cluster"
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
