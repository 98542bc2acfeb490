import type { CoreItems, CoreKind, ConnectionState, SnapshotChange, SnapshotSink } from "@/lib/adapters/types";

/** A sink for integration tests: applies changes to maps and records connection states. */
export class TestSink implements SnapshotSink {
  readonly items: { [K in CoreKind]: Map<string, CoreItems[K]> } = {
    nodes: new Map(),
    workloads: new Map(),
    tasks: new Map(),
    services: new Map(),
  };
  readonly connections: ConnectionState[] = [];
  /** How many changes of each type arrived, to tell relists from events. */
  readonly counts = { replace: 0, upsert: 0, delete: 0 };

  apply(changes: SnapshotChange[]): void {
    for (const change of changes) {
      this.counts[change.type]++;
      const map = this.items[change.resource] as Map<string, { id: string }>;
      if (change.type === "replace") {
        map.clear();
        for (const item of change.items) map.set(item.id, item);
      } else if (change.type === "upsert") {
        map.set(change.item.id, change.item);
      } else {
        map.delete(change.id);
      }
    }
  }

  setConnection(state: ConnectionState): void {
    this.connections.push(state);
  }

  get connection(): ConnectionState | undefined {
    return this.connections.at(-1);
  }
}

/** Polls `check` until it answers something truthy, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
