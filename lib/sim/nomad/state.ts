import { randomUUID } from "node:crypto";
import type { SimTaskEvent } from "./task-events";

/**
 * The simulated Nomad cluster's state: clients, jobs, allocations, blocked
 * evaluations, deployments and native service registrations, with Nomad's
 * raft-like indexes (one global counter, an index per table) and an event
 * buffer for /v1/event/stream. Objects are kept in Nomad's own JSON shapes
 * (PascalCase) so the HTTP layer mostly serialises them; simulator-only
 * fields live under `sim` and are stripped on the way out.
 */

export type Table = "nodes" | "jobs" | "job_summary" | "allocs" | "evals" | "deployments" | "services";

export interface SimNode {
  ID: string;
  Name: string;
  Datacenter: string;
  NodeClass: string;
  NodePool: string;
  Status: "initializing" | "ready" | "down" | "disconnected";
  StatusDescription: string;
  SchedulingEligibility: "eligible" | "ineligible";
  Drain: boolean;
  HTTPAddr: string;
  Address: string;
  Attributes: Record<string, string>;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
  sim: {
    cores: number;
    mhzPerCore: number;
    memoryMB: number;
    reservedMhz: number;
    reservedMemoryMB: number;
    registeredAt: string;
    phase: number;
  };
}

export interface SimTaskSpec {
  Name: string;
  Driver: string;
  /** docker: image (and ports); exec: command (and args). */
  Config: Record<string, unknown>;
  Resources: { CPU: number; MemoryMB: number };
  Services?: SimServiceSpec[] | null;
  /** Where the task mounts its group's volumes (null when it mounts none, as the API says it). */
  VolumeMounts?: { Volume: string; Destination: string; ReadOnly: boolean; PropagationMode: string }[] | null;
}

/** A group's volume request: a client's host volume, or a CSI volume (per allocation: Source[index]). */
export interface SimVolumeRequest {
  Name: string;
  Type: "host" | "csi";
  Source: string;
  ReadOnly: boolean;
  AccessMode: string;
  AttachmentMode: string;
  PerAlloc: boolean;
  MountOptions: null;
}

export interface SimServiceSpec {
  Name: string;
  PortLabel: string;
  Provider: "nomad" | "consul";
  Tags: string[] | null;
}

export interface SimTaskGroup {
  Name: string;
  Count: number;
  Meta: Record<string, string> | null;
  Scaling: { Min: number; Max: number; Enabled: boolean; Policy: Record<string, unknown> | null } | null;
  Networks:
    | {
        Mode: string;
        DynamicPorts: { Label: string; Value: number; To: number }[] | null;
        ReservedPorts: { Label: string; Value: number; To: number }[] | null;
      }[]
    | null;
  Services: SimServiceSpec[] | null;
  /** By name (null when the group asks for none); the scheduler does not check them against the clients. */
  Volumes?: Record<string, SimVolumeRequest> | null;
  Tasks: SimTaskSpec[];
}

export interface SimJob {
  ID: string;
  Name: string;
  Namespace: string;
  Region: string;
  Type: "service" | "batch" | "system" | "sysbatch";
  Priority: number;
  Datacenters: string[];
  /** "all" places on clients of every pool. */
  NodePool: string;
  Meta: Record<string, string> | null;
  Status: "pending" | "running" | "dead";
  StatusDescription: string;
  Stop: boolean;
  Periodic: null;
  ParameterizedJob: null;
  ParentID: string;
  TaskGroups: SimTaskGroup[];
  Version: number;
  SubmitTime: number;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  sim: {
    queued: Record<string, number>;
    /** Bumped by a job update that changes the spec: allocations placed under an older one are replaced. */
    spec: number;
    batchRunMs?: number;
    failEvery?: number;
    usage?: Record<string, UsageProfile>;
  };
}

/** How a group's allocations use what they reserve (see usage.ts); absent fields take the usual values. */
export interface UsageProfile {
  /** Mean fraction of the reserved CPU in use before the day's demand scales it. */
  cpu?: number;
  /** Mean fraction of the reserved memory in use. */
  memory?: number;
  /** Memory climbs to the limit and the task is OOM-killed and restarted this often. */
  leakEveryMs?: number;
}

export interface SimTaskState {
  State: "pending" | "running" | "dead";
  Failed: boolean;
  Restarts: number;
  LastRestart: string | null;
  StartedAt: string | null;
  FinishedAt: string | null;
  /** The latest 10, oldest first. */
  Events: SimTaskEvent[];
}

/** structs.AllocState: a change of the allocation's ClientStatus (Field 0) the servers recorded, with Go's time. */
export interface SimAllocState {
  Field: 0;
  Value: string;
  Time: string;
}

/** structs.RescheduleEvent: an earlier allocation this one's work was rescheduled from; Delay in nanoseconds. */
export interface SimRescheduleEvent {
  PrevAllocID: string;
  PrevNodeID: string;
  RescheduleTime: number;
  Delay: number;
}

export interface SimAlloc {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType: string;
  JobVersion: number;
  TaskGroup: string;
  DesiredStatus: "run" | "stop" | "evict";
  DesiredDescription: string;
  ClientStatus: "pending" | "running" | "complete" | "failed" | "lost" | "unknown";
  ClientDescription: string;
  TaskStates: Record<string, SimTaskState>;
  /** The failed or lost allocation this one replaces, and the one that replaced this one. */
  PreviousAllocation: string;
  NextAllocation: string;
  /** Set on a reschedule of a failed allocation: the chain of reschedules so far (a lost one's replacement has none). */
  RescheduleTracker: { Events: SimRescheduleEvent[] } | null;
  /**
   * What the scheduler's plans set (Plan.AppendStoppedAlloc appends one for
   * every stop, its Value the new ClientStatus: "lost", or "" when only the
   * desired status changed); null until then.
   */
  AllocStates: SimAllocState[] | null;
  DeploymentID: string;
  /** structs.AllocDeploymentStatus: set once the deployment judged the allocation. */
  DeploymentStatus: { Healthy: boolean | null; Timestamp: string; Canary: boolean; ModifyIndex: number } | null;
  AllocatedResources: {
    Tasks: Record<string, { Cpu: { CpuShares: number }; Memory: { MemoryMB: number; MemoryMaxMB: number } }>;
    Shared: {
      DiskMB: number;
      Networks: { IP: string; DynamicPorts: { Label: string; Value: number; To: number }[] }[];
      Ports: { Label: string; Value: number; To: number; HostIP: string }[];
    };
  };
  CreateIndex: number;
  ModifyIndex: number;
  AllocModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
  sim: {
    slot: number;
    /** The job's spec version it was placed under. */
    spec: number;
    /** The job as it was when the allocation was placed: GET /v1/allocation/:id answers it as the allocation's Job. */
    job: Omit<SimJob, "sim">;
    /** What the next start attempt does: pull the image (half way), then start the tasks. */
    step: "pull" | "start";
    nextAt: number;
    runUntil: number | null;
    /** When a task that exits at once (see exitsAtOnce) ends its current run. */
    exitAt: number | null;
    phase: number;
    willFail: boolean;
    terminalAt: number | null;
    usage: UsageProfile | null;
  };
}

export interface SimEvaluation {
  ID: string;
  Namespace: string;
  JobID: string;
  Type: string;
  TriggeredBy: string;
  Status: "blocked" | "complete";
  StatusDescription: string;
  FailedTGAllocs: Record<
    string,
    { NodesEvaluated: number; NodesFiltered: number; NodesExhausted: number; DimensionExhausted: Record<string, number> }
  > | null;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** structs.DeploymentState of one group. */
export interface SimDeploymentState {
  AutoRevert: boolean;
  AutoPromote: boolean;
  /** Nanoseconds. */
  ProgressDeadline: number;
  RequireProgressBy: string;
  Promoted: boolean;
  PlacedCanaries: string[] | null;
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

/** structs.Deployment: the rollout of one version of a service job. */
export interface SimDeployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  JobModifyIndex: number;
  JobSpecModifyIndex: number;
  JobCreateIndex: number;
  IsMultiregion: boolean;
  TaskGroups: Record<string, SimDeploymentState>;
  Status: "running" | "successful" | "failed" | "cancelled";
  StatusDescription: string;
  EvalPriority: number;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export interface SimServiceRegistration {
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  Datacenter: string;
  JobID: string;
  AllocID: string;
  Tags: string[];
  Address: string;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface SimEvent {
  Topic: "Node" | "Job" | "Allocation" | "Evaluation" | "Deployment" | "Service";
  Type: string;
  Key: string;
  Namespace: string;
  FilterKeys: string[] | null;
  Index: number;
  Payload: Record<string, unknown>;
}

export interface SimEventBatch {
  Index: number;
  Events: SimEvent[];
}

const EVENT_BUFFER = 4096;

/** Removes the simulator-only `sim` field from an object on its way out. */
export function wire<T extends { sim?: unknown }>(value: T): Omit<T, "sim"> {
  const { sim: _sim, ...rest } = value;
  void _sim;
  return rest;
}

export class NomadWorld {
  index = 1;
  readonly tableIndex: Record<Table, number> = { nodes: 1, jobs: 1, job_summary: 1, allocs: 1, evals: 1, deployments: 1, services: 1 };
  readonly nodes = new Map<string, SimNode>();
  readonly jobs = new Map<string, SimJob>();
  readonly allocs = new Map<string, SimAlloc>();
  readonly evals = new Map<string, SimEvaluation>();
  readonly deployments = new Map<string, SimDeployment>();
  readonly services = new Map<string, SimServiceRegistration>();
  readonly namespaces = new Set<string>(["default"]);
  readonly events: SimEventBatch[] = [];
  private readonly listeners = new Set<() => void>();
  private nextPort = 20000;

  constructor(
    readonly region = "global",
    readonly version = "1.9.3",
  ) {}

  static jobKey(namespace: string, id: string): string {
    return `${namespace}\u0000${id}`;
  }

  job(namespace: string, id: string): SimJob | undefined {
    return this.jobs.get(NomadWorld.jobKey(namespace, id));
  }

  /** Records a write: bumps the index of the tables it touched, buffers its events and wakes waiters. */
  commit(tables: Table[], events: Omit<SimEvent, "Index">[] = []): number {
    const index = ++this.index;
    for (const t of tables) this.tableIndex[t] = index;
    if (events.length) {
      this.events.push({ Index: index, Events: events.map((e) => ({ ...e, Index: index })) });
      if (this.events.length > EVENT_BUFFER) this.events.splice(0, this.events.length - EVENT_BUFFER);
    }
    for (const listener of [...this.listeners]) listener();
    return index;
  }

  /** Calls `listener` after every commit until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  newId(): string {
    return randomUUID();
  }

  dynamicPort(): number {
    this.nextPort = this.nextPort >= 32000 ? 20000 : this.nextPort + 1;
    return this.nextPort;
  }

  nodeEvent(node: SimNode, type: string): Omit<SimEvent, "Index"> {
    return { Topic: "Node", Type: type, Key: node.ID, Namespace: "", FilterKeys: null, Payload: { Node: structuredClone(nodeJson(node)) } };
  }

  jobEvent(job: SimJob, type: string): Omit<SimEvent, "Index"> {
    return {
      Topic: "Job",
      Type: type,
      Key: job.ID,
      Namespace: job.Namespace,
      FilterKeys: null,
      Payload: { Job: structuredClone(wire(job)) },
    };
  }

  /** The event's Type is the raft message's: "PlanResult" for what the scheduler placed or stopped, "AllocationUpdated" for what a client reported. */
  allocEvent(alloc: SimAlloc, type: string): Omit<SimEvent, "Index"> {
    return {
      Topic: "Allocation",
      Type: type,
      Key: alloc.ID,
      Namespace: alloc.Namespace,
      // nomad/state/events.go: the job and the deployment (none here).
      FilterKeys: [alloc.JobID, ""],
      Payload: { Allocation: structuredClone(wire(alloc)) },
    };
  }

  evalEvent(evaluation: SimEvaluation, type = "EvaluationUpdated"): Omit<SimEvent, "Index"> {
    return {
      Topic: "Evaluation",
      Type: type,
      Key: evaluation.ID,
      Namespace: evaluation.Namespace,
      FilterKeys: [evaluation.JobID, ""],
      Payload: { Evaluation: structuredClone(evaluation) },
    };
  }

  /** Keyed by the deployment's ID, filterable by its job (nomad/state/events.go). */
  deploymentEvent(deployment: SimDeployment, type: string): Omit<SimEvent, "Index"> {
    return {
      Topic: "Deployment",
      Type: type,
      Key: deployment.ID,
      Namespace: deployment.Namespace,
      FilterKeys: [deployment.JobID],
      Payload: { Deployment: structuredClone(deployment) },
    };
  }

  /** Keyed by the registration's ID, filterable by its job and its service name (nomad/state/events.go). */
  serviceEvent(reg: SimServiceRegistration, type: string): Omit<SimEvent, "Index"> {
    return {
      Topic: "Service",
      Type: type,
      Key: reg.ID,
      Namespace: reg.Namespace,
      FilterKeys: [reg.JobID, reg.ServiceName],
      Payload: { Service: { ...reg } },
    };
  }
}

/** A node as GET /v1/node/:id answers it. */
export function nodeJson(node: SimNode): Record<string, unknown> {
  const { sim } = node;
  const totalMhz = sim.cores * sim.mhzPerCore;
  return {
    ...wire(node),
    ComputedClass: `v1:${node.NodeClass || "none"}`,
    DrainStrategy: node.Drain
      ? { Deadline: 3600_000_000_000, ForceDeadline: "0001-01-01T00:00:00Z", IgnoreSystemJobs: false, StartedAt: sim.registeredAt }
      : null,
    Drivers: {
      docker: {
        Attributes: { "driver.docker": "true", "driver.docker.version": "27.3.1" },
        Detected: true,
        Healthy: true,
        HealthDescription: "Healthy",
        UpdateTime: sim.registeredAt,
      },
      exec: { Attributes: null, Detected: true, Healthy: true, HealthDescription: "Healthy", UpdateTime: sim.registeredAt },
    },
    Events: [
      { CreateIndex: node.CreateIndex, Details: null, Message: "Node registered", Subsystem: "Cluster", Timestamp: sim.registeredAt },
    ],
    NodeResources: {
      Cpu: { CpuShares: totalMhz, TotalCpuCores: sim.cores, ReservableCpuCores: Array.from({ length: sim.cores }, (_, i) => i) },
      Memory: { MemoryMB: sim.memoryMB },
      Disk: { DiskMB: 100_000 },
      Networks: [{ Mode: "host", Device: "eth0", CIDR: `${node.Address}/32`, IP: node.Address, MBits: 1000 }],
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    ReservedResources: {
      Cpu: { CpuShares: sim.reservedMhz },
      Memory: { MemoryMB: sim.reservedMemoryMB },
      Disk: { DiskMB: 0 },
      Networks: { ReservedHostPorts: "" },
    },
    Resources: { CPU: totalMhz, MemoryMB: sim.memoryMB, DiskMB: 100_000, IOPS: 0, Networks: null },
    Reserved: { CPU: sim.reservedMhz, MemoryMB: sim.reservedMemoryMB, DiskMB: 0, IOPS: 0, Networks: null },
    StatusUpdatedAt: Math.floor(Date.parse(sim.registeredAt) / 1000),
    TLSEnabled: false,
    SecretID: "",
  };
}

/**
 * A node as GET /v1/nodes lists it (structs.NodeListStub): with
 * ?resources=true its NodeResources and ReservedResources too, with ?os=true
 * an Attributes map holding only os.name.
 */
export function nodeStub(node: SimNode, fields: { resources?: boolean; os?: boolean } = {}): Record<string, unknown> {
  const full = nodeJson(node);
  return {
    Address: node.Address,
    CreateIndex: node.CreateIndex,
    Datacenter: node.Datacenter,
    Drain: node.Drain,
    Drivers: full.Drivers,
    ID: node.ID,
    LastDrain: null,
    ModifyIndex: node.ModifyIndex,
    Name: node.Name,
    NodeClass: node.NodeClass,
    NodePool: node.NodePool,
    SchedulingEligibility: node.SchedulingEligibility,
    Status: node.Status,
    StatusDescription: node.StatusDescription,
    Version: node.Attributes["nomad.version"],
    HostVolumes: null,
    ...(fields.os ? { Attributes: { "os.name": node.Attributes["os.name"] ?? "" } } : {}),
    ...(fields.resources ? { NodeResources: full.NodeResources, ReservedResources: full.ReservedResources } : {}),
  };
}
