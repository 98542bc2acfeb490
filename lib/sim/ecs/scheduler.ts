import { leakCycle } from "@/lib/sim/usage-model";
import { healthCheckPasses, pullError, unpullableImage } from "./runtime";
import {
  type EcsWorld,
  type SimCluster,
  type SimContainerInstance,
  type SimDeployment,
  type SimService,
  type SimTask,
  type SimTaskDefinition,
  hasHealthChecks,
  isActiveTask,
  isServing,
  reservedBy,
} from "./state";

/** ECS writes the same service event again only after its cause cleared, or six hours on. */
const REPEAT_EVENT_MS = 6 * 60 * 60_000;

/** Failed starts in a row after which the throttled service says so in its events. */
const THROTTLE_EVENT_FAILURES = 3;

/** The deployment circuit breaker's threshold: half the desired count, from 3 to 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desiredCount)));
}

/**
 * The simulated ECS service scheduler: keeps each service's PRIMARY
 * deployment at the desired count, places tasks on container instances with
 * room (or on Fargate), replaces the tasks of older deployments as the new
 * ones serve (minimum healthy 100%), and moves tasks through PROVISIONING →
 * PENDING → RUNNING and STOPPING → STOPPED on the world's timings. Tasks
 * whose image cannot be pulled stop before RUNNING (TaskFailedToStart, with
 * the service throttled), unhealthy service tasks are replaced, failures
 * count on their deployment, and the circuit breaker fails (and rolls back)
 * a deployment as ECS does. Pure over the world; the server calls tick().
 */
export class EcsScheduler {
  /** Services in a steady state, so the event is written once each time they reach it. */
  private readonly steady = new WeakSet<SimService>();
  /** The placement failure last written per service, so that it is not repeated until its cause clears. */
  private readonly placementFailure = new WeakMap<SimService, { message: string; at: number }>();

  constructor(private readonly world: EcsWorld) {}

  tick(): void {
    const now = this.world.now();
    for (const cluster of this.world.clusters.values()) {
      for (const task of cluster.tasks.values()) this.advance(cluster, task, now);
      for (const service of cluster.services.values()) this.reconcile(cluster, service, now);
    }
  }

  private advance(cluster: SimCluster, task: SimTask, now: number): void {
    const t = this.world.timings;
    const since = now - task.statusSince;
    if (task.desiredStatus === "STOPPED") {
      if (task.lastStatus === "STOPPED") {
        if (task.stoppedAt !== null && now - task.stoppedAt > t.stoppedRetentionMs) cluster.tasks.delete(task.id);
        return;
      }
      if (task.lastStatus !== "STOPPING") return this.setStatus(task, "STOPPING", now);
      // Half way the containers have stopped; then the task's resources are cleaned up.
      if (task.executionStoppedAt === null && since >= t.stoppingMs / 2) task.executionStoppedAt = now;
      if (since >= t.stoppingMs) {
        this.setStatus(task, "STOPPED", now);
        task.stoppedAt = now;
      }
      return;
    }
    if (task.lastStatus === "PROVISIONING" && since >= t.provisionMs) {
      this.setStatus(task, "PENDING", now);
      task.pullStartedAt = now;
    } else if (task.lastStatus === "PENDING" && since >= t.pendingMs) {
      task.pullStoppedAt = now;
      const unpullable = task.taskDefinition.containers.filter((c) => unpullableImage(c.image));
      if (unpullable.length) return this.failToStart(cluster, task, unpullable, now);
      this.setStatus(task, "RUNNING", now);
      task.startedAt = now;
      const service = this.serviceOf(cluster, task);
      if (service) service.launchThrottle = { failures: 0, nextLaunchAt: 0 };
      if (!hasHealthChecks(task.taskDefinition)) this.ranSuccessfully(cluster, task);
    } else if (task.lastStatus === "RUNNING" && task.healthStatus === "UNKNOWN" && hasHealthChecks(task.taskDefinition)) {
      if (now - task.startedAt! < t.healthCheckMs) return;
      const passes = task.taskDefinition.containers.every((c) => !c.healthCheck || healthCheckPasses(c.healthCheck));
      task.healthStatus = passes ? "HEALTHY" : "UNHEALTHY";
      task.healthSince = now;
      if (passes) this.ranSuccessfully(cluster, task);
    }
  }

  private setStatus(task: SimTask, status: SimTask["lastStatus"], now: number): void {
    task.lastStatus = status;
    task.statusSince = now;
  }

  private serviceOf(cluster: SimCluster, task: SimTask): SimService | undefined {
    return task.serviceName === null ? undefined : cluster.services.get(task.serviceName);
  }

  private deploymentOf(cluster: SimCluster, task: SimTask): { service: SimService; deployment: SimDeployment } | null {
    const service = this.serviceOf(cluster, task);
    const deployment = service?.deployments.find((d) => d.id === task.startedBy);
    return service && deployment ? { service, deployment } : null;
  }

  /** The image cannot be pulled: the task stops before RUNNING, and its service waits longer before the next try. */
  private failToStart(cluster: SimCluster, task: SimTask, unpullable: SimTaskDefinition["containers"], now: number): void {
    const errors = unpullable.map((c) => ({ name: c.name, reason: pullError(c.image, task.launchType) }));
    task.desiredStatus = "STOPPED";
    task.stoppingAt = now;
    task.stopCode = "TaskFailedToStart";
    task.stoppedReason = errors[0].reason;
    for (const e of errors) task.containerStops[e.name] = { reason: e.reason };
    this.setStatus(task, "STOPPING", now);
    this.countFailure(cluster, task, now);
    // Only the PRIMARY's failures throttle: a new deployment returns the service to normal at once.
    const service = this.serviceOf(cluster, task);
    if (!service || service.deployments[0].id !== task.startedBy) return;
    const { launchRetryMs, launchRetryMaxMs } = this.world.timings;
    const failures = service.launchThrottle.failures + 1;
    service.launchThrottle = { failures, nextLaunchAt: now + Math.min(launchRetryMaxMs, launchRetryMs * 2 ** (failures - 1)) };
    if (failures === THROTTLE_EVENT_FAILURES) this.world.addEvent(service, "is unable to consistently start tasks successfully.");
  }

  private ranSuccessfully(cluster: SimCluster, task: SimTask): void {
    const found = this.deploymentOf(cluster, task);
    if (!found || found.deployment.ranSuccessfully) return;
    found.deployment.ranSuccessfully = true;
    found.deployment.failedTasks = 0;
  }

  /** A failed task counts on its deployment while it rolls out and has run none successfully; enough of them trip the circuit breaker. */
  private countFailure(cluster: SimCluster, task: SimTask, now: number): void {
    const found = this.deploymentOf(cluster, task);
    if (!found || found.deployment.ranSuccessfully || found.deployment.rolloutState !== "IN_PROGRESS") return;
    const { service, deployment } = found;
    deployment.failedTasks += 1;
    deployment.updatedAt = now;
    const breaker = service.circuitBreaker;
    if (!breaker.enable || deployment.failedTasks < circuitBreakerThreshold(service.desiredCount)) return;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
    this.world.addEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`);
    // Back to the last deployment that completed; without one the failed deployment stays PRIMARY and launches nothing more.
    const previous = breaker.rollback ? service.deployments.find((d) => d !== deployment && d.rolloutState === "COMPLETED") : undefined;
    if (!previous) return;
    this.world.makePrimary(service, previous);
    previous.rolloutState = "IN_PROGRESS";
    previous.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${previous.id}.`;
    previous.updatedAt = now;
    this.world.addEvent(service, `rolling back to deployment ${previous.id}.`);
  }

  private reconcile(cluster: SimCluster, service: SimService, now: number): void {
    if (service.status !== "ACTIVE") return;
    if (service.schedulingStrategy === "DAEMON") {
      service.desiredCount = [...cluster.instances.values()].filter((i) => i.status === "ACTIVE").length;
    }
    this.maybeCrash(cluster, service, now);
    this.replaceUnhealthy(cluster, service, now);
    const [primary, ...older] = service.deployments;
    const activeOf = (d: SimDeployment) =>
      [...cluster.tasks.values()].filter((t) => t.serviceName === service.name && t.startedBy === d.id && isActiveTask(t));
    const active = activeOf(primary);
    if (active.length < service.desiredCount) {
      // A FAILED deployment launches nothing more; a throttled service waits.
      if (primary.rolloutState !== "FAILED" && now >= service.launchThrottle.nextLaunchAt) {
        const started: SimTask[] = [];
        for (let i = active.length; i < service.desiredCount; i++) {
          const task = this.launch(cluster, service, primary, now);
          if (!task) break;
          started.push(task);
        }
        if (started.length) {
          this.world.addEvent(service, `has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(" ")}.`);
          active.push(...started);
        }
      }
    } else {
      this.placementFailure.delete(service);
      // Stop the youngest first, as scale-in keeps the longest-running tasks.
      const excess = active.sort((a, b) => b.createdAt - a.createdAt).splice(0, active.length - service.desiredCount);
      this.stop(service, excess, primary, now);
    }

    // Older deployments' tasks go as the primary's serve, keeping the desired count serving meanwhile; not yet running ones first.
    const old = older.flatMap(activeOf).sort((a, b) => Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING"));
    const serving = active.filter(isServing).length;
    this.stop(service, old.slice(0, Math.max(0, old.length + serving - service.desiredCount)), primary, now);
    // A replaced deployment goes once its tasks have; a FAILED one is shown until the service is steady again.
    service.deployments = [primary, ...older.filter((d) => d.rolloutState === "FAILED" || activeOf(d).length > 0)];

    const stopping = [...cluster.tasks.values()].some(
      (t) => t.serviceName === service.name && t.desiredStatus === "STOPPED" && t.lastStatus !== "STOPPED",
    );
    const draining = older.some((d) => activeOf(d).length > 0);
    const settled = active.length === service.desiredCount && serving === service.desiredCount && !draining && !stopping;
    if (!settled) {
      this.steady.delete(service);
      return;
    }
    service.deployments = [primary];
    if (this.steady.has(service)) return;
    this.steady.add(service);
    primary.updatedAt = now;
    if (primary.rolloutState === "IN_PROGRESS") {
      primary.rolloutState = "COMPLETED";
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      this.world.addEvent(service, `(deployment ${primary.id}) deployment completed.`);
    }
    this.world.addEvent(service, "has reached a steady state.");
  }

  /** The scheduler stops tasks it no longer wants: scale-in, or the tasks of a deployment being replaced. */
  private stop(service: SimService, tasks: SimTask[], primary: SimDeployment, now: number): void {
    if (tasks.length === 0) return;
    for (const task of tasks) {
      task.desiredStatus = "STOPPED";
      task.stoppingAt = now;
      task.stopCode = "ServiceSchedulerInitiated";
      task.stoppedReason = `Scaling activity initiated by (deployment ${primary.id})`;
      this.setStatus(task, "STOPPING", now);
    }
    this.world.addEvent(service, `has stopped ${tasks.length} running tasks: ${tasks.map((t) => `(task ${t.id})`).join(" ")}.`);
  }

  /** A service task whose health check failed is stopped (and so replaced) after healthCheckMs, and counts as a failure. */
  private replaceUnhealthy(cluster: SimCluster, service: SimService, now: number): void {
    for (const task of cluster.tasks.values()) {
      if (task.serviceName !== service.name || !isActiveTask(task) || task.healthStatus !== "UNHEALTHY") continue;
      if (now - task.healthSince! < this.world.timings.healthCheckMs) continue;
      task.desiredStatus = "STOPPED";
      task.stoppingAt = now;
      task.stopCode = "ServiceSchedulerInitiated";
      task.stoppedReason = "Task failed container health checks";
      // Docker stops the containers with SIGTERM: 128 + 15.
      for (const c of task.taskDefinition.containers) task.containerStops[c.name] = { exitCode: 143 };
      this.setStatus(task, "STOPPING", now);
      this.world.addEvent(service, `(task ${task.id}) failed container health checks.`);
      this.world.addEvent(service, `has stopped 1 running tasks: (task ${task.id}).`);
      this.countFailure(cluster, task, now);
    }
  }

  private maybeCrash(cluster: SimCluster, service: SimService, now: number): void {
    // At the end of each leak cycle (see memoryFraction), so the kills fall where memory peaks.
    if (
      service.crashEveryMs === null ||
      leakCycle(now, service.crashEveryMs).cycle === leakCycle(service.lastCrashAt, service.crashEveryMs).cycle
    )
      return;
    const victim = [...cluster.tasks.values()].find((t) => t.serviceName === service.name && t.lastStatus === "RUNNING" && isActiveTask(t));
    if (!victim) return;
    service.lastCrashAt = now;
    victim.desiredStatus = "STOPPED";
    victim.stoppingAt = now;
    victim.stopCode = "EssentialContainerExited";
    const [essential, ...others] = victim.taskDefinition.containers;
    victim.containerStops[essential.name] = { exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" };
    // ECS then stops the task's other containers with SIGTERM: 128 + 15.
    for (const c of others) victim.containerStops[c.name] = { exitCode: 143 };
    victim.stoppedReason = "Essential container in task exited";
    this.setStatus(victim, "STOPPING", now);
  }

  private launch(cluster: SimCluster, service: SimService, deployment: SimDeployment, now: number): SimTask | null {
    const definition = deployment.taskDefinition;
    const fargate = service.launchType === "FARGATE" || (service.capacityProvider?.startsWith("FARGATE") ?? false);
    let instance: SimContainerInstance | null = null;
    if (!fargate) {
      instance = this.place(cluster, service, definition);
      if (!instance) {
        this.unableToPlace(cluster, service, definition, now);
        return null;
      }
    }
    this.placementFailure.delete(service);
    const id = this.world.ids.hex32();
    const n = this.world.ids.next();
    const zones = ["a", "b", "c"].map((z) => `${this.world.region}${z}`);
    const task: SimTask = {
      arn: this.world.arn(`task/${cluster.name}/${id}`),
      id,
      clusterName: cluster.name,
      serviceName: service.name,
      taskDefinition: definition,
      launchType: fargate ? "FARGATE" : "EC2",
      capacityProviderName: service.capacityProvider ?? instance?.capacityProviderName ?? null,
      containerInstanceId: instance?.id ?? null,
      availabilityZone: instance?.availabilityZone ?? zones[n % zones.length],
      privateIp: `10.0.${(n >> 8) & 0xff}.${n & 0xff || 1}`,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      statusSince: now,
      createdAt: now,
      pullStartedAt: null,
      pullStoppedAt: null,
      startedAt: null,
      stoppingAt: null,
      executionStoppedAt: null,
      stoppedAt: null,
      stoppedReason: null,
      stopCode: null,
      containerStops: {},
      healthStatus: "UNKNOWN",
      healthSince: null,
      startedBy: deployment.id,
    };
    cluster.tasks.set(id, task);
    return task;
  }

  /** The service event ECS writes when no container instance can take a task, naming the closest one and what it lacks. */
  private unableToPlace(cluster: SimCluster, service: SimService, definition: SimTaskDefinition, now: number): void {
    const candidates = this.candidates(cluster, service);
    let detail = "Reason: No Container Instances were found in your cluster.";
    const closest = candidates.sort((a, b) => b.memoryLeft - a.memoryLeft)[0];
    if (closest) {
      const lacks = closest.cpuLeft < definition.cpu ? "CPU units" : "memory";
      detail = `The closest matching (container-instance ${closest.instance.id}) has insufficient ${lacks} available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`;
    }
    const message = `was unable to place a task because no container instance met all of its requirements. ${detail}`;
    const last = this.placementFailure.get(service);
    if (last?.message === message && now - last.at < REPEAT_EVENT_MS) return;
    this.placementFailure.set(service, { message, at: now });
    this.world.addEvent(service, message);
  }

  /** The container instances that take tasks, with what they have left and how many of the service's tasks they run. */
  private candidates(cluster: SimCluster, service: SimService) {
    const tasks = [...cluster.tasks.values()];
    return [...cluster.instances.values()]
      .filter((i) => i.status === "ACTIVE" && i.agentConnected)
      .map((instance) => {
        const used = reservedBy(tasks, instance.id);
        return {
          instance,
          cpuLeft: instance.registered.cpu - used.cpu,
          memoryLeft: instance.registered.memory - used.memory,
          mine: tasks.filter((t) => t.containerInstanceId === instance.id && t.serviceName === service.name && isActiveTask(t)).length,
        };
      });
  }

  /** Spread across instances (fewest tasks of the service first), then most memory left, like the default placement. */
  private place(cluster: SimCluster, service: SimService, definition: SimTaskDefinition): SimContainerInstance | null {
    const fits = this.candidates(cluster, service)
      .filter((c) => c.cpuLeft >= definition.cpu && c.memoryLeft >= definition.memory)
      .sort((a, b) => a.mine - b.mine || b.memoryLeft - a.memoryLeft);
    return fits[0]?.instance ?? null;
  }
}
