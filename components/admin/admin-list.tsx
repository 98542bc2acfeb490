"use client";

import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { EmptyState, ErrorState, TableSkeleton } from "../states";

/** The designed states of an admin list: loading, failed, empty, then the table. */
export function AdminList<T>({
  query,
  noun,
  empty,
  children,
}: {
  query: UseQueryResult<T[]>;
  noun: string;
  empty: { title: string; hint: ReactNode };
  children: (rows: T[]) => ReactNode;
}) {
  if (query.isPending) return <TableSkeleton rows={4} />;
  if (query.error) return <ErrorState title={`Could not load ${noun}`} error={query.error} onRetry={() => query.refetch()} />;
  if (query.data.length === 0) return <EmptyState title={empty.title}>{empty.hint}</EmptyState>;
  return <>{children(query.data)}</>;
}
