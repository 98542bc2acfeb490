"use client";

import type { ComponentProps } from "react";
import dynamic from "next/dynamic";
import { Link } from "./link";
import { useQuery } from "@tanstack/react-query";
import { usageQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { formatBytes, formatCpu, timeTickFormatter } from "@/lib/format";
import { USAGE_CHART_RANGES, usageChartRangeFrom, type UsageChartRange } from "@/lib/model/queries";
import type { Resources, UsageHistory, UsageScope } from "@/lib/model/types";
import { Skeleton } from "./states";

// recharts loads after the page: the box keeps its height meanwhile, so nothing jumps.
const loadingPlot = () => <Skeleton className="h-full w-full" />;
const SharePlotLazy = dynamic(() => import("./usage-plots").then((m) => m.SharePlot), { ssr: false, loading: loadingPlot });
const SeriesPlotLazy = dynamic(() => import("./usage-plots").then((m) => m.SeriesPlot), { ssr: false, loading: loadingPlot });

function SharePlot(props: ComponentProps<typeof SharePlotLazy>) {
  return (
    <div style={{ height: props.height }}>
      <SharePlotLazy {...props} />
    </div>
  );
}

function SeriesPlot(props: ComponentProps<typeof SeriesPlotLazy>) {
  return (
    <div style={{ minHeight: props.height }}>
      <SeriesPlotLazy {...props} />
    </div>
  );
}

/** A line needs two samples; one alone would draw as a stray dot. */
function hasData(history: UsageHistory): boolean {
  return history.points.filter((p) => p.cpuMillis !== null || p.memoryBytes !== null).length >= 2;
}

function NoData({ height, children }: { height: number; children: string }) {
  return (
    <div style={{ height }} className="flex items-center justify-center rounded border border-dashed border-border text-[11px] text-faint">
      {children}
    </div>
  );
}

/** Tick labels for the span the points cover (a short history gets seconds). */
function clockFormatter(points: { t: number }[]): (ms: number) => string {
  return timeTickFormatter(points.length > 1 ? points[points.length - 1].t - points[0].t : 0);
}

export const RANGE_LABELS: Record<UsageChartRange, string> = {
  "15m": "15 min",
  "1h": "1 hour",
  "6h": "6 hours",
  "24h": "24 hours",
  "7d": "7 days",
};

/** The usage charts' range, kept in the URL's `usage` parameter so a link or a reload shows the same. */
export function useUsageRange(fallback?: UsageChartRange): [UsageChartRange, (range: UsageChartRange) => void] {
  const [search, update] = useUrlParams();
  return [usageChartRangeFrom(search.get("usage"), fallback), (next) => update({ usage: next })];
}

/** The range switch of the usage charts. */
export function UsageRangeSwitch({
  range,
  onChange,
  ranges = USAGE_CHART_RANGES,
}: {
  range: UsageChartRange;
  onChange: (range: UsageChartRange) => void;
  ranges?: readonly UsageChartRange[];
}) {
  return (
    <div role="group" aria-label="Time range" className="flex overflow-hidden rounded border border-border text-[11px]">
      {ranges.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={range === r}
          onClick={() => onChange(r)}
          className={`px-2 py-0.5 ${range === r ? "bg-accent-soft font-medium text-accent" : "text-muted hover:bg-surface-2"}`}
        >
          {RANGE_LABELS[r]}
        </button>
      ))}
    </div>
  );
}

/**
 * The overview card's chart. With allocatable known: CPU and memory as
 * shares of it on one axis. Without (Fargate, say): the two in their own units, side by side.
 */
export function UsageSparkline({
  clusterId,
  usageAvailable,
  range = "15m",
}: {
  clusterId: string;
  usageAvailable: boolean;
  range?: UsageChartRange;
}) {
  const height = 84;
  const over = `over the last ${RANGE_LABELS[range]}`;
  const { data, error, isPending } = useQuery({ ...usageQuery(clusterId, { scope: "cluster", range }), enabled: usageAvailable });
  if (!usageAvailable) return <NoData height={height}>No live metrics from this cluster</NoData>;
  if (isPending) return <Skeleton className="h-[84px] w-full" />;
  if (error) return <NoData height={height}>{`Usage history unavailable: ${error.message}`}</NoData>;
  if (!hasData(data)) return <NoData height={height}>Collecting usage… (first samples within a minute)</NoData>;
  const tick = clockFormatter(data.points);
  const alloc = data.allocatable;
  if (!alloc?.cpuMillis || !alloc.memoryBytes) {
    const rows = data.points.map((p) => ({ t: p.t, cpu: p.cpuMillis, memory: p.memoryBytes }));
    return (
      <div className="grid grid-cols-2 gap-2">
        <SeriesPlot series="cpu" rows={rows} height={height} label={`CPU use ${over}`} clock={tick} compact />
        <SeriesPlot series="memory" rows={rows} height={height} label={`Memory use ${over}`} clock={tick} compact />
      </div>
    );
  }
  const rows = data.points.map((p) => ({
    t: p.t,
    // null stays null: a gap in the line, never a drop to zero.
    cpu: p.cpuMillis === null ? null : (p.cpuMillis / alloc.cpuMillis) * 100,
    memory: p.memoryBytes === null ? null : (p.memoryBytes / alloc.memoryBytes) * 100,
  }));
  return <SharePlot rows={rows} height={height} label={`CPU and memory use ${over}, as a share of allocatable`} clock={tick} />;
}

/** The consumption view of the same cluster, grouped by what the chart shows (nodes, workloads, tenants), over the nearest of its ranges. */
function consumptionHref(clusterId: string, scope: Exclude<UsageScope, "task">, range: UsageChartRange): string {
  const params = new URLSearchParams({
    cluster: clusterId,
    groupBy: scope === "cluster" ? "tenant" : scope,
    range: range === "15m" ? "1h" : range,
  });
  return `/consumption?${params}`;
}

const DETAIL_SERIES = [
  { series: "cpu", word: "CPU", format: formatCpu, key: "cpuMillis" },
  { series: "memory", word: "Memory", format: formatBytes, key: "memoryBytes" },
] as const;

/**
 * Detail pages: CPU and memory side by side, in their own units, with a range
 * switch and a way into the consumption view. The line drawn across is the
 * answer's allocatable, else `reference` (a task's limits) where it has one.
 */
export function UsageHistoryPanel({
  clusterId,
  scope,
  target,
  usageAvailable,
  title = "Usage history",
  ranges = USAGE_CHART_RANGES,
  reference,
}: {
  clusterId: string;
  scope: UsageScope;
  target?: string;
  usageAvailable: boolean;
  title?: string;
  /** The ranges the history holds for this scope (a task keeps a quarter of an hour). */
  ranges?: readonly UsageChartRange[];
  reference?: { word: string; values: Partial<Record<keyof Resources, number | null>> };
}) {
  const [wanted, setRange] = useUsageRange();
  const range = ranges.includes(wanted) ? wanted : ranges[ranges.length - 1];
  const height = 180;
  const { data, error, isPending } = useQuery({ ...usageQuery(clusterId, { scope, target, range }), enabled: usageAvailable });

  let body;
  if (!usageAvailable) body = <NoData height={height}>This cluster reports no live metrics, so there is no usage history.</NoData>;
  else if (isPending) body = <Skeleton className="h-[180px] w-full" />;
  else if (error) body = <NoData height={height}>{`Usage history unavailable: ${error.message}`}</NoData>;
  else if (!hasData(data)) body = <NoData height={height}>No samples yet; usage is sampled every few seconds.</NoData>;
  else {
    const rows = data.points.map((p) => ({ t: p.t, cpu: p.cpuMillis, memory: p.memoryBytes }));
    const alloc = data.allocatable;
    const tick = clockFormatter(data.points);
    body = (
      <div className="grid gap-4 md:grid-cols-2">
        {DETAIL_SERIES.map(({ series, word, format, key }) => {
          const line = alloc ? alloc[key] : reference?.values[key];
          const capacity = line ? `${format(line)} ${alloc ? "allocatable" : reference!.word}` : null;
          return (
            <div key={series}>
              <div className="mb-1 flex items-baseline justify-between text-[11px] text-muted">
                <span className="font-medium text-foreground">{word}</span>
                {capacity ? <span className="figure">of {capacity}</span> : null}
              </div>
              <SeriesPlot
                series={series}
                rows={rows}
                height={height}
                label={`${word} use over the last ${RANGE_LABELS[range]}${capacity ? `, against ${capacity}` : ""}`}
                clock={tick}
                capacity={line}
              />
            </div>
          );
        })}
      </div>
    );
  }

  return (
    <section aria-label={title} className="rounded-md border border-border bg-surface p-3">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="text-sm font-semibold">{title}</h2>
        <div className="flex flex-wrap items-center justify-end gap-x-3 gap-y-1">
          {scope === "task" ? null : (
            <Link href={consumptionHref(clusterId, scope, range)} className="text-[11px] text-accent hover:underline">
              Consumption →
            </Link>
          )}
          {ranges.length > 1 ? (
            <UsageRangeSwitch range={range} onChange={setRange} ranges={ranges} />
          ) : (
            <span className="text-[11px] text-muted">last {RANGE_LABELS[range]}</span>
          )}
        </div>
      </div>
      {body}
    </section>
  );
}
