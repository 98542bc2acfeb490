"use client";

import { Area, AreaChart, CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes, formatClock, formatCpu, niceTicks } from "@/lib/format";
import { ChartContainer, ChartLegend, ChartTooltipContent, chartAxis, chartGrid, type ChartConfig } from "./chart";

/**
 * The recharts half of the usage charts, loaded lazily by usage-chart.tsx:
 * recharts is the largest part of a page's JavaScript and draws nothing
 * before the browser has measured the layout anyway.
 */

const percent = (v: number) => `${Math.round(v)}%`;

const SHARE_CONFIG: ChartConfig = {
  cpu: { label: "CPU % of allocatable", color: "var(--chart-cpu)", format: percent },
  memory: { label: "Memory % of allocatable", color: "var(--chart-memory)", format: percent },
};
const SERIES_CONFIG: Record<"cpu" | "memory", ChartConfig> = {
  cpu: { cpu: { label: "CPU used", color: "var(--chart-cpu)", format: formatCpu } },
  memory: { memory: { label: "Memory used", color: "var(--chart-memory)", format: formatBytes } },
};

/** A share axis runs to 100% of allocatable (further only when use is above it): a small share looks small. */
const shareCeiling = (dataMax: number) => Math.max(100, Math.ceil(dataMax / 25) * 25);

interface ShareRow {
  t: number;
  cpu: number | null;
  memory: number | null;
}

/** CPU and memory as shares of allocatable on one axis, with a legend below. */
export function SharePlot({
  rows,
  height,
  label,
  clock,
}: {
  rows: ShareRow[];
  height: number;
  label: string;
  clock: (ms: number) => string;
}) {
  return (
    <ChartContainer config={SHARE_CONFIG} height={height} label={label}>
      <LineChart data={rows} responsive style={{ width: "100%", height: height - 18 }} margin={{ top: 6, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid {...chartGrid} />
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={clock} {...chartAxis} minTickGap={56} height={16} />
        <YAxis domain={[0, shareCeiling]} tickFormatter={percent} {...chartAxis} width={38} tickCount={3} allowDecimals={false} />
        <Tooltip content={<ChartTooltipContent formatLabel={formatClock} />} isAnimationActive={false} />
        <Line dataKey="cpu" stroke="var(--color-cpu)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
        <Line dataKey="memory" stroke="var(--color-memory)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
      <ChartLegend />
    </ChartContainer>
  );
}

/**
 * One resource in its own unit (millicores or bytes), as an area; compact
 * adds a legend and fewer ticks. With a capacity the axis runs from zero to
 * it, marked by a labelled line, so use is drawn against what there is.
 */
export function SeriesPlot({
  series,
  rows,
  height,
  label,
  clock,
  capacity = null,
  compact = false,
}: {
  series: "cpu" | "memory";
  rows: ShareRow[];
  height: number;
  label: string;
  clock: (ms: number) => string;
  capacity?: number | null;
  compact?: boolean;
}) {
  const max = Math.max(0, capacity ?? 0, ...rows.map((r) => r[series] ?? 0));
  const ticks = niceTicks(max, series, compact ? 2 : 4);
  return (
    <ChartContainer config={SERIES_CONFIG[series]} height={height} label={label}>
      <AreaChart
        data={rows}
        responsive
        style={{ width: "100%", height: compact ? height - 18 : height }}
        margin={{ top: 6, right: 8, bottom: 0, left: 0 }}
      >
        <CartesianGrid {...chartGrid} />
        <XAxis
          dataKey="t"
          type="number"
          domain={["dataMin", "dataMax"]}
          tickFormatter={clock}
          {...chartAxis}
          minTickGap={56}
          height={compact ? 16 : 30}
        />
        <YAxis
          tickFormatter={series === "cpu" ? formatCpu : formatBytes}
          {...chartAxis}
          width={compact ? 56 : 68}
          domain={[0, ticks[ticks.length - 1] || "auto"]}
          ticks={ticks}
        />
        <Tooltip content={<ChartTooltipContent formatLabel={formatClock} />} isAnimationActive={false} />
        {capacity ? (
          <ReferenceLine
            y={capacity}
            stroke="var(--chart-limit)"
            strokeDasharray="4 3"
            label={{ value: "allocatable", position: "insideTopRight", fill: "var(--muted)", fontSize: 10 }}
          />
        ) : null}
        <Area
          dataKey={series}
          stroke={`var(--color-${series})`}
          fill={`var(--color-${series})`}
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
