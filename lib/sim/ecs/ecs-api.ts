import { SimAwsError, invalid, page } from "./errors";
import { healthCheckPasses } from "./runtime";
import {
  type EcsWorld,
  type SimCluster,
  type SimContainerInstance,
  type SimDeployment,
  type SimHealthCheck,
  type SimService,
  type SimTask,
  isActiveTask,
  reservedBy,
} from "./state";

/**
 * The ECS operations the adapter uses, with AWS's field names, limits and
 * error types. Input is the parsed JSON body; output is the JSON answer.
 */

type Input = Record<string, unknown>;
type Handler = (world: EcsWorld, input: Input) => unknown;

const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);
const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));
const stringList = (value: unknown, field: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(`${field} must be a list of strings.`);
  return value as string[];
};
const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${field} must be a string.`);
  return value;
};

function requireCluster(world: EcsWorld, input: Input): SimCluster {
  const cluster = world.findCluster(optionalString(input.cluster, "cluster"));
  if (!cluster) throw new SimAwsError("ClusterNotFoundException", "Cluster not found.");
  return cluster;
}

/** The last path segment of an ARN, or the string itself when it is a bare name or id. */
const tail = (nameOrArn: string) => (nameOrArn.startsWith("arn:") ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1) : nameOrArn);

function limited(items: string[], field: string, max: number): string[] {
  if (items.length === 0) throw invalid(`${field} cannot be empty.`);
  if (items.length > max) throw invalid(`${field} can have at most ${max} items.`);
  return items;
}

function serviceTasks(cluster: SimCluster, service: SimService): SimTask[] {
  return [...cluster.tasks.values()].filter((t) => t.serviceName === service.name);
}

function clusterJson(world: EcsWorld, cluster: SimCluster, include: string[]) {
  const tasks = [...cluster.tasks.values()].filter(isActiveTask);
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: "ACTIVE",
    registeredContainerInstancesCount: cluster.instances.size,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== "RUNNING").length,
    activeServicesCount: [...cluster.services.values()].filter((s) => s.status === "ACTIVE").length,
    statistics: [],
    capacityProviders: cluster.capacityProviders,
    defaultCapacityProviderStrategy: cluster.capacityProviders
      .slice(0, 1)
      .map((capacityProvider) => ({ capacityProvider, weight: 1, base: 0 })),
    ...(include.includes("SETTINGS") ? { settings: [{ name: "containerInsights", value: cluster.containerInsights }] } : {}),
    ...(include.includes("TAGS") ? { tags: tagList(cluster.tags) } : {}),
  };
}

function instanceJson(cluster: SimCluster, instance: SimContainerInstance) {
  const tasks = [...cluster.tasks.values()].filter((t) => t.containerInstanceId === instance.id);
  const used = reservedBy(tasks, instance.id);
  const resources = (cpu: number, memory: number) => [
    { name: "CPU", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: cpu },
    { name: "MEMORY", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: memory },
    {
      name: "PORTS",
      type: "STRINGSET",
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
      stringSetValue: ["22", "2375", "2376", "51678", "51679"],
    },
    { name: "PORTS_UDP", type: "STRINGSET", doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
  ];
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    capacityProviderName: instance.capacityProviderName ?? undefined,
    version: 42,
    versionInfo: { agentVersion: "1.89.2", agentHash: "3b4e0c1a", dockerVersion: "DockerVersion: 25.0.8" },
    remainingResources: resources(instance.registered.cpu - used.cpu, instance.registered.memory - used.memory),
    registeredResources: resources(instance.registered.cpu, instance.registered.memory),
    status: instance.status,
    agentConnected: instance.agentConnected,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING").length,
    attributes: Object.entries(instance.attributes).map(([name, value]) => (value === null ? { name } : { name, value })),
    registeredAt: seconds(instance.registeredAt),
    healthStatus: { overallStatus: "OK", details: [] },
    tags: [],
  };
}

function serviceJson(world: EcsWorld, cluster: SimCluster, service: SimService, include: string[]) {
  const active = serviceTasks(cluster, service).filter(isActiveTask);
  const running = active.filter((t) => t.lastStatus === "RUNNING").length;
  const pending = active.length - running;
  const deploymentJson = (d: SimDeployment) => {
    const own = active.filter((t) => t.startedBy === d.id);
    const ownRunning = own.filter((t) => t.lastStatus === "RUNNING").length;
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition.arn,
      // An older deployment's desired count shrinks as its tasks are replaced.
      desiredCount: d.status === "PRIMARY" ? service.desiredCount : own.length,
      pendingCount: own.length - ownRunning,
      runningCount: ownRunning,
      failedTasks: d.failedTasks,
      createdAt: seconds(d.createdAt),
      updatedAt: seconds(d.updatedAt),
      launchType: service.launchType ?? undefined,
      capacityProviderStrategy: service.capacityProvider ? [{ capacityProvider: service.capacityProvider, weight: 1, base: 0 }] : undefined,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
      ...serviceConnectJson(service),
    };
  };
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: cluster.arn,
    loadBalancers: service.loadBalancers,
    serviceRegistries: service.serviceRegistries.map((r) => ({
      registryArn: r.registryArn,
      containerName: r.containerName,
      containerPort: r.containerPort,
    })),
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: pending,
    launchType: service.launchType ?? undefined,
    capacityProviderStrategy: service.capacityProvider ? [{ capacityProvider: service.capacityProvider, weight: 1, base: 0 }] : undefined,
    platformVersion: service.launchType === "FARGATE" || service.capacityProvider ? "LATEST" : undefined,
    taskDefinition: service.taskDefinition.arn,
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: service.circuitBreaker,
    },
    deployments: service.deployments.map(deploymentJson),
    events: service.events.slice(0, 100).map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
    createdAt: seconds(service.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    schedulingStrategy: service.schedulingStrategy,
    deploymentController: { type: "ECS" },
    enableECSManagedTags: true,
    propagateTags: "SERVICE",
    ...(include.includes("TAGS") ? { tags: tagList(service.tags) } : {}),
  };
}

function serviceConnectJson(service: SimService) {
  if (!service.serviceConnect) return {};
  return {
    serviceConnectConfiguration: {
      enabled: true,
      namespace: service.serviceConnect.namespace,
      services: service.serviceConnect.services.map((s) => ({
        portName: s.portName,
        discoveryName: s.discoveryName,
        clientAliases: [{ port: s.port, dnsName: s.dnsName }],
      })),
    },
  };
}

function taskJson(world: EcsWorld, cluster: SimCluster, task: SimTask, include: string[]) {
  const service = task.serviceName ? cluster.services.get(task.serviceName) : undefined;
  const instance = task.containerInstanceId ? cluster.instances.get(task.containerInstanceId) : undefined;
  const stopped = task.lastStatus === "STOPPED";
  // The containers stop before the task does (executionStoppedAt); one that never started waits PENDING until then.
  const containersStopped = stopped || task.executionStoppedAt !== null;
  const containerStatus = containersStopped ? "STOPPED" : task.startedAt === null ? "PENDING" : "RUNNING";
  const eni = `eni-0${task.id.slice(0, 16)}`;
  return {
    taskArn: task.arn,
    clusterArn: cluster.arn,
    taskDefinitionArn: task.taskDefinition.arn,
    containerInstanceArn: instance?.arn,
    overrides: { containerOverrides: task.taskDefinition.containers.map((c) => ({ name: c.name })), inferenceAcceleratorOverrides: [] },
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    cpu: String(task.taskDefinition.cpu),
    memory: String(task.taskDefinition.memory),
    containers: task.taskDefinition.containers.map((c, index) => ({
      containerArn: world.arn(`container/${cluster.name}/${task.id}/${index}`),
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      lastStatus: containerStatus,
      // A container that never started has no exit code.
      ...(containersStopped ? { ...(task.startedAt === null ? {} : { exitCode: 0 }), ...task.containerStops[c.name] } : {}),
      networkBindings: [],
      networkInterfaces: [{ attachmentId: `att-${task.id.slice(0, 8)}`, privateIpv4Address: task.privateIp }],
      healthStatus: containerHealth(task, c.healthCheck),
      cpu: "0",
    })),
    startedBy: task.startedBy,
    version: 3,
    stoppedReason: task.stoppedReason ?? undefined,
    stopCode: task.stopCode ?? undefined,
    connectivity: "CONNECTED",
    connectivityAt: seconds(task.createdAt),
    pullStartedAt: seconds(task.pullStartedAt),
    pullStoppedAt: seconds(task.pullStoppedAt),
    createdAt: seconds(task.createdAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    executionStoppedAt: seconds(task.executionStoppedAt),
    stoppedAt: seconds(task.stoppedAt),
    group: service ? `service:${service.name}` : `family:${task.taskDefinition.family}`,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName ?? undefined,
    platformVersion: task.launchType === "FARGATE" ? "1.4.0" : undefined,
    platformFamily: task.launchType === "FARGATE" ? "Linux" : undefined,
    availabilityZone: task.availabilityZone,
    attachments:
      task.launchType === "FARGATE"
        ? [
            {
              id: `att-${task.id.slice(0, 8)}`,
              type: "ElasticNetworkInterface",
              status: stopped ? "DELETED" : "ATTACHED",
              details: [
                { name: "networkInterfaceId", value: eni },
                { name: "privateIPv4Address", value: task.privateIp },
              ],
            },
          ]
        : [],
    healthStatus: task.healthStatus,
    ...(include.includes("TAGS") ? { tags: service ? tagList(service.tags) : [] } : {}),
  };
}

/** A container's own health once the task's is known; UNKNOWN before, and always for a container without a health check. */
function containerHealth(task: SimTask, check: SimHealthCheck | undefined): SimTask["healthStatus"] {
  if (!check || task.healthStatus === "UNKNOWN") return "UNKNOWN";
  return healthCheckPasses(check) ? "HEALTHY" : "UNHEALTHY";
}

function circuitBreakerInput(value: unknown): SimService["circuitBreaker"] | undefined {
  if (typeof value !== "object" || value === null) throw invalid("deploymentConfiguration must be a structure.");
  const breaker = (value as { deploymentCircuitBreaker?: unknown }).deploymentCircuitBreaker;
  if (breaker === undefined) return undefined;
  const { enable, rollback } = (breaker ?? {}) as { enable?: unknown; rollback?: unknown };
  if (typeof enable !== "boolean" || typeof rollback !== "boolean")
    throw invalid("deploymentCircuitBreaker requires enable and rollback, both booleans.");
  return { enable, rollback };
}

const byArn = <T extends { arn: string }>(a: T, b: T) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);

export const ECS_OPERATIONS: Record<string, Handler> = {
  ListClusters(world, input) {
    const { items, nextToken } = page("ListClusters", [...world.clusters.values()].sort(byArn), input, 100);
    return { clusterArns: items.map((c) => c.arn), nextToken };
  },

  DescribeClusters(world, input) {
    const names = stringList(input.clusters, "clusters");
    if (names.length > 100) throw invalid("clusters can have at most 100 items.");
    const include = stringList(input.include, "include");
    const wanted = names.length ? names : ["default"];
    const clusters = [];
    const failures = [];
    for (const name of wanted) {
      const cluster = world.findCluster(name);
      if (cluster) clusters.push(clusterJson(world, cluster, include));
      else failures.push({ arn: name.startsWith("arn:") ? name : world.arn(`cluster/${name}`), reason: "MISSING" });
    }
    return { clusters, failures };
  },

  ListContainerInstances(world, input) {
    const cluster = requireCluster(world, input);
    const status = optionalString(input.status, "status");
    const all = [...cluster.instances.values()].filter((i) => !status || i.status === status).sort(byArn);
    const { items, nextToken } = page("ListContainerInstances", all, input, 100);
    return { containerInstanceArns: items.map((i) => i.arn), nextToken };
  },

  DescribeContainerInstances(world, input) {
    const cluster = requireCluster(world, input);
    const wanted = limited(stringList(input.containerInstances, "containerInstances"), "containerInstances", 100);
    const containerInstances = [];
    const failures = [];
    for (const ref of wanted) {
      const instance = cluster.instances.get(tail(ref));
      if (instance) containerInstances.push(instanceJson(cluster, instance));
      else failures.push({ arn: ref, reason: "MISSING" });
    }
    return { containerInstances, failures };
  },

  ListServices(world, input) {
    const cluster = requireCluster(world, input);
    const launchType = optionalString(input.launchType, "launchType");
    const schedulingStrategy = optionalString(input.schedulingStrategy, "schedulingStrategy");
    const all = [...cluster.services.values()]
      .filter(
        (s) =>
          s.status !== "INACTIVE" &&
          (!launchType || s.launchType === launchType) &&
          (!schedulingStrategy || s.schedulingStrategy === schedulingStrategy),
      )
      .sort(byArn);
    // ListServices pages 10 at a time unless asked for more, unlike the other list calls.
    const { items, nextToken } = page("ListServices", all, input, 10);
    return { serviceArns: items.map((s) => s.arn), nextToken };
  },

  DescribeServices(world, input) {
    const cluster = requireCluster(world, input);
    const wanted = limited(stringList(input.services, "services"), "services", 10);
    const include = stringList(input.include, "include");
    const services = [];
    const failures = [];
    for (const ref of wanted) {
      const service = cluster.services.get(tail(ref));
      if (service) services.push(serviceJson(world, cluster, service, include));
      else failures.push({ arn: ref.startsWith("arn:") ? ref : world.arn(`service/${cluster.name}/${ref}`), reason: "MISSING" });
    }
    return { services, failures };
  },

  ListTasks(world, input) {
    const cluster = requireCluster(world, input);
    const serviceName = optionalString(input.serviceName, "serviceName");
    const desiredStatus = optionalString(input.desiredStatus, "desiredStatus") ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(desiredStatus))
      throw invalid("desiredStatus must be one of RUNNING, PENDING, STOPPED.");
    const containerInstance = optionalString(input.containerInstance, "containerInstance");
    const family = optionalString(input.family, "family");
    const launchType = optionalString(input.launchType, "launchType");
    const startedBy = optionalString(input.startedBy, "startedBy");
    if (startedBy && (serviceName || containerInstance || family || launchType || input.desiredStatus !== undefined)) {
      throw invalid("When you specify startedBy as the filter, it must be the only filter that you use.");
    }
    if (serviceName && !cluster.services.has(tail(serviceName))) throw new SimAwsError("ServiceNotFoundException", "Service not found.");
    const all = [...cluster.tasks.values()]
      .filter((t) => {
        if (serviceName && t.serviceName !== tail(serviceName)) return false;
        if (containerInstance && t.containerInstanceId !== tail(containerInstance)) return false;
        if (family && t.taskDefinition.family !== family) return false;
        if (launchType && t.launchType !== launchType) return false;
        if (startedBy) return t.startedBy === startedBy && t.desiredStatus === "RUNNING";
        if (desiredStatus === "STOPPED") return t.desiredStatus === "STOPPED";
        // ECS never sets a task's desired status to PENDING (only lastStatus): filtering by it lists nothing.
        if (desiredStatus === "PENDING") return false;
        return t.desiredStatus === "RUNNING";
      })
      .sort(byArn);
    const { items, nextToken } = page("ListTasks", all, input, 100);
    return { taskArns: items.map((t) => t.arn), nextToken };
  },

  DescribeTasks(world, input) {
    const cluster = requireCluster(world, input);
    const wanted = limited(stringList(input.tasks, "tasks"), "tasks", 100);
    const include = stringList(input.include, "include");
    const tasks = [];
    const failures = [];
    for (const ref of wanted) {
      const task = cluster.tasks.get(tail(ref));
      if (task) tasks.push(taskJson(world, cluster, task, include));
      else failures.push({ arn: ref, reason: "MISSING" });
    }
    return { tasks, failures };
  },

  DescribeTaskDefinition(world, input) {
    const ref = optionalString(input.taskDefinition, "taskDefinition");
    if (!ref) throw invalid("taskDefinition must be specified.");
    const definition = world.findTaskDefinition(ref);
    if (!definition) throw new SimAwsError("ClientException", "Unable to describe task definition.");
    // What it was registered for, as the services running it say.
    const fargate = [...world.clusters.values()].some((c) =>
      [...c.services.values()].some((service) => service.taskDefinition === definition && service.launchType === "FARGATE"),
    );
    return {
      taskDefinition: {
        taskDefinitionArn: definition.arn,
        family: definition.family,
        revision: definition.revision,
        status: "ACTIVE",
        cpu: String(definition.cpu),
        memory: String(definition.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: [fargate ? "FARGATE" : "EC2"],
        compatibilities: fargate ? ["EC2", "FARGATE"] : ["EC2"],
        containerDefinitions: definition.containers.map((c) => ({
          name: c.name,
          image: c.image,
          cpu: 0,
          essential: true,
          portMappings: c.port === null ? [] : [{ containerPort: c.port, hostPort: c.port, protocol: "tcp" }],
          environment: [],
          mountPoints: c.mountPoints ?? [],
          volumesFrom: [],
          ...(c.healthCheck ? { healthCheck: { command: c.healthCheck.command, interval: 30, timeout: 5, retries: 3 } } : {}),
        })),
        volumes: definition.volumes ?? [],
        placementConstraints: [],
      },
    };
  },

  UpdateService(world, input) {
    const cluster = requireCluster(world, input);
    const ref = optionalString(input.service, "service");
    if (!ref) throw invalid("service must be specified.");
    const service = cluster.services.get(tail(ref));
    if (!service) throw new SimAwsError("ServiceNotFoundException", "Service not found.");
    if (service.status !== "ACTIVE") throw new SimAwsError("ServiceNotActiveException", "Service was not ACTIVE.");
    // Everything is checked before anything changes, as a refused UpdateService changes nothing.
    const count = input.desiredCount;
    if (count !== undefined) {
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) throw invalid("desiredCount must be a non-negative integer.");
      if (service.schedulingStrategy === "DAEMON")
        throw invalid("The daemon scheduling strategy does not support a desired count for services.");
    }
    const breaker = input.deploymentConfiguration === undefined ? undefined : circuitBreakerInput(input.deploymentConfiguration);
    const definitionRef = optionalString(input.taskDefinition, "taskDefinition");
    const definition = definitionRef === undefined ? service.taskDefinition : world.findTaskDefinition(definitionRef);
    if (!definition) throw new SimAwsError("ClientException", "TaskDefinition not found.");
    if (input.forceNewDeployment !== undefined && typeof input.forceNewDeployment !== "boolean")
      throw invalid("forceNewDeployment must be a boolean.");
    if (typeof count === "number") service.desiredCount = count;
    if (breaker) service.circuitBreaker = breaker;
    // A new task definition, or forceNewDeployment, starts a deployment; a new count alone does not.
    if (definition !== service.taskDefinition || input.forceNewDeployment === true) world.deploy(service, definition);
    return { service: serviceJson(world, cluster, service, []) };
  },
};
