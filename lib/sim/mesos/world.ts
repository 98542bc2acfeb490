import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { demand } from "@/lib/sim/usage-model";

/**
 * The simulated Mesos cluster's state: agents, frameworks, tasks, Marathon's
 * apps, deployments and launch queue, plus Marathon's event bus. Plain data
 * changed by the controller (controller.ts) and read by the HTTP APIs.
 * Units are Mesos's own: cpus in cores, mem and disk in MB.
 */

export interface SimTimings {
  /** Controller tick. */
  tickMs: number;
  stagingMs: number;
  startingMs: number;
  killMs: number;
  /** How long a deployment holds its app at least (so a second scale meets a 409). */
  deploymentHoldMs: number;
  healthGraceMs: number;
  healthIntervalMs: number;
  /** Marathon's event stream writes a keep-alive (an empty line) this often; Jetty's EventSourceServlet default is 10 s. */
  sseHeartbeatMs: number;
}

export const DEMO_TIMINGS: SimTimings = {
  tickMs: 500,
  stagingMs: 1_500,
  startingMs: 1_500,
  killMs: 1_500,
  deploymentHoldMs: 5_000,
  healthGraceMs: 2_000,
  healthIntervalMs: 3_000,
  sseHeartbeatMs: 10_000,
};

export const FAST_TIMINGS: SimTimings = {
  tickMs: 20,
  stagingMs: 60,
  startingMs: 60,
  killMs: 60,
  deploymentHoldMs: 800,
  healthGraceMs: 40,
  healthIntervalMs: 60,
  sseHeartbeatMs: 100,
};

export interface SimAgent {
  id: string;
  hostname: string;
  /** The address tasks get and the agent's pid names; the agent's HTTP server is reachable at the sim host. */
  ip: string;
  /** Where the agent's HTTP server listens, set when it starts. */
  listenHost: string;
  port: number;
  attributes: Record<string, string | number>;
  cpus: number;
  memMb: number;
  diskMb: number;
  /** Port ranges the agent offers, as `--resources=ports:[...]` configures them. */
  portRanges: [number, number][];
  /** Resources reserved for a role: only that role's frameworks get them. */
  reserved: Record<string, { cpus: number; memMb: number }>;
  /** Connected to the master. */
  active: boolean;
  /** Deactivated by an operator (Mesos 1.9+ `deactivated`): connected, but its resources are not offered. */
  deactivated: boolean;
  /** An operator drain in progress or done (Mesos 1.9+ `drain_info.state`); a draining agent is deactivated too. */
  drain: "DRAINING" | "DRAINED" | null;
  registeredAt: number;
}

export interface SimFramework {
  id: string;
  name: string;
  role: string;
  registeredAt: number;
  webuiUrl: string | null;
}

export type MesosTaskState =
  "TASK_STAGING" | "TASK_STARTING" | "TASK_RUNNING" | "TASK_KILLING" | "TASK_KILLED" | "TASK_FINISHED" | "TASK_FAILED" | "TASK_LOST";

export interface SimHealth {
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess: string | null;
  lastSuccess: string | null;
  lastFailure: string | null;
  lastFailureCause: string | null;
  lastCheckAt: number;
}

export interface SimUsageModel {
  /** Typical share of the task's cpus in use, 0..1. */
  cpuShare: number;
  /** Typical share of the task's mem resident, 0..1. */
  memShare: number;
  periodS: number;
  phase: number;
  /** Cumulative CPU seconds, as Mesos counts them. */
  cpuSeconds: number;
  /** When cpuSeconds was last advanced, ms. */
  measuredAt: number;
}

export interface SimTask {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  /** "" for tasks run by the command executor (which then uses the task id). */
  executorId: string;
  state: MesosTaskState;
  stateSince: number;
  statuses: { state: MesosTaskState; timestamp: number }[];
  cpus: number;
  memMb: number;
  diskMb: number;
  role: string;
  hostPorts: number[];
  image: string | null;
  appId: string | null;
  appVersion: string | null;
  stagedAt: number;
  startedAt: number | null;
  failsHealth: boolean;
  health: SimHealth | null;
  usage: SimUsageModel;
}

export interface SimPortMapping {
  containerPort: number;
  /** 0: any port from the offer. */
  hostPort: number;
  servicePort: number;
  protocol: string;
  name: string;
}

export interface SimPortDefinition {
  port: number;
  protocol: string;
  name: string;
}

export interface SimHealthCheck {
  protocol: "MESOS_HTTP" | "MESOS_TCP";
  path: string;
  portIndex: number;
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** 0: Marathon never kills an unhealthy task, which keeps the demo's failing instance visible. */
  maxConsecutiveFailures: number;
}

export interface SimApp {
  id: string;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  cmd: string | null;
  image: string | null;
  portMappings: SimPortMapping[];
  portDefinitions: SimPortDefinition[];
  requirePorts: boolean;
  labels: Record<string, string>;
  healthCheck: SimHealthCheck | null;
  /** How many instances fail their health check. */
  unhealthyInstances: number;
  /** Agent attribute constraints ["zone", "LIKE", "eu-west-1a"]. */
  constraints: [string, "LIKE" | "UNLIKE" | "UNIQUE", string?][];
  role: string;
  /** Typical share of cpus in use, 0..1. */
  load: number;
  /** Typical share of mem resident, 0..1; a random 0.35..0.75 per task when absent. */
  memLoad?: number;
  version: string;
  lastConfigChangeAt: string;
  lastScalingAt: string;
}

export interface SimDeployment {
  id: string;
  appId: string;
  version: string;
  createdAt: number;
  holdUntil: number;
}

export interface SimQueueEntry {
  appId: string;
  count: number;
  since: string;
  processedOffers: number;
  rejects: Map<string, number>;
  lastUnusedOfferAt: string | null;
}

export interface MarathonEvent {
  eventType: string;
  timestamp: string;
  [key: string]: unknown;
}

/** A small seeded PRNG so demo content and usage curves are the same on every start. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimWorld {
  readonly masterId: string;
  readonly version = "1.11.0";
  readonly marathonVersion = "1.11.24";
  readonly startedAt = Date.now();
  readonly agents = new Map<string, SimAgent>();
  readonly frameworks = new Map<string, SimFramework>();
  readonly tasks = new Map<string, SimTask>();
  readonly completedTasks: SimTask[] = [];
  readonly apps = new Map<string, SimApp>();
  readonly deployments = new Map<string, SimDeployment>();
  readonly queue = new Map<string, SimQueueEntry>();
  /** Marathon's event bus; every SSE connection listens on "event". */
  readonly bus = new EventEmitter();
  readonly random: () => number;
  marathonFrameworkId: string;

  constructor(
    readonly cluster: string,
    readonly timings: SimTimings,
    seed = 42,
  ) {
    this.random = seededRandom(seed);
    this.masterId = `${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`;
    this.marathonFrameworkId = `${this.masterId}-0000`;
    this.bus.setMaxListeners(1000);
  }

  hex(length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) s += Math.floor(this.random() * 16).toString(16);
    return s;
  }

  newId(): string {
    return randomUUID();
  }

  emit(eventType: string, payload: Record<string, unknown>): void {
    const event: MarathonEvent = { ...payload, eventType, timestamp: new Date().toISOString() };
    this.bus.emit("event", event);
  }

  /**
   * Resources of an agent not yet taken by tasks, in one pool: "*" is the
   * unreserved pool, any other name that role's reservation. A task's `role`
   * names the pool it took its resources from.
   */
  freeOn(agent: SimAgent, pool: string): { cpus: number; memMb: number; diskMb: number; ports: number[] } {
    let cpus: number;
    let memMb: number;
    if (pool === "*") {
      const reserved = Object.values(agent.reserved);
      cpus = agent.cpus - reserved.reduce((sum, r) => sum + r.cpus, 0);
      memMb = agent.memMb - reserved.reduce((sum, r) => sum + r.memMb, 0);
    } else {
      cpus = agent.reserved[pool]?.cpus ?? 0;
      memMb = agent.reserved[pool]?.memMb ?? 0;
    }
    let diskMb = agent.diskMb;
    const usedPorts = new Set<number>();
    for (const task of this.tasksOn(agent.id)) {
      if (task.role === pool) {
        cpus -= task.cpus;
        memMb -= task.memMb;
      }
      diskMb -= task.diskMb;
      task.hostPorts.forEach((p) => usedPorts.add(p));
    }
    const ports: number[] = [];
    for (const [from, to] of agent.portRanges) for (let p = from; p <= to; p++) if (!usedPorts.has(p)) ports.push(p);
    return { cpus: round(cpus), memMb: round(memMb), diskMb: round(diskMb), ports };
  }

  tasksOn(agentId: string): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.agentId === agentId);
  }

  tasksOf(appId: string): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.appId === appId);
  }

  deploymentsOf(appId: string): SimDeployment[] {
    return [...this.deployments.values()].filter((d) => d.appId === appId);
  }

  setTaskState(task: SimTask, state: MesosTaskState, now = Date.now()): void {
    task.state = state;
    task.stateSince = now;
    task.statuses.push({ state, timestamp: now / 1000 });
    if (state === "TASK_RUNNING") task.startedAt = now;
    if (task.appId) {
      const agent = this.agents.get(task.agentId);
      this.emit("status_update_event", {
        slaveId: task.agentId,
        taskId: task.id,
        taskStatus: state,
        message: "",
        appId: task.appId,
        host: agent?.hostname ?? "",
        ipAddresses: agent ? [{ ipAddress: agent.ip, protocol: "IPv4" }] : [],
        ports: task.hostPorts,
        version: task.appVersion,
      });
      this.emit("instance_changed_event", {
        instanceId: task.id.replace(/\._app\.\d+$/, ""),
        condition: conditionOf(state),
        runSpecId: task.appId,
        agentId: task.agentId,
        host: agent?.hostname ?? "",
        runSpecVersion: task.appVersion,
        goal: state === "TASK_KILLING" || state === "TASK_KILLED" ? "Decommissioned" : "Running",
      });
    }
  }

  /** Cumulative CPU seconds up to `now`, following the task's usage curve. */
  advanceUsage(task: SimTask, now: number): void {
    const u = task.usage;
    if (task.state !== "TASK_RUNNING" && task.state !== "TASK_KILLING") {
      u.measuredAt = now;
      return;
    }
    const seconds = Math.max(0, (now - u.measuredAt) / 1000);
    u.cpuSeconds += this.cpuRate(task, now) * seconds;
    u.measuredAt = now;
  }

  /**
   * Cores in use at `now`: the typical share scaled by the day's demand and
   * bursts, with slow waves of the task's own, never above the task's cpus.
   */
  cpuRate(task: SimTask, now: number): number {
    const u = task.usage;
    const t = now / 1000;
    const wave =
      Math.sin((2 * Math.PI * t) / u.periodS + u.phase) * 0.25 + Math.sin((2 * Math.PI * t) / (u.periodS / 3.7) + u.phase * 2) * 0.08;
    return Math.min(task.cpus, Math.max(0.005, task.cpus * u.cpuShare * (demand(now, seedOf(task)) + wave)));
  }

  /** Resident memory: the typical share, a little higher at busy times, after a warm-up from start (a task older than t is warm). */
  memRssBytes(task: SimTask, now: number): number {
    const u = task.usage;
    const age = now - (task.startedAt ?? now);
    const warmup = age >= 0 ? Math.min(1, age / 30_000) : 1;
    const busy = 0.85 + 0.15 * demand(now, seedOf(task) + 1);
    const share =
      u.memShare * (0.6 + 0.4 * warmup) * busy * (1 + 0.06 * Math.sin((2 * Math.PI * now) / 1000 / (u.periodS * 1.7) + u.phase));
    return Math.round(Math.min(1, share) * task.memMb * 1024 * 1024);
  }
}

const seedOf = (task: SimTask) => Math.floor(task.usage.phase * 1e8);

export function conditionOf(state: MesosTaskState): string {
  switch (state) {
    case "TASK_STAGING":
      return "Staging";
    case "TASK_STARTING":
      return "Starting";
    case "TASK_RUNNING":
      return "Running";
    case "TASK_KILLING":
      return "Killing";
    case "TASK_KILLED":
      return "Killed";
    case "TASK_FINISHED":
      return "Finished";
    case "TASK_FAILED":
      return "Failed";
    default:
      return "Unknown";
  }
}

export function formatPortRanges(ranges: [number, number][]): string {
  return `[${ranges.map(([from, to]) => `${from}-${to}`).join(", ")}]`;
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export const TERMINAL_STATES = new Set<MesosTaskState>(["TASK_KILLED", "TASK_FINISHED", "TASK_FAILED", "TASK_LOST"]);
