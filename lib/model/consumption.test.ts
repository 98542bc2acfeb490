import { describe, expect, it } from "vitest";
import {
  aggregate,
  costOf,
  figures,
  gridFor,
  idleFlag,
  itemOf,
  OPENCOST_LIST_PRICES,
  overCommittedFlag,
  pointSpans,
  pointStats,
  resample,
  rightSize,
  starvedFlag,
  statsOf,
  sumCosts,
  sumLimits,
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
      evidence: expect.stringMatching(/CPU reserved 3800m CPU of 4000m CPU allocatable \(95%, above 90%\)/),
    });
    expect(overCommittedFlag({ cpuMillis: 3600, memoryBytes: 0 }, { cpuMillis: 4000, memoryBytes: MiB })).toBeNull();
  });

  it("over-committed: limits above allocatable, even with little reserved", () => {
    const allocatable = { cpuMillis: 4000, memoryBytes: 8 * 1024 * MiB };
    const flag = overCommittedFlag({ cpuMillis: 1000, memoryBytes: MiB }, allocatable, { cpuMillis: 6000, memoryBytes: 2 * 1024 * MiB });
    expect(flag).toEqual({ kind: "over-committed", evidence: "CPU limits 6000m CPU above 4000m CPU allocatable" });
    expect(overCommittedFlag({ cpuMillis: 1000, memoryBytes: MiB }, allocatable, { cpuMillis: 4000, memoryBytes: 0 })).toBeNull();
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

describe("limits", () => {
  it("add up per resource only where every member is capped; members holding nothing are left out", () => {
    expect(
      sumLimits([
        { cpuMillis: 500, memoryBytes: 256 * MiB },
        { cpuMillis: 250, memoryBytes: 256 * MiB },
      ]),
    ).toEqual({
      cpuMillis: 750,
      memoryBytes: 512 * MiB,
    });
    // A container limiting memory but not CPU: the sum is capped in memory only.
    expect(
      sumLimits([
        { cpuMillis: 500, memoryBytes: 256 * MiB },
        { cpuMillis: null, memoryBytes: 128 * MiB },
      ]),
    ).toEqual({
      cpuMillis: null,
      memoryBytes: 384 * MiB,
    });
    expect(sumLimits([undefined, { cpuMillis: 100, memoryBytes: null }])).toEqual({ cpuMillis: 100, memoryBytes: null });
    expect(sumLimits([undefined])).toBeUndefined();
  });

  it("show on items as limitMillis and limitBytes, and on groups only when every member has one", () => {
    const grid = gridFor("1h", NOW);
    const usage = resample([], grid);
    const capped: Member = {
      key: "a",
      cluster: "c",
      name: "a",
      reserved: { cpuMillis: 100, memoryBytes: MiB },
      usage,
      limit: { cpuMillis: 200, memoryBytes: 2 * MiB },
    };
    const memOnly: Member = { ...capped, key: "b", name: "b", limit: { cpuMillis: null, memoryBytes: 3 * MiB } };
    const item = itemOf(capped, "1h", grid);
    expect(item.cpu.limitMillis).toBe(200);
    expect(item.memory.limitBytes).toBe(2 * MiB);
    const group = itemOf(aggregate({ key: "g", cluster: "c", name: "g" }, [capped, memOnly], grid), "1h", grid);
    expect(group.cpu).not.toHaveProperty("limitMillis");
    expect(group.memory.limitBytes).toBe(5 * MiB);
    expect(itemOf({ ...capped, limit: undefined }, "1h", grid).cpu).not.toHaveProperty("limitMillis");
  });
});

describe("starved", () => {
  const GiB = 1024 * MiB;
  const f = (limit: number | undefined, p95: number | null) =>
    figures(limit ?? 0, { avg: p95, p95, max: p95, coverage: 1 }, undefined, undefined, limit);
  const none = f(undefined, null);
  const full = { cpu: 1, memory: 1 };

  it("p95 at or above 90% of the limit, with the numbers", () => {
    const flag = starvedFlag(none, f(2 * GiB, 1.9 * GiB), full, "24h");
    expect(flag).toEqual({ kind: "starved", evidence: "memory p95 1.9 GiB of 2.0 GiB limit (95%) over 24h" });
    expect(starvedFlag(none, f(2 * GiB, 0.9 * 2 * GiB), full, "24h")?.kind).toBe("starved"); // at 90% exactly
    expect(starvedFlag(none, f(2 * GiB, 1.7 * GiB), full, "24h")).toBeNull(); // 85%
  });

  it("not without a limit, without data or with too little coverage of that resource", () => {
    expect(starvedFlag(f(undefined, 1000), f(undefined, GiB), full, "1h")).toBeNull();
    expect(starvedFlag(none, f(2 * GiB, null), full, "1h")).toBeNull();
    expect(starvedFlag(none, f(2 * GiB, 1.9 * GiB), { cpu: 1, memory: 0.3 }, "1h")).toBeNull();
    expect(starvedFlag(none, f(0, 0), full, "1h")).toBeNull(); // a zero cap is not "at the limit"
  });

  it("also where OOM kills are reported, citing them", () => {
    const oom = { kind: "oom" as const, evidence: "task worker-1: OOMKilled" };
    expect(starvedFlag(none, none, full, "1h", oom)).toEqual({
      kind: "starved",
      evidence: "OOM kills reported (task worker-1: OOMKilled)",
    });
  });

  // Each orchestrator's cap as it writes it, in model units (the adapters' conversions are tested with them).
  it.each([
    ["kubernetes limits.cpu 500m", { cpu: 500, used: 480 }],
    ["ECS task cpu 256 units", { cpu: Math.round((256 * 1000) / 1024), used: 240 }],
    ["Docker NanoCPUs 1.5e9", { cpu: 1.5e9 / 1e6, used: 1400 }],
    ["Nomad cores = 2", { cpu: 2000, used: 1850 }],
  ])("CPU: %s", (_, { cpu, used }) => {
    const flag = starvedFlag(f(cpu, used), none, full, "6h");
    expect(flag?.evidence).toMatch(new RegExp(`^CPU p95 ${Math.round(used)}m CPU of ${Math.round(cpu)}m CPU limit \\(9\\d%\\)`));
  });

  it.each([
    ["Nomad memory_max 512 MB (MiB)", 512 * MiB, 480 * MiB, "memory p95 480 MiB of 512 MiB limit (94%)"],
    ["ECS container memory 1024 MiB", 1024 * MiB, 1000 * MiB, "memory p95 1000 MiB of 1.0 GiB limit (98%)"],
    ["Kubernetes limits.memory 1.5Gi", 1.5 * GiB, 1.4 * GiB, "memory p95 1.4 GiB of 1.5 GiB limit (93%)"],
  ])("memory: %s", (_, limit, used, evidence) => {
    expect(starvedFlag(none, f(limit, used), full, "7d")?.evidence).toBe(`${evidence} over 7d`);
  });

  it("is a workload's flag: items with a workload id get it, groups do not", () => {
    const grid = gridFor("1h", NOW);
    const usage = resample(
      points(grid, 15_000, () => [95, 10 * MiB]),
      grid,
    );
    const w: Member = {
      key: "w",
      cluster: "c",
      workloadId: "w",
      name: "w",
      reserved: { cpuMillis: 50, memoryBytes: 64 * MiB },
      usage,
      limit: { cpuMillis: 100, memoryBytes: null },
    };
    expect(itemOf(w, "1h", grid).flags.find((x) => x.kind === "starved")?.evidence).toBe("CPU p95 95m CPU of 100m CPU limit (95%) over 1h");
    const group = aggregate({ key: "g", cluster: "c", name: "g" }, [w], grid);
    expect(itemOf(group, "1h", grid).flags.map((x) => x.kind)).not.toContain("starved");
  });
});

describe("cost", () => {
  const GiB = 1024 * MiB;
  const reserved = { cpuMillis: 2000, memoryBytes: 4 * GiB };
  const used = { cpu: 500, memory: 1 * GiB };

  it("used, reserved and idle over 1h at OpenCost's list prices, CPU and memory added", () => {
    const cost = costOf(reserved, used, OPENCOST_LIST_PRICES, 1);
    expect(cost.currency).toBe("USD");
    expect(cost.reserved).toBeCloseTo(2 * 0.031611 + 4 * 0.004237, 12); // 0.08017
    expect(cost.used).toBeCloseTo(0.5 * 0.031611 + 1 * 0.004237, 12); // 0.0200425
    expect(cost.idle).toBeCloseTo(1.5 * 0.031611 + 3 * 0.004237, 12); // 0.0601275
    expect(cost.reserved).toBeCloseTo(cost.used + cost.idle, 12);
  });

  it("over 7d: 168 hours of the same", () => {
    const cost = costOf(reserved, used, OPENCOST_LIST_PRICES, 7 * 24);
    expect(cost.reserved).toBeCloseTo(13.46856, 9);
    expect(cost.used).toBeCloseTo(3.36714, 9);
    expect(cost.idle).toBeCloseTo(10.10142, 9);
  });

  it("use above the reservation costs what it uses and leaves nothing idle; no data costs nothing used", () => {
    const pricing = { cpuCoreHour: 1, memoryGiBHour: 1, currency: "EUR" };
    expect(costOf({ cpuMillis: 1000, memoryBytes: 0 }, { cpu: 1500, memory: null }, pricing, 2)).toEqual({
      currency: "EUR",
      used: 3,
      reserved: 2,
      idle: 0,
    });
  });

  it("groups add their members' in one currency, and show none when a member has none or another currency", () => {
    const a = { currency: "USD", used: 1, reserved: 3, idle: 2 };
    const b = { currency: "USD", used: 0.5, reserved: 1, idle: 0.5 };
    expect(sumCosts([a, b])).toEqual({ currency: "USD", used: 1.5, reserved: 4, idle: 2.5 });
    expect(sumCosts([a, undefined])).toBeUndefined();
    expect(sumCosts([a, { ...b, currency: "EUR" }])).toBeUndefined();
    expect(sumCosts([])).toBeUndefined();
    const grid = gridFor("1h", NOW);
    const m = (key: string, cost: typeof a): Member => ({
      key,
      cluster: "c",
      name: key,
      reserved: reserved,
      usage: resample([], grid),
      cost,
    });
    const group = itemOf(aggregate({ key: "g", cluster: "c", name: "g" }, [m("a", a), m("b", b)], grid), "1h", grid);
    expect(group.cost).toEqual({ currency: "USD", used: 1.5, reserved: 4, idle: 2.5 });
    expect(itemOf(m("x", { currency: "USD", used: 1 / 3, reserved: 0.123456, idle: 0 }), "1h", grid).cost).toEqual({
      currency: "USD",
      used: 0.3333,
      reserved: 0.1235,
      idle: 0,
    });
  });
});
