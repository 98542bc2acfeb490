import { formatBytes, MISSING } from "@/lib/format";
import type { Volume } from "@/lib/model/types";
import { Dot, type Tone } from "./badge";

/** How a volume's status reads: bound or mounted is fine, waiting is a warning, a claim lost or missing is trouble. */
export function volumeStatusTone(status: string): Tone {
  switch (status) {
    case "Bound":
    case "mounted":
      return "ok";
    case "Pending":
      return "warn";
    case "Lost":
    case "Missing":
      return "danger";
    default:
      return "neutral";
  }
}

/** Kubernetes access modes as kubectl prints them (RWO, ROX, RWX, RWOP); other orchestrators' words as they are. */
const SHORT_ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: "RWO",
  ReadOnlyMany: "ROX",
  ReadWriteMany: "RWX",
  ReadWriteOncePod: "RWOP",
};

export function shortAccessMode(mode: string): string {
  return SHORT_ACCESS_MODES[mode] ?? mode;
}

const cell = "px-2 py-1 align-top first:pl-0 last:pr-0";

/** The storage a workload's tasks mount, one row per volume; `emptyText` says what no row means on its orchestrator. */
export function VolumeList({ volumes, emptyText }: { volumes: Volume[]; emptyText: string }) {
  if (volumes.length === 0) return <p className="text-[12px] text-muted">{emptyText}</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-[12px]">
        <thead className="text-muted">
          <tr>
            <th scope="col" className={`${cell} font-medium`}>
              Name
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Claim
            </th>
            <th scope="col" className={`${cell} text-right font-medium`}>
              Capacity
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Access
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Status
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {volumes.map((v) => (
            <tr key={`${v.name}\u0000${v.type}`}>
              <td className={cell}>
                <span className="break-all font-mono">{v.name}</span>
                <span className="ml-1.5 text-[11px] text-muted">{v.type}</span>
              </td>
              <td className={`${cell} break-all font-mono`}>{v.claim ?? <span className="font-sans text-faint">none</span>}</td>
              <td className={`${cell} figure whitespace-nowrap text-right`}>{formatBytes(v.capacityBytes)}</td>
              <td className={`${cell} whitespace-nowrap`}>
                {v.accessModes.length ? (
                  v.accessModes.map((m, i) => (
                    <span key={m} title={m}>
                      {i > 0 ? ", " : ""}
                      {shortAccessMode(m)}
                    </span>
                  ))
                ) : (
                  <span className="text-faint">{MISSING}</span>
                )}
              </td>
              <td className={`${cell} whitespace-nowrap`}>
                <span className="inline-flex items-center gap-1.5">
                  <Dot tone={volumeStatusTone(v.status)} />
                  {v.status}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
