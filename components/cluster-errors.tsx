import type { ClusterErrors as ErrorsByCluster } from "@/lib/model/types";
import { plural } from "@/lib/format";

/** Clusters that could not answer a fleet-wide read, beside the figures of the others (never instead of them). */
export function ClusterErrors({ errors, clusterName }: { errors: ErrorsByCluster; clusterName: (id: string) => string }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div role="alert" className="rounded border border-warn/40 bg-warn-soft px-3 py-1.5 text-[12px] text-warn">
      <p className="font-medium">{`${plural(entries.length, "cluster")} could not answer in full:`}</p>
      <ul className="mt-0.5 space-y-0.5">
        {entries.map(([id, e]) => {
          const name = clusterName(id);
          // An adapter's message may name its cluster already ("Batch: Nomad GET /v1/agent/self: ECONNREFUSED").
          const message = e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message;
          return (
            <li key={id} className="break-words">
              <span className="font-medium">{name}</span>: {message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
