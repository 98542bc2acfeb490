"use client";

import { Area, AreaChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes, formatCpu, niceTicks } from "@/lib/format";
import { ChartContainer, ChartTooltipContent, chartAxis, chartGrid, type ChartConfig } from "./chart";

/**
 * The recharts half of the consumption chart, loaded lazily by
 * consumption-chart.tsx: the top consumers' use stacked over time, with what
 * they reserved (and the capacity, when it is on the same scale) as lines.
 */

/** Distinct in both themes (the page's colour-scheme picks the half). */
const PALETTE = [
  "light-dark(#1f6feb, #58a6ff)",
  "light-dark(#a142f4, #c38bff)",
  "light-dark(#1a7f37, #3fb950)",
  "light-dark(#bf5b04, #f0883e)",
  "light-dark(#0e8a8a, #39c5cf)",
  "light-dark(#c4207a, #f778ba)",
  "light-dark(#8a6d00, #d4b33a)",
  "light-dark(#57606a, #8b949e)",
];

interface StackSeries {
  name: string;
  points: { t: number; value: number | null }[];
}

type StackRow = { t: number } & Record<string, number | null>;

export function StackPlot({
  resource,
  series,
  reserved,
  capacity,
  height,
  label,
  clock,
  tickEveryMs,
}: {
  resource: "cpu" | "memory";
  series: StackSeries[];
  /** What the stacked consumers reserved, together. */
  reserved: number | null;
  capacity: number | null;
  height: number;
  label: string;
  clock: (ms: number) => string;
  /** Ticks on whole local intervals of this length (10 min, 1 h, a day), not wherever recharts falls. */
  tickEveryMs: number;
}) {
  const format = resource === "cpu" ? formatCpu : formatBytes;
  const config: ChartConfig = {};
  series.forEach((s, i) => (config[`s${i}`] = { label: s.name, color: PALETTE[i % PALETTE.length], format }));
  const rows: StackRow[] = (series[0]?.points ?? []).map((p, step) => {
    const row: StackRow = { t: p.t };
    series.forEach((s, i) => (row[`s${i}`] = s.points[step]?.value ?? null));
    return row;
  });
  const stackMax = Math.max(0, ...rows.map((r) => series.reduce((sum, _, i) => sum + (r[`s${i}`] ?? 0), 0)));
  const top = Math.max(stackMax, reserved ?? 0);
  // Capacity far above the use would flatten the stack into the axis: drawn only when on the same scale, else said.
  const capacityShown = capacity !== null && capacity > 0 && capacity <= 3 * top;
  const ticks = niceTicks(Math.max(top, capacityShown ? capacity : 0), resource, 4);
  const keys = series.map((_, i) => `s${i}`);
  const timeTicks = alignedTicks(rows[0]?.t, rows[rows.length - 1]?.t, tickEveryMs);
  if (reserved !== null) config.reserved = { label: `reserved by these (${format(reserved)})`, color: "var(--foreground)", format };
  if (capacity !== null && capacity > 0)
    config.capacity = {
      label: capacityShown ? `capacity (${format(capacity)})` : `capacity ${format(capacity)}, off the scale`,
      color: "var(--chart-limit)",
      format,
    };
  return (
    <>
      <ChartContainer config={config} height={height} label={label}>
        <AreaChart data={rows} responsive style={{ width: "100%", height }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid {...chartGrid} />
          <XAxis
            dataKey="t"
            type="number"
            domain={["dataMin", "dataMax"]}
            tickFormatter={clock}
            ticks={timeTicks}
            {...chartAxis}
            minTickGap={40}
            height={24}
          />
          <YAxis tickFormatter={format} {...chartAxis} width={68} domain={[0, ticks[ticks.length - 1] || "auto"]} ticks={ticks} />
          <Tooltip content={<ChartTooltipContent formatLabel={clock} />} isAnimationActive={false} />
          {keys.map((key) => (
            <Area
              key={key}
              dataKey={key}
              stackId="use"
              stroke={`var(--color-${key})`}
              fill={`var(--color-${key})`}
              fillOpacity={0.35}
              strokeWidth={1.25}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          {reserved !== null ? (
            <ReferenceLine y={reserved} stroke="var(--color-reserved)" strokeDasharray="5 3" strokeWidth={1.25} />
          ) : null}
          {capacityShown ? <ReferenceLine y={capacity} stroke="var(--color-capacity)" strokeDasharray="2 3" strokeWidth={1.25} /> : null}
        </AreaChart>
      </ChartContainer>
      <ul aria-label="Legend" className="mt-1.5 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-muted">
        {Object.entries(config).map(([key, entry]) => (
          <li key={key} className="inline-flex min-w-0 items-center gap-1">
            {key === "reserved" || key === "capacity" ? (
              <span aria-hidden className="inline-block w-3 border-t-[1.5px] border-dashed" style={{ borderColor: entry.color }} />
            ) : (
              <span aria-hidden className="inline-block size-2 shrink-0 rounded-sm" style={{ background: entry.color, opacity: 0.8 }} />
            )}
            <span className="truncate" title={entry.label}>
              {entry.label}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Multiples of `every` in local time between `from` and `to`. */
function alignedTicks(from: number | undefined, to: number | undefined, every: number): number[] | undefined {
  if (from === undefined || to === undefined || to <= from) return undefined;
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from - offset) / every) * every + offset; t <= to; t += every) ticks.push(t);
  return ticks;
}
