import { Skeleton } from "@/components/states";

export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="grid grid-cols-[repeat(auto-fill,minmax(360px,1fr))] gap-3">
      {Array.from({ length: 3 }, (_, i) => (
        <Skeleton key={i} className="h-80" />
      ))}
    </div>
  );
}
