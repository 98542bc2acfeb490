import type { ClusterStatus, Node, Task } from "@/lib/model/types";
import { Badge, Dot, type Tone } from "./badge";

const CLUSTER_TONE: Record<ClusterStatus, Tone> = { ok: "ok", degraded: "warn", unreachable: "danger" };
const CLUSTER_WORD: Record<ClusterStatus, string> = { ok: "OK", degraded: "Degraded", unreachable: "Unreachable" };

/** Still waiting for a first full list, with nothing found wrong yet. */
export function isSyncing(cluster: { connecting: boolean; synced: boolean; status: ClusterStatus }): boolean {
  return !cluster.synced && (cluster.connecting || cluster.status === "ok");
}

export function ClusterStatusBadge({
  cluster,
}: {
  cluster: { connecting: boolean; synced: boolean; status: ClusterStatus; statusReason: string | null };
}) {
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
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5" title={task.stateReason ?? undefined}>
      <Dot tone={tone} />
      <span>{word}</span>
      {task.state === "running" && !task.ready ? <span className="text-muted">(not ready)</span> : null}
      {task.stateReason ? <span className="truncate text-muted">· {task.stateReason}</span> : null}
    </span>
  );
}
