import { Link } from "./link";
import type { ConsumptionAnswer, ConsumptionParams } from "@/lib/client/queries";
import type { HistoryOrigin } from "@/lib/model/consumption";
import { Badge } from "./badge";

/** The page's header pieces: where it is (breadcrumbs) and where its figures come from. */

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
