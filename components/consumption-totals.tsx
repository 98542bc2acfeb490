import type { ConsumptionAnswer, ConsumptionParams } from "@/lib/client/queries";
import { formatPercent, plural } from "@/lib/format";
import { SAVINGS_NOTE } from "@/lib/model/consumption";
import { BarKey, RESOURCE_FORMAT, TotalsBar, type Resource } from "./consumption-bars";
import { costTitle, figuresOf, formatCost } from "./consumption-figures";
import { RANGE_LABEL } from "./consumption-labels";

function Stat({ label, value, hint, title }: { label: string; value: string; hint?: string; title?: string }) {
  return (
    <div className="min-w-0" title={title}>
      <div className="text-[11px] uppercase tracking-wide text-muted">{label}</div>
      <div className="figure text-[15px] font-semibold">{value}</div>
      {hint ? <div className="text-[11px] leading-snug text-faint">{hint}</div> : null}
    </div>
  );
}

/** The listed items added up: the bars, and what is idle, unreserved and could be freed, and what it cost where priced. */
export function Totals({
  answer,
  resource,
  noun,
  range,
}: {
  answer: ConsumptionAnswer;
  resource: Resource;
  noun: string;
  range: ConsumptionParams["range"];
}) {
  const t = answer.totals;
  const f = figuresOf(t, resource);
  const format = RESOURCE_FORMAT[resource];
  return (
    <section aria-label="Totals" className="min-w-0 space-y-3 rounded-md border border-border bg-surface p-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold">Totals</h2>
        <span className="text-[11px] text-muted">{`${plural(answer.items.length, noun.slice(0, -1), noun)} added up`}</span>
      </div>
      <TotalsBar resource="cpu" figures={figuresOf(t, "cpu")} />
      <TotalsBar resource="memory" figures={figuresOf(t, "memory")} />
      <BarKey />
      <div className="grid grid-cols-2 gap-3 border-t border-border pt-3">
        <Stat
          label="Efficiency"
          value={f.efficiency === null ? "—" : formatPercent(f.efficiency, 1)}
          hint={`${resource === "cpu" ? "CPU" : "memory"} used / reserved`}
        />
        <Stat label="Idle reserved" value={format(f.idleReserved)} hint="reserved, not used" />
        <Stat label="Unreserved" value={f.unreserved === undefined ? "—" : format(f.unreserved)} hint="capacity nobody reserved" />
        <Stat
          label="Right-sizing frees"
          value={f.frees === undefined ? "—" : format(f.frees)}
          hint={SAVINGS_NOTE}
          title={t.recommendation?.basis ?? "no workload has enough history for a recommendation yet"}
        />
        {t.cost ? (
          <>
            <Stat
              label={`Cost over ${RANGE_LABEL[range]}`}
              value={formatCost(t.cost.reserved, t.cost.currency)}
              hint={`reserved; ${formatCost(t.cost.used, t.cost.currency)} of it used on average`}
              title={costTitle(t.cost, range)}
            />
            <Stat label="Idle cost" value={formatCost(t.cost.idle, t.cost.currency)} hint="reserved, not used" />
          </>
        ) : null}
      </div>
    </section>
  );
}
