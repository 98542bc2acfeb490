import { z } from "zod";

/**
 * Zod schemas of the Docker Engine API answers Fleetdeck reads (API 1.41+).
 * Only the fields the mappers use are declared; unknown fields are dropped.
 * Engines omit empty fields freely, so nearly everything is optional.
 */

const Labels = z
  .record(z.string(), z.string())
  .nullish()
  .transform((l) => l ?? {});
const Version = z.object({ Index: z.number() });

export const DockerVersionAnswer = z.object({
  Version: z.string(),
  ApiVersion: z.string(),
  MinAPIVersion: z.string().optional(),
});

export const DockerInfoAnswer = z.object({
  ID: z.string().optional(),
  Name: z.string(),
  NCPU: z.number(),
  MemTotal: z.number(),
  ServerVersion: z.string(),
  OperatingSystem: z.string().optional(),
  KernelVersion: z.string().optional(),
  Architecture: z.string().optional(),
  CgroupVersion: z.string().optional(),
  /** "key=value" strings of the engine's --label flags. */
  Labels: z.array(z.string()).nullish(),
  Swarm: z
    .object({
      NodeID: z.string().optional(),
      LocalNodeState: z.string().optional(),
      ControlAvailable: z.boolean().optional(),
      Error: z.string().optional(),
      Nodes: z.number().optional(),
    })
    .optional(),
});
export type RawInfo = z.infer<typeof DockerInfoAnswer>;

const NanoResources = z.object({ NanoCPUs: z.number().optional(), MemoryBytes: z.number().optional() }).nullish();
/** A cap the mappers read beside the reservation: a malformed one reads as absent rather than failing the object. */
const Cap = z.number().optional().catch(undefined);
const NanoLimits = z.object({ NanoCPUs: Cap, MemoryBytes: Cap }).nullish().catch(null);
const SwarmResources = z.object({ Reservations: NanoResources, Limits: NanoLimits }).nullish();
/** A mount of a service's containers: a named (or, without Source, anonymous) volume, a bind of a host path, a tmpfs. */
const SwarmMount = z.object({
  Type: z.string().optional(),
  Source: z.string().optional(),
  Target: z.string(),
  ReadOnly: z.boolean().optional(),
  TmpfsOptions: z.object({ SizeBytes: z.number().optional() }).nullish(),
});
export type RawSwarmMount = z.infer<typeof SwarmMount>;

/** Kept whole (loose): a task's copy is compared with its service's to tell tasks of the current spec from older ones. */
const ContainerSpec = z.looseObject({ Image: z.string().optional(), Labels, Mounts: z.array(SwarmMount).nullish() });

export const SwarmNode = z.object({
  ID: z.string(),
  CreatedAt: z.string().optional(),
  Spec: z.object({
    Labels,
    Role: z.string().optional(),
    Availability: z.string().optional(),
  }),
  Description: z
    .object({
      Hostname: z.string().optional(),
      Platform: z.object({ Architecture: z.string().optional(), OS: z.string().optional() }).optional(),
      Resources: NanoResources,
      Engine: z.object({ EngineVersion: z.string().optional(), Labels }).optional(),
    })
    .optional(),
  Status: z.object({ State: z.string(), Message: z.string().optional(), Addr: z.string().optional() }),
  ManagerStatus: z.object({ Leader: z.boolean().optional(), Reachability: z.string().optional(), Addr: z.string().optional() }).optional(),
});
export type RawSwarmNode = z.infer<typeof SwarmNode>;

const PortConfig = z.object({
  Name: z.string().optional(),
  Protocol: z.string().optional(),
  TargetPort: z.number().optional(),
  PublishedPort: z.number().optional(),
  PublishMode: z.string().optional(),
});

const ServiceMode = z.object({
  Replicated: z.object({ Replicas: z.number().optional() }).optional(),
  Global: z.object({}).optional(),
  ReplicatedJob: z.object({ MaxConcurrent: z.number().optional(), TotalCompletions: z.number().optional() }).optional(),
  GlobalJob: z.object({}).optional(),
});

export const SwarmService = z.object({
  ID: z.string(),
  Version: Version.optional(),
  CreatedAt: z.string().optional(),
  Spec: z.object({
    Name: z.string(),
    Labels,
    TaskTemplate: z
      .object({
        ContainerSpec: ContainerSpec.optional(),
        Resources: SwarmResources,
        /** Bumped by `docker service update --force`: a new spec with nothing else changed. */
        ForceUpdate: z.number().optional(),
      })
      .optional(),
    Mode: ServiceMode.optional(),
    EndpointSpec: z.object({ Mode: z.string().optional() }).optional(),
    UpdateConfig: z
      .object({
        Parallelism: z.number().optional(),
        /** Nanoseconds. */
        Delay: z.number().optional(),
        FailureAction: z.string().optional(),
        Order: z.string().optional(),
      })
      .nullish(),
  }),
  /** The last rolling update of the service, when there was one. */
  UpdateStatus: z
    .object({
      State: z.string().optional(),
      StartedAt: z.string().optional(),
      CompletedAt: z.string().optional(),
      Message: z.string().optional(),
    })
    .nullish(),
  Endpoint: z
    .object({
      Spec: z.object({ Mode: z.string().optional() }).optional(),
      Ports: z.array(PortConfig).nullish(),
      VirtualIPs: z.array(z.object({ NetworkID: z.string().optional(), Addr: z.string().optional() })).nullish(),
    })
    .optional(),
  ServiceStatus: z.object({ RunningTasks: z.number(), DesiredTasks: z.number(), CompletedTasks: z.number().optional() }).optional(),
});
export type RawSwarmService = z.infer<typeof SwarmService>;

/** For scaling: the whole Spec must go back unchanged apart from Replicas, so it is kept loose. */
export const SwarmServiceInspectForUpdate = z.object({
  ID: z.string(),
  Version: Version,
  Spec: z.looseObject({ Name: z.string(), Mode: ServiceMode.optional() }),
});

export const SwarmTask = z.object({
  ID: z.string(),
  CreatedAt: z.string().optional(),
  ServiceID: z.string(),
  Slot: z.number().optional(),
  NodeID: z.string().optional(),
  Labels,
  Spec: z
    .object({
      ContainerSpec: ContainerSpec.optional(),
      Resources: SwarmResources,
      ForceUpdate: z.number().optional(),
    })
    .optional(),
  Status: z.object({
    Timestamp: z.string().optional(),
    State: z.string(),
    Message: z.string().optional(),
    Err: z.string().optional(),
    ContainerStatus: z.object({ ContainerID: z.string().optional(), ExitCode: z.number().optional() }).optional(),
  }),
  DesiredState: z.string(),
  NetworksAttachments: z
    .array(
      z.object({
        Network: z.object({ Spec: z.object({ Name: z.string().optional(), Ingress: z.boolean().optional() }).optional() }).optional(),
        Addresses: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});
export type RawSwarmTask = z.infer<typeof SwarmTask>;

export const DockerContainerSummary = z.object({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  Image: z.string().optional(),
  Created: z.number().optional(),
  Labels,
  State: z.string(),
  Status: z.string().optional(),
  Ports: z
    .array(
      z.object({
        IP: z.string().optional(),
        PrivatePort: z.number(),
        PublicPort: z.number().optional(),
        Type: z.string().optional(),
      }),
    )
    .nullish(),
  NetworkSettings: z.object({ Networks: z.record(z.string(), z.object({ IPAddress: z.string().optional() })).nullish() }).nullish(),
  /** As the engine lists them: Name for volumes (a long hex one for anonymous volumes), Source the host path. */
  Mounts: z
    .array(
      z.object({
        Type: z.string().optional(),
        Name: z.string().optional(),
        Source: z.string().optional(),
        Destination: z.string(),
        RW: z.boolean().optional(),
      }),
    )
    .nullish(),
});
export type RawContainerSummary = z.infer<typeof DockerContainerSummary>;

export const DockerContainerInspect = z.object({
  Id: z.string(),
  RestartCount: z.number().optional(),
  State: z
    .object({
      Status: z.string().optional(),
      ExitCode: z.number().optional(),
      Error: z.string().optional(),
      OOMKilled: z.boolean().optional(),
      StartedAt: z.string().optional(),
      /** The last run's end ("0001-01-01T00:00:00Z" before any); kept while the container runs again. */
      FinishedAt: z.string().optional(),
      Health: z
        .object({
          Status: z.string(),
          FailingStreak: z.number().optional(),
          /** The last few probes, oldest first. */
          Log: z
            .array(z.object({ Start: z.string().optional(), ExitCode: z.number().optional(), Output: z.string().optional() }))
            .nullish(),
        })
        .nullish(),
    })
    .optional(),
  HostConfig: z
    .object({
      MemoryReservation: z.number().optional(),
      NanoCpus: z.number().optional(),
      /** Hard caps: 0 or absent is none; CPU is NanoCpus (--cpus) or CpuQuota per CpuPeriod. */
      Memory: Cap,
      CpuQuota: Cap,
      CpuPeriod: Cap,
    })
    .optional(),
});
export type RawContainerInspect = z.infer<typeof DockerContainerInspect>;

const CpuStats = z
  .object({
    cpu_usage: z.object({ total_usage: z.number(), percpu_usage: z.array(z.number()).nullish() }).optional(),
    system_cpu_usage: z.number().optional(),
    online_cpus: z.number().optional(),
  })
  .optional();

export const DockerContainerStats = z.object({
  read: z.string().optional(),
  cpu_stats: CpuStats,
  precpu_stats: CpuStats,
  memory_stats: z.object({ usage: z.number().optional(), stats: z.record(z.string(), z.number()).optional() }).optional(),
});
export type RawContainerStats = z.infer<typeof DockerContainerStats>;

export const DockerEngineEvent = z.object({
  Type: z.string(),
  Action: z.string().optional(),
  Actor: z.object({ ID: z.string().optional(), Attributes: z.record(z.string(), z.string()).nullish() }).optional(),
});
export type RawEngineEvent = z.infer<typeof DockerEngineEvent>;

export const DockerErrorBody = z.object({ message: z.string() });
