import type { CoreItems, CoreKind, SnapshotChange, SnapshotSink } from "@/lib/adapters/types";
import { withQueue, type AppBundle, type DeploymentInfo, type MasterItems, type QueueInfo } from "./mappers";

const KINDS: CoreKind[] = ["nodes", "workloads", "tasks", "services"];

/**
 * The adapter's two sources (the master's state and Marathon) merged into one
 * snapshot. Each source replaces its own part; `publish` sends the sink either
 * a full "replace" of every list (after a relist) or only what changed since
 * the last publish (after a poll or an event).
 */
export class MergedSnapshot {
  master: MasterItems | null = null;
  readonly apps = new Map<string, AppBundle>();
  readonly queue = new Map<string, QueueInfo>();
  /** Marathon's running deployments by id, for the progress of those that hold an app. */
  readonly deployments = new Map<string, DeploymentInfo>();
  private readonly published = new Map<CoreKind, Map<string, string>>(KINDS.map((k) => [k, new Map()]));

  constructor(private readonly sink: SnapshotSink) {}

  current(): { [K in CoreKind]: CoreItems[K][] } {
    const workloads = [...(this.master?.workloads ?? [])];
    const tasks = [...(this.master?.tasks ?? [])];
    const services = [];
    for (const bundle of this.apps.values()) {
      const queued = withQueue(bundle, this.queue.get(bundle.appId), this.deployments);
      workloads.push(queued.workload);
      tasks.push(...queued.tasks);
      if (bundle.service) services.push(bundle.service);
    }
    return { nodes: [...(this.master?.nodes ?? [])], workloads, tasks, services };
  }

  publish(mode: "replace" | "diff"): void {
    const now = this.current();
    const changes: SnapshotChange[] = [];
    for (const kind of KINDS) {
      const items = now[kind] as { id: string }[];
      const before = this.published.get(kind)!;
      const after = new Map(items.map((item) => [item.id, JSON.stringify(item)]));
      if (mode === "replace") {
        changes.push({ type: "replace", resource: kind, items } as SnapshotChange);
      } else {
        for (const item of items) {
          if (before.get(item.id) !== after.get(item.id)) changes.push({ type: "upsert", resource: kind, item } as SnapshotChange);
        }
        for (const id of before.keys()) if (!after.has(id)) changes.push({ type: "delete", resource: kind, id });
      }
      this.published.set(kind, after);
    }
    if (changes.length) this.sink.apply(changes);
  }
}
