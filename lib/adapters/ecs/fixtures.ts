import type { RawContainerInstance, RawService, RawTask, RawTaskDefinition } from "./raw";

/**
 * Recorded-shape fixtures: what @aws-sdk/client-ecs answers for an EC2
 * container instance, a Fargate service with Service Connect and Cloud Map,
 * and tasks in several states (after the SDK turned timestamps into Dates).
 */

export const containerInstanceFixture: RawContainerInstance = {
  containerInstanceArn: "arn:aws:ecs:us-east-1:012345678910:container-instance/prod/f2756532-8f13-4d53-87c9-aed50dc94cd7",
  ec2InstanceId: "i-0b9b1e0d6c3a1f2e4",
  capacityProviderName: "prod-asg",
  versionInfo: { agentVersion: "1.89.2", dockerVersion: "DockerVersion: 25.0.8" },
  remainingResources: [
    { name: "CPU", type: "INTEGER", integerValue: 1536, doubleValue: 0, longValue: 0 },
    { name: "MEMORY", type: "INTEGER", integerValue: 11_386, doubleValue: 0, longValue: 0 },
    { name: "PORTS", type: "STRINGSET", integerValue: 0, doubleValue: 0, longValue: 0 },
  ],
  registeredResources: [
    { name: "CPU", type: "INTEGER", integerValue: 4096, doubleValue: 0, longValue: 0 },
    { name: "MEMORY", type: "INTEGER", integerValue: 15_482, doubleValue: 0, longValue: 0 },
  ],
  status: "ACTIVE",
  agentConnected: true,
  runningTasksCount: 3,
  pendingTasksCount: 1,
  attributes: [
    { name: "ecs.instance-type", value: "m6i.xlarge" },
    { name: "ecs.availability-zone", value: "us-east-1b" },
    { name: "com.amazonaws.ecs.capability.docker-remote-api.1.44" },
  ],
  registeredAt: new Date("2026-11-20T08:14:03.512Z"),
};

export const fargateServiceFixture: RawService = {
  serviceArn: "arn:aws:ecs:us-east-1:012345678910:service/prod/checkout",
  serviceName: "checkout",
  clusterArn: "arn:aws:ecs:us-east-1:012345678910:cluster/prod",
  status: "ACTIVE",
  desiredCount: 3,
  runningCount: 2,
  pendingCount: 1,
  launchType: "FARGATE",
  taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:7",
  schedulingStrategy: "REPLICA",
  createdAt: new Date("2026-10-01T12:00:00.000Z"),
  loadBalancers: [
    {
      targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:012345678910:targetgroup/checkout-tg/6d0ecf831eec9f09",
      containerName: "checkout",
      containerPort: 3000,
    },
  ],
  serviceRegistries: [
    {
      registryArn: "arn:aws:servicediscovery:us-east-1:012345678910:service/srv-utcrh6wavdkggqtk",
      containerName: "checkout",
      containerPort: 3000,
    },
  ],
  deployments: [
    {
      id: "ecs-svc/9223370428932767287",
      status: "PRIMARY",
      taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:7",
      desiredCount: 3,
      runningCount: 2,
      pendingCount: 1,
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: "ECS deployment ecs-svc/9223370428932767287 in progress.",
      createdAt: new Date("2026-11-26T10:00:00.000Z"),
      updatedAt: new Date("2026-11-26T10:01:00.000Z"),
      serviceConnectConfiguration: {
        enabled: true,
        namespace: "arn:aws:servicediscovery:us-east-1:012345678910:namespace/ns-abc",
        services: [{ portName: "http", discoveryName: "checkout", clientAliases: [{ port: 80, dnsName: "checkout.shop.local" }] }],
      },
    },
  ],
  events: [{ id: "e1", createdAt: new Date("2026-11-26T10:01:00.000Z"), message: "(service checkout) has started 1 tasks: (task 1a2b)." }],
  tags: [
    { key: "team", value: "payments" },
    { key: "aws:cloudformation:stack-name", value: "checkout" },
  ],
};

const taskBase = {
  clusterArn: "arn:aws:ecs:us-east-1:012345678910:cluster/prod",
  taskDefinitionArn: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:7",
  group: "service:checkout",
  launchType: "FARGATE",
  availabilityZone: "us-east-1a",
} satisfies Partial<RawTask>;

export const runningFargateTask: RawTask = {
  ...taskBase,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/1dc5c17a422548870ee1c0a4da1f56d4",
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  cpu: "512",
  memory: "1024",
  healthStatus: "HEALTHY",
  containers: [{ name: "checkout", image: "012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.2.0", lastStatus: "RUNNING", cpu: "0" }],
  createdAt: new Date("2026-11-26T10:00:05.000Z"),
  startedAt: new Date("2026-11-26T10:00:41.000Z"),
  attachments: [
    {
      type: "ElasticNetworkInterface",
      details: [
        { name: "subnetId", value: "subnet-0a1b" },
        { name: "privateIPv4Address", value: "10.0.1.23" },
      ],
    },
  ],
};

export const crashedTask: RawTask = {
  ...taskBase,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/0aa1",
  lastStatus: "STOPPED",
  desiredStatus: "STOPPED",
  cpu: "512",
  memory: "1024",
  containers: [
    {
      name: "checkout",
      image: "checkout:5.2.0",
      lastStatus: "STOPPED",
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    },
  ],
  stopCode: "EssentialContainerExited",
  stoppedReason: "Essential container in task exited",
  createdAt: new Date("2026-11-26T09:00:00.000Z"),
  startedAt: new Date("2026-11-26T09:00:30.000Z"),
  stoppingAt: new Date("2026-11-26T10:00:00.000Z"),
  stoppedAt: new Date("2026-11-26T10:00:31.000Z"),
};

/** An EC2 task without a task-level size: its containers' sizes count. */
export const ec2TaskWithoutTaskSize: RawTask = {
  ...taskBase,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/77bb",
  launchType: "EC2",
  containerInstanceArn: "arn:aws:ecs:us-east-1:012345678910:container-instance/prod/f2756532-8f13-4d53-87c9-aed50dc94cd7",
  lastStatus: "PENDING",
  desiredStatus: "RUNNING",
  cpu: null,
  memory: null,
  containers: [
    { name: "app", image: "app:1", cpu: "256", memory: "512" },
    { name: "sidecar", image: "envoy:1", cpu: "128", memoryReservation: "128" },
  ],
  createdAt: new Date("2026-11-26T10:05:00.000Z"),
};

/*
 * Failures, as DescribeTasks and DescribeServices answer them: ECS stops a
 * task that fails and starts another, so they show as stopped tasks (listed
 * for about an hour), a deployment's failedTasks and rolloutState, and the
 * service's events.
 */

const failingDeploymentId = "ecs-svc/9223370428932767287";

/** Fargate (platform 1.4): the image tag is not in the repository. Neither container ran, so neither has an exit code. */
export const pullFailedTask: RawTask = {
  ...taskBase,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/5c1d",
  taskDefinitionArn: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:8",
  startedBy: failingDeploymentId,
  lastStatus: "STOPPED",
  desiredStatus: "STOPPED",
  cpu: "512",
  memory: "1024",
  healthStatus: "UNKNOWN",
  containers: [
    {
      name: "checkout",
      image: "012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.3.0",
      lastStatus: "STOPPED",
      reason:
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.3.0: 012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.3.0: not found",
      healthStatus: "UNKNOWN",
    },
    { name: "envoy", image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod", lastStatus: "STOPPED", healthStatus: "UNKNOWN" },
  ],
  stopCode: "TaskFailedToStart",
  stoppedReason:
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.3.0: 012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.3.0: not found",
  createdAt: new Date("2026-11-26T10:10:00.000Z"),
  stoppingAt: new Date("2026-11-26T10:10:41.000Z"),
  stoppedAt: new Date("2026-11-26T10:10:52.000Z"),
};

/** Running, but its essential container's health check fails: ECS reads the task UNHEALTHY and will replace it. */
export const unhealthyTask: RawTask = {
  ...runningFargateTask,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/9e8f",
  startedBy: failingDeploymentId,
  healthStatus: "UNHEALTHY",
  containers: [
    { name: "checkout", image: "checkout:5.3.0", lastStatus: "RUNNING", healthStatus: "UNHEALTHY" },
    { name: "envoy", image: "envoy:1", lastStatus: "RUNNING", healthStatus: "UNKNOWN" },
  ],
};

/** What the scheduler made of an unhealthy task: stopped, its containers ended by SIGTERM. */
export const healthCheckStoppedTask: RawTask = {
  ...unhealthyTask,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/7a6b",
  lastStatus: "STOPPED",
  desiredStatus: "STOPPED",
  containers: [
    { name: "checkout", image: "checkout:5.3.0", lastStatus: "STOPPED", exitCode: 143, healthStatus: "UNHEALTHY" },
    { name: "envoy", image: "envoy:1", lastStatus: "STOPPED", exitCode: 143, healthStatus: "UNKNOWN" },
  ],
  stopCode: "ServiceSchedulerInitiated",
  stoppedReason: "Task failed container health checks",
  stoppingAt: new Date("2026-11-26T10:12:00.000Z"),
  stoppedAt: new Date("2026-11-26T10:12:31.000Z"),
};

/** The app exited with an error after it ran; the sidecar then got ECS's SIGTERM. */
export const exitedTask: RawTask = {
  ...crashedTask,
  taskArn: "arn:aws:ecs:us-east-1:012345678910:task/prod/3c3c",
  containers: [
    { name: "envoy", image: "envoy:1", lastStatus: "STOPPED", exitCode: 143 },
    { name: "checkout", image: "checkout:5.2.0", lastStatus: "STOPPED", exitCode: 1 },
  ],
};

/** The circuit breaker failed the new deployment; the one before it still serves (ACTIVE). */
export const failedRolloutService: RawService = {
  ...fargateServiceFixture,
  taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:8",
  runningCount: 3,
  pendingCount: 0,
  deployments: [
    {
      id: failingDeploymentId,
      status: "PRIMARY",
      taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:8",
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 3,
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      createdAt: new Date("2026-11-26T10:10:00.000Z"),
      updatedAt: new Date("2026-11-26T10:14:12.000Z"),
    },
    {
      id: "ecs-svc/9223370428932761111",
      status: "ACTIVE",
      taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:7",
      desiredCount: 3,
      runningCount: 3,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: "COMPLETED",
      rolloutStateReason: "ECS deployment ecs-svc/9223370428932761111 completed.",
      createdAt: new Date("2026-11-20T09:00:00.000Z"),
      updatedAt: new Date("2026-11-20T09:04:00.000Z"),
    },
  ],
};

/** An EC2 service whose tasks no container instance can take (the newest event first, as DescribeServices lists them). */
export const unplaceableService: RawService = {
  ...fargateServiceFixture,
  serviceArn: "arn:aws:ecs:us-east-1:012345678910:service/prod/reports",
  serviceName: "reports",
  launchType: "EC2",
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 0,
  loadBalancers: [],
  serviceRegistries: [],
  deployments: [{ ...fargateServiceFixture.deployments![0], desiredCount: 2, runningCount: 0, pendingCount: 0 }],
  events: [
    {
      id: "e3",
      createdAt: new Date("2026-11-26T11:00:04.000Z"),
      message:
        "(service reports) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance f2756532-8f13-4d53-87c9-aed50dc94cd7) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    },
    { id: "e2", createdAt: new Date("2026-11-26T10:30:00.000Z"), message: "(service reports) has reached a steady state." },
  ],
};

/**
 * DescribeTaskDefinition's answer for the checkout service (the fields the
 * adapter reads): an EFS file system at a root directory through an access
 * point, a task-scoped and a shared Docker volume, a bind mount of a host
 * path, a scratch bind mount and an EBS volume configured at launch.
 */
export const checkoutTaskDefinition: RawTaskDefinition = {
  taskDefinitionArn: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:8",
  containerDefinitions: [
    {
      name: "checkout",
      mountPoints: [
        { sourceVolume: "receipts", containerPath: "/srv/receipts", readOnly: false },
        { sourceVolume: "tmp", containerPath: "/tmp/checkout", readOnly: false },
        { sourceVolume: "certs", containerPath: "/etc/ssl/certs", readOnly: true },
        { sourceVolume: "orders", containerPath: "/var/lib/orders", readOnly: false },
      ],
    },
    {
      name: "log-router",
      mountPoints: [
        { sourceVolume: "receipts", containerPath: "/receipts", readOnly: true },
        { sourceVolume: "spool", containerPath: "/var/spool/fluent", readOnly: false },
      ],
    },
  ],
  volumes: [
    {
      name: "receipts",
      efsVolumeConfiguration: { fileSystemId: "fs-0c2d9e4f81a7b3e56", rootDirectory: "/checkout/receipts" },
    },
    { name: "tmp", dockerVolumeConfiguration: { scope: "task", driver: "local" } },
    { name: "spool", dockerVolumeConfiguration: { scope: "shared", driver: "local" } },
    { name: "certs", host: { sourcePath: "/etc/pki/tls/certs" } },
    { name: "scratch", host: {} },
    { name: "orders", configuredAtLaunch: true },
  ],
};
