import { describe, expect, it } from "vitest";
import { UsageHistoryStore, UsageRing } from "./history";

describe("UsageRing", () => {
  it("keeps the newest samples in order and wraps around", () => {
    const ring = new UsageRing(3);
    for (let i = 1; i <= 5; i++) ring.push(i * 1000, { cpuMillis: i, memoryBytes: i * 10 });
    expect(ring.since(0).map((p) => p.t)).toEqual([3000, 4000, 5000]);
    expect(ring.since(4000).map((p) => p.cpuMillis)).toEqual([4, 5]);
  });

  it("answers gaps as null, not zero", () => {
    const ring = new UsageRing(4);
    ring.push(1, { cpuMillis: 0, memoryBytes: 0 });
    ring.push(2, null);
    expect(ring.since(0)).toEqual([
      { t: 1, cpuMillis: 0, memoryBytes: 0 },
      { t: 2, cpuMillis: null, memoryBytes: null },
    ]);
  });
});

describe("UsageHistoryStore", () => {
  it("retains an hour at 15 s steps", () => {
    const store = new UsageHistoryStore(15, 3600);
    const start = 1_000_000;
    for (let i = 0; i <= 240; i++) store.record(start + i * 15_000, new Map([["cluster", { cpuMillis: i, memoryBytes: 1 }]]));
    const points = store.points("cluster", 0);
    expect(points.length).toBe(241);
    expect(points[0].t).toBe(start);
    expect(points.at(-1)!.t - points[0].t).toBe(3600_000);
  });

  it("drops the rings of targets gone longer than the retention", () => {
    const store = new UsageHistoryStore(1, 10);
    store.record(0, new Map([["node:a", { cpuMillis: 1, memoryBytes: 1 }]]));
    store.record(5_000, new Map([["node:b", { cpuMillis: 1, memoryBytes: 1 }]]));
    expect(store.points("node:a", 0)).toHaveLength(1);
    store.record(11_000, new Map([["node:b", null]]));
    expect(store.points("node:a", 0)).toHaveLength(0);
    expect(store.points("node:b", 0)).toHaveLength(2);
  });

  it("counts its rings, samples and fixed array bytes", () => {
    const store = new UsageHistoryStore(1, 3);
    for (let t = 0; t < 10; t++) store.record(t * 1000, new Map([["cluster", { cpuMillis: t, memoryBytes: 1 }]]));
    // capacity ceil(3/1)+1 = 4 samples of three float64s; the ring wraps and never grows
    expect(store.stats()).toEqual({ rings: 1, samples: 4, bytes: 4 * 3 * 8 });
  });
});
