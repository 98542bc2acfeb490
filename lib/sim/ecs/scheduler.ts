import { leakCycle } from "@/lib/sim/usage-model";
import {
  type EcsWorld,
  type SimCluster,
  type SimContainerInstance,
  type SimService,
  type SimTask,
  isActiveTask,
  reservedBy,
} from "./state";

/**
 * The simulated ECS service scheduler: keeps each service at its desired
 * count, places tasks on container instances with room (or on Fargate), and
 * moves tasks through PROVISIONING → PENDING → RUNNING and STOPPING → STOPPED
 * on the world's timings. Pure over the world; the server calls tick().
 */
export class EcsScheduler {
  /** Services that reached a steady state, so the event is written once per change. */
  private readonly steady = new WeakSet<SimService>();
  private readonly lastPlacementFailure = new WeakMap<SimService, number>();

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
      if (since >= t.stoppingMs) {
        this.setStatus(task, "STOPPED", now);
        task.stoppedAt = now;
      }
      return;
    }
    if (task.lastStatus === "PROVISIONING" && since >= t.provisionMs) this.setStatus(task, "PENDING", now);
    else if (task.lastStatus === "PENDING" && since >= t.pendingMs) {
      this.setStatus(task, "RUNNING", now);
      task.startedAt = now;
    }
  }

  private setStatus(task: SimTask, status: SimTask["lastStatus"], now: number): void {
    task.lastStatus = status;
    task.statusSince = now;
  }

  private reconcile(cluster: SimCluster, service: SimService, now: number): void {
    if (service.status !== "ACTIVE") return;
    if (service.schedulingStrategy === "DAEMON") {
      service.desiredCount = [...cluster.instances.values()].filter((i) => i.status === "ACTIVE").length;
    }
    this.maybeCrash(cluster, service, now);
    const active = [...cluster.tasks.values()].filter((task) => task.serviceName === service.name && isActiveTask(task));
    if (active.length < service.desiredCount) {
      const started: SimTask[] = [];
      for (let i = active.length; i < service.desiredCount; i++) {
        const task = this.launch(cluster, service, now);
        if (!task) break;
        started.push(task);
      }
      if (started.length) {
        this.steady.delete(service);
        this.world.addEvent(service, `has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(" ")}.`);
      }
    } else if (active.length > service.desiredCount) {
      // Stop the youngest first, as scale-in keeps the longest-running tasks.
      const victims = active.sort((a, b) => b.createdAt - a.createdAt).slice(0, active.length - service.desiredCount);
      for (const task of victims) {
        task.desiredStatus = "STOPPED";
        task.stoppingAt = now;
        task.stopCode = "ServiceSchedulerInitiated";
        task.stoppedReason = `Scaling activity initiated by (deployment ${service.deployment.id})`;
        this.setStatus(task, "STOPPING", now);
      }
      this.steady.delete(service);
      this.world.addEvent(service, `has stopped ${victims.length} running tasks: ${victims.map((t) => `(task ${t.id})`).join(" ")}.`);
    }
    const running = active.filter((t) => t.lastStatus === "RUNNING").length;
    const settled = active.length === service.desiredCount && running === service.desiredCount;
    const stopping = [...cluster.tasks.values()].some(
      (t) => t.serviceName === service.name && t.desiredStatus === "STOPPED" && t.lastStatus !== "STOPPED",
    );
    if (settled && !stopping && !this.steady.has(service)) {
      this.steady.add(service);
      service.deployment.updatedAt = now;
      if (service.deployment.rolloutState === "IN_PROGRESS") {
        service.deployment.rolloutState = "COMPLETED";
        service.deployment.rolloutStateReason = "ECS deployment completed.";
        this.world.addEvent(service, `deployment ${service.deployment.id} deployment completed.`);
      }
      this.world.addEvent(service, "has reached a steady state.");
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
    victim.exitCode = 137;
    victim.stoppedReason = "Essential container in task exited";
    this.setStatus(victim, "STOPPING", now);
  }

  private launch(cluster: SimCluster, service: SimService, now: number): SimTask | null {
    const fargate = service.launchType === "FARGATE" || (service.capacityProvider?.startsWith("FARGATE") ?? false);
    let instance: SimContainerInstance | null = null;
    if (!fargate) {
      instance = this.place(cluster, service);
      if (!instance) {
        const last = this.lastPlacementFailure.get(service) ?? 0;
        if (now - last > 60_000) {
          this.lastPlacementFailure.set(service, now);
          this.world.addEvent(
            service,
            "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
          );
        }
        return null;
      }
    }
    const id = this.world.ids.hex32();
    const n = this.world.ids.next();
    const zones = ["a", "b", "c"].map((z) => `${this.world.region}${z}`);
    const task: SimTask = {
      arn: this.world.arn(`task/${cluster.name}/${id}`),
      id,
      clusterName: cluster.name,
      serviceName: service.name,
      taskDefinition: service.taskDefinition,
      launchType: fargate ? "FARGATE" : "EC2",
      capacityProviderName: service.capacityProvider ?? instance?.capacityProviderName ?? null,
      containerInstanceId: instance?.id ?? null,
      availabilityZone: instance?.availabilityZone ?? zones[n % zones.length],
      privateIp: `10.0.${(n >> 8) & 0xff}.${n & 0xff || 1}`,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      statusSince: now,
      createdAt: now,
      startedAt: null,
      stoppingAt: null,
      stoppedAt: null,
      stoppedReason: null,
      stopCode: null,
      exitCode: null,
      startedBy: service.deployment.id,
    };
    cluster.tasks.set(id, task);
    return task;
  }

  /** Spread across instances (fewest tasks of the service first), then most memory left, like the default placement. */
  private place(cluster: SimCluster, service: SimService): SimContainerInstance | null {
    const tasks = [...cluster.tasks.values()];
    const candidates = [...cluster.instances.values()]
      .filter((i) => i.status === "ACTIVE" && i.agentConnected)
      .map((instance) => {
        const used = reservedBy(tasks, instance.id);
        return {
          instance,
          cpuLeft: instance.registered.cpu - used.cpu,
          memoryLeft: instance.registered.memory - used.memory,
          mine: tasks.filter((t) => t.containerInstanceId === instance.id && t.serviceName === service.name && isActiveTask(t)).length,
        };
      })
      .filter((c) => c.cpuLeft >= service.taskDefinition.cpu && c.memoryLeft >= service.taskDefinition.memory)
      .sort((a, b) => a.mine - b.mine || b.memoryLeft - a.memoryLeft);
    return candidates[0]?.instance ?? null;
  }
}
