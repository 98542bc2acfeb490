import { TERMINAL_STATES, type SimAgent, type SimApp, type SimDeployment, type SimTask, type SimWorld } from "./world";

/**
 * What the master, the agents and Marathon do between requests: tasks move
 * STAGING → STARTING → RUNNING (and KILLING → KILLED), Marathon places
 * missing instances on agents whose free resources fit (else the instance
 * waits in the launch queue with the reasons its offers were declined),
 * health checks run, deployments finish once their app converged and held
 * it for a while, and usage counters advance.
 */
export class SimController {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly world: SimWorld) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.world.timings.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  tick(now = Date.now()): void {
    for (const task of this.world.tasks.values()) this.world.advanceUsage(task, now);
    this.advanceTasks(now);
    this.checkHealth(now);
    for (const app of this.world.apps.values()) this.reconcile(app, now);
    this.finishDeployments(now);
  }

  private advanceTasks(now: number): void {
    const { timings } = this.world;
    for (const task of [...this.world.tasks.values()]) {
      const age = now - task.stateSince;
      if (task.state === "TASK_STAGING" && age >= timings.stagingMs) this.world.setTaskState(task, "TASK_STARTING", now);
      else if (task.state === "TASK_STARTING" && age >= timings.startingMs) this.world.setTaskState(task, "TASK_RUNNING", now);
      else if (task.state === "TASK_KILLING" && age >= timings.killMs) {
        this.world.setTaskState(task, "TASK_KILLED", now);
        this.world.tasks.delete(task.id);
        this.world.completedTasks.push(task);
        if (this.world.completedTasks.length > 100) this.world.completedTasks.shift();
      }
    }
  }

  private checkHealth(now: number): void {
    const { timings } = this.world;
    for (const task of this.world.tasks.values()) {
      const app = task.appId ? this.world.apps.get(task.appId) : undefined;
      if (!app?.healthCheck || task.state !== "TASK_RUNNING" || task.startedAt === null) continue;
      if (now - task.startedAt < timings.healthGraceMs) continue;
      if (task.health && now - task.health.lastCheckAt < timings.healthIntervalMs) continue;
      const alive = !task.failsHealth;
      const at = new Date(now).toISOString();
      const before = task.health;
      task.health = {
        alive,
        consecutiveFailures: alive ? 0 : (before?.consecutiveFailures ?? 0) + 1,
        firstSuccess: before?.firstSuccess ?? (alive ? at : null),
        lastSuccess: alive ? at : (before?.lastSuccess ?? null),
        lastFailure: alive ? (before?.lastFailure ?? null) : at,
        lastFailureCause: alive ? (before?.lastFailureCause ?? null) : `HTTP GET ${app.healthCheck.path} answered 503 Service Unavailable`,
        lastCheckAt: now,
      };
      if (!before || before.alive !== alive) {
        this.world.emit("health_status_changed_event", {
          appId: app.id,
          taskId: task.id,
          instanceId: task.id.replace(/\._app\.\d+$/, ""),
          version: task.appVersion,
          alive,
        });
      }
      if (!alive) {
        this.world.emit("failed_health_check_event", {
          appId: app.id,
          instanceId: task.id.replace(/\._app\.\d+$/, ""),
          healthCheck: app.healthCheck,
        });
      }
    }
  }

  private reconcile(app: SimApp, now: number): void {
    const active = this.world.tasksOf(app.id).filter((t) => t.state !== "TASK_KILLING" && !TERMINAL_STATES.has(t.state));
    if (active.length > app.instances) {
      // Marathon kills the youngest first.
      const extra = [...active].sort((a, b) => b.stagedAt - a.stagedAt).slice(0, active.length - app.instances);
      for (const task of extra) this.world.setTaskState(task, "TASK_KILLING", now);
    }
    let missing = app.instances - active.length;
    if (missing <= 0) {
      this.world.queue.delete(app.id);
      return;
    }
    const rejects = new Map<string, number>();
    let offers = 0;
    while (missing > 0) {
      // The master offers only what connected agents that are neither deactivated nor draining have.
      const agents = [...this.world.agents.values()].filter((a) => a.active && !a.deactivated && a.drain === null);
      offers = agents.length;
      rejects.clear();
      const target = this.pickAgent(app, agents, rejects);
      if (!target) break;
      this.launch(app, target.agent, target.pool, now);
      missing--;
    }
    if (missing <= 0) {
      this.world.queue.delete(app.id);
      return;
    }
    const previous = this.world.queue.get(app.id);
    this.world.queue.set(app.id, {
      appId: app.id,
      count: missing,
      since: previous?.since ?? new Date(now).toISOString(),
      processedOffers: (previous?.processedOffers ?? 0) + offers,
      rejects,
      lastUnusedOfferAt: offers ? new Date(now).toISOString() : (previous?.lastUnusedOfferAt ?? null),
    });
  }

  /** The agent (and resource pool) Marathon would accept an offer from; tallies why the others were declined. */
  private pickAgent(app: SimApp, agents: SimAgent[], rejects: Map<string, number>): { agent: SimAgent; pool: string } | null {
    const countOn = (agent: SimAgent) => this.world.tasksOn(agent.id).filter((t) => t.appId === app.id).length;
    // Spread instances: agents with fewer of this app's tasks, then more free CPU, come first.
    const ordered = [...agents].sort((a, b) => countOn(a) - countOn(b) || this.world.freeOn(b, "*").cpus - this.world.freeOn(a, "*").cpus);
    for (const agent of ordered) {
      const constraint = this.constraintReason(app, agent);
      if (constraint) {
        rejects.set(constraint, (rejects.get(constraint) ?? 0) + 1);
        continue;
      }
      const pools = app.role === "*" ? ["*"] : [app.role, "*"];
      let reason: string | null = null;
      for (const pool of pools) {
        reason = this.resourceReason(app, agent, pool);
        if (!reason) return { agent, pool };
      }
      rejects.set(reason!, (rejects.get(reason!) ?? 0) + 1);
    }
    return null;
  }

  private constraintReason(app: SimApp, agent: SimAgent): string | null {
    for (const [field, op, value] of app.constraints) {
      const attribute = field === "hostname" ? agent.hostname : agent.attributes[field];
      const text = attribute === undefined ? undefined : String(attribute);
      if (op === "LIKE" && (text === undefined || !new RegExp(`^(?:${value})$`).test(text))) return "UnfulfilledConstraint";
      if (op === "UNLIKE" && text !== undefined && new RegExp(`^(?:${value})$`).test(text)) return "UnfulfilledConstraint";
      if (op === "UNIQUE") {
        const taken = this.world.tasksOf(app.id).some((t) => {
          const other = this.world.agents.get(t.agentId);
          return other && String(field === "hostname" ? other.hostname : other.attributes[field]) === text;
        });
        if (taken) return "UnfulfilledConstraint";
      }
    }
    return null;
  }

  private hostPortsNeeded(app: SimApp): number[] {
    // 0 stands for "any port of the offer"; a fixed port must be free on the agent.
    if (app.portMappings.length) return app.portMappings.filter((pm) => pm.hostPort !== undefined).map((pm) => pm.hostPort);
    return app.portDefinitions.map((pd) => (app.requirePorts ? pd.port : 0));
  }

  private resourceReason(app: SimApp, agent: SimAgent, pool: string): string | null {
    const free = this.world.freeOn(agent, pool);
    if (free.cpus + 1e-9 < app.cpus) return "InsufficientCpus";
    if (free.memMb + 1e-9 < app.mem) return "InsufficientMemory";
    if (free.diskMb + 1e-9 < app.disk) return "InsufficientDisk";
    const needed = this.hostPortsNeeded(app);
    const fixed = needed.filter((p) => p > 0);
    const [low, high] = [...agent.portRanges].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))[0] ?? [0, 0];
    const dynamicFree = free.ports.filter((p) => p >= low && p <= high && !fixed.includes(p)).length;
    if (fixed.some((p) => !free.ports.includes(p)) || dynamicFree < needed.length - fixed.length) return "InsufficientPorts";
    return null;
  }

  private launch(app: SimApp, agent: SimAgent, pool: string, now: number): SimTask {
    // Dynamic ports come from the agent's widest range, like Marathon's random pick, leaving fixed ones alone.
    const [low, high] = [...agent.portRanges].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))[0] ?? [0, 0];
    const free = this.world.freeOn(agent, pool).ports.filter((p) => !this.hostPortsNeeded(app).includes(p) && p >= low && p <= high);
    const hostPorts = this.hostPortsNeeded(app).map((p) => (p > 0 ? p : free.splice(Math.floor(this.world.random() * free.length), 1)[0]));
    const segments = app.id.split("/").filter(Boolean);
    const random = this.world.random;
    const failing = this.world.tasksOf(app.id).filter((t) => t.failsHealth).length;
    // All four drawn even when memLoad is set, so every other task's curve stays the same.
    const draws = [random(), random(), random(), random()] as const;
    const task: SimTask = {
      id: `${segments.join("_")}.instance-${this.world.newId()}._app.1`,
      // Marathon names a task after its app id, segments reversed: /shop/web → web.shop.
      name: [...segments].reverse().join("."),
      frameworkId: this.world.marathonFrameworkId,
      agentId: agent.id,
      executorId: "",
      state: "TASK_STAGING",
      stateSince: now,
      statuses: [],
      cpus: app.cpus,
      memMb: app.mem,
      diskMb: app.disk,
      role: pool,
      hostPorts,
      image: app.image,
      appId: app.id,
      appVersion: app.version,
      stagedAt: now,
      startedAt: null,
      failsHealth: app.healthCheck !== null && failing < app.unhealthyInstances,
      health: null,
      usage: {
        cpuShare: app.load * (0.7 + 0.6 * draws[0]),
        memShare: app.memLoad ?? 0.35 + 0.4 * draws[1],
        periodS: 60 + 120 * draws[2],
        phase: draws[3] * 2 * Math.PI,
        cpuSeconds: 0,
        measuredAt: now,
      },
    };
    this.world.tasks.set(task.id, task);
    this.world.setTaskState(task, "TASK_STAGING", now);
    return task;
  }

  private finishDeployments(now: number): void {
    for (const deployment of [...this.world.deployments.values()]) {
      const app = this.world.apps.get(deployment.appId);
      const tasks = app ? this.world.tasksOf(app.id) : [];
      const converged =
        !app ||
        (tasks.filter((t) => t.state === "TASK_RUNNING").length === app.instances && !tasks.some((t) => t.state === "TASK_KILLING"));
      if (converged && now >= deployment.holdUntil) {
        this.world.deployments.delete(deployment.id);
        this.world.emit("deployment_success", { id: deployment.id, plan: planOf(deployment) });
      }
    }
  }

  /**
   * Marathon's PUT /v2/apps/{id} with `instances`: refused while a deployment
   * holds the app unless forced (which cancels those deployments).
   */
  scale(
    app: SimApp,
    instances: number,
    force: boolean,
    now = Date.now(),
  ): { deploymentId: string; version: string } | { lockedBy: string[] } {
    const holding = this.world.deploymentsOf(app.id);
    if (holding.length && !force) return { lockedBy: holding.map((d) => d.id) };
    for (const deployment of holding) {
      this.world.deployments.delete(deployment.id);
      this.world.emit("deployment_failed", { id: deployment.id, plan: planOf(deployment), reason: "canceled by a forced update" });
    }
    const version = new Date(now).toISOString();
    app.instances = instances;
    app.version = version;
    app.lastScalingAt = version;
    const deployment: SimDeployment = {
      id: this.world.newId(),
      appId: app.id,
      version,
      createdAt: now,
      holdUntil: now + this.world.timings.deploymentHoldMs,
    };
    this.world.deployments.set(deployment.id, deployment);
    this.world.emit("api_post_event", {
      clientIp: "127.0.0.1",
      uri: `/v2/apps${app.id}`,
      appDefinition: { id: app.id, instances, cpus: app.cpus, mem: app.mem, version },
    });
    this.world.emit("deployment_info", {
      plan: planOf(deployment),
      currentStep: { actions: [{ action: "ScaleApplication", app: app.id }] },
    });
    return { deploymentId: deployment.id, version };
  }

  /** Marathon's DELETE /v2/apps/{id}: the app goes, its tasks are killed. */
  remove(app: SimApp, now = Date.now()): { deploymentId: string; version: string } {
    this.world.apps.delete(app.id);
    this.world.queue.delete(app.id);
    for (const task of this.world.tasksOf(app.id)) if (task.state !== "TASK_KILLING") this.world.setTaskState(task, "TASK_KILLING", now);
    const version = new Date(now).toISOString();
    const deployment: SimDeployment = { id: this.world.newId(), appId: app.id, version, createdAt: now, holdUntil: now };
    this.world.deployments.set(deployment.id, deployment);
    this.world.emit("app_terminated_event", { appId: app.id });
    return { deploymentId: deployment.id, version };
  }
}

export function planOf(deployment: SimDeployment): Record<string, unknown> {
  return {
    id: deployment.id,
    version: deployment.version,
    steps: [{ actions: [{ action: "ScaleApplication", app: deployment.appId }] }],
  };
}
