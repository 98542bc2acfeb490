import type { RawContainerInstance, RawService, RawTask } from "./raw";

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
