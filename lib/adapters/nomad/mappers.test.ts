import { describe, expect, it } from "vitest";
import { MAX_WORKLOAD_EVENTS, TaskCoreSchema, WorkloadCoreSchema, NodeCoreSchema, ServiceSchema } from "@/lib/model/types";
import {
  allocationEvents,
  allocationProblems,
  consulServicesOfJob,
  mapAllocation,
  mapJob,
  mapNativeService,
  latestPlacementFailure,
  mapNode,
  nodeProblems,
  placementFailure,
  queuedTasks,
  SYSTEM_NOT_SCALABLE,
  workloadIdOf,
} from "./mappers";
import {
  NomadAllocationSchema,
  NomadDeploymentSchema,
  NomadEvaluationSchema,
  NomadJobSchema,
  NomadJobSummarySchema,
  NomadNodeSchema,
  NomadServiceRegistrationSchema,
} from "./raw";

// Fixtures in the shapes of Nomad's API documentation samples (trimmed), parsed as the adapter parses them.

const node = (over: Record<string, unknown> = {}) =>
  NomadNodeSchema.parse({
    ID: "1ac61e33-a465-2ace-f63f-cffa1285e7eb",
    Name: "mew",
    Datacenter: "dc1",
    NodeClass: "",
    NodePool: "default",
    Status: "ready",
    StatusDescription: "",
    SchedulingEligibility: "eligible",
    Drain: false,
    DrainStrategy: null,
    HTTPAddr: "127.0.0.1:4646",
    Attributes: {
      "cpu.arch": "amd64",
      "cpu.frequency": "4000",
      "cpu.modelname": "Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz",
      "cpu.numcores": "8",
      "cpu.totalcompute": "32000",
      "memory.totalbytes": "16571674624",
      "nomad.version": "1.1.0",
      "os.name": "nixos",
      "os.signals": "SIGTTOU,SIGTTIN",
      "kernel.version": "4.19.56",
    },
    Meta: { "connect.log_level": "info", rack: "r1" },
    Drivers: { docker: { Detected: true, Healthy: true }, qemu: { Detected: false, Healthy: false } },
    Events: [{ Message: "Node registered", Subsystem: "Cluster", Timestamp: "2021-03-31T12:11:39Z" }],
    NodeResources: { Cpu: { CpuShares: 32000 }, Memory: { MemoryMB: 15803 }, Disk: { DiskMB: 7890 } },
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 } },
    ModifyIndex: 14,
    ...over,
  });

const serviceJob = NomadJobSchema.parse({
  ID: "webapp",
  Name: "webapp",
  Namespace: "default",
  Type: "service",
  Status: "running",
  Stop: false,
  Meta: { team: "web" },
  Periodic: null,
  ParameterizedJob: null,
  SubmitTime: 1523490066563405000,
  TaskGroups: [
    {
      Name: "frontend",
      Count: 9,
      Meta: null,
      Scaling: { Min: 1, Max: 20, Enabled: true, Policy: { cooldown: "1m" } },
      Networks: [{ DynamicPorts: [{ Label: "http", Value: 0, To: 5678 }], ReservedPorts: [{ Label: "admin", Value: 9000, To: 0 }] }],
      Services: [
        { Name: "webapp", PortLabel: "http", Provider: "nomad", Tags: ["urlprefix-/"] },
        { Name: "webapp-admin", PortLabel: "admin", Provider: "consul", Tags: null },
      ],
      Tasks: [
        {
          Name: "web",
          Driver: "docker",
          Config: { image: "hashicorp/http-echo:0.2.3", args: ["-text", "ok"] },
          Resources: { CPU: 500, MemoryMB: 256 },
        },
        { Name: "sidecar", Driver: "exec", Config: { command: "/bin/log-shipper" }, Resources: { CPU: 100, MemoryMB: 64 } },
      ],
    },
    {
      Name: "cache",
      Count: 1,
      Tasks: [{ Name: "redis", Driver: "docker", Config: { image: "redis:7" }, Resources: { CPU: 250, MemoryMB: 512 } }],
    },
  ],
});

const summary = NomadJobSummarySchema.parse({
  JobID: "webapp",
  Namespace: "default",
  Summary: {
    frontend: { Queued: 2, Complete: 1, Failed: 1, Running: 6, Starting: 1, Lost: 0, Unknown: 0 },
    cache: { Queued: 0, Complete: 0, Failed: 0, Running: 1, Starting: 0, Lost: 0, Unknown: 0 },
  },
  Children: { Pending: 0, Running: 0, Dead: 0 },
});

const alloc = (over: Record<string, unknown> = {}) =>
  NomadAllocationSchema.parse({
    ID: "fefe81d0-08b2-4eca-fae6-6560cde46d31",
    Name: "webapp.frontend[0]",
    Namespace: "default",
    NodeID: "1ac61e33-a465-2ace-f63f-cffa1285e7eb",
    NodeName: "mew",
    JobID: "webapp",
    JobType: "service",
    TaskGroup: "frontend",
    DesiredStatus: "run",
    DesiredDescription: "",
    ClientStatus: "running",
    ClientDescription: "Tasks are running",
    CreateTime: 1523490066575461000,
    TaskStates: {
      web: {
        State: "running",
        Failed: false,
        Restarts: 2,
        StartedAt: "2018-04-11T23:41:08.1Z",
        FinishedAt: "0001-01-01T00:00:00Z",
        Events: [{ Type: "Started", DisplayMessage: "Task started by client", Time: 1523490068000000000 }],
      },
      sidecar: { State: "running", Failed: false, Restarts: 1, StartedAt: "2018-04-11T23:41:07.5Z", FinishedAt: null, Events: [] },
    },
    AllocatedResources: {
      Tasks: {
        web: { Cpu: { CpuShares: 500 }, Memory: { MemoryMB: 256 } },
        sidecar: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 64 } },
      },
      Shared: { Networks: [{ IP: "10.0.0.5" }], Ports: [{ Label: "http", Value: 23456, To: 5678, HostIP: "10.0.0.5" }] },
    },
    ...over,
  });

describe("mapNode", () => {
  it("turns NodeResources into capacity and subtracts ReservedResources for allocatable", () => {
    const { node: n, mhzPerCore } = mapNode(node({ ReservedResources: { Cpu: { CpuShares: 2000 }, Memory: { MemoryMB: 1024 } } }));
    expect(mhzPerCore).toBe(4000);
    expect(n.capacity).toEqual({ cpuMillis: 8000, memoryBytes: 15803 * 1048576 });
    expect(n.allocatable).toEqual({ cpuMillis: 7500, memoryBytes: (15803 - 1024) * 1048576 });
    expect(NodeCoreSchema.parse(n)).toEqual(n);
  });

  it("labels attributes and meta as Nomad interpolates them, and keeps facts in info", () => {
    const { node: n } = mapNode(node());
    expect(n.labels["attr.cpu.arch"]).toBe("amd64");
    expect(n.labels["meta.rack"]).toBe("r1");
    expect(n.labels["node.datacenter"]).toBe("dc1");
    expect(n.labels["attr.os.signals"]).toBeUndefined();
    expect(n.info).toMatchObject({ datacenter: "dc1", nomadVersion: "1.1.0", drivers: "docker", cpuCores: "8" });
    expect(n.status).toBe("ready");
    expect(n.schedulable).toBe(true);
    expect(n.createdAt).toBe("2021-03-31T12:11:39.000Z");
  });

  it("says why a node takes no work: down, draining, ineligible", () => {
    expect(mapNode(node({ Status: "down", StatusDescription: "node heartbeat missed" })).node).toMatchObject({
      status: "not-ready",
      schedulable: false,
      statusReason: "down: node heartbeat missed",
    });
    const draining = mapNode(node({ Drain: true, SchedulingEligibility: "ineligible" })).node;
    expect(draining.status).toBe("ready");
    expect(draining.schedulable).toBe(false);
    expect(draining.statusReason).toBe("draining; ineligible for scheduling");
    expect(mapNode(node({ Status: "disconnected" })).node.status).toBe("unknown");
  });
});

describe("mapJob", () => {
  it("makes one workload per task group with desired = Count and ready = summary Running", () => {
    const [frontend, cache] = mapJob(serviceJob, summary);
    expect(frontend).toMatchObject({
      id: "default~webapp~frontend",
      name: "webapp.frontend",
      namespace: "default",
      kind: "NomadTaskGroup",
      desired: 9,
      ready: 6,
      scalable: true,
      notScalableReason: null,
      images: ["hashicorp/http-echo:0.2.3", "exec:/bin/log-shipper"],
      autoscaler: { name: "nomad-autoscaler policy", minReplicas: 1, maxReplicas: 20 },
      selector: "nomad/job=webapp,nomad/group=frontend",
      createdAt: "2018-04-11T23:41:06.563Z",
    });
    expect(frontend?.labels).toEqual({ team: "web", "nomad/job": "webapp", "nomad/group": "frontend" });
    expect(frontend?.info).toEqual({
      "Job type": "service",
      "Job status": "running",
      "Group count": "9",
      Allocations: "6 running, 1 starting, 2 queued, 1 failed, 1 complete",
    });
    expect(frontend?.events).toEqual([]);
    expect(cache).toMatchObject({
      desired: 1,
      ready: 1,
      autoscaler: null,
      info: { "Job type": "service", "Job status": "running", "Group count": "1", Allocations: "1 running, 0 queued, 0 failed" },
    });
    for (const w of mapJob(serviceJob, summary)) expect(WorkloadCoreSchema.parse(w)).toEqual(w);
  });

  it("does not scale system jobs and counts their allocations as desired", () => {
    const system = NomadJobSchema.parse({
      ...serviceJob,
      ID: "exporter",
      Type: "system",
      TaskGroups: [{ Name: "exporter", Count: 1, Tasks: [] }],
    });
    const [w] = mapJob(system, { JobID: "exporter", Summary: { exporter: { Running: 3, Starting: 1, Queued: 1 } } });
    expect(w).toMatchObject({ scalable: false, notScalableReason: SYSTEM_NOT_SCALABLE, desired: 5, ready: 3 });
    expect(w?.info).toEqual({ "Job type": "system", "Job status": "running", Allocations: "3 running, 1 starting, 1 queued, 0 failed" });
    expect(SYSTEM_NOT_SCALABLE).toMatch(/^A system job runs one allocation per eligible client; /);
  });

  it("shows batch and periodic jobs with their state, not scalable", () => {
    const batch = NomadJobSchema.parse({ ...serviceJob, Type: "batch", Status: "dead" });
    expect(mapJob(batch, summary)[0]).toMatchObject({
      scalable: false,
      desired: 9,
      info: expect.objectContaining({ "Job type": "batch", "Job status": "dead" }),
    });
    expect(mapJob(batch, summary)[0]?.notScalableReason).toContain("status: dead");
    const periodic = NomadJobSchema.parse({ ...serviceJob, Type: "batch", Periodic: { Enabled: true, Spec: "0 3 * * *" } });
    expect(mapJob(periodic, null)[0]?.notScalableReason).toContain("0 3 * * *");
    expect(mapJob(periodic, null)[0]?.info).toMatchObject({ Periodic: "0 3 * * *", Allocations: "0 running, 0 queued, 0 failed" });
    const parameterized = NomadJobSchema.parse({ ...serviceJob, Type: "batch", ParameterizedJob: { Payload: "optional" } });
    expect(mapJob(parameterized, null)[0]?.info.Parameterized).toBe("yes: runs when dispatched");
    const child = NomadJobSchema.parse({ ...serviceJob, ID: "nightly/periodic-1700000000", Type: "batch", ParentID: "nightly" });
    const [childGroup] = mapJob(child, null);
    expect(childGroup?.info["Parent job"]).toBe("nightly");
    expect(childGroup).toMatchObject({ id: "default~nightly_2Fperiodic-1700000000~frontend", selector: null });
    expect(WorkloadCoreSchema.safeParse(childGroup).success).toBe(true);
    const stopped = NomadJobSchema.parse({ ...serviceJob, Stop: true, Status: "dead" });
    expect(mapJob(stopped, summary)[0]).toMatchObject({ desired: 0, scalable: false });
  });
});

describe("mapAllocation", () => {
  const perCore = (id: string | null) => (id === "1ac61e33-a465-2ace-f63f-cffa1285e7eb" ? 4000 : 2000);

  it("maps a running allocation to its workload and node with reserved resources in model units", () => {
    const t = mapAllocation(alloc(), perCore);
    expect(t).toMatchObject({
      id: "fefe81d0-08b2-4eca-fae6-6560cde46d31",
      name: "webapp.frontend[0]",
      workloadId: workloadIdOf("default", "webapp", "frontend"),
      node: "1ac61e33-a465-2ace-f63f-cffa1285e7eb",
      state: "running",
      ready: true,
      restarts: 3,
      startedAt: "2018-04-11T23:41:07.500Z",
      createdAt: "2018-04-11T23:41:06.575Z",
      ip: "10.0.0.5",
      requests: { cpuMillis: 150, memoryBytes: 320 * 1048576 },
    });
    expect(t.workloadId).toBe(mapJob(serviceJob, summary)[0]?.id);
    expect(TaskCoreSchema.parse(t)).toEqual(t);
  });

  it("maps client statuses and says why", () => {
    expect(mapAllocation(alloc({ ClientStatus: "complete", TaskStates: null }), perCore).state).toBe("succeeded");
    const failed = mapAllocation(alloc({ ClientStatus: "failed", ClientDescription: "Failed tasks" }), perCore);
    expect(failed).toMatchObject({ state: "failed", stateReason: "Failed tasks", ready: false });
    expect(mapAllocation(alloc({ ClientStatus: "lost", ClientDescription: "" }), perCore)).toMatchObject({
      state: "failed",
      stateReason: "Lost: its node stopped answering",
    });
    const pending = mapAllocation(
      alloc({
        ClientStatus: "pending",
        ClientDescription: "",
        TaskStates: {
          web: {
            State: "pending",
            Restarts: 0,
            Events: [
              { Type: "Received", DisplayMessage: "Task received by client", Time: 1 },
              { Type: "Driver", DisplayMessage: "Downloading image", Time: 2 },
            ],
          },
        },
      }),
      perCore,
    );
    expect(pending).toMatchObject({ state: "pending", stateReason: "Downloading image", startedAt: null });
    const stopping = mapAllocation(alloc({ DesiredStatus: "stop", DesiredDescription: "alloc not needed due to job update" }), perCore);
    expect(stopping).toMatchObject({
      state: "running",
      ready: false,
      stateReason: "Stopping (desired stop: alloc not needed due to job update)",
    });
  });

  it("converts CPU on the allocation's own node speed", () => {
    expect(mapAllocation(alloc({ NodeID: "other" }), perCore).requests.cpuMillis).toBe(300);
  });

  it("counts whole reserved cores as 1000 m each, whatever their MHz", () => {
    // structs.AllocatedTaskResources of a task with `cores = 2` beside one with `cpu = 500`.
    const cores = alloc({
      AllocatedResources: {
        Tasks: {
          db: {
            Cpu: { CpuShares: 8000, ReservedCores: [2, 3] },
            Memory: { MemoryMB: 1024, MemoryMaxMB: 0 },
            Networks: null,
            Devices: null,
          },
          web: { Cpu: { CpuShares: 500, ReservedCores: null }, Memory: { MemoryMB: 256, MemoryMaxMB: 512 }, Networks: null, Devices: null },
        },
        Shared: { DiskMB: 300, Networks: null, Ports: null },
      },
    });
    expect(mapAllocation(cores, perCore).requests).toEqual({ cpuMillis: 2125, memoryBytes: 1280 * 1048576 });
    // memory_max where set, else memory; the `cpu = 500` task's MHz are shares, so CPU is uncapped.
    expect(mapAllocation(cores, perCore).limits).toEqual({ cpuMillis: null, memoryBytes: (1024 + 512) * 1048576 });
  });

  it("caps CPU only when every task is pinned to whole cores, and memory at `memory` without memory_max", () => {
    const pinned = alloc({
      AllocatedResources: {
        Tasks: { db: { Cpu: { CpuShares: 8000, ReservedCores: [2, 3] }, Memory: { MemoryMB: 1024 } } },
      },
    });
    expect(mapAllocation(pinned, perCore).limits).toEqual({ cpuMillis: 2000, memoryBytes: 1024 * 1048576 });
    expect(mapAllocation(alloc(), perCore).limits).toEqual({ cpuMillis: null, memoryBytes: 320 * 1048576 });
    expect(mapAllocation(alloc({ AllocatedResources: null }), perCore).limits).toBeUndefined();
  });
});

describe("allocationEvents", () => {
  const t = (s: number) => 1764150000000000000 + s * 1e9;

  it("keeps the task events that ask for attention, newest first, not the routine ones", () => {
    const crashed = alloc({
      TaskStates: {
        web: {
          State: "running",
          Restarts: 1,
          Events: [
            { Type: "Received", DisplayMessage: "Task received by client", Time: t(0) },
            { Type: "Started", DisplayMessage: "Task started by client", Time: t(5) },
            { Type: "Terminated", DisplayMessage: 'Exit Code: 137, Exit Message: "OOM Killed"', Time: t(60) },
            { Type: "Restarting", DisplayMessage: "Task restarting in 15s", Time: t(61) },
            { Type: "Started", DisplayMessage: "Task started by client", Time: t(76) },
          ],
        },
      },
    });
    expect(allocationEvents(crashed)).toEqual([
      { at: "2025-11-26T09:41:01.000Z", level: "warning", message: "webapp.frontend[0] (web): Task restarting in 15s" },
      { at: "2025-11-26T09:41:00.000Z", level: "warning", message: 'webapp.frontend[0] (web): Exit Code: 137, Exit Message: "OOM Killed"' },
    ]);
    expect(allocationEvents(alloc())).toEqual([]);
  });

  it("does not count a stop that was asked for, and says when an allocation is lost or failed", () => {
    const stopped = alloc({
      DesiredStatus: "stop",
      ClientStatus: "complete",
      TaskStates: {
        web: {
          State: "dead",
          Events: [
            { Type: "Killing", DisplayMessage: "Sent interrupt. Waiting 5s before force killing", Time: t(10) },
            { Type: "Terminated", DisplayMessage: "Exit Code: 130", Time: t(11) },
            { Type: "Killed", DisplayMessage: "Task successfully killed", Time: t(12) },
          ],
        },
      },
    });
    expect(allocationEvents(stopped)).toEqual([]);
    expect(allocationEvents(alloc({ ClientStatus: "lost", ClientDescription: "", TaskStates: null, ModifyTime: t(30) }))).toEqual([
      { at: "2025-11-26T09:40:30.000Z", level: "warning", message: "webapp.frontend[0] lost: its node stopped answering" },
    ]);
    expect(
      allocationEvents(alloc({ ClientStatus: "failed", ClientDescription: "Failed tasks", TaskStates: null, ModifyTime: t(40) }))[0]
        ?.message,
    ).toBe("webapp.frontend[0] failed: Failed tasks");
  });

  it("merges into the group's events with its placement failure, bounded", () => {
    const blocked = NomadEvaluationSchema.parse({
      ID: "e1",
      Status: "blocked",
      FailedTGAllocs: { frontend: { NodesEvaluated: 3, DimensionExhausted: { memory: 3 } } },
      CreateTime: t(100),
      ModifyTime: t(200),
    });
    const many = Array.from({ length: 15 }, (_, i) => ({
      at: new Date(Date.UTC(2025, 10, 26, 9, 0, i)).toISOString(),
      level: "warning" as const,
      message: `crash ${i}`,
    }));
    const [frontend, cache] = mapJob(serviceJob, summary, { blocked, allocationEvents: new Map([["default~webapp~frontend", many]]) });
    expect(frontend?.events).toHaveLength(MAX_WORKLOAD_EVENTS);
    expect(frontend?.events[0]).toEqual({
      at: "2025-11-26T09:43:20.000Z",
      level: "warning",
      message: "Placement failed for 2 allocations: memory exhausted on 3 nodes (3 nodes evaluated)",
    });
    expect(frontend?.events[1]?.message).toBe("crash 14");
    expect(cache?.events).toEqual([]);
    for (const w of [frontend, cache]) expect(WorkloadCoreSchema.parse(w)).toEqual(w);
  });
});

describe("queued work", () => {
  const blocked = NomadEvaluationSchema.parse({
    ID: "e1",
    Status: "blocked",
    FailedTGAllocs: { frontend: { NodesEvaluated: 3, NodesExhausted: 3, NodesFiltered: 0, DimensionExhausted: { memory: 2, cpu: 1 } } },
    CreateIndex: 9,
  });

  it("explains a placement failure from the blocked evaluation", () => {
    expect(placementFailure(blocked, "frontend")).toBe("memory exhausted on 2 nodes; cpu exhausted on 1 node (3 nodes evaluated)");
    expect(placementFailure(blocked, "cache")).toBeNull();
  });

  it("stands in pending tasks for the summary's Queued count", () => {
    const tasks = queuedTasks(serviceJob, summary, blocked);
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      workloadId: "default~webapp~frontend",
      node: null,
      state: "pending",
      stateReason: "Queued: memory exhausted on 2 nodes; cpu exhausted on 1 node (3 nodes evaluated)",
      requests: { cpuMillis: 300, memoryBytes: 320 * 1048576 },
    });
    expect(new Set(tasks.map((t) => t.id)).size).toBe(2);
    expect(queuedTasks(serviceJob, summary, undefined)[0]?.stateReason).toBe("Queued: waiting for the scheduler to place it");
  });

  it("asks whole cores of a task that wants `cores` instead of MHz", () => {
    const pinned = NomadJobSchema.parse({
      ...serviceJob,
      TaskGroups: [
        {
          Name: "frontend",
          Count: 2,
          Tasks: [{ Name: "db", Driver: "docker", Config: { image: "postgres:16" }, Resources: { CPU: 0, Cores: 2, MemoryMB: 2048 } }],
        },
      ],
    });
    expect(queuedTasks(pinned, summary, blocked)[0]?.requests).toEqual({ cpuMillis: 2000, memoryBytes: 2048 * 1048576 });
  });

  it("finds the failures on the blocked evaluation, or on the one that created it (older servers)", () => {
    const evals = (list: Record<string, unknown>[]) => list.map((e) => NomadEvaluationSchema.parse(e));
    const failed = { frontend: { NodesEvaluated: 3, NodesExhausted: 3, DimensionExhausted: { memory: 3 } } };
    // Nomad 1.2+: CreateBlockedEval copies FailedTGAllocs onto the blocked evaluation.
    const modern = evals([
      { ID: "e1", Status: "complete", BlockedEval: "e2", FailedTGAllocs: failed, CreateIndex: 10 },
      { ID: "e2", Status: "blocked", BlockedEval: "", FailedTGAllocs: failed, CreateIndex: 11 },
    ]);
    expect(latestPlacementFailure(modern)?.ID).toBe("e2");
    // Older: only the evaluation that created the blocked one holds them.
    const older = evals([
      { ID: "e1", Status: "complete", BlockedEval: "e2", FailedTGAllocs: failed, CreateIndex: 10 },
      { ID: "e2", Status: "blocked", BlockedEval: "", FailedTGAllocs: null, CreateIndex: 11 },
    ]);
    expect(latestPlacementFailure(older)?.ID).toBe("e1");
    // Once the blocked evaluation is done, nothing waits any more.
    const placed = evals([
      { ID: "e1", Status: "complete", BlockedEval: "e2", FailedTGAllocs: failed, CreateIndex: 10 },
      { ID: "e2", Status: "complete", BlockedEval: "", FailedTGAllocs: failed, CreateIndex: 11 },
    ]);
    expect(latestPlacementFailure(placed)).toBeUndefined();
  });
});

describe("services", () => {
  it("groups Nomad registrations of one service as endpoints", () => {
    const regs = [
      {
        ID: "_nomad-task-a",
        ServiceName: "webapp",
        Namespace: "default",
        NodeID: "n1",
        JobID: "webapp",
        AllocID: "a",
        Tags: ["urlprefix-/"],
        Address: "10.0.0.5",
        Port: 23456,
      },
      {
        ID: "_nomad-task-b",
        ServiceName: "webapp",
        Namespace: "default",
        NodeID: "n2",
        JobID: "webapp",
        AllocID: "b",
        Tags: ["urlprefix-/"],
        Address: "10.0.0.6",
        Port: 21000,
      },
    ].map((r) => NomadServiceRegistrationSchema.parse(r));
    const s = mapNativeService("default", "webapp", regs);
    expect(s).toMatchObject({
      id: "nomad~default~webapp",
      type: "nomad",
      readyEndpoints: 2,
      totalEndpoints: 2,
      selector: { "nomad/job": "webapp" },
      headless: true,
    });
    expect(s.ports.map((p) => p.port)).toEqual([21000, 23456]);
    expect(ServiceSchema.parse(s)).toEqual(s);
  });

  it("declares Consul services of a job without making up their health", () => {
    const consul = consulServicesOfJob(serviceJob);
    expect(consul).toHaveLength(1);
    expect(consul[0]).toMatchObject({
      id: "consul~default~webapp-admin",
      type: "consul",
      readyEndpoints: null,
      totalEndpoints: null,
      ports: [{ port: 9000 }],
    });
  });
});

describe("health signals", () => {
  // Task events as the client records them (structs.TaskEvent): Time in nanoseconds, Details beside the display message.
  const at = (s: number) => 1764150000000000000 + s * 1e9;
  const iso = (s: number) => new Date(at(s) / 1e6).toISOString();
  const ev = (type: string, s: number, message: string, details: Record<string, string> = {}) => ({
    Type: type,
    Time: at(s),
    DisplayMessage: message,
    Details: details,
  });
  const received = ev("Received", 0, "Task received by client");
  const started = (s: number) => ev("Started", s, "Task started by client");
  const exited = (s: number, code = 1) =>
    ev("Terminated", s, `Exit Code: ${code}`, { exit_code: String(code), signal: "0", oom_killed: "false" });
  const restarting = (s: number) => ev("Restarting", s, "Task restarting in 16.769843104s", { restart_reason: "Restart within policy" });
  const web = (state: Record<string, unknown>) => ({ web: { Failed: false, StartedAt: "2025-11-26T09:40:05Z", ...state } });
  const problems = (over: Record<string, unknown>) => allocationProblems(alloc({ ModifyTime: at(300), ...over }));

  it("reads a task waiting out its restart delay after a failed run as a crash loop, critical while it lasts", () => {
    const crashing = problems({
      ClientStatus: "pending",
      ClientDescription: "No tasks have started",
      TaskStates: web({
        State: "pending",
        Restarts: 1,
        Events: [received, started(5), exited(20), restarting(20), started(37), exited(52), restarting(52)],
      }),
    });
    expect(crashing).toEqual([
      {
        severity: "critical",
        reason: "Crash loop",
        evidence: "task web: Exit Code: 1; Task restarting in 16.769843104s (1 restart)",
        since: iso(52),
        ongoing: true,
      },
    ]);
    // The mapped task carries it, and reads as failing.
    expect(
      mapAllocation(
        alloc({ ClientStatus: "pending", TaskStates: web({ State: "pending", Events: [started(5), exited(20), restarting(20)] }) }),
        () => 2000,
      ).problems,
    ).toMatchObject([{ reason: "Crash loop", severity: "critical" }]);
  });

  it("reads an image the driver cannot pull, and other starts that fail, by what the driver said", () => {
    const pull =
      'Failed to pull `registry.acme.invalid/web:2`: Error response from daemon: Get "https://registry.acme.invalid/v2/": dial tcp: lookup registry.acme.invalid: no such host';
    const [p] = problems({
      ClientStatus: "pending",
      TaskStates: web({
        State: "pending",
        Restarts: 2,
        Events: [received, ev("Driver Failure", 3, pull, { driver_error: pull }), restarting(3)],
      }),
    });
    expect(p).toMatchObject({ severity: "critical", reason: "Image cannot be pulled", since: iso(3), ongoing: true });
    expect(p?.evidence).toBe(`task web: ${pull}; Task restarting in 16.769843104s (2 restarts)`);
    const [hook] = problems({
      ClientStatus: "pending",
      TaskStates: web({
        State: "pending",
        Events: [received, ev("Task hook failed", 2, "vault: failed to derive vault token: permission denied")],
      }),
    });
    expect(hook).toMatchObject({
      severity: "critical",
      reason: "Container cannot start",
      evidence: "task web: vault: failed to derive vault token: permission denied",
    });
  });

  it("reads an OOM kill of a task that runs again as a past warning, dated when it happened", () => {
    const oom = ev("Terminated", 60, 'Exit Code: 137, Exit Message: "OOM Killed"', { exit_code: "137", signal: "0", oom_killed: "true" });
    expect(
      problems({ TaskStates: web({ State: "running", Restarts: 1, Events: [received, started(5), oom, restarting(60), started(77)] }) }),
    ).toEqual([
      {
        severity: "warning",
        reason: "Out of memory",
        evidence: 'task web: Exit Code: 137, Exit Message: "OOM Killed"; Task restarting in 16.769843104s (1 restart)',
        since: iso(60),
        ongoing: false,
      },
    ]);
  });

  it("keeps failures close together a crash loop while the task is briefly up between them", () => {
    const burst = [
      received,
      started(5),
      exited(20),
      restarting(20),
      started(37),
      exited(52),
      restarting(52),
      started(69),
      exited(84),
      restarting(84),
      started(101),
    ];
    expect(problems({ TaskStates: web({ State: "running", Restarts: 3, Events: burst }) })).toMatchObject([
      { severity: "critical", reason: "Crash loop", since: iso(84), ongoing: false },
    ]);
    // Three failures over two hours are not a loop: the last one is a past warning.
    const spread = [started(5), exited(20), started(37), exited(3620), started(3637), exited(7220), started(7237)];
    expect(problems({ TaskStates: web({ State: "running", Restarts: 3, Events: spread }) })).toMatchObject([
      { severity: "warning", reason: "Container failed", since: iso(7220), ongoing: false },
    ]);
    // Servers before Details say the exit code only in the message.
    const old = [started(5), { Type: "Terminated", Time: at(9), DisplayMessage: "Exit Code: 2" }, started(30)];
    expect(problems({ TaskStates: web({ State: "running", Events: old }) })).toMatchObject([{ reason: "Container failed", since: iso(9) }]);
  });

  it("reads a failed allocation as critical until a replacement takes its place, then as history", () => {
    const gaveUp = ev("Not Restarting", 84, 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"', { fails_task: "true" });
    const failed = {
      ClientStatus: "failed",
      ClientDescription: "Failed tasks",
      TaskStates: web({
        State: "dead",
        Failed: true,
        Restarts: 2,
        Events: [
          received,
          started(5),
          exited(20),
          restarting(20),
          started(37),
          exited(52),
          restarting(52),
          started(69),
          exited(84),
          gaveUp,
        ],
      }),
    };
    expect(problems(failed)).toEqual([
      {
        severity: "critical",
        reason: "Crash loop",
        evidence: 'task web: Exit Code: 1; Exceeded allowed attempts 2 in interval 30m0s and mode is "fail" (2 restarts)',
        since: iso(84),
        ongoing: true,
      },
    ]);
    expect(problems({ ...failed, NextAllocation: "5ad1e0f2-0b1d-3f6b-1b5e-1a0f9c3d7e21" })).toMatchObject([
      { severity: "warning", reason: "Crash loop", ongoing: false },
    ]);
    // A batch allocation that failed for good is how its run ended, not a condition that holds.
    expect(problems({ ...failed, JobType: "batch" })).toMatchObject([{ severity: "critical", ongoing: false }]);
    // Without a task that says why, the allocation's own words.
    expect(problems({ ClientStatus: "failed", ClientDescription: "Failed tasks", TaskStates: null })).toEqual([
      { severity: "critical", reason: "Container failed", evidence: "failed: Failed tasks", since: iso(300), ongoing: true },
    ]);
  });

  it("reads a lost allocation as its node lost, critical until it is replaced", () => {
    // The scheduler marks a lost allocation "stop" itself (reconciler: allocLost).
    const lost = {
      ClientStatus: "lost",
      DesiredStatus: "stop",
      DesiredDescription: "alloc is lost since its node is down",
      ClientDescription: "alloc is lost since its node is down",
      TaskStates: null,
    };
    expect(problems(lost)).toEqual([
      {
        severity: "critical",
        reason: "Node lost",
        evidence: "lost on node mew: alloc is lost since its node is down",
        since: iso(300),
        ongoing: true,
      },
    ]);
    expect(problems({ ...lost, NextAllocation: "5ad1e0f2-0b1d-3f6b-1b5e-1a0f9c3d7e21" })).toMatchObject([
      { severity: "warning", reason: "Node lost", ongoing: false },
    ]);
  });

  it("reads an allocation its deployment marked unhealthy while its tasks run", () => {
    const unhealthy = (message: string) =>
      problems({
        DeploymentStatus: { Healthy: false, Timestamp: "2025-11-26T09:45:00Z" },
        TaskStates: web({ State: "running", Events: [received, started(5), ev("Alloc Unhealthy", 300, message)] }),
      });
    expect(unhealthy("Services not healthy by deadline: webapp")).toEqual([
      {
        severity: "critical",
        reason: "Failing health check",
        evidence: "Services not healthy by deadline: webapp",
        since: "2025-11-26T09:45:00.000Z",
        ongoing: true,
      },
    ]);
    expect(unhealthy("Task not running for min_healthy_time of 10s by deadline")).toMatchObject([{ reason: "Not healthy by deadline" }]);
  });

  it("finds nothing wrong with a healthy allocation or one stopped on purpose", () => {
    expect(allocationProblems(alloc())).toEqual([]);
    expect(mapAllocation(alloc(), () => 2000).problems).toBeUndefined();
    const stopped = problems({
      DesiredStatus: "stop",
      ClientStatus: "complete",
      TaskStates: web({
        State: "dead",
        Events: [
          started(5),
          ev("Killing", 10, "Sent interrupt. Waiting 5s before force killing"),
          exited(11, 130),
          ev("Killed", 12, "Task successfully killed"),
        ],
      }),
    });
    expect(stopped).toEqual([]);
    // A running allocation restarted on a signal (a re-rendered template) did not fail either.
    const signaled = [
      started(5),
      ev("Restart Signaled", 9, "Template with change_mode restart re-rendered"),
      ev("Killing", 9, "Sent interrupt"),
      exited(10, 130),
      started(11),
    ];
    expect(problems({ TaskStates: web({ State: "running", Restarts: 1, Events: signaled }) })).toEqual([]);
  });

  const blocked = NomadEvaluationSchema.parse({
    ID: "e1",
    Status: "blocked",
    FailedTGAllocs: { frontend: { NodesEvaluated: 3, NodesExhausted: 3, DimensionExhausted: { memory: 3 }, CoalescedFailures: 1 } },
    CreateTime: at(100),
    ModifyTime: at(200),
  });

  it("says a group cannot be placed with the blocked evaluation's figures, while allocations are queued", () => {
    const [frontend, cache] = mapJob(serviceJob, summary, { blocked });
    expect(frontend?.problems).toEqual([
      {
        severity: "critical",
        reason: "Cannot be placed",
        evidence: "2 allocations queued: memory exhausted on 3 nodes (3 nodes evaluated)",
        since: iso(100),
        ongoing: true,
      },
    ]);
    expect(cache?.problems).toBeUndefined();
    // Queued without a blocked evaluation: the scheduler has not decided yet, nothing is known to be wrong.
    expect(mapJob(serviceJob, summary)[0]?.problems).toBeUndefined();
    for (const w of mapJob(serviceJob, summary, { blocked })) expect(WorkloadCoreSchema.parse(w)).toEqual(w);
  });

  // GET /v1/deployments answers deployments in this shape (api/deployments.go).
  const deployment = (over: Record<string, unknown>) =>
    NomadDeploymentSchema.parse({
      ID: "70638f62-5c19-193e-30d6-f9d6e689ab8e",
      Namespace: "default",
      JobID: "webapp",
      JobVersion: 4,
      JobModifyIndex: 17,
      JobSpecModifyIndex: 17,
      JobCreateIndex: 7,
      IsMultiregion: false,
      TaskGroups: {
        frontend: {
          AutoRevert: false,
          Promoted: false,
          DesiredCanaries: 0,
          DesiredTotal: 9,
          PlacedAllocs: 9,
          HealthyAllocs: 6,
          UnhealthyAllocs: 3,
        },
        cache: {
          AutoRevert: false,
          Promoted: false,
          DesiredCanaries: 0,
          DesiredTotal: 1,
          PlacedAllocs: 1,
          HealthyAllocs: 1,
          UnhealthyAllocs: 0,
        },
      },
      Status: "failed",
      StatusDescription: "Failed due to unhealthy allocations",
      CreateIndex: 19,
      ModifyIndex: 31,
      CreateTime: at(0),
      ModifyTime: at(240),
      ...over,
    });

  it("says a rollout failed on the groups it left short, and on all of them when none is", () => {
    const [frontend, cache] = mapJob(serviceJob, summary, { deployment: deployment({}) });
    expect(frontend?.problems).toEqual([
      {
        severity: "critical",
        reason: "Rollout failed",
        evidence: "deployment 70638f62 of job version 4: Failed due to unhealthy allocations (6 of 9 healthy, 3 unhealthy)",
        since: iso(240),
        ongoing: true,
      },
    ]);
    expect(cache?.problems).toBeUndefined();
    const byUser = deployment({
      StatusDescription: "Deployment marked as failed",
      TaskGroups: { frontend: { DesiredTotal: 9, HealthyAllocs: 9 }, cache: { DesiredTotal: 1, HealthyAllocs: 1 } },
      CreateTime: null,
      ModifyTime: null,
    });
    expect(mapJob(serviceJob, summary, { deployment: byUser }).map((w) => w.problems?.map((p) => [p.reason, p.since]))).toEqual([
      [["Rollout failed", null]],
      [["Rollout failed", null]],
    ]);
    for (const status of ["running", "successful", "cancelled"]) {
      expect(mapJob(serviceJob, summary, { deployment: deployment({ Status: status }) })[0]?.problems).toBeUndefined();
    }
  });

  it("reads a driver the client detected but reports unhealthy as a warning on the node", () => {
    const docker = { Detected: true, Healthy: false, HealthDescription: "Docker is unavailable", UpdateTime: "2025-11-26T09:30:00Z" };
    const n = node({ Drivers: { docker, exec: { Detected: true, Healthy: true }, qemu: { Detected: false, Healthy: false } } });
    expect(nodeProblems(n)).toEqual([
      {
        severity: "warning",
        reason: "Driver unhealthy",
        evidence: "driver docker: Docker is unavailable",
        since: "2025-11-26T09:30:00.000Z",
        ongoing: true,
      },
    ]);
    expect(mapNode(n).node.problems).toHaveLength(1);
    expect(mapNode(node()).node.problems).toBeUndefined();
  });
});

describe("groupVolumes", () => {
  // A group's volume blocks as GET /v1/job/:id answers them: a per-allocation CSI volume and a read-only host volume.
  const database = NomadJobSchema.parse({
    ...serviceJob,
    ID: "mysql",
    TaskGroups: [
      {
        Name: "db",
        Count: 3,
        Volumes: {
          mysql: {
            Name: "mysql",
            Type: "csi",
            Source: "mysql-data",
            ReadOnly: false,
            AccessMode: "single-node-writer",
            AttachmentMode: "file-system",
            MountOptions: { FSType: "ext4", MountFlags: ["noatime"] },
            PerAlloc: true,
            Sticky: false,
          },
          certs: {
            Name: "certs",
            Type: "host",
            Source: "ca-certificates",
            ReadOnly: false,
            AccessMode: "",
            AttachmentMode: "",
            MountOptions: null,
            PerAlloc: false,
          },
          scratch: { Name: "scratch", Type: "host", Source: "scratch", ReadOnly: false, AccessMode: "", PerAlloc: false },
        },
        Tasks: [
          {
            Name: "mysql",
            Driver: "docker",
            Config: { image: "mysql:8.4" },
            Resources: { CPU: 1000, MemoryMB: 2048 },
            VolumeMounts: [
              { Volume: "mysql", Destination: "/var/lib/mysql", ReadOnly: false, PropagationMode: "private" },
              { Volume: "certs", Destination: "/etc/ssl/certs", ReadOnly: true, PropagationMode: "private" },
            ],
          },
          {
            Name: "backup",
            Driver: "docker",
            Config: { image: "ghcr.io/acme/backup:1" },
            Resources: { CPU: 100, MemoryMB: 128 },
            VolumeMounts: [{ Volume: "certs", Destination: "/etc/ssl/certs", ReadOnly: false, PropagationMode: "private" }],
          },
        ],
      },
    ],
  });
  const dbSummary = NomadJobSummarySchema.parse({ JobID: "mysql", Summary: { db: { Running: 2, Queued: 1 } } });

  it("lists the group's volumes by name, a per-allocation one as the allocations' sources", () => {
    const [db] = mapJob(database, dbSummary);
    expect(WorkloadCoreSchema.parse(db).volumes).toEqual([
      // Mounted read-only by one task, read-write by the other.
      {
        name: "certs",
        type: "host",
        claim: "ca-certificates",
        capacityBytes: null,
        accessModes: ["read-write", "read-only"],
        status: "mounted",
      },
      {
        name: "mysql",
        type: "csi",
        claim: "mysql-data[{0..2}]",
        capacityBytes: null,
        accessModes: ["single-node-writer"],
        status: "mounted",
      },
      // Asked for but mounted by no task: the group's own flag says how it would be.
      { name: "scratch", type: "host", claim: "scratch", capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
    ]);
  });

  it("says unmounted while no allocation runs, and no per-allocation volume for a group scaled to zero", () => {
    const [stopped] = mapJob(database, NomadJobSummarySchema.parse({ JobID: "mysql", Summary: { db: { Running: 0 } } }));
    expect(stopped.volumes.map((v) => v.status)).toEqual(["unmounted", "unmounted", "unmounted"]);
    const [none] = mapJob(NomadJobSchema.parse({ ...database, TaskGroups: [{ ...database.TaskGroups![0], Count: 0 }] }), dbSummary);
    expect(none.volumes[1]).toMatchObject({ name: "mysql", claim: null });
    expect(mapJob(serviceJob, summary).map((w) => w.volumes)).toEqual([[], []]);
  });
});
