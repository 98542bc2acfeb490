import { RESOURCE_KINDS } from "@/lib/model/types";
import { changesBetween, replaceAll } from "@/lib/adapters/changes";
import type { CoreItems, CoreKind, SnapshotSink } from "@/lib/adapters/types";
import { withQueue, type AppBundle, type DeploymentInfo, type MasterItems, type QueueInfo } from "./mappers";

/**
 * The adapter's two sources (the master's state and Marathon) merged into one
 * snapshot. Each source replaces its own part; `publish` sends the sink either
 * a full "replace" of every list (after a relist) or the merged lists as
 * upserts, with deletes for what is gone since the last publish (after a poll
 * or an event). The store drops the upserts that change nothing.
 */
export class MergedSnapshot {
  master: MasterItems | null = null;
  readonly apps = new Map<string, AppBundle>();
  readonly queue = new Map<string, QueueInfo>();
  /** Marathon's running deployments by id, for the progress of those that hold an app. */
  readonly deployments = new Map<string, DeploymentInfo>();
  /** The ids the sink has per list, to delete what is gone. */
  private published: Record<CoreKind, ReadonlySet<string>> = {
    nodes: new Set(),
    workloads: new Set(),
    tasks: new Set(),
    services: new Set(),
  };

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
    const changes =
      mode === "replace" ? replaceAll(now) : RESOURCE_KINDS.flatMap((kind) => changesBetween(kind, this.published[kind], now[kind]));
    this.published = { nodes: ids(now.nodes), workloads: ids(now.workloads), tasks: ids(now.tasks), services: ids(now.services) };
    if (changes.length) this.sink.apply(changes);
  }
}

function ids(items: readonly { id: string }[]): ReadonlySet<string> {
  return new Set(items.map((item) => item.id));
}
