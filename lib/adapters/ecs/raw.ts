import { z } from "zod";

/**
 * The parts of ECS API answers the adapter reads, validated after the SDK
 * has deserialised them (timestamps are Dates by then). Unknown fields are
 * dropped, so nothing raw outlives the mapping.
 */

const str = z.string().nullish();
const num = z.number().nullish();
const date = z.date().nullish();
const tags = z.array(z.object({ key: str, value: str })).nullish();

export const RawClusterSchema = z.object({
  clusterArn: z.string(),
  clusterName: z.string(),
  status: str,
  registeredContainerInstancesCount: num,
  capacityProviders: z.array(z.string()).nullish(),
  settings: z.array(z.object({ name: str, value: str })).nullish(),
});
export type RawCluster = z.infer<typeof RawClusterSchema>;

const resource = z.object({ name: str, type: str, integerValue: num, doubleValue: num, longValue: num });

export const RawContainerInstanceSchema = z.object({
  containerInstanceArn: z.string(),
  ec2InstanceId: str,
  capacityProviderName: str,
  versionInfo: z.object({ agentVersion: str, dockerVersion: str }).nullish(),
  remainingResources: z.array(resource).nullish(),
  registeredResources: z.array(resource).nullish(),
  status: str,
  statusReason: str,
  agentConnected: z.boolean().nullish(),
  runningTasksCount: num,
  pendingTasksCount: num,
  attributes: z.array(z.object({ name: z.string(), value: str })).nullish(),
  registeredAt: date,
});
export type RawContainerInstance = z.infer<typeof RawContainerInstanceSchema>;

const capacityProviderStrategy = z.array(z.object({ capacityProvider: str, weight: num, base: num })).nullish();

export const RawServiceSchema = z.object({
  serviceArn: z.string(),
  serviceName: z.string(),
  clusterArn: str,
  status: str,
  desiredCount: num,
  runningCount: num,
  pendingCount: num,
  launchType: str,
  capacityProviderStrategy,
  taskDefinition: str,
  schedulingStrategy: str,
  createdAt: date,
  loadBalancers: z.array(z.object({ targetGroupArn: str, loadBalancerName: str, containerName: str, containerPort: num })).nullish(),
  serviceRegistries: z.array(z.object({ registryArn: str, port: num, containerName: str, containerPort: num })).nullish(),
  deployments: z
    .array(
      z.object({
        id: str,
        status: str,
        taskDefinition: str,
        desiredCount: num,
        runningCount: num,
        pendingCount: num,
        failedTasks: num,
        rolloutState: str,
        rolloutStateReason: str,
        createdAt: date,
        updatedAt: date,
        serviceConnectConfiguration: z
          .object({
            enabled: z.boolean().nullish(),
            namespace: str,
            services: z
              .array(
                z.object({ portName: str, discoveryName: str, clientAliases: z.array(z.object({ port: num, dnsName: str })).nullish() }),
              )
              .nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  events: z.array(z.object({ id: str, createdAt: date, message: str })).nullish(),
  tags,
});
export type RawService = z.infer<typeof RawServiceSchema>;

export const RawTaskSchema = z.object({
  taskArn: z.string(),
  clusterArn: str,
  taskDefinitionArn: str,
  containerInstanceArn: str,
  lastStatus: str,
  desiredStatus: str,
  cpu: str,
  memory: str,
  containers: z
    .array(
      z.object({
        name: str,
        image: str,
        lastStatus: str,
        exitCode: num,
        reason: str,
        healthStatus: str,
        cpu: str,
        memory: str,
        memoryReservation: str,
        networkInterfaces: z.array(z.object({ privateIpv4Address: str })).nullish(),
      }),
    )
    .nullish(),
  group: str,
  /** A service's tasks name the deployment that started them ("ecs-svc/..."). */
  startedBy: str,
  launchType: str,
  capacityProviderName: str,
  availabilityZone: str,
  healthStatus: str,
  createdAt: date,
  /** When the agent began and ended pulling the images: the steps a task's detail tells with the others below. */
  pullStartedAt: date,
  pullStoppedAt: date,
  startedAt: date,
  stoppingAt: date,
  /** When its containers had all stopped, before ECS cleaned up after it (stoppedAt). */
  executionStoppedAt: date,
  stoppedAt: date,
  stoppedReason: str,
  stopCode: str,
  attachments: z.array(z.object({ type: str, details: z.array(z.object({ name: str, value: str })).nullish() })).nullish(),
  tags,
});
export type RawTask = z.infer<typeof RawTaskSchema>;

/**
 * A task definition revision, as DescribeTaskDefinition answers it: only its
 * volumes and where each container mounts them. Revisions never change, so
 * the adapter reads each one once.
 */
export const RawTaskDefinitionSchema = z.object({
  taskDefinitionArn: z.string(),
  volumes: z
    .array(
      z.object({
        name: str,
        host: z.object({ sourcePath: str }).nullish(),
        dockerVolumeConfiguration: z.object({ scope: str, driver: str }).nullish(),
        efsVolumeConfiguration: z.object({ fileSystemId: str, rootDirectory: str }).nullish(),
        fsxWindowsFileServerVolumeConfiguration: z.object({ fileSystemId: str, rootDirectory: str }).nullish(),
        /** An EBS volume ECS creates for each task at launch, from the service's volume configuration. */
        configuredAtLaunch: z.boolean().nullish(),
      }),
    )
    .nullish(),
  containerDefinitions: z
    .array(
      z.object({
        name: str,
        mountPoints: z.array(z.object({ sourceVolume: str, containerPath: str, readOnly: z.boolean().nullish() })).nullish(),
      }),
    )
    .nullish(),
});
export type RawTaskDefinition = z.infer<typeof RawTaskDefinitionSchema>;

/** Parses a list of items, naming the first bad one in the error, so a malformed answer is reported, not half-shown. */
export function parseAll<T>(schema: z.ZodType<T>, items: unknown[] | undefined, what: string): T[] {
  return (items ?? []).map((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`unexpected ${what} #${index}: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? ""}`.trim());
    }
    return parsed.data;
  });
}
