/**
 * The simulated ECS world: clusters, container instances, services and tasks
 * with AWS's own field names, so the API layer only has to serialise them.
 * Times are epoch milliseconds here and become epoch seconds on the wire.
 */

export interface SimResources {
  /** CPU units: 1024 = 1 vCPU. */
  cpu: number;
  /** MiB. */
  memory: number;
}

export interface SimContainerInstance {
  arn: string;
  id: string;
  ec2InstanceId: string;
  instanceType: string;
  availabilityZone: string;
  registered: SimResources;
  status: "ACTIVE" | "DRAINING";
  agentConnected: boolean;
  registeredAt: number;
  capacityProviderName: string | null;
  attributes: Record<string, string | null>;
}

/** A container's health check, as a task definition has it (interval, retries and start period are the timings' healthCheckMs). */
export interface SimHealthCheck {
  command: string[];
}

export interface SimTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  /** Task-level CPU units and MiB (strings on the wire). */
  cpu: number;
  memory: number;
  /** Every container is essential. See runtime.ts for the images that cannot be pulled and the checks that fail. */
  containers: {
    name: string;
    image: string;
    port: number | null;
    healthCheck?: SimHealthCheck;
    mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  }[];
  /** As RegisterTaskDefinition takes them; only DescribeTaskDefinition shows them (tasks run the same without). */
  volumes?: SimVolume[];
}

/** A task definition volume: a bind mount (a host path, or none for scratch space), a Docker volume or an EFS file system. */
export interface SimVolume {
  name: string;
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: { scope: "task" | "shared"; autoprovision?: boolean; driver: string };
  efsVolumeConfiguration?: { fileSystemId: string; rootDirectory?: string; transitEncryption?: "ENABLED" | "DISABLED" };
}

export interface SimLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface SimServiceRegistry {
  registryArn: string;
  containerName: string;
  containerPort: number;
}

export interface SimServiceConnect {
  namespace: string;
  services: { portName: string; discoveryName: string; port: number; dnsName: string }[];
}

export interface SimEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface SimDeployment {
  id: string;
  /** PRIMARY: what the service rolls out; ACTIVE: an older one whose tasks are being replaced. */
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: SimTaskDefinition;
  createdAt: number;
  updatedAt: number;
  rolloutState: "COMPLETED" | "IN_PROGRESS" | "FAILED";
  rolloutStateReason: string;
  /** Tasks that failed in a row (never reached RUNNING, or failed their health checks and were stopped). */
  failedTasks: number;
  /** One of its tasks ran successfully: ECS then resets failedTasks to 0 and stops counting. */
  ranSuccessfully: boolean;
}

export interface SimService {
  arn: string;
  name: string;
  clusterName: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  launchType: "EC2" | "FARGATE" | null;
  capacityProvider: string | null;
  schedulingStrategy: "REPLICA" | "DAEMON";
  /** The PRIMARY deployment's, as DescribeServices says it. */
  taskDefinition: SimTaskDefinition;
  /** The PRIMARY first, then the ACTIVE ones still being replaced. */
  deployments: SimDeployment[];
  /** The deployment circuit breaker (off unless asked for, as CreateService has it). */
  circuitBreaker: { enable: boolean; rollback: boolean };
  /**
   * ECS's service throttle: tasks that failed to start in a row, and when the
   * scheduler may launch the next one (the pause doubles, up to
   * launchRetryMaxMs). A task that reaches RUNNING, or a new deployment, resets it.
   */
  launchThrottle: { failures: number; nextLaunchAt: number };
  events: SimEvent[];
  createdAt: number;
  loadBalancers: SimLoadBalancer[];
  serviceRegistries: SimServiceRegistry[];
  serviceConnect: SimServiceConnect | null;
  tags: Record<string, string>;
  /**
   * Usage model: mean fraction of the reserved CPU used (scaled by the day's
   * demand), how much it swings, and the mean fraction of memory (default
   * mean + 0.2).
   */
  load: { mean: number; swing: number; periodSeconds: number; memory?: number };
  /** A task of this service is OOM-killed every so often (at each multiple of it since the epoch), its memory climbing in between. */
  crashEveryMs: number | null;
  lastCrashAt: number;
}

export type SimTaskStatus =
  "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "STOPPED";

export interface SimTask {
  arn: string;
  id: string;
  clusterName: string;
  serviceName: string | null;
  taskDefinition: SimTaskDefinition;
  launchType: "EC2" | "FARGATE";
  capacityProviderName: string | null;
  containerInstanceId: string | null;
  availabilityZone: string;
  privateIp: string;
  lastStatus: SimTaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  /** When the task entered lastStatus, to advance it on time. */
  statusSince: number;
  createdAt: number;
  /** When the agent began pulling the images (the task went PENDING), and when that ended, pulled or not. */
  pullStartedAt: number | null;
  pullStoppedAt: number | null;
  startedAt: number | null;
  stoppingAt: number | null;
  /** When the containers had all stopped (exit codes known), before the task's resources are cleaned up and it is STOPPED. */
  executionStoppedAt: number | null;
  stoppedAt: number | null;
  stoppedReason: string | null;
  stopCode: "TaskFailedToStart" | "EssentialContainerExited" | "UserInitiated" | "ServiceSchedulerInitiated" | null;
  /** How containers ended, by name, where not simply with exit code 0 (a task that never started has no exit codes). */
  containerStops: Record<string, { exitCode?: number; reason?: string }>;
  /** UNKNOWN until healthCheckMs after it starts running, for a task definition with health checks; UNKNOWN always without. */
  healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  healthSince: number | null;
  /** The deployment that started it (a service's "ecs-svc/..."). */
  startedBy: string;
}

export interface SimCluster {
  arn: string;
  name: string;
  containerInsights: "enabled" | "disabled";
  capacityProviders: string[];
  tags: Record<string, string>;
  instances: Map<string, SimContainerInstance>;
  services: Map<string, SimService>;
  tasks: Map<string, SimTask>;
}

export interface SimTimings {
  /** PROVISIONING → PENDING. */
  provisionMs: number;
  /** PENDING → RUNNING. */
  pendingMs: number;
  /** STOPPING → STOPPED (DEACTIVATING and DEPROVISIONING are folded in). */
  stoppingMs: number;
  /** How long STOPPED tasks stay visible; AWS keeps them about an hour. */
  stoppedRetentionMs: number;
  /** How often the scheduler runs. */
  tickMs: number;
  /** RUNNING → HEALTHY or UNHEALTHY (start period and retries); an unhealthy service task is replaced as long after. */
  healthCheckMs: number;
  /** The service throttle's first pause after a task failed to start, doubling with each failure in a row... */
  launchRetryMs: number;
  /** ...up to this (ECS: 15 minutes). */
  launchRetryMaxMs: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  provisionMs: 1500,
  pendingMs: 2500,
  stoppingMs: 2500,
  stoppedRetentionMs: 60 * 60 * 1000,
  tickMs: 500,
  healthCheckMs: 15_000,
  launchRetryMs: 10_000,
  launchRetryMaxMs: 15 * 60_000,
};

/** Ids that look like AWS's: 32 hex digits for tasks and container instances. */
export class IdSource {
  private counter = 0;
  constructor(private readonly seed: number) {}
  hex32(): string {
    this.counter += 1;
    let x = (this.seed * 2654435761 + this.counter * 40503) >>> 0;
    let out = "";
    for (let i = 0; i < 32; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      out += ((x >>> 16) & 0xf).toString(16);
    }
    return out;
  }
  next(): number {
    this.counter += 1;
    return this.counter;
  }
}

export class EcsWorld {
  readonly clusters = new Map<string, SimCluster>();
  /** Registered task definitions by ARN. */
  readonly taskDefinitions = new Map<string, SimTaskDefinition>();
  readonly ids: IdSource;

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly timings: SimTimings,
    readonly now: () => number = Date.now,
    seed = 7,
  ) {
    this.ids = new IdSource(seed);
  }

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  addCluster(
    name: string,
    options: { containerInsights?: boolean; capacityProviders?: string[]; tags?: Record<string, string> } = {},
  ): SimCluster {
    const cluster: SimCluster = {
      arn: this.arn(`cluster/${name}`),
      name,
      containerInsights: options.containerInsights ? "enabled" : "disabled",
      capacityProviders: options.capacityProviders ?? [],
      tags: options.tags ?? {},
      instances: new Map(),
      services: new Map(),
      tasks: new Map(),
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** Finds a cluster by name or ARN, as every ECS operation accepts either; absent means "default". */
  findCluster(nameOrArn: string | undefined): SimCluster | undefined {
    const key = nameOrArn ?? "default";
    const name = key.startsWith("arn:") ? key.slice(key.lastIndexOf("/") + 1) : key;
    const cluster = this.clusters.get(name);
    if (cluster && key.startsWith("arn:") && cluster.arn !== key) return undefined;
    return cluster;
  }

  addContainerInstance(
    cluster: SimCluster,
    spec: {
      instanceType: string;
      cpu: number;
      memory: number;
      availabilityZone: string;
      capacityProviderName?: string;
      attributes?: Record<string, string | null>;
    },
  ): SimContainerInstance {
    const id = this.ids.hex32();
    const ec2InstanceId = `i-0${id.slice(0, 16)}`;
    const instance: SimContainerInstance = {
      arn: this.arn(`container-instance/${cluster.name}/${id}`),
      id,
      ec2InstanceId,
      instanceType: spec.instanceType,
      availabilityZone: spec.availabilityZone,
      registered: { cpu: spec.cpu, memory: spec.memory },
      status: "ACTIVE",
      agentConnected: true,
      registeredAt: this.now(),
      capacityProviderName: spec.capacityProviderName ?? null,
      attributes: {
        "ecs.instance-type": spec.instanceType,
        "ecs.availability-zone": spec.availabilityZone,
        "ecs.os-type": "linux",
        "ecs.cpu-architecture": spec.instanceType.includes("g.") ? "arm64" : "x86_64",
        "ecs.ami-id": "ami-0b5e7c0a1c3f0d9e1",
        "ecs.capability.docker-remote-api.1.44": null,
        ...spec.attributes,
      },
    };
    cluster.instances.set(id, instance);
    return instance;
  }

  /** Registers a task definition revision. */
  taskDefinition(
    family: string,
    revision: number,
    spec: { cpu: number; memory: number; containers: SimTaskDefinition["containers"]; volumes?: SimVolume[] },
  ): SimTaskDefinition {
    const definition = { arn: this.arn(`task-definition/${family}:${revision}`), family, revision, ...spec };
    this.taskDefinitions.set(definition.arn, definition);
    return definition;
  }

  /** A registered task definition by ARN, "family:revision", or "family" (its latest revision), as UpdateService takes it. */
  findTaskDefinition(ref: string): SimTaskDefinition | undefined {
    if (ref.startsWith("arn:")) return this.taskDefinitions.get(ref);
    const [family, revision] = ref.split(":");
    const revisions = [...this.taskDefinitions.values()].filter((d) => d.family === family);
    if (revision !== undefined) return revisions.find((d) => String(d.revision) === revision);
    return revisions.sort((a, b) => b.revision - a.revision)[0];
  }

  addService(
    cluster: SimCluster,
    spec: {
      name: string;
      desiredCount: number;
      taskDefinition: SimTaskDefinition;
      launchType?: "EC2" | "FARGATE";
      capacityProvider?: string;
      schedulingStrategy?: "REPLICA" | "DAEMON";
      loadBalancers?: SimLoadBalancer[];
      serviceRegistries?: SimServiceRegistry[];
      serviceConnect?: SimServiceConnect;
      tags?: Record<string, string>;
      load?: SimService["load"];
      crashEveryMs?: number;
      circuitBreaker?: SimService["circuitBreaker"];
    },
  ): SimService {
    const now = this.now();
    const service: SimService = {
      arn: this.arn(`service/${cluster.name}/${spec.name}`),
      name: spec.name,
      clusterName: cluster.name,
      status: "ACTIVE",
      desiredCount: spec.desiredCount,
      launchType: spec.capacityProvider ? null : (spec.launchType ?? "EC2"),
      capacityProvider: spec.capacityProvider ?? null,
      schedulingStrategy: spec.schedulingStrategy ?? "REPLICA",
      taskDefinition: spec.taskDefinition,
      deployments: [],
      circuitBreaker: spec.circuitBreaker ?? { enable: false, rollback: false },
      launchThrottle: { failures: 0, nextLaunchAt: 0 },
      events: [],
      createdAt: now,
      loadBalancers: spec.loadBalancers ?? [],
      serviceRegistries: spec.serviceRegistries ?? [],
      serviceConnect: spec.serviceConnect ?? null,
      tags: spec.tags ?? {},
      load: spec.load ?? { mean: 0.35, swing: 0.15, periodSeconds: 1800 },
      crashEveryMs: spec.crashEveryMs ?? null,
      lastCrashAt: now,
    };
    this.deploy(service, spec.taskDefinition);
    cluster.services.set(spec.name, service);
    return service;
  }

  /** Starts a deployment of `taskDefinition` as the service's PRIMARY; the one before goes on as ACTIVE until replaced. */
  deploy(service: SimService, taskDefinition: SimTaskDefinition): SimDeployment {
    const now = this.now();
    const id = `ecs-svc/${String(this.ids.next()).padStart(19, "4")}`;
    const deployment: SimDeployment = {
      id,
      status: "PRIMARY",
      taskDefinition,
      createdAt: now,
      updatedAt: now,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      failedTasks: 0,
      ranSuccessfully: false,
    };
    // A new deployment returns a throttled service to normal at once.
    service.launchThrottle = { failures: 0, nextLaunchAt: 0 };
    this.makePrimary(service, deployment);
    return deployment;
  }

  /** Puts `deployment` first as PRIMARY (a new one, or the one a rollback returns to); the rest become ACTIVE. */
  makePrimary(service: SimService, deployment: SimDeployment): void {
    for (const d of service.deployments) d.status = "ACTIVE";
    deployment.status = "PRIMARY";
    service.deployments = [deployment, ...service.deployments.filter((d) => d !== deployment)];
    service.taskDefinition = deployment.taskDefinition;
  }

  addEvent(service: SimService, message: string): void {
    service.events.unshift({ id: crypto.randomUUID(), createdAt: this.now(), message: `(service ${service.name}) ${message}` });
    // ECS keeps the latest 100 events of a service.
    service.events.length = Math.min(service.events.length, 100);
  }
}

export function isActiveTask(task: SimTask): boolean {
  return task.desiredStatus === "RUNNING";
}

export function hasHealthChecks(definition: SimTaskDefinition): boolean {
  return definition.containers.some((c) => c.healthCheck);
}

/** Running as its service wants it: RUNNING, and HEALTHY where its task definition has health checks. */
export function isServing(task: SimTask): boolean {
  return task.lastStatus === "RUNNING" && (task.healthStatus === "HEALTHY" || !hasHealthChecks(task.taskDefinition));
}

export function reservedBy(tasks: Iterable<SimTask>, instanceId: string): SimResources {
  const used = { cpu: 0, memory: 0 };
  for (const task of tasks) {
    if (task.containerInstanceId !== instanceId || task.lastStatus === "STOPPED") continue;
    used.cpu += task.taskDefinition.cpu;
    used.memory += task.taskDefinition.memory;
  }
  return used;
}
