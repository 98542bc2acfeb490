"use client";

import { Fragment, useId, useRef, useState, type CSSProperties, type ReactNode } from "react";
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
  /**
   * Kept on a phone, where the other columns fold into the row's detail: `true`, or a narrower
   * track for it there ("64px"). Each table keeps its name, its state and its one key figure.
   */
  phone?: true | string;
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
/** The phone layout's disclosure button column: a 28 px target, above WCAG's 24. */
const DISCLOSURE_TRACK = "28px";

/**
 * The columns a phone shows (below Tailwind's md, 768 px: no table's desktop row fits there, so
 * small tablets and landscape phones fold too): those marked `phone`, or the first (the name).
 */
export function phoneColumns<T>(columns: Column<T>[]): Column<T>[] {
  const marked = columns.filter((c) => c.phone);
  return marked.length > 0 ? marked : columns.slice(0, 1);
}

/** A column's phone track: its own, or its desktop track without the minimum width that makes a desktop row wide. */
export function phoneTrack(column: Pick<Column<unknown>, "width" | "phone">): string {
  if (typeof column.phone === "string") return column.phone;
  const flexible = /^minmax\([^,]+,\s*(.+)\)$/.exec(column.width)?.[1] ?? (column.width.endsWith("fr") ? column.width : null);
  return flexible ? `minmax(0, ${flexible})` : column.width;
}

/**
 * How a table lays out: the grid tracks of a desktop row and of a phone row (with the disclosure
 * button last when some columns fold), the least width of a desktop row, and the folded columns.
 */
export function rowLayout<T>(columns: Column<T>[]) {
  const onPhone = phoneColumns(columns);
  const folded = columns.filter((c) => !onPhone.includes(c));
  return {
    onPhone,
    folded,
    desktop: columns.map((c) => c.width).join(" "),
    phone: [...onPhone.map(phoneTrack), ...(folded.length > 0 ? [DISCLOSURE_TRACK] : [])].join(" "),
    desktopMinWidth: columns.reduce((sum, c) => sum + (Number(/(\d+)px/.exec(c.width)?.[1]) || 80), 0),
  };
}

/** Rows and the header use the phone tracks below md and the desktop ones from md up. */
const GRID = "grid grid-cols-(--phone-tracks) md:grid-cols-(--desktop-tracks)";
/** On a phone a cell wraps (there is no hover to read a truncated name); from md up it truncates as before. */
const CELL = "min-w-0 overflow-hidden break-words md:truncate";

function ChevronIcon({ open }: { open: boolean }) {
  return (
    <svg
      aria-hidden
      viewBox="0 0 16 16"
      className={`size-4 transition-transform motion-reduce:transition-none ${open ? "rotate-90" : ""}`}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M6 3.5 10.5 8 6 12.5" />
    </svg>
  );
}

/** Sorting on a phone, where the headers of the folded columns are hidden: every sortable column and the order. */
function PhoneSort<T>({ columns, sort, onSort }: { columns: Column<T>[]; sort?: SortState; onSort: (next: SortState) => void }) {
  const sortable = columns.filter((c) => c.sort);
  if (sortable.length === 0) return null;
  const active = sortable.find((c) => c.sort === sort?.sort)?.sort;
  const order = sort?.order ?? "asc";
  const selectClass = "h-7 rounded border border-border bg-surface px-1.5 text-[12px] text-foreground";
  return (
    <div className="flex items-center gap-2 border-b border-border px-3 py-1.5 text-[12px] text-muted md:hidden">
      <label className="flex min-w-0 items-center gap-1.5">
        Sort by
        <select value={active ?? ""} onChange={(e) => onSort({ sort: e.target.value, order })} className={`${selectClass} min-w-0`}>
          {active ? null : <option value="">default order</option>}
          {sortable.map((c) => (
            <option key={c.key} value={c.sort}>
              {c.header}
            </option>
          ))}
        </select>
      </label>
      <select
        aria-label="Sort order"
        value={order}
        disabled={!active}
        onChange={(e) => onSort({ sort: active, order: e.target.value === "desc" ? "desc" : "asc" })}
        className={selectClass}
      >
        <option value="asc">ascending</option>
        <option value="desc">descending</option>
      </select>
    </div>
  );
}

/** A phone row's detail: the folded columns as a term/value list; a column without a header (actions) below it. */
function RowDetail<T>({ id, row, columns }: { id: string; row: T; columns: Column<T>[] }) {
  return (
    <div role="cell" id={id} className="col-span-full pb-2 pt-0.5 md:hidden">
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] items-baseline gap-x-3 gap-y-1">
        {columns
          .filter((c) => c.header)
          .map((c) => (
            <Fragment key={c.key}>
              <dt title={c.title} className="text-[11px] font-semibold uppercase tracking-wide text-muted">
                {c.header}
              </dt>
              <dd className={`min-w-0 break-words ${c.align === "right" ? "figure" : ""}`}>{c.cell(row)}</dd>
            </Fragment>
          ))}
      </dl>
      {columns
        .filter((c) => !c.header)
        .map((c) => (
          <div key={c.key} className="mt-1.5">
            {c.cell(row)}
          </div>
        ))}
    </div>
  );
}

/**
 * A virtualised table: only the rows in view are in the DOM, so thousands of
 * tasks stay smooth. Sorting is done by the server (onSort changes the URL).
 * ARIA table roles keep it readable by screen readers and tests. On a phone
 * (below md) a row keeps its phone columns and folds the rest into a detail
 * that its disclosure button opens; rows are measured, so an open one is taller.
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
  const tableId = useId();
  const [openRows, setOpenRows] = useState<ReadonlySet<string>>(new Set());
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    // Measured sizes follow the row, not its position, when the sort changes.
    getItemKey: (index) => rowKey(rows[index]),
    overscan: 12,
    // Renders the first screen on the server too, so a page never arrives blank.
    initialRect: { width: 1200, height: 900 },
  });
  const { onPhone, folded, ...layout } = rowLayout(columns);
  const nameColumn = onPhone[0];
  const tracks = { "--desktop-tracks": layout.desktop, "--phone-tracks": layout.phone } as CSSProperties;
  const toggle = (key: string) =>
    setOpenRows((open) => {
      const next = new Set(open);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  return (
    <div className="overflow-hidden rounded-md border border-border bg-surface">
      {onSort ? <PhoneSort columns={columns} sort={sort} onSort={onSort} /> : null}
      <div role="table" aria-label={label} aria-rowcount={rows.length + 1} className="overflow-x-auto">
        <div className="md:min-w-(--desktop-min-width)" style={{ "--desktop-min-width": `${layout.desktopMinWidth}px` } as CSSProperties}>
          <div role="rowgroup" className="border-b border-border bg-surface-2">
            <div role="row" aria-rowindex={1} className={`${GRID} items-center gap-x-2 px-3 md:gap-3`} style={{ ...tracks, height: 30 }}>
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
                    className={`${onPhone.includes(column) ? "flex" : "hidden md:flex"} min-w-0 items-center text-[11px] font-semibold uppercase tracking-wide text-muted ${alignment}`}
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
              {folded.length > 0 ? (
                <div role="columnheader" className="md:hidden">
                  <span className="sr-only">Details</span>
                </div>
              ) : null}
            </div>
          </div>
          {/* The rows scroll on their own: focusable, so a keyboard can scroll them where no row holds a link (WCAG 2.1.1). */}
          <div
            ref={scrollRef}
            role="rowgroup"
            tabIndex={0}
            className="overflow-y-auto focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
            style={{ maxHeight }}
          >
            <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index];
                const key = String(item.key);
                const open = openRows.has(key);
                const id = `${tableId}-${item.index}`;
                return (
                  <div
                    key={key}
                    ref={virtualizer.measureElement}
                    data-index={item.index}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className={`${GRID} absolute inset-x-0 items-center gap-x-2 border-b border-border/70 px-3 py-1 hover:bg-surface-2 md:gap-3 md:py-0`}
                    style={{ ...tracks, minHeight: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  >
                    {columns.map((column) => (
                      <div
                        key={column.key}
                        id={column === nameColumn ? `${id}-name` : undefined}
                        role="cell"
                        className={`${CELL} ${onPhone.includes(column) ? "" : "hidden md:block"} ${column.align === "right" ? "figure text-right" : ""}`}
                      >
                        {column.cell(row)}
                      </div>
                    ))}
                    {folded.length > 0 ? (
                      <div role="cell" className="flex justify-end md:hidden">
                        <button
                          type="button"
                          id={`${id}-toggle`}
                          aria-label="Details"
                          aria-labelledby={`${id}-toggle ${id}-name`}
                          aria-expanded={open}
                          aria-controls={open ? `${id}-detail` : undefined}
                          onClick={() => toggle(key)}
                          className="grid size-7 place-items-center rounded text-muted hover:bg-border/60 hover:text-foreground"
                        >
                          <ChevronIcon open={open} />
                        </button>
                      </div>
                    ) : null}
                    {open ? <RowDetail id={`${id}-detail`} row={row} columns={folded} /> : null}
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
