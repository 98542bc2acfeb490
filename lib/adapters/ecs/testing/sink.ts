import type { ConnectionState, CoreItems, CoreKind, SnapshotChange, SnapshotSink } from "@/lib/adapters/types";

/** A test sink: applies SnapshotChanges to maps and lets a test wait for a condition. */
export class MapSink implements SnapshotSink {
  readonly items: { [K in CoreKind]: Map<string, CoreItems[K]> } = { nodes: new Map(), workloads: new Map(), tasks: new Map(), services: new Map() };
  connection: ConnectionState | null = null;
  readonly connections: ConnectionState[] = [];
  replaces = 0;

  apply(changes: SnapshotChange[]): void {
    for (const change of changes) {
      const map = this.items[change.resource] as Map<string, unknown>;
      if (change.type === "replace") {
        this.replaces += 1;
        map.clear();
        for (const item of change.items) map.set(item.id, item);
      } else if (change.type === "upsert") map.set(change.item.id, change.item);
      else map.delete(change.id);
    }
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    this.connections.push(state);
  }

  list<K extends CoreKind>(kind: K): CoreItems[K][] {
    return [...this.items[kind].values()];
  }
}

/** Polls `check` until it answers something truthy, or fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
