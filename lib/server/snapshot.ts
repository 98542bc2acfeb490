import type { CoreItems, CoreKind, SnapshotChange } from "@/lib/adapters/types";
import { RESOURCE_KINDS } from "@/lib/model/types";

/**
 * A cluster's snapshot: the slim model items of each resource, by id. It is
 * immutable: applyChanges answers a new snapshot that shares every map it did
 * not touch, so readers holding the old one are never surprised mid-request.
 */
export type Snapshot = {
  readonly [K in CoreKind]: ReadonlyMap<string, CoreItems[K]>;
} & {
  /** Resources that have had a full list since the owner started. */
  readonly listed: ReadonlySet<CoreKind>;
};

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  nodes: new Map(),
  workloads: new Map(),
  tasks: new Map(),
  services: new Map(),
  listed: new Set<CoreKind>(),
});

/**
 * Applies changes in order. Answers the same snapshot object when nothing
 * changed, so callers can skip notifying viewers.
 */
export function applyChanges(snapshot: Snapshot, changes: readonly SnapshotChange[]): Snapshot {
  const copies = new Map<CoreKind, Map<string, unknown>>();
  let listed = snapshot.listed;
  const writable = (kind: CoreKind): Map<string, unknown> => {
    let copy = copies.get(kind);
    if (!copy) {
      copy = new Map(snapshot[kind] as ReadonlyMap<string, unknown>);
      copies.set(kind, copy);
    }
    return copy;
  };

  for (const change of changes) {
    switch (change.type) {
      case "replace": {
        const current = copies.get(change.resource) ?? snapshot[change.resource];
        const next = new Map<string, unknown>();
        for (const item of change.items) next.set(item.id, item);
        // Polling adapters replace whole lists often; keep the old map when nothing differs.
        const unchanged = next.size === current.size && [...next].every(([id, item]) => sameItem(current.get(id), item));
        if (!unchanged) copies.set(change.resource, next);
        if (!listed.has(change.resource)) listed = new Set([...listed, change.resource]);
        break;
      }
      case "upsert": {
        const current = copies.get(change.resource) ?? snapshot[change.resource];
        if (!sameItem(current.get(change.item.id), change.item)) writable(change.resource).set(change.item.id, change.item);
        break;
      }
      case "delete": {
        const current = copies.get(change.resource) ?? snapshot[change.resource];
        if (current.has(change.id)) writable(change.resource).delete(change.id);
        break;
      }
    }
  }

  if (copies.size === 0 && listed === snapshot.listed) return snapshot;
  return { ...snapshot, ...Object.fromEntries(copies), listed } as Snapshot;
}

/** Items are small plain data from one mapper, so their JSON is a faithful, key-ordered fingerprint. */
function sameItem(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

/** Which resources differ between two snapshots (by map identity, which applyChanges preserves). */
export function changedResources(before: Snapshot, after: Snapshot): CoreKind[] {
  return RESOURCE_KINDS.filter((k) => before[k] !== after[k]);
}
