import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import type { ClusterAdapter, SnapshotSink } from "@/lib/adapters/types";
import { gridFor, OPENCOST_LIST_PRICES, type ConsumptionItem, type ConsumptionPoint } from "@/lib/model/consumption";
import type { NodeCore, TaskCore, WorkloadCore } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { cpuUnitsToMillis, mibToBytes } from "@/lib/adapters/ecs/units";
import { cpuMillis as kubeCpu, memoryBytes as kubeMemory } from "@/lib/adapters/kubernetes/quantity";
import { cpusToMillis, mbToBytes as marathonMb } from "@/lib/adapters/mesos/mappers";
import { mbToBytes as nomadMb, mhzToMillis } from "@/lib/adapters/nomad/units";
import * as consumptionRoute from "@/app/api/consumption/route";
import * as seriesRoute from "@/app/api/consumption/series/route";
import { openTestAccess } from "./access/testing";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { consumptionCsv, consumptionReport, consumptionSeries, type ClusterSource } from "./consumption";
import { Fleet } from "./fleet";
import { replaceOnePerProcess } from "./process-one";
import { applyChanges, EMPTY_SNAPSHOT, type Snapshot } from "./snapshot";

const MiB = 1024 * 1024;
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0) - 1;

function node(id: string, cpuMillis: number, memoryBytes: number): NodeCore {
  return {
    id,
    name: id,
    status: "ready",
    statusReason: null,
    schedulable: true,
    roles: [],
    labels: {},
    capacity: { cpuMillis, memoryBytes },
    allocatable: { cpuMillis, memoryBytes },
    createdAt: null,
    info: {},
  };
}

function workload(
  id: string,
  namespace: string | null,
  labels: Record<string, string> = {},
  extra: Partial<WorkloadCore> = {},
): WorkloadCore {
  return {
    id,
    name: id,
    namespace,
    kind: "Deployment",
    labels,
    images: [],
    desired: 1,
    ready: 1,
    scalable: true,
    notScalableReason: null,
    autoscaler: null,
    createdAt: null,
    selector: null,
    info: {},
    events: [],
    volumes: [],
    ...extra,
  };
}

function task(
  id: string,
  workloadId: string | null,
  nodeId: string | null,
  cpuMillis: number,
  memMiB: number,
  extra: Partial<TaskCore> = {},
): TaskCore {
  return {
    id,
    name: id,
    namespace: null,
    workloadId,
    node: nodeId,
    state: "running",
    stateReason: null,
    ready: true,
    restarts: 0,
    labels: {},
    requests: { cpuMillis, memoryBytes: memMiB * MiB },
    startedAt: null,
    createdAt: null,
    ip: null,
    ...extra,
  };
}

function snapshotOf(nodes: NodeCore[], workloads: WorkloadCore[], tasks: TaskCore[]): Snapshot {
  return applyChanges(EMPTY_SNAPSHOT, [
    { type: "replace", resource: "nodes", items: nodes },
    { type: "replace", resource: "workloads", items: workloads },
    { type: "replace", resource: "tasks", items: tasks },
    { type: "replace", resource: "services", items: [] },
  ]);
}

/** A history with constant use per key, one sample every 15 s over the last `hours`. */
function history(use: Record<string, [number, number]>, hours = 24) {
  return {
    points(key: string, since: number): ConsumptionPoint[] {
      const value = use[key];
      if (!value) return [];
      const out: ConsumptionPoint[] = [];
      const end = Math.floor(NOW / 15_000) * 15_000;
      for (let t = Math.max(since, end - hours * 3_600_000); t <= end; t += 15_000) {
        out.push({ t, cpuMillis: value[0], memoryBytes: value[1] * MiB });
      }
      return out;
    },
  };
}

/**
 * Two clusters: "east" (two nodes, tenants shop and data, one workload with
 * the team label, one idle, one above its reservation, one under an
 * autoscaler, a bare task on a node) and "west" (one node, no labels).
 */
const EAST: ClusterSource = {
  id: "east",
  name: "East",
  origin: "history",
  orchestrator: "kubernetes",
  snapshot: snapshotOf(
    [node("e1", 4000, 8192 * MiB), node("e2", 2000, 4096 * MiB)],
    [
      workload("web", "shop", { team: "payments" }),
      workload("idle", "shop", { team: "payments" }),
      workload("hungry", "data"),
      workload("scaled", "data", {}, { autoscaler: { name: "scaled-hpa", minReplicas: 1, maxReplicas: 5 } }),
    ],
    [
      task("web-1", "web", "e1", 500, 512),
      task("web-2", "web", "e2", 500, 512),
      task("idle-1", "idle", "e1", 1000, 1024),
      task("hungry-1", "hungry", "e2", 100, 128, { stateReason: "OOMKilled" }),
      task("scaled-1", "scaled", "e1", 2000, 1024),
      task("done-1", "web", "e1", 9999, 9999, { state: "succeeded" }),
      task("bare", null, "e2", 1700, 100),
    ],
  ),
  history: history({
    "workload:web": [400, 600],
    "workload:idle": [20, 50],
    "workload:hungry": [300, 200],
    "workload:scaled": [1000, 800],
    "node:e1": [1500, 2000],
    "node:e2": [900, 1000],
  }),
};

const WEST: ClusterSource = {
  id: "west",
  name: "West",
  origin: "demo",
  orchestrator: "kubernetes",
  snapshot: snapshotOf([node("w1", 1000, 2048 * MiB)], [workload("api", null)], [task("api-1", "api", "w1", 200, 256)]),
  history: history({ "workload:api": [100, 128] }, 3), // 3 h of history only
};

const OPTIONS = { teamLabel: "team", now: NOW } as const;

describe("consumptionReport", () => {
  it("reserved is the placed, unfinished tasks' requests; flags say why", () => {
    const { items } = consumptionReport([EAST], { ...OPTIONS, groupBy: "workload", range: "24h" });
    const byId: Record<string, ConsumptionItem> = Object.fromEntries(items.map((i) => [i.workloadId!, i]));
    expect(byId.web.cpu).toMatchObject({
      reservedMillis: 1000,
      usedAvgMillis: 400,
      efficiency: 0.4,
      allocatedMillis: 1000,
      idleReservedMillis: 600,
    });
    expect(byId.web.cpu.capacityMillis).toBeUndefined();
    expect(byId.web).toMatchObject({ cluster: "east", tenant: "shop", team: "payments", name: "web" });
    expect(byId.web.coverage).toBeCloseTo(1, 2);
    expect(byId.idle.flags.map((f) => f.kind)).toEqual(["idle"]);
    expect(byId.idle.flags[0].evidence).toMatch(/CPU 20m CPU used on average of 1000m CPU reserved \(2%\)/);
    expect(byId.hungry.cpu.note).toMatch(/over the 100m CPU reserved/);
    expect(byId.hungry.flags).toEqual([
      { kind: "oom", evidence: "task hungry-1: OOMKilled" },
      { kind: "starved", evidence: "OOM kills reported (task hungry-1: OOMKilled)" },
    ]);
    expect(byId.hungry.team).toBe("unassigned");
    // KRR: CPU p95 400m over 2 tasks → 200m each; memory 600 MiB × 1.15 / 2.
    expect(byId.web.recommendation).toMatchObject({
      cpuMillis: 200,
      memoryBytes: Math.ceil((600 * MiB * 1.15) / 2),
      tasks: 2,
      frees: { cpuMillis: 600 },
    });
    expect(byId.scaled.recommendation).toBeUndefined();
    expect(byId.scaled.recommendationNote).toMatch(/autoscaler scaled-hpa/);
  });

  it("tenants of a cluster add up to the cluster, clusters to the fleet", () => {
    const range = { range: "24h" as const };
    const tenants = consumptionReport([EAST, WEST], { ...OPTIONS, ...range, groupBy: "tenant" });
    const clusters = consumptionReport([EAST, WEST], { ...OPTIONS, ...range, groupBy: "cluster" });
    const teams = consumptionReport([EAST, WEST], { ...OPTIONS, ...range, groupBy: "team" });
    expect(tenants.items.map((i) => i.key)).toEqual(["tenant:east/data", "tenant:east/shop", "tenant:west/(none)"]);
    const east = clusters.items.find((i) => i.cluster === "east")!;
    const eastTenants = tenants.items.filter((i) => i.cluster === "east");
    const sum = (items: typeof eastTenants, f: (i: (typeof items)[number]) => number | null | undefined) =>
      items.reduce((s, i) => s + (f(i) ?? 0), 0);
    for (const f of [
      (i: (typeof eastTenants)[number]) => i.cpu.reservedMillis,
      (i: (typeof eastTenants)[number]) => i.cpu.usedAvgMillis,
      (i: (typeof eastTenants)[number]) => i.cpu.capacityMillis,
      (i: (typeof eastTenants)[number]) => i.memory.reservedBytes,
      (i: (typeof eastTenants)[number]) => i.memory.usedAvgBytes,
      (i: (typeof eastTenants)[number]) => i.memory.capacityBytes,
      (i: (typeof eastTenants)[number]) => i.recommendation?.frees.cpuMillis,
    ]) {
      expect(sum(eastTenants, f)).toBeCloseTo(f(east)!, 3);
      expect(sum(clusters.items, f)).toBeCloseTo(f(clusters.totals)!, 3);
      expect(sum(tenants.items, f)).toBeCloseTo(f(clusters.totals)!, 3);
      expect(sum(teams.items, f)).toBeCloseTo(f(clusters.totals)!, 3);
    }
    expect(east.cpu).toMatchObject({ capacityMillis: 6000, reservedMillis: 4100, usedAvgMillis: 1720, unreservedMillis: 1900 });
    // The bare task holds e2 but belongs to no tenant; e2 is over-committed by it.
    expect(east.flags).toEqual([{ kind: "over-committed", evidence: "1 node(s) over-committed: e2" }]);
    expect(teams.items.map((i) => [i.team, i.cluster])).toEqual([
      ["payments", null],
      ["unassigned", null],
    ]);
  });

  it("with nothing reserved (a Docker engine), tenants share the capacity by use, still adding up", () => {
    const docker: ClusterSource = {
      id: "d",
      name: "d",
      origin: "history",
      orchestrator: "kubernetes",
      snapshot: snapshotOf(
        [node("d1", 4000, 4096 * MiB)],
        [workload("a", "p1"), workload("b", "p2")],
        [task("a-1", "a", "d1", 0, 0), task("b-1", "b", "d1", 0, 0)],
      ),
      history: history({ "workload:a": [300, 100], "workload:b": [100, 300] }),
    };
    const options = { ...OPTIONS, range: "1h" as const };
    const tenants = consumptionReport([docker], { ...options, groupBy: "tenant" }).items;
    const [cluster] = consumptionReport([docker], { ...options, groupBy: "cluster" }).items;
    expect(tenants.map((i) => [i.tenant, i.cpu.capacityMillis, i.cpu.efficiency])).toEqual([
      ["p1", 3000, null],
      ["p2", 1000, null],
    ]);
    expect(tenants.reduce((sum, i) => sum + i.memory.capacityBytes!, 0)).toBe(cluster.memory.capacityBytes);
    expect(tenants[0].flags.map((f) => f.kind)).toEqual(["unreserved"]);
  });

  it("nodes: allocatable as capacity, everything placed as reserved, over-committed above 90%", () => {
    const { items, totals } = consumptionReport([EAST], { ...OPTIONS, groupBy: "node", range: "1h" });
    const e2 = items.find((i) => i.nodeId === "e2")!;
    expect(e2.cpu).toMatchObject({ capacityMillis: 2000, reservedMillis: 2300, usedAvgMillis: 900, unreservedMillis: 0 });
    expect(e2.flags).toEqual([
      expect.objectContaining({ kind: "over-committed", evidence: expect.stringMatching(/CPU reserved 2300m CPU of 2000m/) }),
    ]);
    expect(totals.cpu.capacityMillis).toBe(6000);
    expect(() => consumptionReport([EAST], { ...OPTIONS, groupBy: "node", range: "1h", tenant: "shop" })).toThrow(/tenant does not apply/);
  });

  it("coverage is the share of the range with samples; too little history, no recommendation", () => {
    const { items } = consumptionReport([WEST], { ...OPTIONS, groupBy: "workload", range: "24h" });
    expect(items[0].coverage).toBeCloseTo(3 / 24, 2);
    expect(items[0].cpu.usedAvgMillis).toBe(100);
    expect(items[0].recommendationNote).toMatch(/not enough history: 13% of 24h/);
    expect(items[0].tenant).toBe("(none)");
  });

  it("filters by tenant; the range is aligned to its step", () => {
    const answer = consumptionReport([EAST, WEST], { ...OPTIONS, groupBy: "workload", range: "6h", tenant: "shop" });
    expect(answer.items.map((i) => i.workloadId)).toEqual(["idle", "web"]);
    // East is measured here, West is demo data: the answer names each, and no single origin.
    expect(answer.source).toBe("history");
    expect(answer.sources).toEqual({ east: "history", west: "demo" });
    expect(consumptionReport([WEST], { ...OPTIONS, groupBy: "cluster", range: "1h" }).source).toBe("demo");
    expect(answer.range.stepSeconds).toBe(60);
    expect(Date.parse(answer.range.to) - Date.parse(answer.range.from)).toBeLessThanOrEqual(6 * 3_600_000);
  });

  it("series: the top N by average CPU, one point per step", () => {
    const { series, stepSeconds } = consumptionSeries([EAST, WEST], { ...OPTIONS, groupBy: "workload", range: "1h", top: 2 });
    expect(stepSeconds).toBe(15);
    expect(series.map((s) => s.name)).toEqual(["scaled (East)", "web (East)"]);
    expect(series[0].points).toHaveLength(gridFor("1h", NOW).steps);
    expect(series[0].points.at(-2)).toEqual({ t: expect.any(Number), cpuMillis: 1000, memoryBytes: 800 * MiB });
  });

  it("CSV: a header row, one row per item", () => {
    const { items } = consumptionReport([EAST], { ...OPTIONS, groupBy: "tenant", range: "1h" });
    const lines = consumptionCsv(items).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + items.length);
    expect(lines[0]).toMatch(/^cluster,tenant,team,workloadId,nodeId,name,cpuCapacityMillis,cpuReservedMillis,/);
    expect(consumptionCsv([]).trimEnd().split("\r\n")).toHaveLength(1);
  });
});

describe("every orchestrator's units", () => {
  // The same reservation (half a core, 512 MiB) as each orchestrator writes it, through the adapters' own conversions.
  const reservations = {
    kubernetes: { cpuMillis: kubeCpu("500m")!, memoryBytes: kubeMemory("512Mi")! },
    nomad: { cpuMillis: mhzToMillis(1250, 2500), memoryBytes: nomadMb(512) },
    marathon: { cpuMillis: cpusToMillis(0.5), memoryBytes: marathonMb(512) },
    ecs: { cpuMillis: cpuUnitsToMillis(512), memoryBytes: mibToBytes(512) },
  };

  it.each(Object.entries(reservations))("%s: the same efficiency, idle reserved and right-sizing", (_, requests) => {
    const source: ClusterSource = {
      id: "c",
      name: "c",
      origin: "history",
      orchestrator: "kubernetes",
      snapshot: snapshotOf([node("n", 4000, 8192 * MiB)], [workload("w", "t")], [task("w-1", "w", "n", 0, 0, { requests })]),
      history: history({ "workload:w": [125, 128] }),
    };
    const [item] = consumptionReport([source], { ...OPTIONS, groupBy: "workload", range: "24h" }).items;
    expect(item.cpu).toMatchObject({ reservedMillis: 500, usedAvgMillis: 125, efficiency: 0.25, idleReservedMillis: 375 });
    expect(item.memory).toMatchObject({
      reservedBytes: 512 * MiB,
      usedAvgBytes: 128 * MiB,
      efficiency: 0.25,
      idleReservedBytes: 384 * MiB,
    });
    expect(item.recommendation).toMatchObject({ cpuMillis: 125, memoryBytes: Math.ceil(128 * MiB * 1.15), frees: { cpuMillis: 375 } });
  });
});

it("an ECS service is its own tenant (an ECS cluster is shared, as a Kubernetes one is)", () => {
  const source: ClusterSource = {
    id: "shop",
    name: "shop",
    origin: "history",
    orchestrator: "ecs",
    snapshot: snapshotOf(
      [node("i-1", 2048, 4096 * MiB)],
      [workload("shop~web", "shop", {}, { name: "web" }), workload("shop~api", "shop", {}, { name: "api" })],
      [task("t1", "shop~web", "i-1", 256, 512), task("t2", "shop~api", "i-1", 512, 1024)],
    ),
    history: history({ "workload:shop~web": [100, 256], "workload:shop~api": [300, 512] }),
  };
  const { items } = consumptionReport([source], { ...OPTIONS, groupBy: "tenant", range: "24h" });
  expect(items.map((i) => [i.tenant, i.cpu.reservedMillis])).toEqual([
    ["api", 512],
    ["web", 256],
  ]);
});

it("serverless tasks (Fargate: running on no node) hold what they reserved; a pending one on no node does not", () => {
  const source: ClusterSource = {
    id: "fargate",
    name: "fargate",
    origin: "history",
    orchestrator: "kubernetes",
    snapshot: snapshotOf(
      [],
      [workload("w", "svc")],
      [task("w-1", "w", null, 256, 512), task("w-2", "w", null, 256, 512, { state: "pending", ready: false })],
    ),
    history: history({ "workload:w": [100, 256] }),
  };
  const [item] = consumptionReport([source], { ...OPTIONS, groupBy: "workload", range: "24h" }).items;
  expect(item.cpu.reservedMillis).toBe(256);
  expect(item.cpu.efficiency).toBeCloseTo(100 / 256, 3);
  expect(item.flags.map((f) => f.kind)).not.toContain("unreserved");
});

describe("limits, starved and cost", () => {
  const capped = { cpuMillis: 500, memoryBytes: 512 * MiB };
  const source: ClusterSource = {
    id: "c",
    name: "c",
    origin: "history",
    orchestrator: "kubernetes",
    snapshot: snapshotOf(
      [node("n", 4000, 8192 * MiB)],
      [workload("full", "t"), workload("half", "t"), workload("none", "u")],
      [
        task("full-1", "full", "n", 250, 256, { limits: capped }),
        task("full-2", "full", "n", 250, 256, { limits: capped }),
        task("full-old", "full", "n", 0, 0, { state: "failed" }), // holds nothing: its (missing) limit does not count
        task("half-1", "half", "n", 250, 256, { limits: capped }),
        task("half-2", "half", "n", 250, 256, { limits: { cpuMillis: null, memoryBytes: 512 * MiB } }),
        task("none-1", "none", "n", 250, 256),
      ],
    ),
    history: history({ "workload:full": [200, 1000], "workload:half": [900, 100], "workload:none": [100, 100], "node:n": [1200, 1200] }),
  };
  const report = (groupBy: "workload" | "tenant" | "cluster" | "node", pricing?: Record<string, typeof OPENCOST_LIST_PRICES>) =>
    consumptionReport([source], { ...OPTIONS, groupBy, range: "1h", pricing });

  it("a workload's limit is its resource-holding tasks' added up, where every one is capped; groups likewise", () => {
    const items = new Map(report("workload").items.map((i) => [i.workloadId, i]));
    expect(items.get("full")!.cpu.limitMillis).toBe(1000);
    expect(items.get("full")!.memory.limitBytes).toBe(1024 * MiB);
    expect(items.get("half")!.cpu).not.toHaveProperty("limitMillis");
    expect(items.get("half")!.memory.limitBytes).toBe(1024 * MiB);
    expect(items.get("none")!.memory).not.toHaveProperty("limitBytes");
    const tenants = new Map(report("tenant").items.map((i) => [i.tenant, i]));
    expect(tenants.get("t")!.memory.limitBytes).toBe(2048 * MiB);
    expect(tenants.get("t")!.cpu).not.toHaveProperty("limitMillis");
    expect(report("cluster").items[0].memory).not.toHaveProperty("limitBytes"); // "none" is uncapped
    expect(report("node").items[0].memory).not.toHaveProperty("limitBytes");
  });

  it("starved where p95 reaches 90% of the limit (memory of full at 1000 of 1024 MiB); the CSV says so", () => {
    const items = report("workload").items;
    const full = items.find((i) => i.workloadId === "full")!;
    expect(full.flags.find((f) => f.kind === "starved")?.evidence).toBe("memory p95 1000 MiB of 1.0 GiB limit (98%) over 1h");
    expect(items.find((i) => i.workloadId === "half")!.flags.map((f) => f.kind)).not.toContain("starved"); // CPU 900m but uncapped
    const [header, row] = consumptionCsv([full]).trimEnd().split("\r\n");
    expect(header).toContain("cpuReservedMillis,cpuLimitMillis,");
    expect(header).toContain(",costCurrency,costUsed,costReserved,costIdle,");
    expect(row).toContain("starved");
  });

  it("cost per priced cluster over the range; groups add up; none without a price sheet", () => {
    expect(report("workload").items.every((i) => i.cost === undefined)).toBe(true);
    const answer = report("workload", { c: OPENCOST_LIST_PRICES });
    const full = answer.items.find((i) => i.workloadId === "full")!;
    // reserved 500m and 512 MiB, used 200m and 1000 MiB on average, for an hour.
    expect(full.cost).toEqual({
      currency: "USD",
      used: Math.round((0.2 * 0.031611 + (1000 / 1024) * 0.004237) * 1e4) / 1e4,
      reserved: Math.round((0.5 * 0.031611 + 0.5 * 0.004237) * 1e4) / 1e4,
      idle: Math.round(0.3 * 0.031611 * 1e4) / 1e4,
    });
    const sum = answer.items.reduce((s, i) => s + i.cost!.reserved, 0);
    expect(answer.totals.cost!.reserved).toBeCloseTo(sum, 3);
    expect(report("node", { c: OPENCOST_LIST_PRICES }).items[0].cost?.currency).toBe("USD");
  });
});

/** An adapter that lists the given items, or never connects. */
class StaticAdapter implements ClusterAdapter {
  readonly orchestrator = "kubernetes" as const;
  constructor(private readonly source: ClusterSource | null) {}
  async run(sink: SnapshotSink, signal: AbortSignal) {
    if (this.source) {
      const s = this.source.snapshot;
      sink.apply([
        { type: "replace", resource: "nodes", items: [...s.nodes.values()] },
        { type: "replace", resource: "workloads", items: [...s.workloads.values()] },
        { type: "replace", resource: "tasks", items: [...s.tasks.values()] },
        { type: "replace", resource: "services", items: [] },
      ]);
      sink.setConnection({ status: "ok", reason: null });
    } else {
      sink.setConnection({ status: "unreachable", reason: "connection refused" });
    }
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
  }
}

describe("GET /api/consumption and /api/consumption/series", () => {
  let fleet: Fleet;
  let t: Awaited<ReturnType<typeof openTestAccess>>;

  beforeAll(async () => {
    const log = memoryLogger();
    const owner = (id: string, source: ClusterSource | null) =>
      new ClusterOwner(
        { id, name: id, orchestrator: "kubernetes", demo: true, adapter: new StaticAdapter(source), secrets: new SecretSet() },
        { usageStepSeconds: 15, usageRetainSeconds: 3600, log },
      );
    fleet = new Fleet([owner("east", EAST), owner("broken", null)], { readOnly: false, maxReplicas: 10, demo: true }, log);
    fleet.start();
    replaceOnePerProcess("fleetdeck.fleet", fleet);
    t = await openTestAccess();
    t.install();
  });

  afterAll(async () => {
    await fleet?.close();
    await t?.close();
  });

  const get = (mod: typeof consumptionRoute, query: string) =>
    mod.GET(new Request(`http://fleetdeck.test/api/consumption?${query}`), { params: Promise.resolve({}) } as never);

  it("answers items, totals, range and source, with a broken cluster named in errors", async () => {
    const res = await get(consumptionRoute, "groupBy=tenant&range=1h");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ source: "history", range: { stepSeconds: 15 }, totals: { key: "fleet" } });
    expect(body.items.map((i: { key: string }) => i.key)).toEqual(["tenant:east/data", "tenant:east/shop"]);
    expect(body.errors).toEqual({ broken: { code: "upstream-unreachable", message: expect.stringMatching(/connection refused/) } });
  });

  it("bad parameters are 400 with the usual error body; an unknown cluster is 404", async () => {
    for (const query of ["groupBy=pod", "range=2h", "format=xml", "groupBy=node&tenant=shop"]) {
      const res = await get(consumptionRoute, query);
      expect(res.status, query).toBe(400);
      expect(await res.json(), query).toEqual({ error: { code: "invalid", message: expect.any(String) } });
    }
    expect((await get(seriesRoute as typeof consumptionRoute, "top=0")).status).toBe(400);
    expect((await get(seriesRoute as typeof consumptionRoute, "top=abc")).status).toBe(400);
    expect((await get(consumptionRoute, "cluster=nowhere")).status).toBe(404);
  });

  it("format=csv is text/csv with a header row and one row per item", async () => {
    const res = await get(consumptionRoute, "groupBy=workload&range=6h&cluster=east&format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^cluster,tenant,team,workloadId,nodeId,name,/);
    expect(lines).toHaveLength(1 + 4);
  });

  it("passes authorize(): a viewer of one cluster sees only it; the others are 404 as any read", async () => {
    const viewer: Actor = { kind: "user", name: "vera", grants: [{ role: "viewer", clusters: ["east"] }], impersonation: null };
    const answer = await fleet.consumption(viewer, { groupBy: "cluster", range: "1h" });
    expect(answer.items.map((i) => i.cluster)).toEqual(["east"]);
    expect(answer.errors).toEqual({});
    await expect(fleet.consumption(viewer, { cluster: "broken" })).rejects.toMatchObject({ status: 404 });
    await expect(fleet.consumptionSeries(viewer, { cluster: "broken" })).rejects.toMatchObject({ status: 404 });
  });

  it("series answers { series, stepSeconds }", async () => {
    const res = await get(seriesRoute as typeof consumptionRoute, "groupBy=cluster&range=24h&top=3");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.stepSeconds).toBe(300);
    expect(body.series).toEqual([{ key: "cluster:east", name: "east", points: expect.any(Array) }]);
    expect(body.series[0].points).toHaveLength(288);
  });
});
