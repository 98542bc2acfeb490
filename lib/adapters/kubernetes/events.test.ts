import { describe, expect, it } from "vitest";
import { boundEvents, EventIndex, eventsOfObjects, type EventLimits } from "./events";
import { eventObjectKey, mapEvent, workloadEvent, type SlimEvent } from "./mappers";
import { KubeEventSchema } from "./raw";

const T0 = Date.parse("2026-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function slim(key: string, regarding: string, atMs: number, extra: Partial<SlimEvent> = {}): SlimEvent {
  return { key, regarding, regardingUid: null, reason: "Started", note: `n ${key}`, warning: false, at: iso(atMs), count: 1, ...extra };
}

describe("mapEvent", () => {
  it("reads a core/v1-recorded event through events.k8s.io/v1: deprecated times and count", () => {
    const e = mapEvent(
      KubeEventSchema.parse({
        metadata: { name: "web-abc-x1.17f3", namespace: "shop", creationTimestamp: "2026-01-01T11:00:00Z" },
        regarding: { kind: "Pod", namespace: "shop", name: "web-abc-x1", uid: "u1" },
        reason: "BackOff",
        note: "Back-off restarting failed container web in pod web-abc-x1",
        type: "Warning",
        eventTime: null,
        deprecatedFirstTimestamp: "2026-01-01T11:00:00Z",
        deprecatedLastTimestamp: "2026-01-01T11:30:00Z",
        deprecatedCount: 7,
      }),
    );
    expect(e).toEqual({
      key: "shop~web-abc-x1.17f3",
      regarding: "Pod/shop/web-abc-x1",
      regardingUid: "u1",
      reason: "BackOff",
      note: "Back-off restarting failed container web in pod web-abc-x1",
      warning: true,
      at: "2026-01-01T11:30:00Z",
      count: 7,
    });
    // The note names the pod, so no " — pod" suffix.
    expect(workloadEvent(e!)).toEqual({
      at: "2026-01-01T11:30:00Z",
      level: "warning",
      message: "BackOff: Back-off restarting failed container web in pod web-abc-x1 (×7)",
    });
  });

  it("reads a new-API event: eventTime, series, and names the pod the note does not", () => {
    const e = mapEvent(
      KubeEventSchema.parse({
        metadata: { name: "batch-1.aa", namespace: "shop" },
        regarding: { kind: "Pod", name: "batch-1" },
        reason: "FailedScheduling",
        note: "0/4 nodes are available: 4 Insufficient cpu.",
        type: "Warning",
        eventTime: "2026-01-01T11:00:00.123456Z",
        series: { count: 3, lastObservedTime: "2026-01-01T11:10:00.000001Z" },
      }),
    )!;
    // The regarding namespace defaults to the event's.
    expect(e.regarding).toBe("Pod/shop/batch-1");
    expect(e.at).toBe("2026-01-01T11:10:00.000001Z");
    expect(workloadEvent(e).message).toBe("FailedScheduling: 0/4 nodes are available: 4 Insufficient cpu. (×3) — pod batch-1");
  });

  it("words a workload's own event as kubectl does, and skips events about nothing", () => {
    const e = mapEvent(
      KubeEventSchema.parse({
        metadata: { name: "web.1", namespace: "shop" },
        regarding: { kind: "Deployment", namespace: "shop", name: "web" },
        reason: "ScalingReplicaSet",
        note: "Scaled up replica set web-abc to 5 from 3",
        type: "Normal",
        eventTime: "2026-01-01T11:00:00.000000Z",
      }),
    )!;
    expect(workloadEvent(e)).toEqual({
      at: "2026-01-01T11:00:00.000000Z",
      level: "normal",
      message: "ScalingReplicaSet: Scaled up replica set web-abc to 5 from 3",
    });
    expect(mapEvent(KubeEventSchema.parse({ metadata: { name: "x", namespace: "shop" }, reason: "X" }))).toBeNull();
    expect(KubeEventSchema.safeParse({ regarding: {} }).success).toBe(false);
  });
});

describe("boundEvents", () => {
  const limits: EventLimits = { maxAgeMs: 3600_000, perObject: 2, total: 3 };

  it("drops events older than the age limit and undated ones", () => {
    const kept = boundEvents(
      [slim("a", "Pod/s/p", T0 - 3600_001), slim("b", "Pod/s/p", T0 - 3599_000), slim("c", "Pod/s/q", T0, { at: null })],
      T0,
      limits,
    );
    expect(kept.map((e) => e.key)).toEqual(["b"]);
  });

  it("keeps the newest per involved object, then the newest overall", () => {
    const events = [
      slim("p1", "Pod/s/p", T0 - 5000),
      slim("p2", "Pod/s/p", T0 - 1000),
      slim("p3", "Pod/s/p", T0 - 3000),
      slim("q1", "Pod/s/q", T0 - 4000),
      slim("r1", "Pod/s/r", T0 - 2000),
    ];
    expect(boundEvents(events, T0, limits).map((e) => e.key)).toEqual(["p2", "r1", "p3"]);
    expect(boundEvents(events, T0, { ...limits, total: 10 }).map((e) => e.key)).toEqual(["p2", "r1", "p3", "q1"]);
  });
});

describe("eventsOfObjects", () => {
  it("merges objects newest first, later-recorded first within a second, at most 10", () => {
    const pulled = slim("1", "Pod/s/p", T0, { reason: "Pulled", note: "pulled" });
    const created = slim("2", "Pod/s/p", T0, { reason: "Created", note: "created" });
    const scaled = slim("3", "Deployment/s/web", T0 - 1000, { reason: "ScalingReplicaSet", note: "scaled" });
    expect(eventsOfObjects([[pulled, created], [scaled]]).map((e) => e.message.split(":")[0])).toEqual([
      "Created",
      "Pulled",
      "ScalingReplicaSet",
    ]);
    const many = Array.from({ length: 15 }, (_, i) => slim(`k${i}`, "Pod/s/p", T0 - i * 1000));
    expect(eventsOfObjects([many])).toHaveLength(10);
  });
});

describe("EventIndex", () => {
  function index(owners: Map<string, string | null>, limits?: EventLimits) {
    const forgotten: string[] = [];
    const idx = new EventIndex(
      (o) => owners.get(o) ?? null,
      limits,
      (o) => forgotten.push(o),
    );
    return { idx, forgotten };
  }
  const pod = eventObjectKey("Pod", "s", "web-1");
  const rs = eventObjectKey("ReplicaSet", "s", "web-abc");
  const dep = eventObjectKey("Deployment", "s", "web");
  const W = "deployment~s~web";

  it("attaches events of the workload, its ReplicaSets and its pods to it", () => {
    const { idx } = index(
      new Map([
        [pod, W],
        [rs, W],
        [dep, W],
      ]),
    );
    idx.replace([slim("a", pod, T0 - 3000), slim("b", rs, T0 - 2000), slim("c", dep, T0 - 1000)], T0);
    expect(idx.eventsFor(W).map((e) => e.message)).toEqual(["Started: n c", "Started: n b", "Started: n a — pod web-1"]);
    expect(idx.eventsFor("deployment~s~other")).toEqual([]);
  });

  it("binds an object whose owner was unknown once the owner is known (rebind)", () => {
    const owners = new Map<string, string | null>();
    const { idx } = index(owners);
    expect([...idx.upsert(slim("a", pod, T0), T0)]).toEqual([]);
    expect(idx.eventsFor(W)).toEqual([]);
    owners.set(pod, W);
    expect([...idx.rebind([pod])]).toEqual([W]);
    expect(idx.eventsFor(W)).toHaveLength(1);
    expect([...idx.rebind([pod])]).toEqual([]);
  });

  it("updates a repeated event in place, bounds per object and forgets an object with no events left", () => {
    const { idx, forgotten } = index(new Map([[pod, W]]), { maxAgeMs: 3600_000, perObject: 2, total: 100 });
    idx.upsert(slim("a", pod, T0 - 3000), T0);
    idx.upsert(slim("a", pod, T0 - 100, { count: 2 }), T0);
    expect(idx.count).toBe(1);
    expect(idx.eventsFor(W)[0].message).toBe("Started: n a (×2) — pod web-1");
    idx.upsert(slim("b", pod, T0 - 2000), T0);
    idx.upsert(slim("c", pod, T0 - 50), T0);
    expect(idx.count).toBe(2);
    expect(idx.eventsFor(W).map((e) => e.message.split(" ")[2])).toEqual(["c", "a"]);
    // An event already too old is not kept.
    expect(idx.upsert(slim("old", pod, T0 - 7200_000), T0).size).toBe(0);
    expect(idx.count).toBe(2);
    expect([...idx.remove("s~nope")]).toEqual([]);
    idx.remove("a");
    idx.remove("c");
    expect(forgotten).toEqual([pod]);
    expect(idx.hasEvents(pod)).toBe(false);
  });

  it("sweeps aged events and answers the workloads that lost some", () => {
    const { idx } = index(new Map([[pod, W]]));
    idx.upsert(slim("a", pod, T0), T0);
    expect([...idx.sweep(T0 + 1000)]).toEqual([]);
    expect([...idx.sweep(T0 + 3600_001)]).toEqual([W]);
    expect(idx.count).toBe(0);
  });
});
