import { Skeleton } from "@/components/states";

// Beside the overview only: a loading boundary above the cluster pages would
// start the answer before they could say 404 for an unknown cluster.
export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="grid grid-cols-[repeat(auto-fill,minmax(360px,1fr))] gap-3">
      {Array.from({ length: 3 }, (_, i) => (
        <Skeleton key={i} className="h-80" />
      ))}
    </div>
  );
}
