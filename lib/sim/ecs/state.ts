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

export interface SimTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  /** Task-level CPU units and MiB (strings on the wire). */
  cpu: number;
  memory: number;
  containers: { name: string; image: string; port: number | null }[];
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
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  createdAt: number;
  updatedAt: number;
  rolloutState: "COMPLETED" | "IN_PROGRESS" | "FAILED";
  rolloutStateReason: string;
  failedTasks: number;
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
  taskDefinition: SimTaskDefinition;
  deployment: SimDeployment;
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
  startedAt: number | null;
  stoppingAt: number | null;
  stoppedAt: number | null;
  stoppedReason: string | null;
  stopCode: "TaskFailedToStart" | "EssentialContainerExited" | "UserInitiated" | "ServiceSchedulerInitiated" | null;
  exitCode: number | null;
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
}

export const DEFAULT_TIMINGS: SimTimings = {
  provisionMs: 1500,
  pendingMs: 2500,
  stoppingMs: 2500,
  stoppedRetentionMs: 60 * 60 * 1000,
  tickMs: 500,
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

  taskDefinition(
    family: string,
    revision: number,
    spec: { cpu: number; memory: number; containers: SimTaskDefinition["containers"] },
  ): SimTaskDefinition {
    return { arn: this.arn(`task-definition/${family}:${revision}`), family, revision, ...spec };
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
      deployment: {
        id: `ecs-svc/${String(this.ids.next()).padStart(19, "4")}`,
        status: "PRIMARY",
        taskDefinition: spec.taskDefinition.arn,
        createdAt: now,
        updatedAt: now,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: "ECS deployment in progress.",
        failedTasks: 0,
      },
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
    cluster.services.set(spec.name, service);
    return service;
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

export function reservedBy(tasks: Iterable<SimTask>, instanceId: string): SimResources {
  const used = { cpu: 0, memory: 0 };
  for (const task of tasks) {
    if (task.containerInstanceId !== instanceId || task.lastStatus === "STOPPED") continue;
    used.cpu += task.taskDefinition.cpu;
    used.memory += task.taskDefinition.memory;
  }
  return used;
}
