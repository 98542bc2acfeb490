"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  clustersQuery,
  consumptionCsvUrl,
  consumptionParamsFrom,
  consumptionQuery,
  type ConsumptionAnswer,
  type ConsumptionParams,
} from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { formatPercent, plural } from "@/lib/format";
import {
  CONSUMPTION_GROUPS,
  CONSUMPTION_RANGES,
  NO_TENANT,
  SAVINGS_NOTE,
  THRESHOLDS,
  type ConsumptionItem,
  type HistoryOrigin,
  type Cost,
  type FlagKind,
} from "@/lib/model/consumption";
import { Badge, type Tone } from "./badge";
import { BarKey, RESOURCE_FORMAT, TotalsBar, UseBar, type BarFigures, type Resource } from "./consumption-bars";
import { ConsumptionChart } from "./consumption-chart";
import { DataTable, type Column } from "./data-table";
import { isFilterError } from "./list-filters";
import { EmptyState, ErrorState, TableSkeleton } from "./states";

const GROUP_LABEL: Record<ConsumptionParams["groupBy"], string> = {
  cluster: "Cluster",
  tenant: "Tenant",
  team: "Team",
  workload: "Workload",
  node: "Node",
};
const GROUP_PLURAL: Record<ConsumptionParams["groupBy"], string> = {
  cluster: "clusters",
  tenant: "tenants",
  team: "teams",
  workload: "workloads",
  node: "nodes",
};
const RANGE_LABEL: Record<ConsumptionParams["range"], string> = { "1h": "1 h", "6h": "6 h", "24h": "24 h", "7d": "7 d" };

const TABS = [
  { id: "all", label: "All" },
  { id: "top", label: "Top consumers" },
  { id: "idle", label: "Idle" },
  { id: "starved", label: "Starved" },
  { id: "over-committed", label: "Over-committed" },
] as const;
type TabId = (typeof TABS)[number]["id"];
const TOP_COUNT = 10;

const FLAG: Record<FlagKind, { label: string; tone: Tone; weight: number }> = {
  "over-committed": { label: "over-committed", tone: "danger", weight: 4 },
  oom: { label: "OOM killed", tone: "danger", weight: 4 },
  starved: { label: "starved", tone: "danger", weight: 4 },
  idle: { label: "idle", tone: "warn", weight: 3 },
  unreserved: { label: "unreserved", tone: "accent", weight: 1 },
};

/** One resource's figures of an item, under one set of names. */
function figuresOf(item: ConsumptionItem, resource: Resource) {
  if (resource === "cpu") {
    const c = item.cpu;
    return {
      capacity: c.capacityMillis,
      reserved: c.reservedMillis,
      limit: c.limitMillis,
      usedAvg: c.usedAvgMillis,
      usedP95: c.usedP95Millis,
      usedMax: c.usedMaxMillis,
      idleReserved: c.idleReservedMillis,
      unreserved: c.unreservedMillis,
      efficiency: c.efficiency,
      note: c.note,
      frees: item.recommendation?.frees.cpuMillis,
      recommended: item.recommendation?.cpuMillis,
    };
  }
  const m = item.memory;
  return {
    capacity: m.capacityBytes,
    reserved: m.reservedBytes,
    limit: m.limitBytes,
    usedAvg: m.usedAvgBytes,
    usedP95: m.usedP95Bytes,
    usedMax: m.usedMaxBytes,
    idleReserved: m.idleReservedBytes,
    unreserved: m.unreservedBytes,
    efficiency: m.efficiency,
    note: m.note,
    frees: item.recommendation?.frees.memoryBytes,
    recommended: item.recommendation?.memoryBytes,
  };
}
type Figures = ReturnType<typeof figuresOf>;

/** Money in the price sheet's currency, to the cent ("$12.40"); a positive amount below a cent says so rather than "$0.00". */
function formatCost(amount: number, currency: string): string {
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return amount > 0 && amount < 0.005 ? `< ${money.format(0.01)}` : money.format(amount);
}

const costTitle = (c: Cost, range: string) =>
  `Over ${range} at the cluster's price sheet, CPU and memory added: ${formatCost(c.used, c.currency)} used, ${formatCost(c.reserved, c.currency)} reserved, ${formatCost(c.idle, c.currency)} idle reserved`;

const problemScore = (item: ConsumptionItem) => item.flags.reduce((sum, f) => sum + FLAG[f.kind].weight, 0);

type SortKey =
  | "name"
  | "cluster"
  | "capacity"
  | "reserved"
  | "limit"
  | "usedAvg"
  | "usedP95"
  | "usedMax"
  | "efficiency"
  | "idleReserved"
  | "coverage"
  | "cost"
  | "idleCost"
  | "flags"
  | "frees";
const SORT_KEYS: ReadonlySet<string> = new Set<SortKey>([
  "name",
  "cluster",
  "capacity",
  "reserved",
  "limit",
  "usedAvg",
  "usedP95",
  "usedMax",
  "efficiency",
  "idleReserved",
  "coverage",
  "cost",
  "idleCost",
  "flags",
  "frees",
]);

/** Sorted by the column; missing figures last whichever the order; problems first breaks ties by the idle reservation. */
function sortItems(
  items: ConsumptionItem[],
  sort: SortKey,
  order: "asc" | "desc",
  resource: Resource,
  clusterName: (id: string | null) => string,
) {
  const sign = order === "desc" ? -1 : 1;
  const value = (item: ConsumptionItem): number | string | null => {
    if (sort === "name") return item.name.toLowerCase();
    if (sort === "cluster") return clusterName(item.cluster).toLowerCase();
    if (sort === "coverage") return item.coverage;
    if (sort === "cost") return item.cost?.reserved ?? null;
    if (sort === "idleCost") return item.cost?.idle ?? null;
    if (sort === "flags") return problemScore(item);
    return figuresOf(item, resource)[sort] ?? null;
  };
  return [...items].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const primary = typeof va === "string" ? va.localeCompare(String(vb)) : va - (vb as number);
    if (primary !== 0) return sign * primary;
    return figuresOf(b, resource).idleReserved - figuresOf(a, resource).idleReserved || a.key.localeCompare(b.key);
  });
}

function tabItems(tab: TabId, items: ConsumptionItem[], resource: Resource): ConsumptionItem[] {
  const has = (...kinds: FlagKind[]) => items.filter((i) => i.flags.some((f) => kinds.includes(f.kind)));
  if (tab === "idle") return has("idle");
  if (tab === "starved") return has("starved", "oom");
  if (tab === "over-committed") return has("over-committed");
  if (tab === "top")
    return items
      .filter((i) => (figuresOf(i, resource).usedAvg ?? 0) > 0)
      .sort((a, b) => (figuresOf(b, resource).usedAvg ?? 0) - (figuresOf(a, resource).usedAvg ?? 0))
      .slice(0, TOP_COUNT);
  return items;
}

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
  return (
    <span className="inline-flex gap-1">
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

function columnsFor(
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

function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="flex items-center gap-1.5 text-[12px] text-muted">
      <span>{label}</span>
      <div role="group" aria-label={label} className="flex overflow-hidden rounded border border-border text-[12px]">
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            aria-pressed={value === o.value}
            onClick={() => onChange(o.value)}
            className={`border-l border-border px-2 py-0.5 first:border-l-0 ${value === o.value ? "bg-accent-soft font-medium text-accent" : "text-muted hover:bg-surface-2 hover:text-foreground"}`}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}

function Stat({ label, value, hint, title }: { label: string; value: string; hint?: string; title?: string }) {
  return (
    <div className="min-w-0" title={title}>
      <div className="text-[11px] uppercase tracking-wide text-muted">{label}</div>
      <div className="figure text-[15px] font-semibold">{value}</div>
      {hint ? <div className="text-[11px] leading-snug text-faint">{hint}</div> : null}
    </div>
  );
}

/** The listed items added up: the bars, and what is idle, unreserved and could be freed, and what it cost where priced. */
function Totals({
  answer,
  resource,
  noun,
  range,
}: {
  answer: ConsumptionAnswer;
  resource: Resource;
  noun: string;
  range: ConsumptionParams["range"];
}) {
  const t = answer.totals;
  const f = figuresOf(t, resource);
  const format = RESOURCE_FORMAT[resource];
  return (
    <section aria-label="Totals" className="min-w-0 space-y-3 rounded-md border border-border bg-surface p-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold">Totals</h2>
        <span className="text-[11px] text-muted">{`${plural(answer.items.length, noun.slice(0, -1), noun)} added up`}</span>
      </div>
      <TotalsBar resource="cpu" figures={figuresOf(t, "cpu")} />
      <TotalsBar resource="memory" figures={figuresOf(t, "memory")} />
      <BarKey />
      <div className="grid grid-cols-2 gap-3 border-t border-border pt-3">
        <Stat
          label="Efficiency"
          value={f.efficiency === null ? "—" : formatPercent(f.efficiency, 1)}
          hint={`${resource === "cpu" ? "CPU" : "memory"} used / reserved`}
        />
        <Stat label="Idle reserved" value={format(f.idleReserved)} hint="reserved, not used" />
        <Stat label="Unreserved" value={f.unreserved === undefined ? "—" : format(f.unreserved)} hint="capacity nobody reserved" />
        <Stat
          label="Right-sizing frees"
          value={f.frees === undefined ? "—" : format(f.frees)}
          hint={SAVINGS_NOTE}
          title={t.recommendation?.basis ?? "no workload has enough history for a recommendation yet"}
        />
        {t.cost ? (
          <>
            <Stat
              label={`Cost over ${RANGE_LABEL[range]}`}
              value={formatCost(t.cost.reserved, t.cost.currency)}
              hint={`reserved; ${formatCost(t.cost.used, t.cost.currency)} of it used on average`}
              title={costTitle(t.cost, range)}
            />
            <Stat label="Idle cost" value={formatCost(t.cost.idle, t.cost.currency)} hint="reserved, not used" />
          </>
        ) : null}
      </div>
    </section>
  );
}

function TabEmpty({
  tab,
  params,
  answer,
  onGroupByNode,
}: {
  tab: TabId;
  params: ConsumptionParams;
  answer: ConsumptionAnswer;
  onGroupByNode: () => void;
}) {
  const coverage = answer.totals.coverage;
  const shortHistory =
    coverage < THRESHOLDS.minCoverage
      ? ` The history covers ${formatPercent(coverage, 1)} of ${params.range} so far and flags need ${formatPercent(THRESHOLDS.minCoverage, 1)}: a shorter range shows them sooner.`
      : "";
  if (tab === "idle")
    return (
      <EmptyState title={`Nothing idle over ${params.range}`}>
        {`Idle is every reservation used below ${formatPercent(THRESHOLDS.idleEfficiency, 1)} on average over the whole range.${shortHistory}`}
      </EmptyState>
    );
  if (tab === "starved")
    return (
      <EmptyState title="Nothing starved or OOM-killed">
        {`Starved is a workload whose p95 of use reached ${formatPercent(THRESHOLDS.starved, 1)} of its limit over the range, or one with OOM kills as the orchestrator reports them. Workloads without a limit (Marathon's, or a container without one) show only OOM kills.${shortHistory}`}
      </EmptyState>
    );
  if (tab === "over-committed")
    return params.groupBy === "node" ? (
      <EmptyState title="No over-committed node">{`No node has more than ${formatPercent(THRESHOLDS.overCommitted, 1)} of its allocatable reserved.`}</EmptyState>
    ) : (
      <EmptyState title="Over-commitment is a node's">
        <button type="button" onClick={onGroupByNode} className="text-accent hover:underline">
          Group by node
        </button>{" "}
        to see nodes with more than {formatPercent(THRESHOLDS.overCommitted, 1)} of their allocatable reserved.
      </EmptyState>
    );
  return (
    <EmptyState title={`No use measured over ${params.range} yet`}>No usage history yet — it builds up from the first minute.</EmptyState>
  );
}

function Crumbs({ params }: { params: ConsumptionParams }) {
  const { data: clusters } = useQuery(clustersQuery());
  const clusterName = clusters?.find((c) => c.id === params.cluster)?.name ?? params.cluster;
  const crumbs: { label: string; href?: string }[] = [{ label: "Fleet", href: `/consumption?range=${params.range}` }];
  if (params.cluster)
    crumbs.push({
      label: clusterName!,
      href: `/consumption?groupBy=tenant&range=${params.range}&cluster=${encodeURIComponent(params.cluster)}`,
    });
  if (params.tenant) crumbs.push({ label: params.tenant });
  if (crumbs.length === 1) return null;
  return (
    <nav aria-label="Breadcrumb" className="text-[12px] text-muted">
      <ol className="flex flex-wrap items-center gap-1">
        {crumbs.map((c, i) => (
          <li key={i} className="flex items-center gap-1">
            {i > 0 ? <span aria-hidden>/</span> : null}
            {c.href && i < crumbs.length - 1 ? (
              <Link href={c.href} className="hover:text-foreground hover:underline">
                {c.label}
              </Link>
            ) : (
              <span aria-current="page" className="text-foreground">
                {c.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

const ORIGIN_TEXT: Record<HistoryOrigin, string> = {
  history: "Fleetdeck's own history",
  prometheus: "Prometheus",
  demo: "the demo's simulated history",
};

/** Where the figures come from; demo data always says so, so nobody takes it for measurement. */
function SourceNote({ answer, clusterName }: { answer: ConsumptionAnswer; clusterName: (id: string) => string }) {
  const byOrigin = new Map<HistoryOrigin, string[]>();
  for (const [id, origin] of Object.entries(answer.sources)) byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), clusterName(id)]);
  const demo = byOrigin.has("demo") ? (
    <>
      <Badge tone="demo" title="Backfilled from the simulators' own model of use, a week back from the demo's first minute">
        Demo data
      </Badge>{" "}
    </>
  ) : null;
  if (byOrigin.size <= 1)
    return (
      <>
        {demo}
        {`from ${ORIGIN_TEXT[answer.source]}`}
      </>
    );
  return (
    <>
      {demo}
      {`from ${[...byOrigin].map(([origin, names]) => `${ORIGIN_TEXT[origin]} (${names.join(", ")})`).join("; ")}`}
    </>
  );
}

/** Clusters that could not answer, beside the figures of the others (never instead of them). */
function ClusterErrors({ errors, clusterName }: { errors: ConsumptionAnswer["errors"]; clusterName: (id: string) => string }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div role="alert" className="rounded border border-warn/40 bg-warn-soft px-3 py-1.5 text-[12px] text-warn">
      <p className="font-medium">{`${plural(entries.length, "cluster")} could not answer in full:`}</p>
      <ul className="mt-0.5 space-y-0.5">
        {entries.map(([id, e]) => (
          <li key={id} className="break-words">
            <span className="font-medium">{clusterName(id)}</span>: {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The fleet-wide consumption page: who uses what, against what they reserved and what exists (issue 12). */
export function ConsumptionView() {
  const [search, update] = useUrlParams();
  const params = consumptionParamsFrom(search);
  const resource: Resource = search.get("resource") === "memory" ? "memory" : "cpu";
  const tab: TabId = TABS.find((t) => t.id === search.get("tab"))?.id ?? "all";
  const rawSort = search.get("sort");
  const explicitSort = rawSort && SORT_KEYS.has(rawSort) ? (rawSort as SortKey) : null;
  const sort: SortKey = explicitSort ?? (tab === "top" ? "usedAvg" : "flags");
  const order: "asc" | "desc" = explicitSort ? (search.get("order") === "desc" ? "desc" : "asc") : "desc";

  const { data: clusters } = useQuery(clustersQuery());
  const query = useQuery({ ...consumptionQuery(params), placeholderData: keepPreviousData });
  const names = new Map((clusters ?? []).map((c) => [c.id, c.name]));
  const clusterName = (id: string | null) => (id === null ? "—" : (names.get(id) ?? id));
  const noun = GROUP_PLURAL[params.groupBy];
  const answer = query.data;

  let body: ReactNode;
  if (query.isPending) body = <TableSkeleton rows={8} />;
  else if (query.error && !answer)
    body = isFilterError(query.error) ? (
      <EmptyState title="No results for this filter">{query.error.message}</EmptyState>
    ) : (
      <ErrorState title="Could not load consumption" error={query.error} onRetry={() => query.refetch()} />
    );
  else if (answer && answer.items.length === 0)
    body = (
      <EmptyState title={`No ${noun} here`}>
        {params.cluster || params.tenant
          ? "Nothing matches these filters; clear them to see the fleet."
          : "No cluster has reported anything to count yet."}
      </EmptyState>
    );
  else if (answer) {
    const rows = sortItems(tabItems(tab, answer.items, resource), sort, order, resource, clusterName);
    const t = figuresOf(answer.totals, resource);
    const format = RESOURCE_FORMAT[resource];
    body = (
      <>
        <div role="tablist" aria-label="Views" className="flex flex-wrap gap-x-1 border-b border-border">
          {TABS.map((t) => {
            const count = tabItems(t.id, answer.items, resource).length;
            const selected = t.id === tab;
            return (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={selected}
                onClick={() => update({ tab: t.id === "all" ? "" : t.id, sort: "", order: "" })}
                className={`-mb-px border-b-2 px-2.5 py-1.5 text-[12px] ${selected ? "border-accent font-medium text-foreground" : "border-transparent text-muted hover:text-foreground"}`}
              >
                {t.label}
                <span
                  className={`figure ml-1.5 rounded px-1 text-[11px] ${count && t.id !== "all" && t.id !== "top" ? "bg-warn-soft text-warn" : "bg-surface-2 text-muted"}`}
                >
                  {count}
                </span>
              </button>
            );
          })}
        </div>
        <div role="tabpanel" aria-label={TABS.find((x) => x.id === tab)!.label} className="mt-2">
          {rows.length === 0 ? (
            <TabEmpty tab={tab} params={params} answer={answer} onGroupByNode={() => update({ groupBy: "node", tab: "over-committed" })} />
          ) : (
            <DataTable
              label={`Consumption by ${GROUP_LABEL[params.groupBy].toLowerCase()}`}
              rows={rows}
              columns={columnsFor(params, resource, clusterName, answer.items)}
              rowKey={(item) => item.key}
              sort={{ sort, order }}
              onSort={(s) => update({ sort: s.sort, order: s.order })}
              maxHeight="min(70vh, 720px)"
              footer={
                <span className="figure">
                  {`${rows.length === answer.items.length ? plural(rows.length, noun.slice(0, -1), noun) : `${rows.length} of ${answer.items.length} ${noun}`}`}
                  {` · all of them: ${format(t.reserved)} reserved, ${format(t.usedAvg)} used on average (${t.efficiency === null ? "—" : formatPercent(t.efficiency, 1)}), ${format(t.idleReserved)} idle reserved`}
                  {answer.totals.cost ? `, ${formatCost(answer.totals.cost.reserved, answer.totals.cost.currency)} cost` : ""}
                  {sort === "flags" && !explicitSort ? " · problems first" : ""}
                </span>
              }
            />
          )}
        </div>
      </>
    );
  }

  const coverage = answer?.totals.coverage ?? null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
        <div className="min-w-0">
          <Crumbs params={params} />
          <h1 className="text-lg font-semibold tracking-tight">Consumption</h1>
          <p className="text-[12px] text-muted">
            Who uses what, against what they reserved and what exists
            {answer ? (
              <>
                {" · "}
                {/* The server's time zone may not be the browser's: the browser's reading wins. */}
                <time suppressHydrationWarning dateTime={answer.range.from} className="figure">
                  {new Date(answer.range.from).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" })}
                </time>
                {" – "}
                <time suppressHydrationWarning dateTime={answer.range.to} className="figure">
                  {/* The end's date too when the range crosses midnight, so it never reads as time running backwards. */}
                  {new Date(answer.range.to).toDateString() === new Date(answer.range.from).toDateString()
                    ? new Date(answer.range.to).toLocaleTimeString("en-GB", { timeStyle: "short" })
                    : new Date(answer.range.to).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" })}
                </time>
                {" · "}
                <SourceNote answer={answer} clusterName={clusterName} />
              </>
            ) : null}
          </p>
        </div>
        <a href={consumptionCsvUrl(params)} download className="text-[12px] text-accent hover:underline">
          Download CSV
        </a>
      </div>

      <div role="search" aria-label="Consumption filters" className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <Segmented
          label="Group by"
          options={CONSUMPTION_GROUPS.map((g) => ({ value: g, label: GROUP_LABEL[g] }))}
          value={params.groupBy}
          onChange={(groupBy) => update({ groupBy, sort: "", order: "" })}
        />
        <Segmented
          label="Range"
          options={CONSUMPTION_RANGES.map((r) => ({ value: r, label: RANGE_LABEL[r] }))}
          value={params.range}
          onChange={(range) => update({ range })}
        />
        <Segmented
          label="Figures"
          options={[
            { value: "cpu", label: "CPU" },
            { value: "memory", label: "Memory" },
          ]}
          value={resource}
          onChange={(r) => update({ resource: r === "cpu" ? "" : r })}
        />
        <label className="flex items-center gap-1.5 text-[12px] text-muted">
          Cluster
          <select
            aria-label="Cluster filter"
            value={params.cluster ?? ""}
            onChange={(e) => update({ cluster: e.target.value, tenant: "" })}
            className="h-7 max-w-56 rounded border border-border bg-surface px-2 text-[12px] text-foreground"
          >
            <option value="">All clusters</option>
            {(clusters ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
            {params.cluster && clusters && !names.has(params.cluster) ? <option value={params.cluster}>{params.cluster}</option> : null}
          </select>
        </label>
        {params.tenant ? (
          <span className="inline-flex items-center gap-1 rounded border border-border bg-surface-2 px-1.5 py-0.5 text-[12px]">
            <span className="text-muted">Tenant</span> {params.tenant}
            <button
              type="button"
              aria-label="Clear the tenant filter"
              onClick={() => update({ tenant: "" })}
              className="text-muted hover:text-foreground"
            >
              ✕
            </button>
          </span>
        ) : null}
        {query.isPlaceholderData ? <span className="text-[11px] text-faint">updating…</span> : null}
      </div>
      {query.error && answer ? (
        <p role="alert" className="rounded border border-danger/40 bg-danger-soft px-2 py-1 text-[12px] text-danger">
          {`Showing the last figures: ${query.error.message}`}
        </p>
      ) : null}
      {answer ? <ClusterErrors errors={answer.errors} clusterName={clusterName} /> : null}
      {coverage !== null && coverage === 0 && answer && answer.items.length > 0 ? (
        <p className="rounded border border-border bg-info-soft px-3 py-1.5 text-[12px] text-muted">
          No usage history yet — it builds up from the first minute. Reservations and capacity are shown meanwhile.
        </p>
      ) : null}

      <div className="grid gap-3 lg:grid-cols-[minmax(0,2fr)_minmax(300px,1fr)]">
        <ConsumptionChart params={params} resource={resource} answer={answer} />
        {answer ? (
          <Totals answer={answer} resource={resource} noun={noun} range={params.range} />
        ) : (
          <div className="skeleton min-h-64 rounded-md" aria-hidden />
        )}
      </div>

      <div>{body}</div>
    </div>
  );
}
