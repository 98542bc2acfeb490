import { TableSkeleton } from "@/components/states";

export default function Loading() {
  return <TableSkeleton rows={10} />;
}
