import { describe, expect, it } from "vitest";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { addClient, addJob } from "./content";
import { seedNomadDemo, startNomadDemo } from "./demo";
import { DEFAULT_TIMINGS, NomadScheduler } from "./scheduler";
import { NomadWorld } from "./state";
import { allocUsage, nodeUsage } from "./usage";

const TIMINGS = {
  ...DEFAULT_TIMINGS,
  startMs: 1000,
  startJitterMs: 0,
  stopMs: 500,
  batchRunMs: 5000,
  gcMs: 10_000,
  restartsPerMinute: 0,
  restartDelayMs: 400,
  rescheduleDelayMs: 1000,
  minHealthyMs: 500,
  progressDeadlineMs: 5000,
};

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
    // The plan that stops it records a stop without a client status; the client interrupts the task, which then exits.
    expect(stopping[0]?.AllocStates).toEqual([{ Field: 0, Value: "", Time: new Date(1300).toISOString() }]);
    s.tick(1900);
    expect(s.summary(job).g).toMatchObject({ Running: 1, Complete: 1 });
    expect(stopping[0]?.TaskStates.t?.Events.slice(-3).map((e) => [e.Type, e.DisplayMessage])).toEqual([
      ["Killing", "Sent interrupt. Waiting 5s before force killing"],
      ["Terminated", "Exit Code: 0"],
      ["Killed", "Task successfully killed"],
    ]);
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

  it("restarts a task that cannot pull its image, then fails the allocation and reschedules it under its name", () => {
    const { w, s } = world();
    addClient(w, { name: "n", datacenter: "dc1", cores: 4, mhzPerCore: 2000, memoryGiB: 8 });
    const job = addJob(w, {
      id: "web",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 1, tasks: [{ name: "t", image: "registry.acme.invalid/web:1", cpu: 100, memoryMB: 64 }] }],
    });
    // Placed at 0, a pull attempt half a start in (500), then one every restart delay (400 ms plus a quarter of jitter).
    for (let t = 0; t <= 2400; t += 100) s.tick(t);
    const [first, ...others] = s.allocsOf(job);
    expect(others).toHaveLength(0);
    expect(first).toMatchObject({ ClientStatus: "failed", ClientDescription: "Failed tasks", NextAllocation: "" });
    const state = first!.TaskStates.t!;
    expect(state).toMatchObject({ State: "dead", Failed: true, Restarts: 2 });
    expect(state.Events.map((e) => e.Type)).toEqual([
      "Received",
      "Task Setup",
      "Driver Failure",
      "Restarting",
      "Driver Failure",
      "Restarting",
      "Driver Failure",
      "Not Restarting",
    ]);
    expect(state.Events[2]?.DisplayMessage).toBe(
      'Failed to pull `registry.acme.invalid/web:1`: Error response from daemon: Get "https://registry.acme.invalid/v2/": dial tcp: lookup registry.acme.invalid on 127.0.0.53:53: no such host',
    );
    // As Go prints the delay (a time.Duration), with StartDelay in nanoseconds beside it.
    expect(state.Events[3]).toMatchObject({ DisplayMessage: "Task restarting in 450ms", StartDelay: 450_000_000 });
    expect(state.Events.at(-1)?.DisplayMessage).toBe('Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"');

    // The reschedule delay after it failed (at 1400): a replacement under its name, linked both ways.
    s.tick(2500);
    const replacement = s.allocsOf(job).find((a) => a.ID !== first!.ID)!;
    expect(replacement).toMatchObject({ Name: "web.g[0]", PreviousAllocation: first!.ID, ClientStatus: "pending" });
    expect(first!.NextAllocation).toBe(replacement.ID);
    // A reschedule says where from, when and after what delay (nanoseconds).
    expect(replacement.RescheduleTracker?.Events).toEqual([
      { PrevAllocID: first!.ID, PrevNodeID: first!.NodeID, RescheduleTime: 2500 * 1e6, Delay: 1000 * 1e6 },
    ]);
    // It fails too (at 3900); the next delay is twice the first.
    for (let t = 2600; t <= 5800; t += 100) s.tick(t);
    expect(replacement.ClientStatus).toBe("failed");
    expect(s.allocsOf(job)).toHaveLength(2);
    for (let t = 5900; t <= 6000; t += 100) s.tick(t);
    expect(s.allocsOf(job)).toHaveLength(3);
  });

  it("restarts a task that exits as soon as it starts, until its restarts are used up", () => {
    const { w, s } = world();
    addClient(w, { name: "n", datacenter: "dc1", cores: 4, mhzPerCore: 2000, memoryGiB: 8 });
    const job = addJob(w, {
      id: "worker",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 1, tasks: [{ name: "t", command: "/bin/false", cpu: 100, memoryMB: 64 }] }],
    });
    expect(job.TaskGroups[0]?.Tasks[0]).toMatchObject({ Driver: "exec", Config: { command: "/bin/false" } });
    for (let t = 0; t <= 1200; t += 100) s.tick(t);
    const [alloc] = s.allocsOf(job);
    expect(alloc?.ClientStatus).toBe("running");
    s.tick(1500);
    // Between runs the task waits out the delay, and the allocation has nothing running.
    expect(alloc).toMatchObject({ ClientStatus: "pending", ClientDescription: "No tasks have started" });
    for (let t = 1600; t <= 4000; t += 100) s.tick(t);
    const state = alloc!.TaskStates.t!;
    expect(alloc?.ClientStatus).toBe("failed");
    expect(state.Restarts).toBe(2);
    expect(state.Events.filter((e) => e.Type === "Terminated").map((e) => [e.DisplayMessage, e.Details?.exit_code])).toEqual([
      ["Exit Code: 1", "1"],
      ["Exit Code: 1", "1"],
      ["Exit Code: 1", "1"],
    ]);
  });

  it("replaces allocations lost with their node at once, linked to them", () => {
    const { w, s } = world();
    const a = addClient(w, { name: "a", datacenter: "dc1", cores: 4, mhzPerCore: 2000, memoryGiB: 8 });
    addClient(w, { name: "b", datacenter: "dc1", cores: 4, mhzPerCore: 2000, memoryGiB: 8 });
    const job = addJob(w, {
      id: "web",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 2, tasks: [{ name: "t", image: "nginx", cpu: 500, memoryMB: 256 }] }],
    });
    for (let t = 0; t <= 1200; t += 100) s.tick(t);
    const onA = s.allocsOf(job).filter((x) => x.NodeID === a.ID);
    expect(onA).toHaveLength(1);
    const reported = structuredClone(onA[0]!.TaskStates);
    s.setNodeStatus(a.ID, "down", 1300);
    expect(onA[0]).toMatchObject({ ClientStatus: "lost", DesiredStatus: "stop", NextAllocation: "" });
    // The servers record the lost status; the task states stay as the client last reported them.
    expect(onA[0]?.AllocStates).toEqual([{ Field: 0, Value: "lost", Time: new Date(1300).toISOString() }]);
    expect(onA[0]?.TaskStates).toEqual(reported);
    s.tick(1300);
    const replacement = s.allocsOf(job).find((x) => x.PreviousAllocation === onA[0]!.ID);
    expect(replacement).toMatchObject({ Name: onA[0]!.Name, ClientStatus: "pending", RescheduleTracker: null });
    expect(onA[0]?.NextAllocation).toBe(replacement?.ID);
  });

  it("rolls a new version out as a deployment: healthy allocations complete it, a progress deadline fails it", () => {
    const { w, s } = world();
    addClient(w, { name: "n", datacenter: "dc1", cores: 4, mhzPerCore: 2000, memoryGiB: 8 });
    const job = addJob(w, {
      id: "web",
      datacenters: ["dc1"],
      groups: [{ name: "g", count: 2, tasks: [{ name: "t", image: "nginx:1", cpu: 500, memoryMB: 256 }] }],
    });
    for (let t = 0; t <= 1200; t += 100) s.tick(t);
    // A job's first version rolls out without a deployment here (a simplification).
    expect(w.deployments.size).toBe(0);
    const v0 = s.allocsOf(job);

    s.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "nginx:2"), 1300);
    expect(job).toMatchObject({ Version: 1, JobModifyIndex: job.ModifyIndex });
    const [good] = [...w.deployments.values()];
    expect(good).toMatchObject({ JobID: "web", JobVersion: 1, Status: "running", StatusDescription: "Deployment is running" });
    for (let t = 1300; t <= 3000; t += 100) s.tick(t);
    // The old version's allocations made way; the new ones are the deployment's, healthy after the minimum healthy time.
    expect(v0.every((a) => a.DesiredStatus === "stop" && a.ClientStatus === "complete")).toBe(true);
    const v1 = s.allocsOf(job).filter((a) => a.DeploymentID === good!.ID);
    expect(v1.map((a) => a.Name).sort()).toEqual(["web.g[0]", "web.g[1]"]);
    expect(v1.every((a) => a.DeploymentStatus?.Healthy === true)).toBe(true);
    expect(good).toMatchObject({ Status: "successful", StatusDescription: "Deployment completed successfully" });
    expect(good?.TaskGroups.g).toMatchObject({ DesiredTotal: 2, PlacedAllocs: 2, HealthyAllocs: 2, UnhealthyAllocs: 0 });

    s.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "registry.acme.invalid/web:3"), 3100);
    const bad = [...w.deployments.values()].find((d) => d.JobVersion === 2)!;
    for (let t = 3100; t <= 7900; t += 100) s.tick(t);
    expect(bad.Status).toBe("running");
    const unhealthy = s.allocsOf(job).filter((a) => a.DeploymentID === bad.ID && a.DeploymentStatus?.Healthy === false);
    expect(unhealthy.length).toBeGreaterThan(0);
    expect(Object.values(unhealthy[0]!.TaskStates)[0]?.Events.at(-1)).toMatchObject({
      Type: "Alloc Unhealthy",
      DisplayMessage: "Unhealthy because of failed task",
    });
    // Its first placement (at 3100) started the five-second deadline.
    for (let t = 8000; t <= 8200; t += 100) s.tick(t);
    expect(bad).toMatchObject({ Status: "failed", StatusDescription: "Failed due to progress deadline" });

    // A newer version cancels a running deployment.
    s.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "nginx:4"), 8300);
    s.updateJob(job, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "nginx:5"), 8400);
    expect([...w.deployments.values()].find((d) => d.JobVersion === 3)).toMatchObject({
      Status: "cancelled",
      StatusDescription: "Cancelled due to newer version of job",
    });
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
        "catalog-sync",
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
