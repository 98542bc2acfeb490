"use client";

import dynamic from "next/dynamic";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { consumptionSeriesQuery, CONSUMPTION_CHART_TOP, type ConsumptionAnswer, type ConsumptionParams } from "@/lib/client/queries";
import { formatClock } from "@/lib/format";
import { RANGE_GRID } from "@/lib/model/consumption";
import { RESOURCE_LABEL, type Resource } from "./consumption-bars";
import { GROUP_PLURAL, NO_HISTORY } from "./consumption-labels";
import { Skeleton } from "./states";

// recharts loads after the page: the box keeps its height meanwhile, so nothing jumps.
const StackPlotLazy = dynamic(() => import("./consumption-plot").then((m) => m.StackPlot), {
  ssr: false,
  loading: () => <Skeleton className="h-full w-full" />,
});

const HEIGHT = 220;

const TICK_EVERY: Record<ConsumptionParams["range"], number> = {
  "1h": 10 * 60_000,
  "6h": 3600_000,
  "24h": 4 * 3600_000,
  "7d": 24 * 3600_000,
};

const stepLabel = (seconds: number) => (seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`);

/** Tick labels for a range: clock times within a day, weekday and hour over a week. */
function rangeClock(rangeSeconds: number): (ms: number) => string {
  if (rangeSeconds <= 24 * 3600) return formatClock;
  return (ms) => `${new Date(ms).toLocaleDateString("en-GB", { weekday: "short" })} ${formatClock(ms)}`;
}

function NoData({ children }: { children: string }) {
  return (
    <div
      style={{ height: HEIGHT }}
      className="flex items-center justify-center rounded border border-dashed border-border px-4 text-center text-[12px] text-faint"
    >
      {children}
    </div>
  );
}

/** The largest consumers of the grouping, stacked over the range, with what they reserved and the capacity as lines. */
export function ConsumptionChart({
  params,
  resource,
  answer,
}: {
  params: ConsumptionParams;
  resource: Resource;
  /** The table's answer: the stacked consumers' reservations and the capacity come from it. */
  answer: ConsumptionAnswer | undefined;
}) {
  const query = useQuery({ ...consumptionSeriesQuery(params), placeholderData: keepPreviousData });
  const noun = GROUP_PLURAL[params.groupBy];
  const title = `${RESOURCE_LABEL[resource]} use of the top ${noun}`;
  let body;
  if (query.isPending) body = <Skeleton className="h-[220px] w-full" />;
  else if (query.error) body = <NoData>{`Could not load the usage series: ${query.error.message}`}</NoData>;
  else {
    const valueOf = (p: { cpuMillis: number | null; memoryBytes: number | null }) => (resource === "cpu" ? p.cpuMillis : p.memoryBytes);
    const series = query.data.series.map((s) => ({ name: s.name, points: s.points.map((p) => ({ t: p.t, value: valueOf(p) })) }));
    const sampled = new Set(series.flatMap((s) => s.points.filter((p) => p.value !== null).map((p) => p.t)));
    if (sampled.size === 0) body = <NoData>{NO_HISTORY}</NoData>;
    else if (sampled.size < 2)
      body = (
        <NoData>{`Only one ${stepLabel(query.data.stepSeconds)} step of ${params.range} has samples so far: a shorter range shows the history there is.`}</NoData>
      );
    else {
      const byKey = new Map((answer?.items ?? []).map((i) => [i.key, i]));
      const members = query.data.series.map((s) => byKey.get(s.key));
      const reserved = members.every(Boolean)
        ? members.reduce((sum, i) => sum + (resource === "cpu" ? i!.cpu.reservedMillis : i!.memory.reservedBytes), 0)
        : null;
      const capacity = answer
        ? ((resource === "cpu" ? answer.totals.cpu.capacityMillis : answer.totals.memory.capacityBytes) ?? null)
        : null;
      body = (
        <StackPlotLazy
          resource={resource}
          series={series}
          reserved={reserved}
          capacity={capacity}
          height={HEIGHT}
          label={`${title} over the last ${params.range}, stacked`}
          clock={rangeClock(RANGE_GRID[params.range].seconds)}
          tickEveryMs={TICK_EVERY[params.range]}
        />
      );
    }
  }
  return (
    <section aria-label="Use over time" className="min-w-0 rounded-md border border-border bg-surface p-3">
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-x-3">
        <h2 className="text-sm font-semibold">{title}</h2>
        <span className="text-[11px] text-muted">
          {`the ${CONSUMPTION_CHART_TOP} largest by average CPU, stacked · ${params.range}${query.data ? ` at ${stepLabel(query.data.stepSeconds)} steps` : ""}`}
        </span>
      </div>
      <div style={{ minHeight: HEIGHT }}>{body}</div>
    </section>
  );
}
