import { Skeleton, TableSkeleton } from "@/components/states";

// The controls, the chart and the table's places, so nothing jumps when the figures arrive.
export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="space-y-3">
      <Skeleton className="h-7 w-56" />
      <Skeleton className="h-8 w-full max-w-3xl" />
      <div className="grid gap-3 lg:grid-cols-[minmax(0,2fr)_minmax(280px,1fr)]">
        <Skeleton className="h-64" />
        <Skeleton className="h-64" />
      </div>
      <TableSkeleton rows={8} />
    </div>
  );
}
