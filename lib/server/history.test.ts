import { describe, expect, it } from "vitest";
import { COARSE_TIERS, seriesBytes, tierCapacity, UsageHistoryStore, UsageRing } from "./history";

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
    const points = store.points("cluster", start);
    expect(store.stepFor("cluster", start)).toBe(15);
    expect(points.length).toBe(241);
    expect(points[0].t).toBe(start);
    expect(points.at(-1)!.t - points[0].t).toBe(3600_000);
  });

  it("drops the rings of targets gone longer than the retention", () => {
    const store = new UsageHistoryStore(1, 10, []);
    store.record(0, new Map([["node:a", { cpuMillis: 1, memoryBytes: 1 }]]));
    store.record(5_000, new Map([["node:b", { cpuMillis: 1, memoryBytes: 1 }]]));
    expect(store.points("node:a", 0)).toHaveLength(1);
    store.record(11_000, new Map([["node:b", null]]));
    expect(store.points("node:a", 0)).toHaveLength(0);
    expect(store.points("node:b", 0)).toHaveLength(2);
  });

  it("counts its rings, samples and fixed array bytes", () => {
    const store = new UsageHistoryStore(1, 3, []);
    for (let t = 0; t < 10; t++) store.record(t * 1000, new Map([["cluster", { cpuMillis: t, memoryBytes: 1 }]]));
    // capacity ceil(3/1)+1 = 4 samples of three float64s; the ring wraps and never grows
    expect(store.stats()).toEqual({ rings: 1, samples: 4, bytes: 4 * 3 * 8 });
  });
});

const MIN = 60_000;
/** A time on a 5-minute boundary, far from zero. */
const T0 = 20_000 * 5 * MIN;
const one = (cpuMillis: number, memoryBytes = cpuMillis * 1000) => new Map([["workload:w", { cpuMillis, memoryBytes }]]);
const gap = () => new Map([["workload:w", null]]);

describe("UsageHistoryStore's coarse tiers", () => {
  it("keeps each bucket's exact average, maximum and sample count, gaps and partial buckets included", () => {
    const store = new UsageHistoryStore(15, 3600);
    // Minute 0: four samples 1, 9, 2, 4. Minute 1: 5, gap, gap, 7. Minute 2: gaps only. Minute 3: nothing (the process was down).
    // Minute 4: two samples from its second half (a partial bucket), 6 and 2.
    const feed: Array<[number, number | null]> = [
      [0, 1], [15, 9], [30, 2], [45, 4],
      [60, 5], [75, null], [90, null], [105, 7],
      [120, null], [135, null], [150, null], [165, null],
      [270, 6], [285, 2],
    ]; // prettier-ignore
    for (const [s, v] of feed) store.record(T0 + s * 1000, v === null ? gap() : one(v));
    // Two hours back: beyond the raw hour, so the 1-minute tier answers.
    const since = T0 + 285_000 - 2 * 3600_000;
    expect(store.stepFor("workload:w", since)).toBe(60);
    expect(store.points("workload:w", since)).toEqual([
      { t: T0, cpuMillis: 4, memoryBytes: 4000, cpuMaxMillis: 9, memoryMaxBytes: 9000, samples: 4 },
      { t: T0 + MIN, cpuMillis: 6, memoryBytes: 6000, cpuMaxMillis: 7, memoryMaxBytes: 7000, samples: 2 },
      { t: T0 + 2 * MIN, cpuMillis: null, memoryBytes: null, cpuMaxMillis: null, memoryMaxBytes: null, samples: 0 },
      { t: T0 + 4 * MIN, cpuMillis: 4, memoryBytes: 4000, cpuMaxMillis: 6, memoryMaxBytes: 6000, samples: 2 },
    ]);
    // Two days back: the 5-minute tier, whose one bucket averages the eight samples themselves (36 / 8), not the minutes' averages (14 / 3).
    const weekly = store.points("workload:w", T0 - 2 * 86_400_000);
    expect(store.stepFor("workload:w", T0 - 2 * 86_400_000)).toBe(300);
    expect(weekly).toEqual([{ t: T0, cpuMillis: 4.5, memoryBytes: 4500, cpuMaxMillis: 9, memoryMaxBytes: 9000, samples: 8 }]);
    // The raw tier still has every sample, the gaps as null.
    expect(store.points("workload:w", T0).map((p) => p.cpuMillis)).toEqual(feed.map(([, v]) => v));
  });

  it("answers a range from the finest tier whose retention covers it", () => {
    const store = new UsageHistoryStore(15, 3600);
    const now = T0 + 10 * 86_400_000;
    for (let t = now - 8 * 86_400_000; t <= now; t += 15_000) store.record(t, one(1));
    expect(store.stepFor("workload:w", now - 15 * MIN)).toBe(15);
    expect(store.stepFor("workload:w", now - 3600_000)).toBe(15);
    expect(store.stepFor("workload:w", now - 3600_000 - 1)).toBe(60);
    expect(store.stepFor("workload:w", now - 86_400_000)).toBe(60);
    expect(store.stepFor("workload:w", now - 7 * 86_400_000)).toBe(300);
    // Beyond the week: the coarsest tier, with what it holds.
    expect(store.stepFor("workload:w", now - 30 * 86_400_000)).toBe(300);
    const week = store.points("workload:w", now - 7 * 86_400_000);
    expect(week[0].t).toBeGreaterThanOrEqual(now - 7 * 86_400_000);
    expect(week.length).toBe(7 * 288 + 1);
    expect(week.every((p) => p.cpuMillis === 1 && p.cpuMaxMillis === 1)).toBe(true);
    expect(store.retainSeconds).toBe(7 * 86_400);
  });

  it("answers from the restored buckets a range that the raw samples, new since a restart, no longer cover", () => {
    const before = new UsageHistoryStore(15, 3600);
    for (let s = 0; s < 3600; s += 15) before.record(T0 + s * 1000, one(s));
    const buckets = before.takeDirty(true).flatMap((b) => b.buckets);
    const after = new UsageHistoryStore(15, 3600);
    after.restore("workload:w", buckets);
    const restart = T0 + 3600_000;
    for (let s = 0; s < 120; s += 15) after.record(restart + s * 1000, one(1));
    // The last 30 minutes: the raw samples start 2 minutes ago, the 1-minute buckets reach back further.
    expect(after.stepFor("workload:w", restart - 30 * MIN)).toBe(60);
    const points = after.points("workload:w", restart - 30 * MIN);
    expect(points[0]).toMatchObject({ t: restart - 30 * MIN, samples: 4 });
    expect(points.at(-1)).toMatchObject({ t: restart + MIN, cpuMillis: 1, samples: 4 });
    // The last minute: the raw samples cover it.
    expect(after.stepFor("workload:w", restart + 60_000)).toBe(15);
  });

  it("hands storage only sealed buckets until close, and each once until it changes again", () => {
    const store = new UsageHistoryStore(15, 3600);
    for (let s = 0; s < 150; s += 15) store.record(T0 + s * 1000, one(1)); // minutes 0 and 1 sealed, minute 2 open
    const sealed = store.takeDirty();
    expect(sealed).toHaveLength(1);
    expect(sealed[0].buckets.map((b) => [b.stepSeconds, b.start - T0])).toEqual([
      [60, 0],
      [60, MIN],
    ]);
    expect(store.takeDirty()).toEqual([]);
    const all = store.takeDirty(true)[0].buckets.map((b) => [b.stepSeconds, b.start - T0, b.samples]);
    expect(all).toEqual([
      [60, 2 * MIN, 2],
      [300, 0, 10],
    ]);
  });

  it("holds no more than its tiers' capacities, however long a series is fed (8 days of 15 s samples)", () => {
    const store = new UsageHistoryStore(15, 3600);
    const capacities = store.tiers.map(tierCapacity);
    expect(capacities).toEqual([241, 1441, 2017]);
    const bytesBefore = store.bytesPerSeries;
    let max = 0;
    for (let i = 0; i <= (8 * 86_400) / 15; i++) {
      store.record(T0 + i * 15_000, new Map([["cluster", { cpuMillis: i % 1000, memoryBytes: 1 }]]));
      if (i % 5760 === 0) max = Math.max(max, store.stats().samples);
    }
    const stats = store.stats();
    expect(stats.rings).toBe(1);
    expect(stats.samples).toBe(241 + 1441 + 2017);
    expect(Math.max(max, stats.samples)).toBeLessThanOrEqual(241 + 1441 + 2017);
    expect(stats.bytes).toBe(bytesBefore);
    // 241 raw slots of 24 bytes, then 3458 buckets of 41 bytes: about 144 KiB per series.
    expect(bytesBefore).toBe(241 * 24 + (1441 + 2017) * 41);
    expect(seriesBytes([{ stepSeconds: 15, retainSeconds: 4 * 3600 }, ...COARSE_TIERS])).toBe(961 * 24 + 3458 * 41);
    // What remains is the newest week at 5 minutes.
    const now = T0 + 8 * 86_400_000;
    const week = store.points("cluster", now - 7 * 86_400_000 - 5 * MIN);
    expect(week).toHaveLength(2017);
    expect(week[0].t).toBe(now - 7 * 86_400_000);
  });

  it("drops a series gone longer than the week it could answer for", () => {
    const store = new UsageHistoryStore(15, 3600);
    store.record(T0, new Map([["node:gone", { cpuMillis: 1, memoryBytes: 1 }]]));
    store.record(T0 + 7 * 86_400_000, new Map([["cluster", { cpuMillis: 1, memoryBytes: 1 }]]));
    expect(store.keys().sort()).toEqual(["cluster", "node:gone"]);
    store.record(T0 + 7 * 86_400_000 + 15_000, new Map([["cluster", { cpuMillis: 1, memoryBytes: 1 }]]));
    expect(store.keys()).toEqual(["cluster"]);
  });
});

describe("backfillTimes", () => {
  it("samples each tier at its step, only where no finer tier keeps the range, oldest first and up to now", () => {
    const store = new UsageHistoryStore(15, 4 * 3600);
    const now = 1_000_000 * 300_000 + 7_000;
    const times = store.backfillTimes(now - 7 * 86_400_000, now);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const gaps = (from: number, to: number) =>
      new Set(
        times
          .filter((t) => t >= from && t < to)
          .map((t, i, a) => (i ? t - a[i - 1] : 0))
          .slice(1),
      );
    expect(gaps(now - 7 * 86_400_000, now - 86_400_000 - 300_000)).toEqual(new Set([300_000]));
    expect(gaps(now - 86_400_000 + 60_000, now - 4 * 3_600_000 - 60_000)).toEqual(new Set([60_000]));
    expect(gaps(now - 4 * 3_600_000 + 15_000, now - 15_000)).toEqual(new Set([15_000]));
    expect(times.at(-1)).toBeLessThanOrEqual(now);
    expect(times.length).toBeLessThan(2016 + 1440 + 960);
    // From where stored history ends: only what is missing.
    expect(store.backfillTimes(now - 60_000, now).length).toBe(4);
  });
});
