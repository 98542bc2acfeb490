/**
 * The simulated event recorders: what the scheduler, the controller-manager
 * and the kubelets report about the objects they act on, written to the store
 * as events.k8s.io/v1 Events (so they list and watch like everything else).
 * Repeats of the same event fold into one, as the client-go recorders do; the
 * apiserver's 1 h event TTL and a cap on the number kept bound the store.
 */

import type { ObjectStore } from "./store";
import { resourceTypeByKind } from "./resources";
import { kubeTime, uidFrom } from "./random";
import type { CoreEventObject, EventObject, KubeObject } from "./types";

const EVENT = resourceTypeByKind("Event");

export interface EventOptions {
  type?: "Normal" | "Warning";
  reason: string;
  note: string;
  /** "kubelet", "default-scheduler", "deployment-controller", ... */
  controller: string;
  /** The node a kubelet runs on. */
  host?: string;
  /** The scheduler records with the events.k8s.io API (eventTime, series); the rest still use core/v1 recorders. */
  newApi?: boolean;
  action?: string;
  fieldPath?: string;
}

/** MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

/**
 * The core/v1 shape of a stored events.k8s.io/v1 Event, field for field as
 * the apiserver converts between the two versions (regarding → involvedObject,
 * note → message, deprecated* → source, firstTimestamp, lastTimestamp, count).
 */
export function coreEvent(e: EventObject): CoreEventObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: e.metadata,
    involvedObject: e.regarding,
    reason: e.reason,
    message: e.note,
    type: e.type,
    source: e.deprecatedSource ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp ?? null,
    lastTimestamp: e.deprecatedLastTimestamp ?? null,
    ...(e.deprecatedCount !== undefined ? { count: e.deprecatedCount } : {}),
    eventTime: e.eventTime,
    ...(e.series ? { series: e.series } : {}),
    ...(e.action ? { action: e.action } : {}),
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

export class EventRecorder {
  /** Folding key (object uid, reason, note, source) → event name. */
  private readonly byKey = new Map<string, { namespace: string; name: string }>();
  /** Event name ("namespace/name") → last occurrence, oldest first. */
  private readonly lastSeen = new Map<string, { namespace: string; name: string; at: number; key: string }>();
  private seq = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly ttlMs = 3600_000,
    private readonly maxEvents = 1000,
  ) {}

  record(regarding: KubeObject, o: EventOptions, now: number): void {
    const namespace = regarding.metadata.namespace ?? "default";
    const key = `${regarding.metadata.uid}\u0000${o.reason}\u0000${o.note}\u0000${o.controller}\u0000${o.fieldPath ?? ""}`;
    const existingRef = this.byKey.get(key);
    const existing = existingRef ? this.store.get<EventObject>(EVENT, existingRef.namespace, existingRef.name) : undefined;
    if (existing) {
      // The recorders' aggregation: same object, reason and message → one event with a count.
      if (existing.eventTime !== null) {
        existing.series = { count: (existing.series?.count ?? 1) + 1, lastObservedTime: microTime(now) };
      } else {
        existing.deprecatedCount = (existing.deprecatedCount ?? 1) + 1;
        existing.deprecatedLastTimestamp = kubeTime(now);
      }
      this.store.put(existing);
      this.touch(namespace, existing.metadata.name, now, key);
      return;
    }
    // client-go names events "<object>.<unix nanoseconds in hex>".
    const nanos = BigInt(Math.floor(now)) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${regarding.metadata.name}.${nanos.toString(16)}`;
    const event: EventObject = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace, uid: uidFrom(`${namespace}/${name}`), resourceVersion: "", creationTimestamp: kubeTime(now) },
      regarding: {
        kind: regarding.kind,
        namespace: regarding.metadata.namespace,
        name: regarding.metadata.name,
        uid: regarding.metadata.uid,
        apiVersion: regarding.apiVersion,
        ...(o.fieldPath ? { fieldPath: o.fieldPath } : {}),
      },
      reason: o.reason,
      note: o.note,
      type: o.type ?? "Normal",
      reportingController: o.controller,
      reportingInstance: o.host ? `${o.controller}-${o.host}` : o.controller,
      ...(o.action ? { action: o.action } : {}),
      eventTime: o.newApi ? microTime(now) : null,
      ...(o.newApi
        ? {}
        : {
            deprecatedSource: { component: o.controller, ...(o.host ? { host: o.host } : {}) },
            deprecatedFirstTimestamp: kubeTime(now),
            deprecatedLastTimestamp: kubeTime(now),
            deprecatedCount: 1,
          }),
    };
    this.store.put(event);
    this.byKey.set(key, { namespace, name });
    this.touch(namespace, name, now, key);
  }

  private touch(namespace: string, name: string, at: number, key: string): void {
    const k = `${namespace}/${name}`;
    this.lastSeen.delete(k);
    this.lastSeen.set(k, { namespace, name, at, key });
  }

  /** Deletes events past the TTL and the oldest beyond the cap; answers when the next one expires (Infinity: none). */
  expire(now: number): number {
    let over = this.lastSeen.size - this.maxEvents;
    for (const [k, e] of this.lastSeen) {
      if (over <= 0 && now - e.at < this.ttlMs) continue;
      this.store.delete(EVENT, e.namespace, e.name);
      this.lastSeen.delete(k);
      if (this.byKey.get(e.key)?.name === e.name) this.byKey.delete(e.key);
      over--;
    }
    let next = Infinity;
    for (const e of this.lastSeen.values()) next = Math.min(next, e.at + this.ttlMs);
    return next;
  }

  get size(): number {
    return this.lastSeen.size;
  }
}
