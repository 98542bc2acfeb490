import { ratio } from "@/lib/format";

/** Ready against desired replicas as a small bar; converging shows in the accent colour, done in green. */
export function ReplicaProgress({ ready, desired, wide = false }: { ready: number; desired: number; wide?: boolean }) {
  const r = desired === 0 ? (ready === 0 ? 1 : 0) : (ratio(ready, desired) ?? 0);
  const done = ready === desired;
  return (
    <span className="inline-flex items-center gap-2" title={`${ready} of ${desired} desired replicas ready`}>
      <span className="figure whitespace-nowrap">
        <span className={done ? "" : "font-semibold text-warn"}>{ready}</span>
        <span className="text-muted"> / {desired}</span>
      </span>
      <span aria-hidden className={`relative h-1.5 overflow-hidden rounded-sm bg-[var(--bar-track)] ${wide ? "w-40" : "w-10"}`}>
        <span
          className={`absolute inset-y-0 left-0 transition-[width] duration-500 ${done ? "bg-ok" : "bg-accent"}`}
          style={{ width: `${r * 100}%` }}
        />
      </span>
    </span>
  );
}
