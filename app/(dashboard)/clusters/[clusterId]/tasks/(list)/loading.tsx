import { TableSkeleton } from "@/components/states";

// Per list page, not per cluster: a node or workload page must be able to answer 404 before anything streams.
export default function Loading() {
  return <TableSkeleton rows={10} />;
}
