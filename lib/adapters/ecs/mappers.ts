import { joinId } from "@/lib/model/ids";
import { facts, recentEvents } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import type { Limits, NodeCore, Resources, Service, TaskCore, TaskState, Volume, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import { mountModes, mountStatus } from "../volumes";
import type { RawContainerInstance, RawService, RawTask, RawTaskDefinition } from "./raw";
import { cpuUnitsToMillis, mibToBytes, parseCpuUnits, parseMemoryMiB } from "./units";

/**
 * Pure mappers from ECS objects to the neutral model. Every id starts with
 * the ECS cluster name, so one adapter can follow several clusters and ids
 * stay unique; workloads, tasks and services use that name as namespace.
 */

export const ECS_WORKLOAD_KIND = "EcsService";
/** Label on every task of a service, so a workload's selector finds its tasks. */
export const SERVICE_LABEL = "ecs.service";

/** The last path segment of an ARN ("arn:...:task/cluster/abc" → "abc"), or the input when it has none. */
export function arnTail(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const workloadIdOf = (clusterName: string, serviceName: string) => joinId(clusterName, serviceName);
export const nodeIdOf = (clusterName: string, containerInstanceArn: string) => joinId(clusterName, arnTail(containerInstanceArn));
export const taskIdOf = (clusterName: string, taskArn: string) => joinId(clusterName, arnTail(taskArn));

function tagsToLabels(tags: { key?: string | null; value?: string | null }[] | null | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key) labels[tag.key] = tag.value ?? "";
  return labels;
}

function resourceValue(list: RawContainerInstance["registeredResources"], name: string): number {
  const r = list?.find((x) => x.name === name);
  return r?.integerValue ?? r?.longValue ?? r?.doubleValue ?? 0;
}

export function mapContainerInstance(clusterName: string, raw: RawContainerInstance): NodeCore {
  const capacity: Resources = {
    cpuMillis: cpuUnitsToMillis(resourceValue(raw.registeredResources, "CPU")),
    memoryBytes: mibToBytes(resourceValue(raw.registeredResources, "MEMORY")),
  };
  const remaining: Resources = {
    cpuMillis: cpuUnitsToMillis(resourceValue(raw.remainingResources, "CPU")),
    memoryBytes: mibToBytes(resourceValue(raw.remainingResources, "MEMORY")),
  };
  const status = raw.status ?? "UNKNOWN";
  const connected = raw.agentConnected !== false;
  let nodeStatus: NodeCore["status"] = "unknown";
  let statusReason: string | null = null;
  if (status === "ACTIVE" || status === "DRAINING") {
    nodeStatus = connected ? "ready" : "not-ready";
    statusReason = connected ? (status === "DRAINING" ? "DRAINING" : null) : "ECS agent disconnected";
  } else if (status !== "REGISTERING") {
    nodeStatus = "not-ready";
    statusReason = raw.statusReason ? `${status}: ${raw.statusReason}` : status;
  } else {
    statusReason = status;
  }
  const labels: Record<string, string> = {};
  for (const attr of raw.attributes ?? []) labels[attr.name] = attr.value ?? "";
  const attribute = (name: string) => labels[name] ?? "";
  const ec2InstanceId = raw.ec2InstanceId ?? "";
  const info: Record<string, string> = {
    status,
    agentConnected: String(connected),
    ec2InstanceId,
    instanceType: attribute("ecs.instance-type"),
    availabilityZone: attribute("ecs.availability-zone"),
    agentVersion: raw.versionInfo?.agentVersion ?? "",
    dockerVersion: raw.versionInfo?.dockerVersion ?? "",
    capacityProvider: raw.capacityProviderName ?? "",
    remainingCpuMillis: String(remaining.cpuMillis),
    remainingMemoryBytes: String(remaining.memoryBytes),
    runningTasks: String(raw.runningTasksCount ?? 0),
    pendingTasks: String(raw.pendingTasksCount ?? 0),
  };
  for (const key of Object.keys(info)) if (info[key] === "") delete info[key];
  const containerInstanceId = arnTail(raw.containerInstanceArn);
  return {
    id: nodeIdOf(clusterName, raw.containerInstanceArn),
    name: ec2InstanceId || containerInstanceId,
    status: nodeStatus,
    statusReason,
    schedulable: status === "ACTIVE" && connected,
    // SSM managed instances ("mi-...") are ECS Anywhere external instances.
    roles: [ec2InstanceId.startsWith("mi-") ? "external" : "ec2"],
    labels,
    capacity,
    // ECS reserves nothing for the system beyond what it registers, so all registered capacity is allocatable.
    allocatable: capacity,
    createdAt: iso(raw.registeredAt),
    info,
  };
}

/** "arn:...:task-definition/web:14" → "web:14". */
export function taskDefinitionName(arn: string | null | undefined): string | null {
  return arn ? arnTail(arn) : null;
}

type RawDeployment = NonNullable<RawService["deployments"]>[number];

/** "PRIMARY checkout:7 IN_PROGRESS 2/3 running, 1 pending": one deployment of a service, as the console lists it. */
export function describeDeployment(d: RawDeployment): string {
  const running = d.runningCount ?? 0;
  const desired = d.desiredCount ?? 0;
  const counts = [running === desired ? `${running} running` : `${running}/${desired} running`];
  if (d.pendingCount) counts.push(`${d.pendingCount} pending`);
  if (d.failedTasks) counts.push(`${d.failedTasks} failed`);
  return [d.status, taskDefinitionName(d.taskDefinition), d.rolloutState, counts.join(", ")].filter(Boolean).join(" ");
}

/** Service event messages that ask for attention: placement failures, failed or unhealthy tasks, failed deployments. */
const WARNING_EVENT = /unable to|\bfail(s|ed|ure|ing)?\b|unhealthy|\berror\b/i;

/** The service's own event log (newest first, as DescribeServices answers), cut to the model's bound. */
export function serviceEvents(raw: Pick<RawService, "events">): WorkloadEvent[] {
  return recentEvents(
    (raw.events ?? [])
      .filter((e) => e.message)
      .map((e): WorkloadEvent => ({
        at: iso(e.createdAt),
        level: WARNING_EVENT.test(e.message!) ? "warning" : "normal",
        message: e.message!,
      })),
  );
}

/** Facts of a service beyond its counts: how it gets capacity, what it runs and how its deployments stand. */
export function serviceInfo(raw: RawService): Record<string, string> {
  const primary = raw.deployments?.find((d) => d.status === "PRIMARY") ?? raw.deployments?.[0];
  const providers = (raw.capacityProviderStrategy ?? []).filter((s) => s.capacityProvider);
  // With several providers the weights say how tasks spread; with one they say nothing.
  const strategy =
    providers.length > 1
      ? providers.map((s) => `${s.capacityProvider} (weight ${s.weight ?? 0}${s.base ? `, base ${s.base}` : ""})`).join(", ")
      : providers[0]?.capacityProvider;
  const rollout = primary?.rolloutState
    ? `${primary.rolloutState}${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}`
    : null;
  return facts([
    ["Launch type", raw.launchType],
    ["Capacity provider", raw.launchType ? null : strategy],
    ["Task definition", taskDefinitionName(raw.taskDefinition)],
    ["Scheduling strategy", raw.schedulingStrategy],
    ["Status", raw.status && raw.status !== "ACTIVE" ? raw.status : null],
    ["Pending", raw.pendingCount ? `${raw.pendingCount} task${raw.pendingCount === 1 ? "" : "s"}` : null],
    ["Rollout", rollout],
    ["Deployments", (raw.deployments ?? []).map(describeDeployment).join("; ")],
  ]);
}

/**
 * `tasks` are the service's own (stopped ones included), for its health:
 * without them (a scale's answer) its crash loop and unhealthy tasks go
 * unseen until the next poll. `definition` is its current task definition,
 * for its volumes; null when it could not be read (then it shows none).
 */
export function mapService(
  clusterName: string,
  raw: RawService,
  images: string[],
  tasks: readonly RawTask[] = [],
  definition: RawTaskDefinition | null = null,
): WorkloadCore {
  let notScalableReason: string | null = null;
  if (raw.schedulingStrategy === "DAEMON")
    notScalableReason = "A DAEMON service runs one task on each container instance; it has no desired count to set.";
  else if (raw.status && raw.status !== "ACTIVE") notScalableReason = `The service is ${raw.status}.`;
  return {
    id: workloadIdOf(clusterName, raw.serviceName),
    name: raw.serviceName,
    namespace: clusterName,
    kind: ECS_WORKLOAD_KIND,
    // The service's tags: what an operator set, not what Fleetdeck knows of it (that is `info`).
    labels: tagsToLabels(raw.tags),
    images,
    desired: Math.max(0, raw.desiredCount ?? 0),
    // ECS counts a RUNNING task that fails its health checks as running; it serves nothing, so it is not ready.
    ready: Math.max(0, (raw.runningCount ?? 0) - tasks.filter((t) => isLive(t) && t.healthStatus === "UNHEALTHY").length),
    scalable: notScalableReason === null,
    notScalableReason,
    // Application Auto Scaling targets live in another API; not looked up here.
    autoscaler: null,
    createdAt: iso(raw.createdAt),
    selector: `${SERVICE_LABEL}=${raw.serviceName}`,
    info: serviceInfo(raw),
    events: serviceEvents(raw),
    volumes: definition ? taskDefinitionVolumes(definition, (raw.runningCount ?? 0) > 0) : [],
    ...withProblems(serviceProblems(raw, tasks)),
  };
}

/**
 * A task definition's volumes, by name: an EFS or FSx file system (its root
 * directory after a colon, unless it is the root), a Docker volume shared by
 * the instance's tasks (a task-scoped one is each task's own, as is an empty
 * bind mount and an EBS volume configured at launch), a host path; how the
 * containers mount each, and whether a task of the service runs.
 */
export function taskDefinitionVolumes(definition: RawTaskDefinition, running: boolean): Volume[] {
  const mounts = (definition.containerDefinitions ?? []).flatMap((c) => c.mountPoints ?? []);
  return (definition.volumes ?? []).flatMap((v): Volume[] => {
    if (!v.name) return [];
    const fs = v.efsVolumeConfiguration ?? v.fsxWindowsFileServerVolumeConfiguration;
    const root = fs?.rootDirectory && fs.rootDirectory !== "/" ? `:${fs.rootDirectory}` : "";
    const docker = v.dockerVolumeConfiguration;
    const [type, claim] = v.efsVolumeConfiguration
      ? ["efs", `${fs?.fileSystemId ?? ""}${root}`]
      : v.fsxWindowsFileServerVolumeConfiguration
        ? ["fsx", `${fs?.fileSystemId ?? ""}${root}`]
        : v.configuredAtLaunch
          ? ["ebs", null]
          : docker
            ? ["docker", docker.scope === "shared" ? v.name : null]
            : ["host", v.host?.sourcePath || null];
    return [
      {
        name: v.name,
        type,
        claim: claim || null,
        capacityBytes: null,
        accessModes: mountModes(mounts.filter((m) => m.sourceVolume === v.name).map((m) => m.readOnly)),
        status: mountStatus(running),
      },
    ];
  });
}

/** The service a task belongs to, from its group ("service:web"); null for standalone tasks. */
export function serviceNameOfTask(raw: Pick<RawTask, "group">): string | null {
  return raw.group?.startsWith("service:") ? raw.group.slice("service:".length) : null;
}

/**
 * Reserved resources: the task-level size, else the sum of its containers'
 * (EC2 tasks may omit the task size); a container reserves its soft limit
 * (memoryReservation) where it has one, else its hard `memory`.
 */
export function taskRequests(raw: RawTask): Resources {
  let cpu = parseCpuUnits(raw.cpu);
  let memory = parseMemoryMiB(raw.memory);
  if (cpu === null) cpu = (raw.containers ?? []).reduce((sum, c) => sum + (parseCpuUnits(c.cpu) ?? 0), 0);
  if (memory === null) {
    memory = (raw.containers ?? []).reduce((sum, c) => sum + (parseMemoryMiB(c.memoryReservation) ?? parseMemoryMiB(c.memory) ?? 0), 0);
  }
  return { cpuMillis: cpuUnitsToMillis(cpu), memoryBytes: mibToBytes(memory) };
}

/**
 * Hard caps: the task-level size is one for CPU and memory; without it, a
 * container's `memory` is its hard limit (memoryReservation is soft, container
 * `cpu` only shares), so memory is capped when every container has one.
 */
export function taskLimits(raw: RawTask): Limits {
  const positive = (n: number | null) => (n !== null && n > 0 ? n : null);
  const cpu = positive(parseCpuUnits(raw.cpu));
  let memory = positive(parseMemoryMiB(raw.memory));
  const containers = raw.containers ?? [];
  if (memory === null && containers.length) {
    const each = containers.map((c) => positive(parseMemoryMiB(c.memory)));
    memory = each.every((m) => m !== null) ? each.reduce<number>((sum, m) => sum + m!, 0) : null;
  }
  return { cpuMillis: cpu === null ? null : cpuUnitsToMillis(cpu), memoryBytes: memory === null ? null : mibToBytes(memory) };
}

/** A stopped task failed when ECS says why it failed (see stopCause); scale-in, user stops and interruptions succeed. */
export function stoppedTaskFailed(raw: RawTask): boolean {
  return stopCause(raw) !== null;
}

/** 128 + SIGTERM: what a task's other containers exit with when ECS stops them after the essential one ended. */
const SIGTERM_EXIT = 143;

export type RawContainer = NonNullable<RawTask["containers"]>[number];

/**
 * The container that ended a failed task: the one ECS gave a reason (an OOM
 * kill), else one that exited with an error of its own rather than on the
 * SIGTERM ECS then sends the rest.
 */
function failedContainer(raw: RawTask): RawContainer | undefined {
  const failed = (raw.containers ?? []).filter((c) => typeof c.exitCode === "number" && c.exitCode !== 0);
  return failed.find((c) => c.reason) ?? failed.find((c) => c.exitCode !== SIGTERM_EXIT) ?? failed[0];
}

/** "web exit code 137: OutOfMemoryError: Container killed due to memory usage". */
export const describeExit = (c: RawContainer) => `${c.name ?? "container"} exit code ${c.exitCode}${c.reason ? `: ${c.reason}` : ""}`;

/** Wanted running: not stopped, nor on its way out. */
const isLive = (raw: RawTask) => raw.desiredStatus !== "STOPPED";

function taskState(raw: RawTask): { state: TaskState; reason: string | null; ready: boolean } {
  const last = raw.lastStatus ?? "UNKNOWN";
  const stopping = raw.desiredStatus === "STOPPED";
  switch (last) {
    case "PROVISIONING":
    case "PENDING":
    case "ACTIVATING":
      return { state: "pending", reason: stopping ? `${last} (stopping: ${raw.stoppedReason ?? "requested"})` : last, ready: false };
    case "RUNNING":
      if (stopping) return { state: "running", reason: `Stopping: ${raw.stoppedReason ?? "requested"}`, ready: false };
      return { state: "running", reason: raw.healthStatus === "UNHEALTHY" ? "UNHEALTHY" : null, ready: raw.healthStatus !== "UNHEALTHY" };
    case "DEACTIVATING":
    case "STOPPING":
    case "DEPROVISIONING":
      return { state: raw.startedAt ? "running" : "pending", reason: `${last}: ${raw.stoppedReason ?? "stop requested"}`, ready: false };
    case "STOPPED": {
      const exited = failedContainer(raw);
      const detail = exited ? ` (${describeExit(exited)})` : "";
      return {
        state: stoppedTaskFailed(raw) ? "failed" : "succeeded",
        reason: `${raw.stoppedReason ?? raw.stopCode ?? "Stopped"}${detail}`,
        ready: false,
      };
    }
    default:
      return { state: "unknown", reason: last, ready: false };
  }
}

function taskIp(raw: RawTask): string | null {
  for (const attachment of raw.attachments ?? []) {
    const ip = attachment.details?.find((d) => d.name === "privateIPv4Address")?.value;
    if (ip) return ip;
  }
  for (const container of raw.containers ?? []) {
    const ip = container.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address;
    if (ip) return ip;
  }
  return null;
}

/** `standing` is how the task's deployment stands with its service (see stopStanding), which decides what its stop still says. */
export function mapTask(clusterName: string, raw: RawTask, restarts = 0, standing: StopStanding = "past"): TaskCore {
  const serviceName = serviceNameOfTask(raw);
  const { state, reason, ready } = taskState(raw);
  const labels: Record<string, string> = { ...tagsToLabels(raw.tags) };
  if (serviceName) labels[SERVICE_LABEL] = serviceName;
  if (raw.launchType) labels["ecs.launchType"] = raw.launchType;
  if (raw.capacityProviderName) labels["ecs.capacityProvider"] = raw.capacityProviderName;
  const taskDefinition = taskDefinitionName(raw.taskDefinitionArn);
  if (taskDefinition) labels["ecs.taskDefinition"] = taskDefinition;
  if (raw.availabilityZone) labels["ecs.availabilityZone"] = raw.availabilityZone;
  return {
    id: taskIdOf(clusterName, raw.taskArn),
    name: arnTail(raw.taskArn),
    namespace: clusterName,
    workloadId: serviceName ? workloadIdOf(clusterName, serviceName) : null,
    // Fargate tasks have no container instance, hence no node.
    node: raw.containerInstanceArn ? nodeIdOf(clusterName, raw.containerInstanceArn) : null,
    state,
    stateReason: reason,
    ready,
    restarts,
    labels,
    requests: taskRequests(raw),
    limits: taskLimits(raw),
    startedAt: iso(raw.startedAt),
    createdAt: iso(raw.createdAt),
    ip: taskIp(raw),
    ...withProblems(taskProblems(raw, standing)),
  };
}

/**
 * ECS never restarts a task: it replaces a failed one with a new task. So a
 * task's "restarts" are the failed tasks of the same service it replaced,
 * transitively: each failure (oldest first) is credited to the earliest task
 * of that service created at or after the failure began that has not yet been
 * credited with another failure, carrying over the failed task's own count.
 * Answers restarts by task ARN; tasks that replaced nothing are absent.
 */
export function countRestarts(tasks: RawTask[]): Map<string, number> {
  const restarts = new Map<string, number>();
  const byService = new Map<string, RawTask[]>();
  for (const task of tasks) {
    const service = serviceNameOfTask(task);
    if (!service) continue;
    const key = `${task.clusterArn ?? ""}|${service}`;
    byService.set(key, [...(byService.get(key) ?? []), task]);
  }
  const time = (d: Date | null | undefined) => d?.getTime() ?? Number.POSITIVE_INFINITY;
  for (const group of byService.values()) {
    const failures = group
      .filter((t) => t.lastStatus === "STOPPED" || t.desiredStatus === "STOPPED")
      .filter((t) => t.stopCode === "TaskFailedToStart" || t.stopCode === "EssentialContainerExited" || stoppedTaskFailed(t))
      .sort((a, b) => time(a.stoppingAt ?? a.stoppedAt) - time(b.stoppingAt ?? b.stoppedAt));
    const byCreation = [...group].sort((a, b) => time(a.createdAt) - time(b.createdAt));
    const credited = new Set<string>();
    for (const failed of failures) {
      const failedAt = time(failed.stoppingAt ?? failed.stoppedAt);
      const replacement = byCreation.find((t) => t !== failed && !credited.has(t.taskArn) && time(t.createdAt) >= failedAt);
      if (!replacement) continue;
      credited.add(replacement.taskArn);
      restarts.set(replacement.taskArn, (restarts.get(failed.taskArn) ?? 0) + 1);
    }
  }
  return restarts;
}

/** The images a service runs: those of its tasks on the service's current task definition, else of any of its tasks. */
export function imagesByService(clusterName: string, services: RawService[], tasks: RawTask[]): Map<string, string[]> {
  const current = new Map(services.map((s) => [s.serviceName, s.taskDefinition ?? null]));
  const preferred = new Map<string, Set<string>>();
  const fallback = new Map<string, Set<string>>();
  for (const task of tasks) {
    const service = serviceNameOfTask(task);
    if (!service) continue;
    const target = task.taskDefinitionArn && task.taskDefinitionArn === current.get(service) ? preferred : fallback;
    const set = target.get(service) ?? new Set<string>();
    for (const c of task.containers ?? []) if (c.image) set.add(c.image);
    target.set(service, set);
  }
  const answer = new Map<string, string[]>();
  for (const s of services) {
    const set = preferred.get(s.serviceName) ?? fallback.get(s.serviceName);
    answer.set(workloadIdOf(clusterName, s.serviceName), set ? [...set].sort() : []);
  }
  return answer;
}

/** Load balancers, Cloud Map registries and Service Connect names of a service, as neutral services. */
export function mapServiceEndpoints(clusterName: string, raw: RawService): Service[] {
  const base = {
    namespace: clusterName,
    clusterIp: null,
    headless: false,
    selector: { [SERVICE_LABEL]: raw.serviceName },
    labels: tagsToLabels(raw.tags),
    readyEndpoints: raw.runningCount ?? null,
    totalEndpoints: raw.desiredCount ?? null,
    createdAt: iso(raw.createdAt),
  };
  const out: Service[] = [];
  for (const lb of raw.loadBalancers ?? []) {
    // Target group ARNs end in "targetgroup/<name>/<hash>"; classic load balancers are named.
    const name = lb.targetGroupArn
      ? (lb.targetGroupArn.split(":").pop()?.split("/")[1] ?? lb.targetGroupArn)
      : (lb.loadBalancerName ?? "load-balancer");
    out.push({
      ...base,
      id: joinId(clusterName, raw.serviceName, "lb", name, String(lb.containerPort ?? "")),
      name,
      type: "LoadBalancer",
      ports: lb.containerPort
        ? [
            {
              name: lb.containerName ?? null,
              port: lb.containerPort,
              targetPort: `${lb.containerName ?? ""}:${lb.containerPort}`,
              protocol: "TCP",
              nodePort: null,
            },
          ]
        : [],
    });
  }
  for (const registry of raw.serviceRegistries ?? []) {
    const name = registry.registryArn ? arnTail(registry.registryArn) : "service-discovery";
    const port = registry.port ?? registry.containerPort;
    out.push({
      ...base,
      id: joinId(clusterName, raw.serviceName, "cloudmap", name),
      name,
      type: "CloudMap",
      headless: true,
      ports: port
        ? [
            {
              name: registry.containerName ?? null,
              port,
              targetPort: registry.containerName ? `${registry.containerName}:${port}` : String(port),
              protocol: "TCP",
              nodePort: null,
            },
          ]
        : [],
    });
  }
  const primary = raw.deployments?.find((d) => d.status === "PRIMARY") ?? raw.deployments?.[0];
  const connect = primary?.serviceConnectConfiguration;
  if (connect?.enabled) {
    for (const s of connect.services ?? []) {
      for (const alias of s.clientAliases ?? []) {
        const name = alias.dnsName ?? `${s.discoveryName ?? s.portName ?? raw.serviceName}.${connect.namespace ?? ""}`;
        out.push({
          ...base,
          id: joinId(clusterName, raw.serviceName, "connect", name, String(alias.port ?? "")),
          name,
          type: "ServiceConnect",
          ports: alias.port
            ? [{ name: s.portName ?? null, port: alias.port, targetPort: s.portName ?? null, protocol: "TCP", nodePort: null }]
            : [],
        });
      }
    }
  }
  return out;
}

/*
 * Health: what ECS says is wrong with a service and its tasks, in the plain
 * words every orchestrator shares. ECS never restarts a task, it replaces
 * it, so most of what goes wrong shows as stopped tasks (ECS lists them for
 * about an hour) and in the service's deployments and events.
 */

export const PULL_ERROR = /\bCannotPullContainerError\b/;
const OUT_OF_MEMORY = /^OutOfMemoryError\b/;
/** "Task failed container health checks", "Task failed ELB health checks in (target-group ...)". */
const FAILED_HEALTH_CHECKS = /\bfailed (container|ELB) health checks\b/i;

const containerNames = (containers: RawContainer[]) =>
  `container${containers.length === 1 ? "" : "s"} ${containers.map((c) => c.name ?? "?").join(", ")}`;

/**
 * Why a stopped (or stopping) task failed, in plain words and in ECS's: an
 * image pull, an OOM kill, failed health checks, any other start failure, or
 * the essential container's error exit. Null for a stop that is no failure
 * (scale-in, a user's stop, a Spot interruption).
 */
export function stopCause(raw: RawTask): { reason: string; evidence: string } | null {
  const containers = raw.containers ?? [];
  const said = (c: RawContainer) => `container ${c.name ?? "?"}: ${c.reason}`;
  const withReason = (pattern: RegExp) => containers.find((c) => c.reason && pattern.test(c.reason));
  const pull = withReason(PULL_ERROR);
  if (pull) return { reason: "Image cannot be pulled", evidence: said(pull) };
  if (raw.stoppedReason && PULL_ERROR.test(raw.stoppedReason)) return { reason: "Image cannot be pulled", evidence: raw.stoppedReason };
  const oom = withReason(OUT_OF_MEMORY);
  if (oom) return { reason: "Out of memory", evidence: `${said(oom)} (exit code ${oom.exitCode ?? "unknown"})` };
  if (raw.stoppedReason && FAILED_HEALTH_CHECKS.test(raw.stoppedReason)) {
    const unhealthy = containers.filter((c) => c.healthStatus === "UNHEALTHY");
    const which = unhealthy.length ? ` (${containerNames(unhealthy)} UNHEALTHY)` : "";
    return { reason: "Failing health check", evidence: `${raw.stoppedReason}${which}` };
  }
  if (raw.stopCode === "TaskFailedToStart") {
    const failed = containers.find((c) => c.reason);
    return { reason: "Container cannot start", evidence: failed ? said(failed) : (raw.stoppedReason ?? "TaskFailedToStart") };
  }
  // The scheduler's and users' stops end containers with SIGTERM too; only the essential container's own exit is a failure.
  if (raw.stopCode && raw.stopCode !== "EssentialContainerExited") return null;
  const exited = failedContainer(raw);
  return exited
    ? { reason: "Container failed", evidence: `${raw.stoppedReason ?? "Essential container in task exited"} (${describeExit(exited)})` }
    : null;
}

/**
 * How the deployment that started a task stands with its service, which
 * decides what the task's stop still says:
 * - "failing": the deployment has failed, or has run no task successfully
 *   yet and counts failures (ECS resets failedTasks to 0 at the first
 *   success and stops counting), so the failure goes on;
 * - "past": the deployment has run tasks since, or the task is standalone:
 *   something that happened;
 * - "replaced": the service has moved on to another deployment, so the stop
 *   says nothing about it now.
 */
export type StopStanding = "failing" | "past" | "replaced";

export function stopStanding(service: Pick<RawService, "deployments"> | undefined, task: Pick<RawTask, "startedBy">): StopStanding {
  const deployments = (service?.deployments ?? []).filter((d) => d.status !== "INACTIVE");
  if (!task.startedBy || deployments.length === 0) return "past";
  const deployment = deployments.find((d) => d.id === task.startedBy);
  if (!deployment) return "replaced";
  return deployment.rolloutState === "FAILED" || (deployment.failedTasks ?? 0) > 0 ? "failing" : "past";
}

/**
 * A task's problems. A live one fails its health check: critical once ECS
 * reads the task UNHEALTHY (it replaces a service's), a warning when only a
 * container whose check does not decide the task's health fails. A stopped
 * one failed (see stopCause): critical while its deployment is still
 * failing, else a warning; either way something that happened, counting for
 * an hour after the stop.
 */
export function taskProblems(raw: RawTask, standing: StopStanding = "past"): Problem[] {
  if (isLive(raw)) {
    const unhealthy = (raw.containers ?? []).filter((c) => c.healthStatus === "UNHEALTHY");
    const which = unhealthy.length ? `${containerNames(unhealthy)} health status UNHEALTHY` : "task health status UNHEALTHY";
    if (raw.healthStatus === "UNHEALTHY") return [problem("critical", "Failing health check", which, null)];
    if (unhealthy.length) return [problem("warning", "Failing health check", `${which}, the task ${raw.healthStatus ?? "UNKNOWN"}`, null)];
    return [];
  }
  const cause = standing === "replaced" ? null : stopCause(raw);
  if (!cause) return [];
  const at = iso(raw.stoppedAt ?? raw.stoppingAt ?? raw.createdAt);
  return [problem(standing === "failing" ? "critical" : "warning", cause.reason, cause.evidence, at, false)];
}

/** Stops in a row, each its essential container's error exit, that make a short-handed service a crash loop. */
const CRASH_LOOP_STOPS = 3;
/** "(service web) was unable to place a task because no container instance met all of its requirements. ..." and Fargate's "... was unable to place a task. Reason: ...". */
const PLACEMENT_FAILURE = /\bunable to place a task\b/;
const STEADY_STATE = /\bhas reached a steady state\b/;

/**
 * A service's own problems: a deployment the circuit breaker failed; tasks
 * it cannot place, as its latest placement event says, while it is short of
 * them; and a crash loop, which ECS does not name: its tasks reach RUNNING
 * (so failedTasks does not count them) and exit with an error, each replaced
 * at once.
 */
export function serviceProblems(raw: RawService, tasks: readonly RawTask[] = []): Problem[] {
  const running = raw.runningCount ?? 0;
  const desired = raw.desiredCount ?? 0;
  const out: Problem[] = [];
  for (const d of raw.deployments ?? []) {
    if (d.rolloutState !== "FAILED" || d.status === "INACTIVE") continue;
    const said = d.rolloutStateReason ? `: ${d.rolloutStateReason}` : "";
    out.push(problem("critical", "Rollout failed", `${describeDeployment(d)}${said}`, iso(d.updatedAt ?? d.createdAt)));
  }

  // Newest first: a placement failure holds until the service next reaches a steady state, while tasks are missing.
  const placement = (raw.events ?? []).find((e) => e.message && (PLACEMENT_FAILURE.test(e.message) || STEADY_STATE.test(e.message)));
  if (placement && PLACEMENT_FAILURE.test(placement.message!) && running + (raw.pendingCount ?? 0) < desired) {
    out.push(problem("critical", "Cannot be placed", `${placement.message} (${running} of ${desired} running)`, iso(placement.createdAt)));
  }

  if (running < desired) {
    const stopTime = (t: RawTask) => (t.stoppingAt ?? t.stoppedAt)?.getTime() ?? 0;
    const stops = tasks.filter((t) => !isLive(t) && stopStanding(raw, t) !== "replaced").sort((a, b) => stopTime(b) - stopTime(a));
    const streak: { task: RawTask; evidence: string }[] = [];
    for (const task of stops) {
      const cause = stopCause(task);
      if (cause?.reason !== "Container failed") break;
      streak.push({ task, evidence: cause.evidence });
    }
    if (streak.length >= CRASH_LOOP_STOPS) {
      const [last, first] = [streak[0], streak[streak.length - 1]];
      const evidence = `${streak.length} tasks in a row exited with an error, the last ${arnTail(last.task.taskArn)}: ${last.evidence}`;
      out.push(problem("critical", "Crash loop", evidence, iso(first.task.stoppingAt ?? first.task.stoppedAt)));
    }
  }
  return out;
}
