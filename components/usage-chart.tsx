"use client";

import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { usageQuery } from "@/lib/client/queries";
import { formatBytes, formatClock, formatCpu, niceTicks } from "@/lib/format";
import type { UsageHistory, UsageScope } from "@/lib/model/types";
import { ChartContainer, ChartLegend, ChartTooltipContent, chartAxis, chartGrid, type ChartConfig } from "./chart";
import { Skeleton } from "./states";

const percent = (v: number) => `${Math.round(v)}%`;

const SHARE_CONFIG: ChartConfig = {
  cpu: { label: "CPU % of allocatable", color: "var(--chart-cpu)", format: percent },
  memory: { label: "Memory % of allocatable", color: "var(--chart-memory)", format: percent },
};
const CPU_CONFIG: ChartConfig = { cpu: { label: "CPU used", color: "var(--chart-cpu)", format: formatCpu } };
const MEMORY_CONFIG: ChartConfig = { memory: { label: "Memory used", color: "var(--chart-memory)", format: formatBytes } };

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

/** Nice upper bound for a share axis: room above the data, never past what makes the lines unreadable. */
function shareCeiling(dataMax: number): number {
  const padded = Math.max(5, dataMax * 1.2);
  const step = padded > 50 ? 25 : padded > 20 ? 10 : 5;
  return Math.min(Math.max(100, dataMax), Math.ceil(padded / step) * step);
}

/** Clock ticks: with seconds while the history is still short, so ticks do not all read the same minute. */
function clockFormatter(points: { t: number }[]): (ms: number) => string {
  const span = points.length > 1 ? points[points.length - 1].t - points[0].t : 0;
  if (span >= 5 * 60_000) return formatClock;
  return (ms) => `${formatClock(ms)}:${String(new Date(ms).getSeconds()).padStart(2, "0")}`;
}

/**
 * The overview card's chart. With allocatable known: CPU and memory as
 * shares of it on one axis. Without (Fargate, say): the two in their own units, side by side.
 */
export function UsageSparkline({ clusterId, usageAvailable }: { clusterId: string; usageAvailable: boolean }) {
  const height = 84;
  const { data, error, isPending } = useQuery({ ...usageQuery(clusterId, { scope: "cluster", range: "15m" }), enabled: usageAvailable });
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
        <SeriesChart config={CPU_CONFIG} dataKey="cpu" rows={rows} height={height} label="CPU use over the last 15 minutes" tickFormat={formatCpu} clock={tick} compact />
        <SeriesChart config={MEMORY_CONFIG} dataKey="memory" rows={rows} height={height} label="Memory use over the last 15 minutes" tickFormat={formatBytes} clock={tick} compact />
      </div>
    );
  }
  const rows = data.points.map((p) => ({
    t: p.t,
    // null stays null: a gap in the line, never a drop to zero.
    cpu: p.cpuMillis === null ? null : (p.cpuMillis / alloc.cpuMillis) * 100,
    memory: p.memoryBytes === null ? null : (p.memoryBytes / alloc.memoryBytes) * 100,
  }));
  return (
    <ChartContainer config={SHARE_CONFIG} height={height} label="CPU and memory use over the last 15 minutes, as a share of allocatable">
      <LineChart data={rows} responsive style={{ width: "100%", height: height - 18 }} margin={{ top: 6, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid {...chartGrid} />
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick} {...chartAxis} minTickGap={56} height={16} />
        <YAxis domain={[0, shareCeiling]} tickFormatter={percent} {...chartAxis} width={38} tickCount={3} allowDecimals={false} />
        <Tooltip content={<ChartTooltipContent formatLabel={formatClock} />} isAnimationActive={false} />
        <Line dataKey="cpu" stroke="var(--color-cpu)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
        <Line dataKey="memory" stroke="var(--color-memory)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
      <ChartLegend />
    </ChartContainer>
  );
}

function SeriesChart({
  config,
  dataKey,
  rows,
  height,
  label,
  tickFormat,
  clock,
  compact = false,
}: {
  config: ChartConfig;
  dataKey: string;
  rows: Record<string, number | null>[];
  height: number;
  label: string;
  tickFormat: (v: number) => string;
  clock: (ms: number) => string;
  compact?: boolean;
}) {
  const max = Math.max(0, ...rows.map((r) => r[dataKey] ?? 0));
  const ticks = niceTicks(max, dataKey === "memory" ? "memory" : "cpu", compact ? 2 : 4);
  return (
    <ChartContainer config={config} height={height} label={label}>
      <AreaChart data={rows} responsive style={{ width: "100%", height: compact ? height - 18 : height }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid {...chartGrid} />
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={clock} {...chartAxis} minTickGap={56} height={compact ? 16 : 30} />
        <YAxis tickFormatter={tickFormat} {...chartAxis} width={compact ? 56 : 68} domain={[0, ticks[ticks.length - 1] || "auto"]} ticks={ticks} />
        <Tooltip content={<ChartTooltipContent formatLabel={formatClock} />} isAnimationActive={false} />
        <Area
          dataKey={dataKey}
          stroke={`var(--color-${dataKey})`}
          fill={`var(--color-${dataKey})`}
          fillOpacity={0.15}
          strokeWidth={1.5}
          isAnimationActive={false}
          connectNulls={false}
        />
      </AreaChart>
      {compact ? <ChartLegend /> : null}
    </ChartContainer>
  );
}

const RANGES = ["15m", "1h"] as const;

/** Detail pages: CPU and memory side by side, in their own units, with a range switch. */
export function UsageHistoryPanel({
  clusterId,
  scope,
  target,
  usageAvailable,
  title = "Usage history",
}: {
  clusterId: string;
  scope: UsageScope;
  target?: string;
  usageAvailable: boolean;
  title?: string;
}) {
  const [range, setRange] = useState<(typeof RANGES)[number]>("15m");
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
        <div>
          <div className="mb-1 flex items-baseline justify-between text-[11px] text-muted">
            <span className="font-medium text-foreground">CPU</span>
            {alloc ? <span className="figure">of {formatCpu(alloc.cpuMillis)} allocatable</span> : null}
          </div>
          <SeriesChart config={CPU_CONFIG} dataKey="cpu" rows={rows} height={height} label={`CPU use over the last ${range}`} tickFormat={formatCpu} clock={tick} />
        </div>
        <div>
          <div className="mb-1 flex items-baseline justify-between text-[11px] text-muted">
            <span className="font-medium text-foreground">Memory</span>
            {alloc ? <span className="figure">of {formatBytes(alloc.memoryBytes)} allocatable</span> : null}
          </div>
          <SeriesChart
            config={MEMORY_CONFIG}
            dataKey="memory"
            rows={rows}
            height={height}
            label={`Memory use over the last ${range}`}
            tickFormat={formatBytes}
            clock={tick}
          />
        </div>
      </div>
    );
  }

  return (
    <section aria-label={title} className="rounded-md border border-border bg-surface p-3">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="text-sm font-semibold">{title}</h2>
        <div role="group" aria-label="Time range" className="flex overflow-hidden rounded border border-border text-[11px]">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              onClick={() => setRange(r)}
              className={`px-2 py-0.5 ${range === r ? "bg-accent-soft font-medium text-accent" : "text-muted hover:bg-surface-2"}`}
            >
              {r === "15m" ? "15 min" : "1 hour"}
            </button>
          ))}
        </div>
      </div>
      {body}
    </section>
  );
}
