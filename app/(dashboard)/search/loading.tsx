import { Skeleton, TableSkeleton } from "@/components/states";

// The title, the filters, the tabs and the table's places, so nothing jumps when the results arrive.
export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="space-y-3">
      <Skeleton className="h-10 w-72" />
      <Skeleton className="h-7 w-full max-w-4xl" />
      <Skeleton className="h-8 w-48" />
      <TableSkeleton rows={10} />
    </div>
  );
}
