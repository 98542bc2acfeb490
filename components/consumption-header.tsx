import { Link } from "./link";
import type { ConsumptionAnswer, ConsumptionParams } from "@/lib/client/queries";
import { plural } from "@/lib/format";
import type { HistoryOrigin } from "@/lib/model/consumption";
import { Badge } from "./badge";

/** The page's header pieces: where it is (breadcrumbs), where its figures come from, and the clusters that could not answer. */

/** Fleet, then the cluster and the tenant drilled into; nothing at the fleet's level. */
export function Crumbs({ params, clusterName }: { params: ConsumptionParams; clusterName: (id: string) => string }) {
  const crumbs: { label: string; href?: string }[] = [{ label: "Fleet", href: `/consumption?range=${params.range}` }];
  if (params.cluster)
    crumbs.push({
      label: clusterName(params.cluster),
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
export function SourceNote({ answer, clusterName }: { answer: ConsumptionAnswer; clusterName: (id: string) => string }) {
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
export function ClusterErrors({ errors, clusterName }: { errors: ConsumptionAnswer["errors"]; clusterName: (id: string) => string }) {
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
