"use client";

import { createContext, useContext, useId, type CSSProperties, type ReactNode } from "react";
import type { TooltipContentProps } from "recharts";

/**
 * The one wrapper every chart goes through (in the spirit of shadcn's
 * chart.tsx): a config maps each series key to its label, its colour (a CSS
 * variable of the theme) and its unit format, once. Series then use
 * `var(--color-<key>)` and the shared tooltip shows labels and units.
 */
export type ChartConfig = Record<
  string,
  {
    label: string;
    /** A CSS colour, normally a theme variable such as "var(--chart-cpu)". */
    color: string;
    format: (value: number) => string;
  }
>;

const ChartContext = createContext<ChartConfig | null>(null);

function useChartConfig(): ChartConfig {
  const config = useContext(ChartContext);
  if (!config) throw new Error("useChartConfig must be used inside <ChartContainer>");
  return config;
}

export function ChartContainer({
  config,
  label,
  height,
  children,
  className = "",
}: {
  config: ChartConfig;
  /** What the chart shows, for screen readers. */
  label: string;
  height: number;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  const style: Record<string, string | number> = { height };
  for (const [key, series] of Object.entries(config)) style[`--color-${key}`] = series.color;
  return (
    <ChartContext value={config}>
      <div
        data-chart={id}
        role="img"
        aria-label={label}
        className={`w-full min-w-0 text-[11px] [&_.recharts-cartesian-axis-tick_text]:fill-[var(--faint)] [&_.recharts-surface]:outline-none ${className}`}
        style={style as CSSProperties}
      >
        {children}
      </div>
    </ChartContext>
  );
}

/** Axis and grid props that match the theme; spread them onto recharts' components. */
export const chartAxis = {
  stroke: "var(--border-strong)",
  tickLine: false,
  fontSize: 11,
} as const;

export const chartGrid = { stroke: "var(--chart-grid)", strokeDasharray: "3 3", vertical: false } as const;

export function ChartTooltipContent({
  active,
  payload,
  label,
  formatLabel,
}: Partial<Omit<TooltipContentProps<number, string>, "labelFormatter">> & { formatLabel?: (label: number) => string }) {
  const config = useChartConfig();
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded border border-border bg-surface px-2 py-1.5 text-[11px] shadow-md">
      <div className="mb-1 text-muted">{formatLabel && typeof label === "number" ? formatLabel(label) : String(label ?? "")}</div>
      {payload.map((entry) => {
        const key = String(entry.dataKey);
        const series = config[key];
        if (!series) return null;
        const value = entry.value;
        return (
          <div key={key} className="flex items-center gap-2">
            <span aria-hidden className="inline-block size-2 rounded-sm" style={{ background: `var(--color-${key})` }} />
            <span className="text-muted">{series.label}</span>
            <span className="figure ml-auto pl-3 font-medium">{typeof value === "number" ? series.format(value) : "no data"}</span>
          </div>
        );
      })}
    </div>
  );
}

/** A legend from the config, outside the SVG so it wraps and reads as text. */
export function ChartLegend({ keys }: { keys?: string[] }) {
  const config = useChartConfig();
  return (
    <div className="flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-muted">
      {(keys ?? Object.keys(config)).map((key) => (
        <span key={key} className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-0.5 w-3" style={{ background: `var(--color-${key})` }} />
          {config[key]?.label}
        </span>
      ))}
    </div>
  );
}
