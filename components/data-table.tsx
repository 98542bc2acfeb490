"use client";

import { useRef, type ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { LIST_PAGE } from "@/lib/model/queries";
import type { ListAnswer } from "@/lib/model/types";
import { isFilterError } from "./list-filters";
import { ListFooter } from "./show-more";
import { EmptyState, ErrorState, TableSkeleton } from "./states";

export interface Column<T> {
  key: string;
  header: string;
  /** A CSS grid track: "minmax(160px, 2fr)", "90px". */
  width: string;
  /** The API's sort field for this column, when it can be sorted. */
  sort?: string;
  align?: "right";
  /** A longer header for screen readers and the tooltip ("CPU allocatable"). */
  title?: string;
  cell: (row: T) => ReactNode;
}

interface SortState {
  sort?: string;
  order?: "asc" | "desc";
}

const ROW_HEIGHT = 34;

/**
 * A virtualised table: only the rows in view are in the DOM, so thousands of
 * tasks stay smooth. Sorting is done by the server (onSort changes the URL).
 * ARIA table roles keep it readable by screen readers and tests.
 */
export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  sort,
  onSort,
  maxHeight = "calc(100vh - 250px)",
  footer,
}: {
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  sort?: SortState;
  onSort?: (next: SortState) => void;
  maxHeight?: string;
  footer?: ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Renders the first screen on the server too, so a page never arrives blank.
    initialRect: { width: 1200, height: 900 },
  });
  const template = columns.map((c) => c.width).join(" ");
  const minWidth = columns.reduce((sum, c) => sum + (Number(/(\d+)px/.exec(c.width)?.[1]) || 80), 0);

  return (
    <div className="overflow-hidden rounded-md border border-border bg-surface">
      <div role="table" aria-label={label} aria-rowcount={rows.length + 1} className="overflow-x-auto">
        <div style={{ minWidth }}>
          <div role="rowgroup" className="border-b border-border bg-surface-2">
            <div
              role="row"
              aria-rowindex={1}
              className="grid items-center gap-3 px-3"
              style={{ gridTemplateColumns: template, height: 30 }}
            >
              {columns.map((column) => {
                const active = sort?.sort === column.sort && column.sort !== undefined;
                const ariaSort = active ? (sort?.order === "desc" ? "descending" : "ascending") : undefined;
                const alignment = column.align === "right" ? "justify-end text-right" : "";
                return (
                  <div
                    key={column.key}
                    role="columnheader"
                    aria-sort={ariaSort}
                    title={column.title}
                    className={`flex min-w-0 items-center text-[11px] font-semibold uppercase tracking-wide text-muted ${alignment}`}
                  >
                    {column.sort && onSort ? (
                      <button
                        type="button"
                        onClick={() =>
                          onSort(
                            active
                              ? { sort: column.sort, order: sort?.order === "desc" ? "asc" : "desc" }
                              : { sort: column.sort, order: "asc" },
                          )
                        }
                        className="inline-flex min-w-0 items-center gap-1 uppercase hover:text-foreground"
                      >
                        <span className="truncate">{column.header}</span>
                        <span aria-hidden className={active ? "text-accent" : "text-transparent"}>
                          {sort?.order === "desc" && active ? "▼" : "▲"}
                        </span>
                      </button>
                    ) : (
                      <span className="truncate">{column.header}</span>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
          <div ref={scrollRef} role="rowgroup" className="overflow-y-auto" style={{ maxHeight }}>
            <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index];
                return (
                  <div
                    key={rowKey(row)}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className="absolute inset-x-0 grid items-center gap-3 border-b border-border/70 px-3 hover:bg-surface-2"
                    style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}
                  >
                    {columns.map((column) => (
                      <div
                        key={column.key}
                        role="cell"
                        className={`min-w-0 truncate ${column.align === "right" ? "figure text-right" : ""}`}
                      >
                        {column.cell(row)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
      {footer ? <div className="border-t border-border px-3 py-1.5 text-[12px] text-muted">{footer}</div> : null}
    </div>
  );
}

/**
 * A resource list with its designed states: loading, a filter the server
 * rejected, a failed load, empty (filtered or not), then the table.
 */
export function ListTable<T extends { id: string }>({
  query,
  noun,
  filtered,
  emptyTitle,
  columns,
  params,
  onSort,
  maxHeight,
  rowKey = (row) => row.id,
}: {
  query: UseQueryResult<ListAnswer<T>>;
  /** Plural, as in a sentence: "nodes", "allocations". */
  noun: string;
  /** Whether a filter is set, so "nothing" is the filter's doing. */
  filtered: boolean;
  /** What an unfiltered empty list means for this resource. */
  emptyTitle: string;
  columns: Column<T>[];
  params: SortState & { limit?: number };
  onSort?: (next: SortState) => void;
  maxHeight?: string;
  /** A row's React key: its id, unless ids repeat across the list (a fleet-wide list's, across clusters). */
  rowKey?: (row: T) => string;
}) {
  if (query.isPending) return <TableSkeleton />;
  if (query.error) {
    if (isFilterError(query.error))
      return <EmptyState title="No results for this filter">{`Fix the filter above to see ${noun}.`}</EmptyState>;
    return <ErrorState title={`Could not load ${noun}`} error={query.error} onRetry={() => query.refetch()} />;
  }
  const { items, total } = query.data;
  if (items.length === 0) {
    return (
      <EmptyState title={filtered ? `No ${noun} match these filters` : emptyTitle}>
        {filtered ? "Change or clear the filters to see more." : null}
      </EmptyState>
    );
  }
  return (
    <DataTable
      label={noun.charAt(0).toUpperCase() + noun.slice(1)}
      rows={items}
      columns={columns}
      rowKey={rowKey}
      sort={{ sort: params.sort, order: params.order }}
      onSort={onSort}
      maxHeight={maxHeight}
      footer={<ListFooter shown={items.length} total={total} noun={noun} limit={params.limit ?? LIST_PAGE} />}
    />
  );
}
