import { describe, expect, it } from "vitest";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { addClient, addJob } from "./content";
import { seedNomadDemo, startNomadDemo } from "./demo";
import { NomadScheduler } from "./scheduler";
import { NomadWorld } from "./state";
import { allocUsage, nodeUsage } from "./usage";

const TIMINGS = { startMs: 1000, startJitterMs: 0, stopMs: 500, batchRunMs: 5000, gcMs: 10_000, restartsPerMinute: 0 };

function world() {
  const w = new NomadWorld();
  const s = new NomadScheduler(w, TIMINGS, () => 0.5);
  return { w, s };
}

describe("simulated Nomad scheduler", () => {
  it("places within each client's capacity and queues the rest with the exhausted dimension", () => {
    const { w, s } = world();
    const small = addClient(w, {
      name: "small",
      datacenter: "dc1",
      cores: 2,
      mhzPerCore: 2000,
      memoryGiB: 2,
      reservedMhz: 0,
      reservedMemoryMB: 0,
    });
    const job = addJob(w, {
      id: "app",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 3, tasks: [{ name: "t", image: "x", cpu: 500, memoryMB: 768 }] }],
    });
    s.tick(0);
    const allocs = s.allocsOf(job);
    expect(allocs).toHaveLength(2);
    expect(allocs.every((a) => a.NodeID === small.ID && a.ClientStatus === "pending")).toBe(true);
    expect(s.summary(job).g).toMatchObject({ Queued: 1, Starting: 2, Running: 0 });
    const blocked = [...w.evals.values()].find((e) => e.Status === "blocked");
    expect(blocked?.FailedTGAllocs?.g?.DimensionExhausted).toEqual({ memory: 1 });
    expect(s.reservedOn(small).memoryMB).toBeLessThanOrEqual(2048);
  });

  it("moves allocations pending → running over the start time, and stops extras on scale-down", () => {
    const { w, s } = world();
    addClient(w, { name: "big", datacenter: "dc1", cores: 8, mhzPerCore: 3000, memoryGiB: 32 });
    const job = addJob(w, {
      id: "web",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 2, tasks: [{ name: "t", image: "nginx", cpu: 500, memoryMB: 256 }] }],
    });
    s.tick(0);
    s.tick(400);
    expect(s.allocsOf(job).every((a) => a.ClientStatus === "pending")).toBe(true);
    s.tick(600); // half way: the image downloads
    expect(Object.values(s.allocsOf(job)[0]!.TaskStates)[0]!.Events.at(-1)?.DisplayMessage).toBe("Downloading image nginx");
    s.tick(1200);
    expect(s.summary(job).g).toMatchObject({ Running: 2, Starting: 0 });
    expect(job.Status).toBe("running");

    s.scale(job, job.TaskGroups[0]!, 1, 1300);
    s.tick(1300);
    const stopping = s.allocsOf(job).filter((a) => a.DesiredStatus === "stop");
    expect(stopping.map((a) => a.Name)).toEqual(["web.g[1]"]);
    s.tick(1900);
    expect(s.summary(job).g).toMatchObject({ Running: 1, Complete: 1 });
    s.tick(1900 + TIMINGS.gcMs);
    expect(s.allocsOf(job)).toHaveLength(1);
  });

  it("runs a system job once per eligible client and a batch job to completion", () => {
    const { w, s } = world();
    const a = addClient(w, { name: "a", datacenter: "dc1", cores: 2, mhzPerCore: 2000, memoryGiB: 4 });
    addClient(w, { name: "b", datacenter: "dc2", cores: 2, mhzPerCore: 2000, memoryGiB: 4 });
    const system = addJob(w, {
      id: "agent",
      type: "system",
      datacenters: ["*"],
      groups: [{ name: "g", count: 1, tasks: [{ name: "t", image: "x", cpu: 100, memoryMB: 64 }] }],
    });
    const batch = addJob(w, {
      id: "report",
      type: "batch",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 1, tasks: [{ name: "t", image: "y", cpu: 500, memoryMB: 512 }] }],
    });
    s.tick(0);
    expect(s.allocsOf(system)).toHaveLength(2);
    s.setNodeEligibility(a.ID, false);
    s.tick(100);
    expect(s.allocsOf(system).filter((x) => x.DesiredStatus === "run")).toHaveLength(1);
    for (let t = 0; t <= 10_000; t += 500) s.tick(t);
    expect(s.summary(batch).g).toMatchObject({ Complete: 1, Running: 0 });
    expect(batch.Status).toBe("dead");

    // A failing batch allocation is rescheduled once, then the job is done with it.
    const failing = addJob(w, {
      id: "flaky",
      type: "batch",
      datacenters: ["dc2"],
      failEvery: 1,
      groups: [{ name: "g", count: 1, tasks: [{ name: "t", image: "z", cpu: 100, memoryMB: 64 }] }],
    });
    for (let t = 10_000; t <= 40_000; t += 500) s.tick(t);
    expect(s.summary(failing).g).toMatchObject({ Failed: 2, Complete: 0, Running: 0, Starting: 0 });
    expect(failing.Status).toBe("dead");
  });

  it("reports use that moves smoothly and stays within the client", () => {
    const { w, s } = world();
    const node = addClient(w, { name: "n", datacenter: "dc1", cores: 4, mhzPerCore: 2500, memoryGiB: 8 });
    addJob(w, {
      id: "web",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 2, tasks: [{ name: "t", image: "x", cpu: 1000, memoryMB: 1024 }] }],
    });
    for (let t = 0; t <= 2000; t += 500) s.tick(t);
    const alloc = [...w.allocs.values()][0]!;
    const now = 1_700_000_000_000;
    const u1 = allocUsage(alloc, now);
    const u2 = allocUsage(alloc, now + 1000);
    expect(u1.cpuMhz).toBeGreaterThan(0);
    expect(Math.abs(u2.cpuMhz - u1.cpuMhz)).toBeLessThan(100);
    expect(u1.memoryBytes).toBeLessThan(1024 * 1024 * 1024);
    const n = nodeUsage(node, w.allocs.values(), now);
    expect(n.cpuMhz).toBeGreaterThan(u1.cpuMhz);
    expect(n.cpuMhz).toBeLessThanOrEqual(10_000);
  });

  it("tells the demo's consumption stories: an idle group, a leaking one OOM-killed, a full edge client", () => {
    const { w, s } = world();
    seedNomadDemo(w);
    const start = 1_700_000_000_000;
    for (let t = start; t <= start + 5000; t += 500) s.tick(t);
    const allocs = [...w.allocs.values()];
    const of = (job: string, group: string) =>
      allocs.filter((a) => a.JobID === job && a.TaskGroup === group && a.ClientStatus === "running");
    const share = (a: (typeof allocs)[number], t: number) => {
      const r = a.AllocatedResources.Tasks;
      const reserved = Object.values(r).reduce((n, x) => n + x.Memory.MemoryMB * 1024 * 1024, 0);
      return allocUsage(a, t).memoryBytes / reserved;
    };
    // Idle: a few percent of what it reserves, all day.
    for (const a of of("ledger", "worker")) {
      for (let t = start; t < start + 86_400_000; t += 3_600_000) {
        const cpu = allocUsage(a, t).cpuMhz / 4000;
        expect(cpu).toBeLessThan(0.15);
        expect(share(a, t)).toBeLessThan(0.1);
      }
    }
    // Starved: memory reaches its limit, then an OOM kill restarts the task.
    const api = of("storefront", "api")[0]!;
    const peak = Math.max(...Array.from({ length: 240 }, (_, i) => share(api, start + i * 10_000)));
    expect(peak).toBeGreaterThan(0.97);
    for (let t = start + 5000; t <= start + 41 * 60_000; t += 30_000) s.tick(t);
    const events = Object.values(api.TaskStates).flatMap((st) => st.Events);
    expect(events.some((e) => e.Type === "Terminated" && /OOM Killed/.test(e.DisplayMessage) && e.Details?.oom_killed === "true")).toBe(
      true,
    );
    expect(Object.values(api.TaskStates)[0]!.Restarts).toBeGreaterThan(0);
    // Over-committed: what the edge client's allocations reserve is above 90% of what it offers.
    const edge = [...w.nodes.values()].find((n) => n.Name === "fra1-edge-1")!;
    const onEdge = allocs.filter((a) => a.NodeID === edge.ID && a.ClientStatus === "running");
    const mhz = onEdge.flatMap((a) => Object.values(a.AllocatedResources.Tasks)).reduce((n, x) => n + x.Cpu.CpuShares, 0);
    const mb = onEdge.flatMap((a) => Object.values(a.AllocatedResources.Tasks)).reduce((n, x) => n + x.Memory.MemoryMB, 0);
    expect(mhz / (edge.sim.cores * edge.sim.mhzPerCore - edge.sim.reservedMhz)).toBeGreaterThan(0.9);
    expect(mb / (edge.sim.memoryMB - edge.sim.reservedMemoryMB)).toBeGreaterThan(0.9);
    // Teams from the four of the demo fleet, one job left without.
    const teams = [...w.jobs.values()].map((j) => j.Meta?.team ?? null);
    expect(teams.filter((t) => t === null)).toHaveLength(1);
    expect(teams.every((t) => t === null || ["payments", "search", "platform", "data"].includes(t))).toBe(true);
  });

  it("starts the demo cluster with a connection the adapter accepts", async () => {
    const demo = await startNomadDemo({ dataDir: "/nonexistent", host: "127.0.0.1" });
    try {
      expect(demo.clusters).toHaveLength(1);
      expect(demo.clusters[0]?.orchestrator).toBe("nomad");
      expect(demo.clusters[0]?.usageAt?.(Date.now() - 86_400_000).nodes.size).toBe(4);
      const connection = NomadConnectionSchema.parse(demo.clusters[0]?.connection);
      const res = await fetch(`${connection.address}/v1/jobs?namespace=*`);
      expect(res.headers.get("x-nomad-index")).toMatch(/^\d+$/);
      expect(((await res.json()) as { ID: string }[]).map((j) => j.ID).sort()).toEqual([
        "edge-proxy",
        "ledger",
        "nightly-report",
        "node-exporter",
        "storefront",
      ]);
    } finally {
      await demo.close();
    }
  });
});
