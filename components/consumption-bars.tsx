import { formatBytes, formatCpu, formatPercent, ratio } from "@/lib/format";

export type Resource = "cpu" | "memory";

export const RESOURCE_FORMAT: Record<Resource, (v: number | null | undefined) => string> = { cpu: formatCpu, memory: formatBytes };
export const RESOURCE_LABEL: Record<Resource, string> = { cpu: "CPU", memory: "Memory" };

export interface BarFigures {
  capacity?: number;
  reserved: number;
  usedAvg: number | null;
  usedP95: number | null;
  usedMax: number | null;
}

/** What a bar says, for its title and screen readers: every figure with its unit. */
function barSummary(resource: Resource, f: BarFigures): string {
  const format = RESOURCE_FORMAT[resource];
  const of = (v: number) => (f.capacity ? ` (${formatPercent(v, f.capacity)})` : "");
  const used =
    f.usedAvg === null
      ? "use unknown (no samples)"
      : `${format(f.usedAvg)} used on average${of(f.usedAvg)}, p95 ${format(f.usedP95)}, max ${format(f.usedMax)}`;
  const capacity = f.capacity !== undefined ? ` of ${format(f.capacity)} capacity` : ", no capacity of its own";
  return `${RESOURCE_LABEL[resource]}: ${used}; ${format(f.reserved)} reserved${of(f.reserved)}${capacity}`;
}

/**
 * Used against reserved against capacity as one bar: the track is the
 * capacity (or, without one, the larger of reserved and the peak), reserved
 * the pale fill, average use the solid one, p95 a tick. Use above the
 * reservation shows past the reserved fill, never hidden.
 */
export function UseBar({ resource, figures, className = "h-2" }: { resource: Resource; figures: BarFigures; className?: string }) {
  const scale = Math.max(figures.capacity ?? 0, figures.reserved, figures.usedMax ?? 0, figures.usedAvg ?? 0);
  const summary = barSummary(resource, figures);
  const reserved = ratio(figures.reserved, scale);
  const used = ratio(figures.usedAvg, scale);
  const p95 = ratio(figures.usedP95, scale);
  return (
    <div
      role="img"
      aria-label={summary}
      title={summary}
      className={`relative w-full overflow-hidden rounded-sm ${figures.capacity !== undefined ? "bg-[var(--bar-track)]" : "border border-dashed border-border-strong"} ${className}`}
    >
      {reserved !== null ? (
        <div className="absolute inset-y-0 left-0 bg-[var(--bar-requested)]" style={{ width: `${reserved * 100}%` }} />
      ) : null}
      {used !== null ? <div className="absolute inset-y-0 left-0 bg-[var(--bar-used)]" style={{ width: `${used * 100}%` }} /> : null}
      {p95 !== null && p95 > 0 ? (
        <div className="absolute inset-y-0 w-px bg-foreground/70" style={{ left: `calc(${p95 * 100}% - 1px)` }} />
      ) : null}
    </div>
  );
}

/** The totals' bar with its figures written out: used, reserved and capacity, each with its unit and share. */
export function TotalsBar({ resource, figures }: { resource: Resource; figures: BarFigures }) {
  const format = RESOURCE_FORMAT[resource];
  const { capacity, reserved, usedAvg } = figures;
  return (
    <div className="min-w-0">
      <div className="flex flex-wrap items-baseline justify-between gap-x-2">
        <span className="font-medium">{RESOURCE_LABEL[resource]}</span>
        <span className="figure text-muted">
          <span className="text-foreground">{usedAvg === null ? "use n/a" : format(usedAvg)}</span>
          {usedAvg === null ? null : " used"}
          <span> · {format(reserved)} reserved</span>
          {capacity !== undefined ? <span> / {format(capacity)}</span> : null}
        </span>
      </div>
      <UseBar resource={resource} figures={figures} className="mt-1 h-2.5" />
      <div className="figure mt-0.5 flex justify-between gap-2 text-[11px] text-faint">
        <span>
          {usedAvg === null
            ? "no samples yet"
            : capacity
              ? `${formatPercent(usedAvg, capacity)} of capacity used`
              : "no capacity at this grouping"}
        </span>
        <span>{capacity ? `${formatPercent(reserved, capacity)} reserved` : null}</span>
      </div>
    </div>
  );
}

/** The bar's key, once beside the bars. */
export function BarKey() {
  return (
    <div className="flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-muted">
      <span className="inline-flex items-center gap-1">
        <span aria-hidden className="inline-block h-2 w-3 rounded-sm bg-[var(--bar-used)]" />
        used (average)
      </span>
      <span className="inline-flex items-center gap-1">
        <span aria-hidden className="inline-block h-2 w-px bg-foreground/70" />
        p95
      </span>
      <span className="inline-flex items-center gap-1">
        <span aria-hidden className="inline-block h-2 w-3 rounded-sm bg-[var(--bar-requested)]" />
        reserved
      </span>
      <span className="inline-flex items-center gap-1">
        <span aria-hidden className="inline-block h-2 w-3 rounded-sm bg-[var(--bar-track)]" />
        capacity
      </span>
    </div>
  );
}
