import { Link } from "./link";
import type { ConsumptionParams } from "@/lib/client/queries";
import { formatPercent } from "@/lib/format";
import { NO_TENANT, SAVINGS_NOTE, THRESHOLDS, type ConsumptionItem } from "@/lib/model/consumption";
import { Badge } from "./badge";
import { RESOURCE_FORMAT, UseBar, type BarFigures, type Resource } from "./consumption-bars";
import { costTitle, figuresOf, formatCost, type Figures } from "./consumption-figures";
import { GROUP_LABEL } from "./consumption-labels";
import { FLAG } from "./consumption-tabs";
import type { Column } from "./data-table";

const faint = (text: string, title?: string) => (
  <span className="text-faint" title={title}>
    {text}
  </span>
);

function Efficiency({ f }: { f: Figures }) {
  if (f.efficiency === null) return faint("—", f.reserved > 0 ? "no samples over the range" : (f.note ?? "nothing reserved"));
  const low = f.efficiency < THRESHOLDS.idleEfficiency;
  const over = f.efficiency > 1;
  return (
    <span className={low ? "text-warn" : over ? "text-danger" : undefined} title={f.note ?? "used on average / reserved"}>
      {formatPercent(f.efficiency, 1)}
    </span>
  );
}

function Flags({ item }: { item: ConsumptionItem }) {
  if (!item.flags.length) return faint("—");
  // In a phone's narrow column the badges stack rather than clip.
  return (
    <span className="inline-flex flex-wrap gap-1 md:flex-nowrap">
      {item.flags.map((f) => (
        <Badge key={f.kind} tone={FLAG[f.kind].tone} title={f.evidence}>
          {FLAG[f.kind].label}
        </Badge>
      ))}
    </span>
  );
}

function RightSize({ item, f, resource }: { item: ConsumptionItem; f: Figures; resource: Resource }) {
  const format = RESOURCE_FORMAT[resource];
  const rec = item.recommendation;
  if (!rec)
    // The reason's first clause in the cell ("not enough history"), all of it on hover.
    return item.recommendationNote
      ? faint(item.recommendationNote.split(/[:,]/)[0], `No recommendation: ${item.recommendationNote}`)
      : faint("—");
  const basis = `${item.workloadId ? `${RESOURCE_FORMAT.cpu(rec.cpuMillis)} CPU and ${RESOURCE_FORMAT.memory(rec.memoryBytes)} per task` : `${RESOURCE_FORMAT.cpu(rec.cpuMillis)} CPU and ${RESOURCE_FORMAT.memory(rec.memoryBytes)} reserved in all`}; frees ${RESOURCE_FORMAT.cpu(rec.frees.cpuMillis)} CPU and ${RESOURCE_FORMAT.memory(rec.frees.memoryBytes)}. Basis: ${rec.basis}`;
  const frees = f.frees ?? 0;
  return (
    <span title={basis}>
      {item.workloadId ? <span>{`${format(f.recommended)}/task · `}</span> : null}
      <span className={frees < 0 ? "text-warn" : frees > 0 ? "text-ok" : "text-muted"}>
        {frees < 0 ? `needs +${format(-frees)}` : `frees ${format(frees)}`}
      </span>
    </span>
  );
}

/** Where a row leads: a cluster to its tenants, a tenant to its workloads, a workload or node to its page. */
function drillHref(item: ConsumptionItem, groupBy: ConsumptionParams["groupBy"], range: ConsumptionParams["range"]): string | null {
  if (!item.cluster) return null;
  const cluster = encodeURIComponent(item.cluster);
  if (groupBy === "cluster") return `/consumption?groupBy=tenant&range=${range}&cluster=${cluster}`;
  if (groupBy === "tenant" && item.tenant !== undefined)
    return `/consumption?groupBy=workload&range=${range}&cluster=${cluster}&tenant=${encodeURIComponent(item.tenant)}`;
  if (groupBy === "workload" && item.workloadId) return `/clusters/${cluster}/workloads/${encodeURIComponent(item.workloadId)}`;
  if (groupBy === "node" && item.nodeId) return `/clusters/${cluster}/nodes/${encodeURIComponent(item.nodeId)}`;
  return null;
}

/** The consumption table's columns for the grouping and the resource, without the ones that would hold only dashes. */
export function columnsFor(
  params: ConsumptionParams,
  resource: Resource,
  clusterName: (id: string | null) => string,
  items: ConsumptionItem[],
): Column<ConsumptionItem>[] {
  const format = RESOURCE_FORMAT[resource];
  const fig = (item: ConsumptionItem) => figuresOf(item, resource);
  const figure = (v: number | null | undefined) => (v === null || v === undefined ? faint("—") : format(v));
  const unit = resource === "cpu" ? "CPU" : "memory";
  const columns: Column<ConsumptionItem>[] = [
    {
      key: "name",
      header: GROUP_LABEL[params.groupBy],
      width: "minmax(140px, 1.4fr)",
      phone: true,
      sort: "name",
      cell: (item) => {
        const href = drillHref(item, params.groupBy, params.range);
        const label = item.name === NO_TENANT ? `${NO_TENANT} (in no ${GROUP_LABEL[params.groupBy].toLowerCase()})` : item.name;
        return href ? (
          <Link className="font-medium text-accent hover:underline" href={href} title={label}>
            {item.name}
          </Link>
        ) : (
          <span className="font-medium" title={label}>
            {item.name}
          </span>
        );
      },
    },
  ];
  if (params.groupBy !== "cluster" && params.groupBy !== "team")
    columns.push({
      key: "cluster",
      header: "Cluster",
      width: "minmax(100px, 0.9fr)",
      sort: "cluster",
      cell: (item) => <span title={item.cluster ?? undefined}>{clusterName(item.cluster)}</span>,
    });
  if (params.groupBy === "workload")
    columns.push({ key: "tenant", header: "Tenant", width: "minmax(90px, 0.7fr)", cell: (item) => item.tenant ?? faint("—") });
  columns.push(
    {
      key: "bar",
      header: "Use",
      title: `${unit}: average use (solid), p95 (tick), reserved (pale) against the capacity (track)`,
      width: "minmax(80px, 1fr)",
      cell: (item) => <UseBar resource={resource} figures={fig(item) satisfies BarFigures} />,
    },
    {
      key: "capacity",
      header: "Capacity",
      title: "Allocatable; for a tenant or team, its share of it by what it reserved",
      width: "80px",
      sort: "capacity",
      align: "right",
      cell: (item) => figure(fig(item).capacity),
    },
    { key: "reserved", header: "Reserved", width: "80px", sort: "reserved", align: "right", cell: (item) => figure(fig(item).reserved) },
    {
      key: "limit",
      header: "Limit",
      title: `The ${unit} cap of the tasks holding resources, added up; — where one of them has none`,
      width: "76px",
      sort: "limit",
      align: "right",
      cell: (item) => figure(fig(item).limit),
    },
    {
      key: "usedAvg",
      header: "Used avg",
      title: `Average ${unit} use over ${params.range}`,
      width: "80px",
      phone: true,
      sort: "usedAvg",
      align: "right",
      cell: (item) => figure(fig(item).usedAvg),
    },
    { key: "usedP95", header: "p95", width: "76px", sort: "usedP95", align: "right", cell: (item) => figure(fig(item).usedP95) },
    { key: "usedMax", header: "Max", width: "76px", sort: "usedMax", align: "right", cell: (item) => figure(fig(item).usedMax) },
    {
      key: "efficiency",
      header: "Efficiency",
      title: "Used on average / reserved",
      width: "92px",
      sort: "efficiency",
      align: "right",
      cell: (item) => <Efficiency f={fig(item)} />,
    },
    {
      key: "idleReserved",
      header: "Idle reserved",
      title: "Reserved − used on average (never negative)",
      width: "114px",
      sort: "idleReserved",
      align: "right",
      cell: (item) => figure(fig(item).idleReserved),
    },
    {
      key: "coverage",
      header: "Coverage",
      title: `Share of the ${params.range} with samples; flags and right-sizing need ${formatPercent(THRESHOLDS.minCoverage, 1)}`,
      width: "84px",
      sort: "coverage",
      align: "right",
      cell: (item) => (
        <span className={item.coverage < THRESHOLDS.minCoverage ? "text-faint" : undefined}>{formatPercent(item.coverage, 1)}</span>
      ),
    },
    {
      key: "cost",
      header: "Cost",
      title: `What the reservation cost over ${params.range} (CPU and memory); used and idle on hover`,
      width: "80px",
      sort: "cost",
      align: "right",
      cell: (item) =>
        item.cost ? (
          <span title={costTitle(item.cost, params.range)}>{formatCost(item.cost.reserved, item.cost.currency)}</span>
        ) : (
          faint("—")
        ),
    },
    {
      key: "idleCost",
      header: "Idle cost",
      title: `What the idle reservation cost over ${params.range} (CPU and memory)`,
      width: "80px",
      sort: "idleCost",
      align: "right",
      cell: (item) => (item.cost ? formatCost(item.cost.idle, item.cost.currency) : faint("—")),
    },
    {
      key: "flags",
      header: "Flags",
      title: "Problems, with their evidence on hover; sorted by this column, problems come first",
      width: "minmax(110px, 1fr)",
      phone: "104px",
      sort: "flags",
      cell: (item) => <Flags item={item} />,
    },
    {
      key: "rightSize",
      header: "Right-size",
      title: `CPU = p95 of use, memory = max × ${THRESHOLDS.memoryHeadroom}; the basis on hover. ${SAVINGS_NOTE}`,
      width: "minmax(140px, 1.2fr)",
      sort: "frees",
      cell: (item) => <RightSize item={item} f={fig(item)} resource={resource} />,
    },
  );
  // No column of dashes: workloads have no capacity of their own, Marathon no limits, an unpriced fleet no cost.
  const absent = new Set<string>();
  if (!items.some((i) => figuresOf(i, resource).capacity !== undefined)) absent.add("capacity");
  if (!items.some((i) => figuresOf(i, resource).limit !== undefined)) absent.add("limit");
  if (!items.some((i) => i.cost)) ["cost", "idleCost"].forEach((k) => absent.add(k));
  return columns.filter((c) => !absent.has(c.key));
}
