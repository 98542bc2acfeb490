import { RESOURCE_KINDS } from "@/lib/model/types";
import type { CoreItems, CoreKind, SnapshotChange } from "./types";

/** "replace" changes for the given complete lists, in the order the store expects. */
export function replaceAll(lists: { [K in CoreKind]?: CoreItems[K][] }): SnapshotChange[] {
  return RESOURCE_KINDS.flatMap((resource) => {
    const items = lists[resource];
    return items ? [{ type: "replace", resource, items } as SnapshotChange] : [];
  });
}

/**
 * The changes that turn a list whose ids were `before` into `after`: an
 * upsert for every item of `after` and a delete for every id that is gone.
 * Unchanged items need no filtering here: the snapshot store drops upserts
 * that change nothing, and tells no one about them.
 */
export function changesBetween<K extends CoreKind>(
  resource: K,
  before: Iterable<string>,
  after: readonly CoreItems[K][],
): SnapshotChange[] {
  const kept = new Set(after.map((item) => item.id));
  const changes: SnapshotChange[] = [];
  for (const id of before) if (!kept.has(id)) changes.push({ type: "delete", resource, id } as SnapshotChange);
  for (const item of after) changes.push({ type: "upsert", resource, item } as SnapshotChange);
  return changes;
}
