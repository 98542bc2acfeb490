"use client";

import type { ReactNode } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { clustersQuery, consumptionCsvUrl, consumptionParamsFrom, consumptionQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { formatPercent, plural } from "@/lib/format";
import { CONSUMPTION_GROUPS, CONSUMPTION_RANGES } from "@/lib/model/consumption";
import { RESOURCE_FORMAT, type Resource } from "./consumption-bars";
import { ConsumptionChart } from "./consumption-chart";
import { columnsFor } from "./consumption-columns";
import { figuresOf, formatCost } from "./consumption-figures";
import { ClusterErrors } from "./cluster-errors";
import { Crumbs, SourceNote } from "./consumption-header";
import { GROUP_LABEL, GROUP_PLURAL, NO_HISTORY, RANGE_LABEL } from "./consumption-labels";
import { Segmented } from "./consumption-segmented";
import { TabEmpty } from "./consumption-tab-empty";
import { isSortKey, sortItems, tabItems, TABS, type SortKey, type TabId } from "./consumption-tabs";
import { Totals } from "./consumption-totals";
import { TabList } from "./tabs";
import { DataTable } from "./data-table";
import { isFilterError } from "./list-filters";
import { EmptyState, ErrorState, TableSkeleton } from "./states";

/** The fleet-wide consumption page: who uses what, against what they reserved and what exists (issue 12). */
export function ConsumptionView() {
  const [search, update] = useUrlParams();
  const params = consumptionParamsFrom(search);
  const resource: Resource = search.get("resource") === "memory" ? "memory" : "cpu";
  const tab: TabId = TABS.find((t) => t.id === search.get("tab"))?.id ?? "all";
  const rawSort = search.get("sort");
  const explicitSort = rawSort && isSortKey(rawSort) ? rawSort : null;
  const sort: SortKey = explicitSort ?? (tab === "top" ? "usedAvg" : "flags");
  const order: "asc" | "desc" = explicitSort ? (search.get("order") === "desc" ? "desc" : "asc") : "desc";

  const { data: clusters } = useQuery(clustersQuery());
  const query = useQuery({ ...consumptionQuery(params), placeholderData: keepPreviousData });
  const names = new Map((clusters ?? []).map((c) => [c.id, c.name]));
  const clusterName = (id: string | null) => (id === null ? "—" : (names.get(id) ?? id));
  const noun = GROUP_PLURAL[params.groupBy];
  const answer = query.data;

  let body: ReactNode;
  if (query.isPending) body = <TableSkeleton rows={8} />;
  else if (query.error && !answer)
    body = isFilterError(query.error) ? (
      <EmptyState title="No results for this filter">{query.error.message}</EmptyState>
    ) : (
      <ErrorState title="Could not load consumption" error={query.error} onRetry={() => query.refetch()} />
    );
  else if (answer && answer.items.length === 0)
    body = (
      <EmptyState title={`No ${noun} here`}>
        {params.cluster || params.tenant
          ? "Nothing matches these filters; clear them to see the fleet."
          : "No cluster has reported anything to count yet."}
      </EmptyState>
    );
  else if (answer) {
    const rows = sortItems(tabItems(tab, answer.items, resource), sort, order, resource, clusterName);
    const t = figuresOf(answer.totals, resource);
    const format = RESOURCE_FORMAT[resource];
    body = (
      <>
        <TabList
          label="Views"
          tabs={TABS.map((t) => {
            const count = tabItems(t.id, answer.items, resource).length;
            return { id: t.id, label: t.label, count, highlight: count > 0 && t.id !== "all" && t.id !== "top" };
          })}
          selected={tab}
          onSelect={(id) => update({ tab: id === "all" ? "" : id, sort: "", order: "" })}
        />
        <div role="tabpanel" aria-label={TABS.find((x) => x.id === tab)!.label} className="mt-2">
          {rows.length === 0 ? (
            <TabEmpty tab={tab} params={params} answer={answer} onGroupByNode={() => update({ groupBy: "node", tab: "over-committed" })} />
          ) : (
            <DataTable
              label={`Consumption by ${GROUP_LABEL[params.groupBy].toLowerCase()}`}
              rows={rows}
              columns={columnsFor(params, resource, clusterName, answer.items)}
              rowKey={(item) => item.key}
              sort={{ sort, order }}
              onSort={(s) => update({ sort: s.sort, order: s.order })}
              maxHeight="min(70vh, 720px)"
              footer={
                <span className="figure">
                  {`${rows.length === answer.items.length ? plural(rows.length, noun.slice(0, -1), noun) : `${rows.length} of ${answer.items.length} ${noun}`}`}
                  {` · all of them: ${format(t.reserved)} reserved, ${format(t.usedAvg)} used on average (${t.efficiency === null ? "—" : formatPercent(t.efficiency, 1)}), ${format(t.idleReserved)} idle reserved`}
                  {answer.totals.cost ? `, ${formatCost(answer.totals.cost.reserved, answer.totals.cost.currency)} cost` : ""}
                  {sort === "flags" && !explicitSort ? " · problems first" : ""}
                </span>
              }
            />
          )}
        </div>
      </>
    );
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
        <div className="min-w-0">
          <Crumbs params={params} clusterName={clusterName} />
          <h1 className="text-lg font-semibold tracking-tight">Consumption</h1>
          <p className="text-[12px] text-muted">
            Who uses what, against what they reserved and what exists
            {answer ? (
              <>
                {" · "}
                {/* The server's time zone may not be the browser's: the browser's reading wins. */}
                <time suppressHydrationWarning dateTime={answer.range.from} className="figure">
                  {new Date(answer.range.from).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" })}
                </time>
                {" – "}
                <time suppressHydrationWarning dateTime={answer.range.to} className="figure">
                  {/* The end's date too when the range crosses midnight, so it never reads as time running backwards. */}
                  {new Date(answer.range.to).toDateString() === new Date(answer.range.from).toDateString()
                    ? new Date(answer.range.to).toLocaleTimeString("en-GB", { timeStyle: "short" })
                    : new Date(answer.range.to).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" })}
                </time>
                {" · "}
                <SourceNote answer={answer} clusterName={clusterName} />
              </>
            ) : null}
          </p>
        </div>
        <a href={consumptionCsvUrl(params)} download className="text-[12px] text-accent hover:underline">
          Download CSV
        </a>
      </div>

      <div role="search" aria-label="Consumption filters" className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <Segmented
          label="Group by"
          options={CONSUMPTION_GROUPS.map((g) => ({ value: g, label: GROUP_LABEL[g] }))}
          value={params.groupBy}
          onChange={(groupBy) => update({ groupBy, sort: "", order: "" })}
        />
        <Segmented
          label="Range"
          options={CONSUMPTION_RANGES.map((r) => ({ value: r, label: RANGE_LABEL[r] }))}
          value={params.range}
          onChange={(range) => update({ range })}
        />
        <Segmented
          label="Figures"
          options={[
            { value: "cpu", label: "CPU" },
            { value: "memory", label: "Memory" },
          ]}
          value={resource}
          onChange={(r) => update({ resource: r === "cpu" ? "" : r })}
        />
        <label className="flex items-center gap-1.5 text-[12px] text-muted">
          Cluster
          <select
            aria-label="Cluster filter"
            value={params.cluster ?? ""}
            onChange={(e) => update({ cluster: e.target.value, tenant: "" })}
            className="h-7 max-w-56 rounded border border-border bg-surface px-2 text-[12px] text-foreground"
          >
            <option value="">All clusters</option>
            {(clusters ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
            {params.cluster && clusters && !names.has(params.cluster) ? <option value={params.cluster}>{params.cluster}</option> : null}
          </select>
        </label>
        {params.tenant ? (
          <span className="inline-flex items-center gap-1 rounded border border-border bg-surface-2 px-1.5 py-0.5 text-[12px]">
            <span className="text-muted">Tenant</span> {params.tenant}
            <button
              type="button"
              aria-label="Clear the tenant filter"
              onClick={() => update({ tenant: "" })}
              className="text-muted hover:text-foreground"
            >
              ✕
            </button>
          </span>
        ) : null}
        {query.isPlaceholderData ? <span className="text-[11px] text-faint">updating…</span> : null}
      </div>
      {query.error && answer ? (
        <p role="alert" className="rounded border border-danger/40 bg-danger-soft px-2 py-1 text-[12px] text-danger">
          {`Showing the last figures: ${query.error.message}`}
        </p>
      ) : null}
      {answer ? <ClusterErrors errors={answer.errors} clusterName={clusterName} /> : null}
      {answer && answer.totals.coverage === 0 && answer.items.length > 0 ? (
        <p className="rounded border border-border bg-info-soft px-3 py-1.5 text-[12px] text-muted">
          {`${NO_HISTORY} Reservations and capacity are shown meanwhile.`}
        </p>
      ) : null}

      <div className="grid gap-3 lg:grid-cols-[minmax(0,2fr)_minmax(300px,1fr)]">
        <ConsumptionChart params={params} resource={resource} answer={answer} />
        {answer ? (
          <Totals answer={answer} resource={resource} noun={noun} range={params.range} />
        ) : (
          <div className="skeleton min-h-64 rounded-md" aria-hidden />
        )}
      </div>

      <div>{body}</div>
    </div>
  );
}
