import { TableSkeleton } from "@/components/states";

// The list page only (hence the (list) group beside [id]): a detail page must be able to answer 404 before anything streams.
export default function Loading() {
  return <TableSkeleton rows={10} />;
}
