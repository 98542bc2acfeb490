import type { ConnectionState, CoreItems, CoreKind, SnapshotChange, SnapshotSink } from "@/lib/adapters/types";

/**
 * Shared by the adapters' and simulators' tests: a sink that applies
 * SnapshotChanges to maps as the server store does, and records what arrived,
 * plus one bounded polling wait.
 */

export type ChangeType = SnapshotChange["type"];
type ChangeCounts = Record<ChangeType, number>;

const noChanges = (): ChangeCounts => ({ replace: 0, upsert: 0, delete: 0 });

export class RecordingSink implements SnapshotSink {
  readonly items: { [K in CoreKind]: Map<string, CoreItems[K]> } = {
    nodes: new Map(),
    workloads: new Map(),
    tasks: new Map(),
    services: new Map(),
  };
  /** Every connection state, in order. */
  readonly connections: ConnectionState[] = [];
  /** Changes of each type over all resources, to tell relists from events. */
  readonly counts: ChangeCounts = noChanges();
  /** The same, per resource. */
  readonly countsByResource: Record<CoreKind, ChangeCounts> = {
    nodes: noChanges(),
    workloads: noChanges(),
    tasks: noChanges(),
    services: noChanges(),
  };

  apply(changes: SnapshotChange[]): void {
    for (const change of changes) {
      this.counts[change.type]++;
      this.countsByResource[change.resource][change.type]++;
      const map = this.items[change.resource] as Map<string, { id: string }>;
      if (change.type === "replace") {
        map.clear();
        for (const item of change.items) map.set(item.id, item);
      } else if (change.type === "upsert") map.set(change.item.id, change.item);
      else map.delete(change.id);
    }
  }

  setConnection(state: ConnectionState): void {
    this.connections.push(state);
  }

  /** The last connection state, or null before the first. */
  get connection(): ConnectionState | null {
    return this.connections.at(-1) ?? null;
  }

  list<K extends CoreKind>(kind: K): CoreItems[K][] {
    return [...this.items[kind].values()];
  }

  tasksOf(workloadId: string): CoreItems["tasks"][] {
    return this.list("tasks").filter((t) => t.workloadId === workloadId);
  }
}

/**
 * Polls `check` (sync or async) until it answers something truthy and returns
 * that. A check that throws is retried; after `timeoutMs` it fails naming
 * `what` and the last value or error seen.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describe(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}
