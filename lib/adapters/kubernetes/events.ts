import { recentEvents } from "@/lib/model/events";
import { MAX_WORKLOAD_EVENTS, type WorkloadEvent } from "@/lib/model/types";
import { workloadEvent, type SlimEvent } from "./mappers";

/**
 * The Kubernetes Events the adapter keeps, slim and bounded, and which
 * workload each involved object belongs to. No I/O: the clock comes in as
 * `now`, and `resolve` (the ClusterState's owner joins) says which workload
 * an involved object ("Kind/namespace/name") is part of.
 */

export interface EventLimits {
  /** Events whose last occurrence is older than this are dropped (a real apiserver expires them after 1 h). */
  maxAgeMs: number;
  /**
   * Newest events kept per involved object. A workload shows the newest
   * MAX_WORKLOAD_EVENTS of all its objects' events, and those are always
   * among each object's own newest MAX_WORKLOAD_EVENTS, so more is waste.
   */
  perObject: number;
  /** Cap over all objects, against clusters that emit events faster than they age out. */
  total: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { maxAgeMs: 3600_000, perObject: MAX_WORKLOAD_EVENTS, total: 5000 };

function timeOf(e: SlimEvent): number {
  const t = e.at === null ? Number.NaN : Date.parse(e.at);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/**
 * Pure bounding: drops events older than `maxAgeMs` (and undated ones), keeps
 * the newest `perObject` per involved object and the newest `total` overall.
 * Answers what is kept, newest first.
 */
export function boundEvents(events: Iterable<SlimEvent>, now: number, limits: EventLimits = DEFAULT_EVENT_LIMITS): SlimEvent[] {
  const fresh = [...events].filter((e) => now - timeOf(e) <= limits.maxAgeMs).sort((a, b) => timeOf(b) - timeOf(a));
  const perObject = new Map<string, number>();
  const kept: SlimEvent[] = [];
  for (const e of fresh) {
    const n = perObject.get(e.regarding) ?? 0;
    if (n >= limits.perObject) continue;
    perObject.set(e.regarding, n + 1);
    kept.push(e);
    if (kept.length >= limits.total) break;
  }
  return kept;
}

/** The events of a workload: those about any of its objects, as WorkloadEvents (newest first, at most MAX_WORKLOAD_EVENTS). */
export function eventsOfObjects(objects: Iterable<Iterable<SlimEvent>>): WorkloadEvent[] {
  const all: SlimEvent[] = [];
  for (const events of objects) all.push(...events);
  // Later-recorded first among equal times (the kubelet's Pulled, Created, Started share a second), then by
  // parsed time, which keeps mixed precisions (µs eventTime, s timestamps) in order for recentEvents.
  all.reverse().sort((a, b) => timeOf(b) - timeOf(a));
  return recentEvents(all.map(workloadEvent));
}

export class EventIndex {
  private readonly byObject = new Map<string, Map<string, SlimEvent>>();
  private readonly objectOfEvent = new Map<string, string>();
  /** Involved objects with events → the workload they belong to (null: not known yet). */
  private readonly boundTo = new Map<string, string | null>();
  private readonly objectsByWorkload = new Map<string, Set<string>>();
  private size = 0;

  constructor(
    private readonly resolve: (objectKey: string) => string | null,
    private readonly limits: EventLimits = DEFAULT_EVENT_LIMITS,
    /** Called when an involved object has no events left (the state may forget a deleted pod then). */
    private readonly onForget: (objectKey: string) => void = () => {},
  ) {}

  get count(): number {
    return this.size;
  }

  hasEvents(objectKey: string): boolean {
    return this.byObject.has(objectKey);
  }

  /** Events of a workload, ready for its `events` field. */
  eventsFor(workloadId: string): WorkloadEvent[] {
    const objects = this.objectsByWorkload.get(workloadId);
    if (!objects?.size) return [];
    return eventsOfObjects([...objects].map((o) => this.byObject.get(o)?.values() ?? []));
  }

  /** Replaces everything (a list); answers nothing, the caller re-emits every workload. */
  replace(events: SlimEvent[], now: number): void {
    const forgotten = [...this.byObject.keys()];
    this.byObject.clear();
    this.objectOfEvent.clear();
    this.boundTo.clear();
    this.objectsByWorkload.clear();
    this.size = 0;
    for (const e of boundEvents(events, now, this.limits)) this.insert(e);
    for (const o of forgotten) if (!this.byObject.has(o)) this.onForget(o);
  }

  /** Adds or updates one event; answers the workloads whose events may have changed. */
  upsert(e: SlimEvent, now: number): Set<string> {
    const touched = this.removeKey(e.key, false);
    if (now - timeOf(e) > this.limits.maxAgeMs) {
      this.forgetEmpty(touched.objects);
      return touched.workloads;
    }
    this.insert(e);
    const w = this.boundTo.get(e.regarding);
    if (w) touched.workloads.add(w);
    // Per-object bound: drop the oldest beyond perObject.
    const mine = this.byObject.get(e.regarding)!;
    if (mine.size > this.limits.perObject) {
      const oldest = [...mine.values()].sort((a, b) => timeOf(a) - timeOf(b)).slice(0, mine.size - this.limits.perObject);
      for (const o of oldest) this.removeKey(o.key, false);
    }
    if (this.size > this.limits.total) for (const w2 of this.sweep(now)) touched.workloads.add(w2);
    this.forgetEmpty(touched.objects);
    return touched.workloads;
  }

  /** Removes one event (a watch DELETED: the apiserver expired it). */
  remove(eventKey: string): Set<string> {
    return this.removeKey(eventKey, true).workloads;
  }

  /** Drops aged events and enforces the total cap; answers the workloads that lost events. */
  sweep(now: number): Set<string> {
    const all: SlimEvent[] = [];
    for (const m of this.byObject.values()) all.push(...m.values());
    const keep = new Set(boundEvents(all, now, this.limits).map((e) => e.key));
    const touched = new Set<string>();
    const objects = new Set<string>();
    for (const e of all) {
      if (keep.has(e.key)) continue;
      const t = this.removeKey(e.key, false);
      for (const w of t.workloads) touched.add(w);
      for (const o of t.objects) objects.add(o);
    }
    this.forgetEmpty(objects);
    return touched;
  }

  /** Re-resolves the workload of involved objects (after owners changed); answers the workloads whose events changed. */
  rebind(objectKeys?: Iterable<string>): Set<string> {
    const touched = new Set<string>();
    for (const o of objectKeys ?? [...this.boundTo.keys()]) {
      if (!this.boundTo.has(o)) continue;
      const before = this.boundTo.get(o) ?? null;
      const after = this.resolve(o);
      if (before === after) continue;
      this.unbind(o);
      this.bind(o, after);
      if (before) touched.add(before);
      if (after) touched.add(after);
    }
    return touched;
  }

  private insert(e: SlimEvent): void {
    let mine = this.byObject.get(e.regarding);
    if (!mine) {
      mine = new Map();
      this.byObject.set(e.regarding, mine);
      this.bind(e.regarding, this.resolve(e.regarding));
    }
    mine.set(e.key, e);
    this.objectOfEvent.set(e.key, e.regarding);
    this.size++;
  }

  private removeKey(eventKey: string, forget: boolean): { workloads: Set<string>; objects: Set<string> } {
    const workloads = new Set<string>();
    const objects = new Set<string>();
    const o = this.objectOfEvent.get(eventKey);
    if (o === undefined) return { workloads, objects };
    this.objectOfEvent.delete(eventKey);
    const mine = this.byObject.get(o);
    if (mine?.delete(eventKey)) this.size--;
    const w = this.boundTo.get(o);
    if (w) workloads.add(w);
    if (mine && mine.size === 0) {
      this.byObject.delete(o);
      this.unbind(o);
      this.boundTo.delete(o);
      objects.add(o);
    }
    if (forget) this.forgetEmpty(objects);
    return { workloads, objects };
  }

  private forgetEmpty(objects: Iterable<string>): void {
    for (const o of objects) if (!this.byObject.has(o)) this.onForget(o);
  }

  private bind(o: string, workloadId: string | null): void {
    this.boundTo.set(o, workloadId);
    if (!workloadId) return;
    const set = this.objectsByWorkload.get(workloadId) ?? new Set<string>();
    set.add(o);
    this.objectsByWorkload.set(workloadId, set);
  }

  private unbind(o: string): void {
    const w = this.boundTo.get(o);
    if (!w) return;
    const set = this.objectsByWorkload.get(w);
    set?.delete(o);
    if (set?.size === 0) this.objectsByWorkload.delete(w);
  }
}
