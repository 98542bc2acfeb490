import { z } from "zod";

/**
 * Zod schemas of the parts of Nomad's HTTP API JSON that Fleetdeck reads.
 * Nomad writes PascalCase keys and null for empty maps and lists, so most
 * fields are nullish. Unknown keys are dropped on parse: the adapter keeps
 * only what it maps.
 */

const StrMap = z.record(z.string(), z.string()).nullish();
const num = z.number().nullish();
const str = z.string().nullish();

const CpuShares = z.object({ CpuShares: num, TotalCpuCores: num }).nullish();
/** structs.AllocatedCpuResources: a task that asked for `cores` gets whole cores (ReservedCores) and their MHz as CpuShares. */
const AllocatedCpu = z.object({ CpuShares: num, ReservedCores: z.array(z.number()).nullish() }).nullish();
const MemoryMB = z.object({ MemoryMB: num, MemoryMaxMB: num }).nullish();

export const NomadNodeSchema = z.object({
  ID: z.string(),
  Name: z.string(),
  Datacenter: str,
  NodeClass: str,
  NodePool: str,
  Status: z.string(),
  StatusDescription: str,
  SchedulingEligibility: str,
  Drain: z.boolean().nullish(),
  DrainStrategy: z.object({ Deadline: num, ForceDeadline: str, StartedAt: str }).nullish(),
  HTTPAddr: str,
  Address: str,
  Version: str,
  Attributes: StrMap,
  Meta: StrMap,
  NodeResources: z.object({ Cpu: CpuShares, Memory: MemoryMB }).nullish(),
  ReservedResources: z.object({ Cpu: CpuShares, Memory: MemoryMB }).nullish(),
  Drivers: z
    .record(
      z.string(),
      z.object({ Detected: z.boolean().nullish(), Healthy: z.boolean().nullish(), HealthDescription: str, UpdateTime: str }),
    )
    .nullish(),
  Events: z.array(z.object({ Message: str, Timestamp: str })).nullish(),
  CreateIndex: num,
  ModifyIndex: num,
});
export type NomadNode = z.infer<typeof NomadNodeSchema>;

export const NomadNodeStubSchema = z.object({ ID: z.string(), ModifyIndex: num });

export const NomadTaskGroupSummarySchema = z.object({
  Queued: num,
  Complete: num,
  Failed: num,
  Running: num,
  Starting: num,
  Lost: num,
  Unknown: num,
});
export type NomadTaskGroupSummary = z.infer<typeof NomadTaskGroupSummarySchema>;

export const NomadJobSummarySchema = z.object({
  JobID: z.string(),
  Namespace: str,
  Summary: z.record(z.string(), NomadTaskGroupSummarySchema).nullish(),
  Children: z.object({ Pending: num, Running: num, Dead: num }).nullish(),
  ModifyIndex: num,
});
export type NomadJobSummary = z.infer<typeof NomadJobSummarySchema>;

export const NomadJobStubSchema = z.object({
  ID: z.string(),
  Name: str,
  Namespace: str,
  Type: z.string(),
  Status: str,
  Stop: z.boolean().nullish(),
  Periodic: z.boolean().nullish(),
  ParameterizedJob: z.boolean().nullish(),
  ParentID: str,
  JobSummary: NomadJobSummarySchema.nullish(),
  ModifyIndex: z.number(),
  JobModifyIndex: num,
});
export type NomadJobStub = z.infer<typeof NomadJobStubSchema>;

const ServiceSpec = z.object({ Name: z.string(), PortLabel: str, Provider: str, Tags: z.array(z.string()).nullish() });

export const NomadJobSchema = z.object({
  ID: z.string(),
  Name: str,
  Namespace: str,
  Type: z.string(),
  Status: str,
  StatusDescription: str,
  Stop: z.boolean().nullish(),
  Datacenters: z.array(z.string()).nullish(),
  Meta: StrMap,
  Periodic: z.object({ Enabled: z.boolean().nullish(), Spec: str, Specs: z.array(z.string()).nullish() }).nullish(),
  ParameterizedJob: z.object({}).passthrough().nullish(),
  ParentID: str,
  SubmitTime: num,
  CreateIndex: num,
  TaskGroups: z
    .array(
      z.object({
        Name: z.string(),
        Count: num,
        Meta: StrMap,
        Scaling: z
          .object({ Min: num, Max: num, Enabled: z.boolean().nullish(), Policy: z.record(z.string(), z.unknown()).nullish() })
          .nullish(),
        Services: z.array(ServiceSpec).nullish(),
        Networks: z
          .array(
            z.object({
              DynamicPorts: z.array(z.object({ Label: z.string(), Value: num, To: num })).nullish(),
              ReservedPorts: z.array(z.object({ Label: z.string(), Value: num, To: num })).nullish(),
            }),
          )
          .nullish(),
        /** By name: a client's host volume or a CSI volume, PerAlloc appending the allocation's index to Source. */
        Volumes: z
          .record(
            z.string(),
            z.object({ Type: str, Source: str, ReadOnly: z.boolean().nullish(), AccessMode: str, PerAlloc: z.boolean().nullish() }),
          )
          .nullish(),
        Tasks: z
          .array(
            z.object({
              Name: z.string(),
              Driver: str,
              VolumeMounts: z.array(z.object({ Volume: str, Destination: str, ReadOnly: z.boolean().nullish() })).nullish(),
              // Only what names the workload's images; the rest of a driver config is not kept.
              Config: z.object({ image: z.unknown().optional(), command: z.unknown().optional() }).nullish(),
              Services: z.array(ServiceSpec).nullish(),
              // A task asks for either CPU (MHz) or Cores (whole cores).
              Resources: z.object({ CPU: num, Cores: num, MemoryMB: num }).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
  ModifyIndex: num,
  JobModifyIndex: num,
});
export type NomadJob = z.infer<typeof NomadJobSchema>;

/**
 * structs.TaskEvent: Details holds exit_code, signal, oom_killed,
 * exit_message, driver_error, restart_reason and the like; Message is what a
 * hook or the health watcher said (servers before DisplayMessage have only it).
 */
const TaskEventSchema = z.object({ Type: str, DisplayMessage: str, Message: str, Time: num, Details: StrMap });
export type NomadTaskEvent = z.infer<typeof TaskEventSchema>;

const TaskStateSchema = z.object({
  State: str,
  Failed: z.boolean().nullish(),
  Restarts: num,
  StartedAt: str,
  FinishedAt: str,
  Events: z.array(TaskEventSchema).nullish(),
});
export type NomadTaskState = z.infer<typeof TaskStateSchema>;

export const NomadAllocationSchema = z.object({
  ID: z.string(),
  Name: z.string(),
  Namespace: str,
  NodeID: str,
  NodeName: str,
  JobID: z.string(),
  JobType: str,
  TaskGroup: z.string(),
  DesiredStatus: str,
  DesiredDescription: str,
  ClientStatus: z.string(),
  ClientDescription: str,
  TaskStates: z.record(z.string(), TaskStateSchema).nullish(),
  /** The allocation that replaced this one (a reschedule of a failed one, a replacement of a lost one). */
  NextAllocation: str,
  /** Set while the allocation is part of a deployment: Healthy once it passed, false once it failed. */
  DeploymentStatus: z.object({ Healthy: z.boolean().nullish(), Timestamp: str }).nullish(),
  AllocatedResources: z
    .object({
      Tasks: z.record(z.string(), z.object({ Cpu: AllocatedCpu, Memory: MemoryMB })).nullish(),
      Shared: z
        .object({
          Ports: z.array(z.object({ Label: str, Value: num, To: num, HostIP: str })).nullish(),
          Networks: z.array(z.object({ IP: str })).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  CreateTime: num,
  ModifyTime: num,
  ModifyIndex: num,
});
export type NomadAllocation = z.infer<typeof NomadAllocationSchema>;

/**
 * GET /v1/allocation/:id: the allocation in full. Its Job is the job as it
 * was when the allocation was placed or last updated (only the tasks' images
 * are kept); AllocStates are the ClientStatus changes the servers recorded
 * (Field 0; a lost or unknown one, or "" for a stop that set none).
 */
export const NomadAllocationDetailSchema = NomadAllocationSchema.extend({
  Job: z
    .object({
      TaskGroups: z
        .array(
          z.object({
            Name: z.string(),
            Tasks: z.array(z.object({ Name: z.string(), Config: z.object({ image: z.unknown().optional() }).nullish() })).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
  PreviousAllocation: str,
  RescheduleTracker: z
    .object({ Events: z.array(z.object({ PrevAllocID: str, PrevNodeID: str, RescheduleTime: num, Delay: num })).nullish() })
    .nullish(),
  AllocStates: z.array(z.object({ Field: num, Value: str, Time: str })).nullish(),
});
export type NomadAllocationDetail = z.infer<typeof NomadAllocationDetailSchema>;

export const NomadServiceRegistrationSchema = z.object({
  ID: z.string(),
  ServiceName: z.string(),
  Namespace: str,
  NodeID: str,
  Datacenter: str,
  JobID: str,
  AllocID: str,
  Tags: z.array(z.string()).nullish(),
  Address: str,
  Port: num,
  CreateIndex: num,
});
export type NomadServiceRegistration = z.infer<typeof NomadServiceRegistrationSchema>;

export const NomadServiceListSchema = z.array(
  z.object({
    Namespace: z.string(),
    Services: z.array(z.object({ ServiceName: z.string(), Tags: z.array(z.string()).nullish() })).nullish(),
  }),
);

export const NomadEvaluationSchema = z.object({
  ID: z.string(),
  Status: str,
  /** Set on an evaluation whose placements failed: the blocked evaluation it created. */
  BlockedEval: str,
  TaskGroup: str,
  FailedTGAllocs: z
    .record(
      z.string(),
      z.object({
        NodesEvaluated: num,
        NodesExhausted: num,
        NodesFiltered: num,
        DimensionExhausted: z.record(z.string(), z.number()).nullish(),
        ConstraintFiltered: z.record(z.string(), z.number()).nullish(),
        ClassExhausted: z.record(z.string(), z.number()).nullish(),
      }),
    )
    .nullish(),
  CreateIndex: num,
  /** Nanoseconds since the epoch. */
  CreateTime: num,
  ModifyTime: num,
});
export type NomadEvaluation = z.infer<typeof NomadEvaluationSchema>;

/** structs.Deployment: a job version's rollout, with each group's progress. Only recent servers set CreateTime and ModifyTime. */
export const NomadDeploymentSchema = z.object({
  ID: z.string(),
  Namespace: str,
  JobID: z.string(),
  JobVersion: num,
  JobCreateIndex: num,
  Status: str,
  StatusDescription: str,
  TaskGroups: z.record(z.string(), z.object({ DesiredTotal: num, HealthyAllocs: num, UnhealthyAllocs: num })).nullish(),
  CreateIndex: num,
  ModifyIndex: num,
  CreateTime: num,
  ModifyTime: num,
});
export type NomadDeployment = z.infer<typeof NomadDeploymentSchema>;

export const NomadHostStatsSchema = z.object({
  CPUTicksConsumed: z.number(),
  Memory: z.object({ Used: z.number(), Total: num }),
});

export const NomadAllocStatsSchema = z.object({
  ResourceUsage: z.object({
    CpuStats: z.object({ TotalTicks: z.number() }),
    MemoryStats: z.object({ RSS: num, Usage: num, Cache: num }),
  }),
});

export const NomadAgentSelfSchema = z.object({
  config: z.object({ Version: z.object({ Version: str, VersionPrerelease: str, VersionMetadata: str }).nullish() }).nullish(),
  member: z.object({ Tags: StrMap }).nullish(),
});

/** structs.JobRegisterResponse: the job's write (JobModifyIndex), the evaluation's (EvalCreateIndex), the scaling event's (Index). */
export const NomadScaleResponseSchema = z.object({ EvalID: str, EvalCreateIndex: num, JobModifyIndex: num, Index: num });

/** One line of /v1/event/stream: a batch of events, or {} as a heartbeat. */
export const NomadEventBatchSchema = z.object({
  Index: num,
  Events: z
    .array(
      z.object({
        Topic: z.string(),
        Type: z.string(),
        Key: str,
        Namespace: str,
        Index: num,
        Payload: z.record(z.string(), z.unknown()).nullish(),
      }),
    )
    .nullish(),
});
export type NomadEvent = NonNullable<z.infer<typeof NomadEventBatchSchema>["Events"]>[number];
