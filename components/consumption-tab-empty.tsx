import type { ConsumptionAnswer, ConsumptionParams } from "@/lib/client/queries";
import { formatPercent } from "@/lib/format";
import { THRESHOLDS } from "@/lib/model/consumption";
import { NO_HISTORY } from "./consumption-labels";
import type { TabId } from "./consumption-tabs";
import { EmptyState } from "./states";

/** What a tab says when it has no rows: what it looks for, and why it may be empty yet. */
export function TabEmpty({
  tab,
  params,
  answer,
  onGroupByNode,
}: {
  tab: TabId;
  params: ConsumptionParams;
  answer: ConsumptionAnswer;
  onGroupByNode: () => void;
}) {
  const coverage = answer.totals.coverage;
  const shortHistory =
    coverage < THRESHOLDS.minCoverage
      ? ` The history covers ${formatPercent(coverage, 1)} of ${params.range} so far and flags need ${formatPercent(THRESHOLDS.minCoverage, 1)}: a shorter range shows them sooner.`
      : "";
  if (tab === "idle")
    return (
      <EmptyState title={`Nothing idle over ${params.range}`}>
        {`Idle is every reservation used below ${formatPercent(THRESHOLDS.idleEfficiency, 1)} on average over the whole range.${shortHistory}`}
      </EmptyState>
    );
  if (tab === "starved")
    return (
      <EmptyState title="Nothing starved or OOM-killed">
        {`Starved is a workload whose p95 of use reached ${formatPercent(THRESHOLDS.starved, 1)} of its limit over the range, or one with OOM kills as the orchestrator reports them. Workloads without a limit (Marathon's, or a container without one) show only OOM kills.${shortHistory}`}
      </EmptyState>
    );
  if (tab === "over-committed")
    return params.groupBy === "node" ? (
      <EmptyState title="No over-committed node">{`No node has more than ${formatPercent(THRESHOLDS.overCommitted, 1)} of its allocatable reserved.`}</EmptyState>
    ) : (
      <EmptyState title="Over-commitment is a node's">
        <button type="button" onClick={onGroupByNode} className="text-accent hover:underline">
          Group by node
        </button>{" "}
        to see nodes with more than {formatPercent(THRESHOLDS.overCommitted, 1)} of their allocatable reserved.
      </EmptyState>
    );
  return <EmptyState title={`No use measured over ${params.range} yet`}>{NO_HISTORY}</EmptyState>;
}
