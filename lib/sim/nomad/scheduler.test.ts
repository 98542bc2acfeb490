import { describe, expect, it } from "vitest";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { addClient, addJob } from "./content";
import { startNomadDemo } from "./demo";
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

  it("starts the demo cluster with a connection the adapter accepts", async () => {
    const demo = await startNomadDemo({ dataDir: "/nonexistent", host: "127.0.0.1" });
    try {
      expect(demo.clusters).toHaveLength(1);
      expect(demo.clusters[0]?.orchestrator).toBe("nomad");
      const connection = NomadConnectionSchema.parse(demo.clusters[0]?.connection);
      const res = await fetch(`${connection.address}/v1/jobs?namespace=*`);
      expect(res.headers.get("x-nomad-index")).toMatch(/^\d+$/);
      expect(((await res.json()) as { ID: string }[]).map((j) => j.ID).sort()).toEqual([
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
