import { describe, expect, it } from "vitest";
import {
  aggregate,
  figures,
  gridFor,
  idleFlag,
  itemOf,
  overCommittedFlag,
  pointSpans,
  pointStats,
  resample,
  rightSize,
  statsOf,
  sumSeries,
  unreservedFlag,
  weightedPercentile,
  type ConsumptionPoint,
  type Grid,
  type Member,
} from "./consumption";

const MiB = 1024 * 1024;
/** A fixed "now", on a 30-minute boundary minus a bit, so grids are easy to reason about. */
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0) - 1;

/** One point every `stepMs` across the grid, valued by `f(i)` (null: a gap). */
function points(grid: Grid, stepMs: number, f: (i: number) => [number | null, number | null]): ConsumptionPoint[] {
  const out: ConsumptionPoint[] = [];
  const end = grid.from + grid.steps * grid.stepMs;
  for (let t = grid.from, i = 0; t < end; t += stepMs, i++) {
    const [cpu, mem] = f(i);
    out.push({ t, cpuMillis: cpu, memoryBytes: mem });
  }
  return out;
}

describe("gridFor", () => {
  it("ends on the step after now, aligned, with the range's number of steps", () => {
    const g = gridFor("1h", NOW);
    expect(g.stepMs).toBe(15_000);
    expect(g.steps).toBe(240);
    expect(g.from % g.stepMs).toBe(0);
    expect(g.from + g.steps * g.stepMs).toBeGreaterThan(NOW);
    expect(g.from + g.steps * g.stepMs - NOW).toBeLessThanOrEqual(g.stepMs);
    expect(gridFor("7d", NOW)).toMatchObject({ stepMs: 1_800_000, steps: 336 });
  });
});

describe("pointSpans", () => {
  it("gives each point the time until the next, at most twice the spacing before it; the last one its spacing", () => {
    const p = [0, 15, 30, 150, 165].map((s) => ({ t: s * 1000 }));
    expect(pointSpans(p, 1_000_000, 15_000)).toEqual([15_000, 15_000, 30_000, 15_000, 15_000]);
    expect(pointSpans([{ t: 0 }], 1_000_000, 15_000)).toEqual([15_000]);
    // ...but never past the end.
    expect(pointSpans([{ t: 0 }, { t: 15_000 }], 20_000, 15_000)).toEqual([15_000, 5_000]);
  });
});

describe("used average, p95, max and coverage", () => {
  const grid = gridFor("1h", NOW);

  it("from even 15 s samples: exact figures and full coverage", () => {
    // CPU 1..240 m, memory constant 200 MiB.
    const usage = resample(
      points(grid, 15_000, (i) => [i + 1, 200 * MiB]),
      grid,
    );
    const cpu = statsOf(usage.cpu);
    expect(cpu.avg).toBeCloseTo(120.5, 9);
    expect(cpu.p95).toBe(228);
    expect(cpu.max).toBe(240);
    expect(cpu.coverage).toBeCloseTo(1, 9);
    expect(statsOf(usage.memory)).toMatchObject({ avg: 200 * MiB, p95: 200 * MiB, max: 200 * MiB });
  });

  it("excludes gaps (null) from the figures and counts them against coverage", () => {
    const usage = resample(
      points(grid, 15_000, (i) => (i % 2 ? [null, null] : [100, 50 * MiB])),
      grid,
    );
    const cpu = statsOf(usage.cpu);
    expect(cpu.avg).toBe(100); // not 50: a gap is not zero
    expect(cpu.coverage).toBeCloseTo(0.5, 9);
  });

  it("counts time with no point at all (history younger than the range) as uncovered", () => {
    const usage = resample(
      points(grid, 15_000, (i) => [i < 60 ? null : 10, null]),
      grid,
    );
    expect(statsOf(usage.cpu)).toMatchObject({ avg: 10, max: 10 });
    expect(statsOf(usage.cpu).coverage).toBeCloseTo(0.75, 9);
    expect(statsOf(usage.memory)).toEqual({ avg: null, p95: null, max: null, coverage: 0 });
  });

  it("weighs coarse buckets by the time they cover and takes their maxima where given", () => {
    const week = gridFor("7d", NOW);
    // 5-minute buckets over the week: average 100 m, maximum 900 m in one of them.
    const coarse = points(week, 300_000, () => [100, 64 * MiB]).map((p, i) => (i === 7 ? { ...p, cpuMaxMillis: 900 } : p));
    const cpu = statsOf(resample(coarse, week).cpu);
    expect(cpu.avg).toBeCloseTo(100, 9);
    expect(cpu.max).toBe(900);
    expect(cpu.coverage).toBeCloseTo(1, 9);
  });

  it("the same use sampled at 15 s or at 60 s gives the same average and coverage", () => {
    const f = (i: number): [number, number] => [i % 4 < 2 ? 100 : 300, MiB];
    const fine = statsOf(
      resample(
        points(grid, 15_000, (i) => f(i)),
        grid,
      ).cpu,
    );
    const coarse = statsOf(
      resample(
        points(grid, 60_000, () => [200, MiB]),
        grid,
      ).cpu,
    );
    expect(fine.avg).toBeCloseTo(200, 9);
    expect(coarse.avg).toBeCloseTo(200, 9);
    expect(coarse.coverage).toBeCloseTo(1, 9);
  });

  it("an item's own figures come from its points, finer than the grid", () => {
    const day = gridFor("24h", NOW); // 5-minute steps
    const p = points(day, 60_000, (i) => [i % 5 === 0 ? 1000 : 100, MiB]); // a 1-minute burst every 5 minutes
    const onGrid = statsOf(resample(p, day).cpu, day);
    const own = pointStats(p, day).cpu;
    expect(onGrid.p95).toBeCloseTo(280, 9); // every step averages the burst away
    expect(own.p95).toBe(1000);
    expect(own.avg).toBeCloseTo(280, 9);
    expect(own.max).toBe(1000);
    expect(own.coverage).toBeCloseTo(1, 6);
    expect(pointStats([], day).cpu).toEqual({ avg: null, p95: null, max: null, coverage: 0 });
  });

  it("weightedPercentile", () => {
    expect(weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 0.5)).toBe(2);
    expect(weightedPercentile([1, 100], [99, 1], 0.95)).toBe(1);
    expect(weightedPercentile([], [], 0.95)).toBeNull();
  });
});

describe("figures", () => {
  const used = (avg: number | null) => ({ avg, p95: avg, max: avg, coverage: 1 });

  it("allocated = max(reserved, used), idle reserved = reserved − used, efficiency = used / reserved", () => {
    expect(figures(500, used(100), 2000)).toMatchObject({
      capacity: 2000,
      reserved: 500,
      allocated: 500,
      idleReserved: 400,
      unreserved: 1500,
      efficiency: 0.2,
    });
  });

  it("says where use exceeds the reservation; idle reserved never goes negative", () => {
    const f = figures(100, used(250));
    expect(f).toMatchObject({ allocated: 250, idleReserved: 0, efficiency: 2.5 });
    expect(f.note).toMatch(/250m CPU on average, over the 100m CPU reserved/);
  });

  it("no reservation: efficiency null (never 100%) and the unreserved flag", () => {
    const cpu = figures(0, used(40));
    const memory = figures(0, used(null));
    expect(cpu.efficiency).toBeNull();
    expect(unreservedFlag(cpu, memory)).toMatchObject({ kind: "unreserved", evidence: expect.stringMatching(/40m CPU used/) });
    expect(unreservedFlag(figures(0, used(0)), memory)).toBeNull();
  });
});

describe("flags", () => {
  const f = (reserved: number, avg: number) => figures(reserved, { avg, p95: avg, max: avg, coverage: 1 });

  it("idle: every reserved resource below 20% over the range, with enough coverage, and says the numbers", () => {
    const flag = idleFlag(f(1000, 50), f(1024 * MiB, 100 * MiB), 0.9, "24h");
    expect(flag?.kind).toBe("idle");
    expect(flag?.evidence).toMatch(/CPU 50m CPU used on average of 1000m CPU reserved \(5%\)/);
    expect(flag?.evidence).toMatch(/memory 100 MiB used on average of 1.0 GiB reserved \(10%\)/);
    expect(flag?.evidence).toMatch(/over 24h, 90% coverage/);
    expect(idleFlag(f(1000, 50), f(1024 * MiB, 600 * MiB), 0.9, "24h")).toBeNull(); // memory is used
    expect(idleFlag(f(1000, 50), f(1024 * MiB, 100 * MiB), 0.3, "24h")).toBeNull(); // too little history
    expect(idleFlag(f(0, 0), f(0, 0), 1, "24h")).toBeNull(); // nothing reserved: not idle
  });

  it("over-committed: reserved above 90% of allocatable", () => {
    const flag = overCommittedFlag({ cpuMillis: 3800, memoryBytes: MiB }, { cpuMillis: 4000, memoryBytes: 8 * 1024 * MiB });
    expect(flag).toMatchObject({
      kind: "over-committed",
      evidence: expect.stringMatching(/CPU reserved 3800m CPU of 4000m CPU allocatable \(95%\)/),
    });
    expect(overCommittedFlag({ cpuMillis: 3600, memoryBytes: 0 }, { cpuMillis: 4000, memoryBytes: MiB })).toBeNull();
  });
});

describe("rightSize (as Robusta KRR)", () => {
  const stats = (p95: number, max: number, coverage = 1) => ({ avg: p95, p95, max, coverage });

  it("CPU = p95, memory = max × 1.15, per task; frees = reserved − recommended", () => {
    const r = rightSize({
      cpu: stats(300, 400),
      memory: stats(0, 400 * MiB),
      reserved: { cpuMillis: 2000, memoryBytes: 2048 * MiB },
      tasks: 2,
      autoscaler: null,
      range: "24h",
    });
    expect(r).toMatchObject({
      recommendation: {
        cpuMillis: 150,
        memoryBytes: Math.ceil((400 * MiB * 1.15) / 2),
        tasks: 2,
        frees: { cpuMillis: 1700, memoryBytes: 2048 * MiB - 2 * Math.ceil((400 * MiB * 1.15) / 2) },
      },
    });
    expect("recommendation" in r && r.recommendation.basis).toMatch(/money is saved only when nodes are removed/);
  });

  it("floors of 10m and 100 MiB", () => {
    const r = rightSize({
      cpu: stats(2, 3),
      memory: stats(0, 10 * MiB),
      reserved: { cpuMillis: 100, memoryBytes: 256 * MiB },
      tasks: 1,
      autoscaler: null,
      range: "1h",
    });
    expect(r).toMatchObject({
      recommendation: { cpuMillis: 10, memoryBytes: 100 * MiB, frees: { cpuMillis: 90, memoryBytes: 156 * MiB } },
    });
  });

  it("skipped, with the reason, under an autoscaler or without enough history", () => {
    const base = { cpu: stats(10, 10), memory: stats(0, MiB), reserved: { cpuMillis: 1, memoryBytes: 1 }, tasks: 1, range: "6h" };
    expect(rightSize({ ...base, autoscaler: "web-hpa" })).toEqual({ skipped: expect.stringMatching(/autoscaler web-hpa/) });
    expect(rightSize({ ...base, cpu: stats(10, 10, 0.2), autoscaler: null })).toEqual({
      skipped: expect.stringMatching(/not enough history: 20% of 6h/),
    });
  });
});

describe("aggregation", () => {
  const grid = gridFor("1h", NOW);
  const member = (key: string, reserved: number, f: (i: number) => number | null, capacity?: number): Member => ({
    key,
    cluster: "c",
    name: key,
    reserved: { cpuMillis: reserved, memoryBytes: reserved * MiB },
    ...(capacity !== undefined ? { capacity: { cpuMillis: capacity, memoryBytes: capacity * MiB } } : {}),
    usage: resample(
      points(grid, 15_000, (i) => [f(i), f(i) === null ? null : f(i)! * MiB]),
      grid,
    ),
  });

  it("adds reservations, capacity and used averages; peaks are those of the summed series", () => {
    // a peaks in the first half, b in the second: their peaks never coincide.
    const a = member("a", 100, (i) => (i < 120 ? 80 : 20), 1000);
    const b = member("b", 300, (i) => (i < 120 ? 20 : 80), 3000);
    const c = member("c", 0, (i) => (i < 60 ? null : 10));
    const group = itemOf(aggregate({ key: "g", cluster: "c", name: "g" }, [a, b, c], grid), "1h");
    const items = [a, b, c].map((m) => itemOf(m, "1h"));
    expect(group.cpu.reservedMillis).toBe(400);
    expect(group.cpu.capacityMillis).toBe(4000);
    expect(group.cpu.usedAvgMillis).toBeCloseTo(
      items.reduce((s, i) => s + i.cpu.usedAvgMillis!, 0),
      9,
    );
    expect(group.cpu.usedAvgMillis).toBeCloseTo(110, 9);
    expect(group.cpu.usedMaxMillis).toBe(110); // not 80 + 80 + 10
    expect(group.memory.usedAvgBytes).toBeCloseTo(110 * MiB, 3);
    expect(group.coverage).toBe(1);
    expect(items[2].flags.map((f) => f.kind)).toEqual(["unreserved"]);
  });

  it("sums series step by step; a step no member has is a gap", () => {
    const only = sumSeries([], grid);
    expect(statsOf(only.cpu)).toEqual({ avg: null, p95: null, max: null, coverage: 0 });
  });
});
