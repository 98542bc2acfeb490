import type { ReactNode } from "react";
import type { WorkloadEvent } from "@/lib/model/types";
import { Age } from "./age";

/** A titled panel of the detail pages; `className` places it in its layout (grow, span). */
export function Panel({
  title,
  children,
  actions,
  className,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section aria-label={title} className={`rounded-md border border-border bg-surface p-3 ${className ?? ""}`}>
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Term/value rows, dense. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-[12px]">
      {items.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-muted">{term}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="text-faint">none</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {entries.map(([k, v]) => (
        <span key={k} className="rounded border border-border bg-surface-2 px-1.5 font-mono text-[11px]">
          {k}={v}
        </span>
      ))}
    </span>
  );
}

/** One line of a timeline: a workload's event, or a step of a task's life led by its name ("Started", "BackOff"). */
export type TimelineEntry = WorkloadEvent & { lead?: string };

/** The orchestrator's recent events, newest first: age (exact time on hover), then the message; warnings stand out. */
export function RecentEvents({ events, now }: { events: readonly TimelineEntry[]; now: number }) {
  if (events.length === 0) return <p className="text-[12px] text-muted">No recent events</p>;
  return (
    <ol className="divide-y divide-border text-[12px]">
      {events.map((event, i) => {
        const warning = event.level === "warning";
        return (
          <li key={`${event.at}-${i}`} className="grid grid-cols-[3.5rem_1fr] gap-x-3 py-1 first:pt-0 last:pb-0">
            <span className="text-muted">
              {event.at ? <Age since={event.at} now={now} /> : <span title="The orchestrator gives no time">—</span>}
            </span>
            <span className={`min-w-0 break-words ${warning ? "text-warn" : ""}`}>
              {warning ? <span className="mr-1.5 rounded bg-warn-soft px-1 py-px text-[11px] font-medium text-warn">Warning</span> : null}
              {event.lead ? <span className="mr-1.5 font-medium">{event.lead}</span> : null}
              {event.message}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
