/**
 * The simulated etcd: objects per resource type, one cluster-wide increasing
 * resourceVersion, and a bounded history of change events that watches replay
 * from. Reads hand out copies so callers can never mutate stored state.
 */

import type { KubeObject } from "./types";
import { resourceTypeByKind, type ResourceType } from "./resources";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  rv: number;
  type: EventType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before this change (MODIFIED only), so label-filtered watches can turn it into ADDED/DELETED. */
  previous?: KubeObject;
}

export class ExpiredError extends Error {}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** An object's content without its resourceVersion, to tell real changes from no-op writes. */
function contentOf(o: KubeObject): string {
  return JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: "" } });
}

export class ObjectStore {
  private revision: number;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  /** contentOf() of every stored object, so a no-op write costs one serialisation. */
  private readonly contents = new WeakMap<KubeObject, string>();
  private history: StoredEvent[] = [];
  /** Watches from a resourceVersion below this have missed events that are gone (410 Expired). */
  private expiredBelow = 0;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(
    private readonly historySize: number,
    initialRevision = 1000,
  ) {
    this.revision = initialRevision;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may still start from. */
  get oldestWatchable(): number {
    return this.expiredBelow;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const k = `${type.group}/${type.plural}`;
    let b = this.objects.get(k);
    if (!b) {
      b = new Map();
      this.objects.set(k, b);
    }
    return b;
  }

  get<T extends KubeObject = KubeObject>(type: ResourceType, namespace: string | undefined, name: string): T | undefined {
    const o = this.bucket(type).get(key(type.namespaced ? namespace : undefined, name));
    return o ? (structuredClone(o) as T) : undefined;
  }

  list<T extends KubeObject = KubeObject>(type: ResourceType, namespace?: string): T[] {
    const out: T[] = [];
    for (const o of this.bucket(type).values()) {
      if (namespace === undefined || o.metadata.namespace === namespace) out.push(structuredClone(o) as T);
    }
    return out.sort((a, b) => key(a.metadata.namespace, a.metadata.name).localeCompare(key(b.metadata.namespace, b.metadata.name)));
  }

  /**
   * Creates or replaces an object; answers the stored version. A write that
   * changes nothing is a no-op (no new resourceVersion, no event): controllers
   * rewrite everything on every pass and a settled cluster must stay quiet.
   */
  put<T extends KubeObject>(object: T): T {
    const type = resourceTypeByKind(object.kind);
    const bucket = this.bucket(type);
    const k = key(type.namespaced ? object.metadata.namespace : undefined, object.metadata.name);
    const previous = bucket.get(k);
    const next = structuredClone(object);
    if (previous) {
      next.metadata.uid = previous.metadata.uid;
      next.metadata.creationTimestamp = previous.metadata.creationTimestamp;
      if (previous.metadata.generation !== undefined) {
        // The apiserver bumps generation on every spec change; controllers report it back as observedGeneration.
        const specChanged = JSON.stringify(previous.spec) !== JSON.stringify(next.spec);
        next.metadata.generation = previous.metadata.generation + (specChanged ? 1 : 0);
      }
    }
    const content = contentOf(next);
    if (previous && this.contents.get(previous) === content) {
      object.metadata.resourceVersion = previous.metadata.resourceVersion;
      return object;
    }
    next.metadata.resourceVersion = String(++this.revision);
    bucket.set(k, next);
    this.contents.set(next, content);
    this.record({ rv: this.revision, type: previous ? "MODIFIED" : "ADDED", resource: type, object: next, previous });
    return structuredClone(next);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.bucket(type);
    const k = key(type.namespaced ? namespace : undefined, name);
    const previous = bucket.get(k);
    if (!previous) return undefined;
    bucket.delete(k);
    const gone = structuredClone(previous);
    gone.metadata.resourceVersion = String(++this.revision);
    this.record({ rv: this.revision, type: "DELETED", resource: type, object: gone });
    return structuredClone(gone);
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift()!;
      // A watch from dropped.rv - 1 would need the dropped event.
      this.expiredBelow = Math.max(this.expiredBelow, dropped.rv);
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Events after `rv`, or ExpiredError when some of them are no longer retained. */
  eventsSince(rv: number): StoredEvent[] {
    if (rv < this.expiredBelow) {
      throw new ExpiredError(`too old resource version: ${rv} (${this.expiredBelow})`);
    }
    return this.history.filter((e) => e.rv > rv);
  }

  /** Drops the whole history: every resourceVersion handed out so far becomes too old to watch from. */
  compact(): void {
    this.history = [];
    this.expiredBelow = this.revision + 1;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
