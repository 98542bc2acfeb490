import { formatBytes, formatCpu, formatPercent, ratio } from "@/lib/format";

type Kind = "cpu" | "memory";

const FORMAT: Record<Kind, (v: number | null | undefined) => string> = { cpu: formatCpu, memory: formatBytes };
const LABEL: Record<Kind, string> = { cpu: "CPU", memory: "Memory" };

/**
 * Used and requested against allocatable, as one bar: requested is the pale
 * fill, live use the solid one. Unknown use (no metrics) is said, not drawn as zero.
 */
export function ResourceBar({
  kind,
  used,
  requested,
  allocatable,
  compact = false,
}: {
  kind: Kind;
  used: number | null;
  requested: number;
  allocatable: number;
  compact?: boolean;
}) {
  const format = FORMAT[kind];
  if (allocatable <= 0) {
    // No nodes to measure against (Fargate, say): the use alone, no bar pretending to a capacity.
    return (
      <div className="min-w-0">
        <div className="flex items-baseline justify-between gap-2">
          <span className="font-medium">{LABEL[kind]}</span>
          <span className="figure truncate text-muted">
            <span className="text-foreground">{used === null ? "use n/a" : format(used)}</span>
            {used === null ? null : " used"}
            {requested > 0 ? ` · ${format(requested)} req` : null}
          </span>
        </div>
        <div className="mt-1 h-2 rounded-sm border border-dashed border-border-strong" />
        {compact ? null : <div className="mt-0.5 text-[11px] text-faint">no node capacity reported (managed by the provider)</div>}
      </div>
    );
  }
  const usedRatio = ratio(used, allocatable);
  const requestedRatio = ratio(requested, allocatable);
  const summary = `${LABEL[kind]}: ${used === null ? "use unknown" : `${format(used)} used (${formatPercent(used, allocatable)})`}, ${format(requested)} requested (${formatPercent(requested, allocatable)}) of ${format(allocatable)} allocatable`;
  return (
    <div className="min-w-0">
      <div className="flex items-baseline justify-between gap-2">
        <span className="font-medium">{LABEL[kind]}</span>
        <span className="figure truncate text-muted">
          <span className="text-foreground">{used === null ? "use n/a" : format(used)}</span>
          {compact || used === null ? null : <span> used</span>}
          <span> · {format(requested)} req</span>
          <span> / {format(allocatable)}</span>
        </span>
      </div>
      <div role="img" aria-label={summary} title={summary} className="relative mt-1 h-2 overflow-hidden rounded-sm bg-[var(--bar-track)]">
        {requestedRatio !== null ? (
          <div className="absolute inset-y-0 left-0 bg-[var(--bar-requested)]" style={{ width: `${requestedRatio * 100}%` }} />
        ) : null}
        {usedRatio !== null ? (
          <div className="absolute inset-y-0 left-0 bg-[var(--bar-used)]" style={{ width: `${usedRatio * 100}%` }} />
        ) : null}
      </div>
      {compact ? null : (
        <div className="figure mt-0.5 flex justify-between text-[11px] text-faint">
          <span>{used === null ? "no live metrics" : `${formatPercent(used, allocatable)} used`}</span>
          <span>{formatPercent(requested, allocatable)} requested</span>
        </div>
      )}
    </div>
  );
}
