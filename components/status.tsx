import { formatAge } from "@/lib/format";
import { isCutOff, type ClusterInfo, type ClusterStatus, type Node, type Task } from "@/lib/model/types";
import { Badge, Dot, type Tone } from "./badge";

export const CLUSTER_TONE: Record<ClusterStatus, Tone> = {
  connecting: "neutral",
  ok: "ok",
  degraded: "warn",
  unauthorized: "danger",
  unreachable: "danger",
};
const CLUSTER_WORD: Record<ClusterStatus, string> = {
  connecting: "Connecting",
  ok: "OK",
  degraded: "Degraded",
  unauthorized: "Unauthorized",
  unreachable: "Unreachable",
};

type ClusterConnection = Pick<ClusterInfo, "synced" | "status" | "statusReason" | "statusSince" | "dataAsOf">;

/** Still waiting for a first full list, with nothing found wrong yet. */
export function isSyncing(cluster: Pick<ClusterInfo, "synced" | "status">): boolean {
  return !cluster.synced && (cluster.status === "connecting" || cluster.status === "ok");
}

export function ClusterStatusBadge({ cluster }: { cluster: ClusterConnection }) {
  const { status, statusReason: reason } = cluster;
  if (isSyncing(cluster)) {
    return (
      <Badge tone="neutral" title="Waiting for the first full list from the cluster">
        <Dot tone="neutral" /> Syncing
      </Badge>
    );
  }
  return (
    <Badge tone={CLUSTER_TONE[status]} title={reason ?? undefined}>
      <Dot tone={CLUSTER_TONE[status]} /> {CLUSTER_WORD[status]}
    </Badge>
  );
}

/**
 * What is wrong with the connection, since when, and, once it is cut off, how
 * old the data on screen is: it is never shown as current.
 */
export function ConnectionNote({ cluster, now, className = "" }: { cluster: ClusterConnection; now: number; className?: string }) {
  const { status, statusReason: reason } = cluster;
  if (status === "ok" || status === "connecting" || !reason) return null;
  const cutOff = isCutOff(status);
  return (
    <p role={cutOff ? "alert" : undefined} className={`${cutOff ? "text-danger" : "text-warn"} ${className}`}>
      {reason}
      <span suppressHydrationWarning className="opacity-80">
        {` · since ${formatAge(cluster.statusSince, now)} ago`}
        {cutOff && cluster.dataAsOf ? ` · showing data from ${formatAge(cluster.dataAsOf, now)} ago` : ""}
      </span>
    </p>
  );
}

export function NodeStatus({ node }: { node: Pick<Node, "status" | "statusReason"> }) {
  const tone: Tone = node.status === "ready" ? "ok" : node.status === "not-ready" ? "danger" : "warn";
  const word = node.status === "ready" ? "Ready" : node.status === "not-ready" ? "NotReady" : "Unknown";
  return (
    <span className="inline-flex items-center gap-1.5" title={node.statusReason ?? undefined}>
      <Dot tone={tone} />
      {word}
    </span>
  );
}

const TASK_TONE: Record<Task["state"], Tone> = {
  running: "ok",
  pending: "warn",
  succeeded: "neutral",
  failed: "danger",
  unknown: "warn",
};

export function TaskState({ task }: { task: Pick<Task, "state" | "stateReason" | "ready"> }) {
  // A running task that is not ready yet is worth a different colour: it is not serving.
  const tone: Tone = task.state === "running" && !task.ready ? "warn" : TASK_TONE[task.state];
  const word = task.state.charAt(0).toUpperCase() + task.state.slice(1);
  // On a phone the reason wraps under the state: there is no hover there to read a truncated one.
  return (
    <span className="inline-flex min-w-0 flex-wrap items-center gap-x-1.5 md:flex-nowrap" title={task.stateReason ?? undefined}>
      <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
        <Dot tone={tone} />
        {word}
      </span>
      {task.state === "running" && !task.ready ? <span className="text-muted">(not ready)</span> : null}
      {task.stateReason ? <span className="min-w-0 text-muted md:truncate">· {task.stateReason}</span> : null}
    </span>
  );
}
