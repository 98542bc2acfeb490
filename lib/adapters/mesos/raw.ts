import { z } from "zod";

/**
 * Zod schemas of the upstream JSON the adapter reads: the Mesos master's
 * /master/state, an agent's /monitor/statistics, and Marathon's /v2 API.
 * Only the fields Fleetdeck uses are declared (unknown keys are stripped);
 * fields that vary between Mesos 1.x and Marathon 1.x releases are optional.
 */

const num = z.number();
const str = z.string();

/** A Mesos resources object: cpus in cores, mem and disk in MB (MiB), ports as "[31000-32000]". */
export const RawResourcesSchema = z.object({
  cpus: num.optional(),
  mem: num.optional(),
  disk: num.optional(),
  gpus: num.optional(),
  ports: str.optional(),
});
export type RawResources = z.infer<typeof RawResourcesSchema>;

export const RawTaskStatusSchema = z.object({
  state: str,
  /** Seconds since the epoch, with a fraction. */
  timestamp: num,
  healthy: z.boolean().optional(),
  message: str.optional(),
  reason: str.optional(),
  container_status: z
    .object({
      network_infos: z.array(z.object({ ip_addresses: z.array(z.object({ ip_address: str.optional() })).optional() })).optional(),
    })
    .optional(),
});

export const RawMesosTaskSchema = z.object({
  id: str,
  name: str,
  framework_id: str,
  executor_id: str.optional().default(""),
  slave_id: str,
  state: str,
  resources: RawResourcesSchema.optional().default({}),
  role: str.optional(),
  statuses: z.array(RawTaskStatusSchema).optional().default([]),
  labels: z.array(z.object({ key: str, value: str.optional() })).optional(),
  container: z
    .object({
      type: str.optional(),
      docker: z.object({ image: str.optional() }).optional(),
      mesos: z.object({ image: z.object({ docker: z.object({ name: str }).optional() }).optional() }).optional(),
    })
    .optional(),
});
export type RawMesosTask = z.infer<typeof RawMesosTaskSchema>;

export const RawFrameworkSchema = z.object({
  id: str,
  name: str,
  active: z.boolean().optional(),
  role: str.optional(),
  roles: z.array(str).optional(),
  webui_url: str.optional(),
  tasks: z.array(RawMesosTaskSchema).optional().default([]),
  /** Tasks of a partition-aware framework on an agent the master lost contact with (state TASK_UNREACHABLE). */
  unreachable_tasks: z.array(RawMesosTaskSchema).optional().default([]),
});
export type RawFramework = z.infer<typeof RawFrameworkSchema>;

export const RawAgentSchema = z.object({
  id: str,
  /** "slave(1)@10.0.0.11:5051": the address the agent's own HTTP endpoints answer on. */
  pid: str,
  hostname: str,
  port: num.optional(),
  /** Connected to the master. */
  active: z.boolean(),
  /** Mesos 1.9+: deactivated by an operator or being drained; still connected, but its resources are not offered. */
  deactivated: z.boolean().optional(),
  /** Mesos 1.9+, while an operator drains the agent. */
  drain_info: z.object({ state: str.optional() }).optional(),
  registered_time: num.optional(),
  version: str.optional(),
  attributes: z
    .record(str, z.union([str, num]))
    .optional()
    .default({}),
  resources: RawResourcesSchema,
  used_resources: RawResourcesSchema.optional().default({}),
  reserved_resources: z.record(str, RawResourcesSchema).optional().default({}),
});
export type RawAgent = z.infer<typeof RawAgentSchema>;

export const RawMasterStateSchema = z.object({
  version: str.optional(),
  id: str.optional(),
  cluster: str.optional(),
  slaves: z.array(RawAgentSchema),
  frameworks: z.array(RawFrameworkSchema).optional().default([]),
});
export type RawMasterState = z.infer<typeof RawMasterStateSchema>;

/** One entry of an agent's GET /monitor/statistics: cumulative CPU seconds and memory of an executor. */
export const RawExecutorStatisticsSchema = z.object({
  executor_id: str,
  framework_id: str,
  statistics: z.object({
    /** Seconds since the epoch when the agent sampled. */
    timestamp: num,
    cpus_user_time_secs: num.optional(),
    cpus_system_time_secs: num.optional(),
    cpus_limit: num.optional(),
    mem_rss_bytes: num.optional(),
    mem_limit_bytes: num.optional(),
  }),
});
export const RawMonitorStatisticsSchema = z.array(RawExecutorStatisticsSchema);
export type RawExecutorStatistics = z.infer<typeof RawExecutorStatisticsSchema>;

// ---- Marathon ----

const RawPortDefinitionSchema = z.object({
  port: num.optional(),
  protocol: str.optional(),
  name: str.optional(),
  labels: z.record(str, str).optional(),
});

const RawPortMappingSchema = z.object({
  containerPort: num.optional(),
  hostPort: num.optional(),
  servicePort: num.optional(),
  protocol: str.optional(),
  name: str.optional(),
});

export const RawHealthCheckResultSchema = z.object({
  alive: z.boolean(),
  consecutiveFailures: num.optional(),
  lastFailureCause: str.nullable().optional(),
  lastFailure: str.nullable().optional(),
});

export const RawMarathonTaskSchema = z.object({
  id: str,
  appId: str.optional(),
  host: str.optional(),
  slaveId: str.nullable().optional(),
  state: str.optional(),
  ports: z.array(num).optional().default([]),
  ipAddresses: z
    .array(z.object({ ipAddress: str, protocol: str.optional() }))
    .optional()
    .default([]),
  stagedAt: str.nullable().optional(),
  startedAt: str.nullable().optional(),
  version: str.optional(),
  healthCheckResults: z.array(RawHealthCheckResultSchema).optional().default([]),
});
export type RawMarathonTask = z.infer<typeof RawMarathonTaskSchema>;

export const RawMarathonAppSchema = z.object({
  id: str,
  instances: num,
  cpus: num.optional().default(0),
  mem: num.optional().default(0),
  disk: num.optional(),
  labels: z.record(str, str).optional().default({}),
  container: z
    .object({
      type: str.optional(),
      /** Marathon up to 1.4 kept BRIDGE/USER port mappings under `docker`; 1.5+ has them on the container. */
      docker: z
        .object({ image: str.optional(), portMappings: z.array(RawPortMappingSchema).nullable().optional() })
        .nullable()
        .optional(),
      portMappings: z.array(RawPortMappingSchema).nullable().optional(),
      /** A host path, a local persistent volume (size in MiB, reserved with the instance) or an external (DVDI) one. */
      volumes: z
        .array(
          z.object({
            containerPath: str,
            mode: str.optional(),
            hostPath: str.optional(),
            persistent: z.object({ size: num.optional(), type: str.optional() }).nullable().optional(),
            external: z.object({ name: str.optional(), provider: str.optional() }).nullable().optional(),
            secret: str.optional(),
          }),
        )
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  portDefinitions: z.array(RawPortDefinitionSchema).optional().default([]),
  healthChecks: z
    .array(z.object({ protocol: str.optional() }))
    .optional()
    .default([]),
  version: str.optional(),
  versionInfo: z.object({ lastConfigChangeAt: str.optional(), lastScalingAt: str.optional() }).optional(),
  tasksStaged: num.optional(),
  tasksRunning: num.optional(),
  tasksHealthy: num.optional(),
  tasksUnhealthy: num.optional(),
  deployments: z
    .array(z.object({ id: str }))
    .optional()
    .default([]),
  tasks: z.array(RawMarathonTaskSchema).optional().default([]),
  /** With embed=apps.lastTaskFailure, when a task of the app has failed. */
  lastTaskFailure: z
    .object({
      taskId: str.optional(),
      state: str.optional(),
      message: str.optional(),
      host: str.optional(),
      timestamp: str.optional(),
      version: str.optional(),
    })
    .nullable()
    .optional(),
});
export type RawMarathonApp = z.infer<typeof RawMarathonAppSchema>;

export const RawMarathonAppListSchema = z.object({ apps: z.array(RawMarathonAppSchema) });
export const RawMarathonAppAnswerSchema = z.object({ app: RawMarathonAppSchema });

/** One entry of GET /v2/deployments. */
export const RawMarathonDeploymentSchema = z.object({
  id: str,
  version: str.optional(),
  affectedApps: z.array(str).optional().default([]),
  currentStep: num.optional(),
  totalSteps: num.optional(),
  currentActions: z
    .array(z.object({ action: str, app: str.optional() }))
    .optional()
    .default([]),
});
export type RawMarathonDeployment = z.infer<typeof RawMarathonDeploymentSchema>;
export const RawMarathonDeploymentListSchema = z.array(RawMarathonDeploymentSchema);

export const RawQueueEntrySchema = z.object({
  app: z.object({ id: str }).optional(),
  count: num,
  since: str.optional(),
  delay: z.object({ overdue: z.boolean().optional(), timeLeftSeconds: num.optional() }).optional(),
  processedOffersSummary: z
    .object({
      processedOffersCount: num.optional(),
      unusedOffersCount: num.optional(),
      rejectSummaryLastOffers: z
        .array(z.object({ reason: str, declined: num, processed: num }))
        .optional()
        .default([]),
    })
    .optional(),
});
export type RawQueueEntry = z.infer<typeof RawQueueEntrySchema>;
export const RawQueueSchema = z.object({ queue: z.array(RawQueueEntrySchema) });

export const RawMarathonInfoSchema = z.object({
  name: str.optional(),
  version: str,
  frameworkId: str.nullable().optional(),
});

export const RawScaleAnswerSchema = z.object({ deploymentId: str, version: str });

/** Marathon's error body: `{message}`; a 409 adds the deployments that hold the app. */
export const RawMarathonErrorSchema = z.object({
  message: str.optional(),
  deployments: z.array(z.object({ id: str })).optional(),
  details: z.array(z.object({ path: str.optional(), errors: z.array(str).optional() })).optional(),
});

/** The fields of Marathon SSE events that say which app changed. */
export const RawMarathonEventSchema = z.object({
  eventType: str,
  appId: str.optional(),
  runSpecId: str.optional(),
  taskId: str.optional(),
  appDefinition: z.object({ id: str }).optional(),
});
export type RawMarathonEvent = z.infer<typeof RawMarathonEventSchema>;
