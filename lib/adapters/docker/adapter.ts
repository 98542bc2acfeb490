import { z } from "zod";
import { Backoff } from "@/lib/model/backoff";
import { sleep } from "@/lib/adapters/sleep";
import { AdapterError } from "@/lib/adapters/errors";
import type { AdapterContext } from "@/lib/adapters/module";
import type {
  ClusterAdapter,
  CoreItems,
  CoreKind,
  Scalable,
  SnapshotChange,
  SnapshotSink,
  UsageSample,
  UsageSource,
} from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import type { Resources, Service, TaskCore, WorkloadCore } from "@/lib/model/types";
import { DockerClient } from "./client";
import type { DockerConnection } from "./connection";
import {
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  InfoAnswer,
  SwarmNode,
  SwarmService,
  SwarmTask,
  type RawContainerInspect,
  type RawInfo,
} from "./raw";
import { scaleSwarmService, type ScaleOptions } from "./scale";
import { hostNodeId, mapContainerTask, mapHostNode, mapStandaloneServices, mapStandaloneWorkloads } from "./standalone-mappers";
import { addResources, containerUsage, mapBounded } from "./stats";
import { mapSwarmNode, mapSwarmService, mapSwarmServiceEndpoints, mapSwarmTasks } from "./swarm-mappers";

export type DockerMode = "swarm" | "docker";

export interface DockerAdapterOptions {
  /** Coalescing window for event-triggered relists. */
  debounceMs?: number;
  /**
   * One more relist this long after the last event of a burst: the engine
   * sends "die" before the container's listed state (and a task's state)
   * shows it, so the relist an event triggers can still see the old state.
   */
  settleMs?: number;
  /** Full relist (replace) period; also the watchdog of a silent event stream. */
  resyncMs?: number;
  /** Swarm only: task states change on other nodes without any event here, so tasks are polled. */
  taskPollMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  statsConcurrency?: number;
  scale?: ScaleOptions;
}

/** A usage sample that always says what could not be measured and why. */
export interface DockerUsageSample extends UsageSample {
  unavailable: { nodes: Map<string, string>; tasks: Map<string, string> };
}

export const REMOTE_STATS_UNREACHABLE =
  "Container stats exist only on the node that runs the container; Fleetdeck talks to one manager and cannot reach them.";

type Group = "nodes" | "work";
const SWARM_TASK_LABEL = "com.docker.swarm.task.id";
/** Container event actions that change what Fleetdeck shows (exec_* from health checks are noise). */
const CONTAINER_ACTIONS = new Set(["create", "start", "restart", "die", "kill", "stop", "destroy", "pause", "unpause", "oom", "rename", "update"]);

interface Work {
  workloads: WorkloadCore[];
  tasks: TaskCore[];
  services: Service[];
}

export class DockerAdapter implements ClusterAdapter, Scalable, UsageSource {
  readonly client: DockerClient;
  private readonly log: Logger;
  private readonly opts: Required<Omit<DockerAdapterOptions, "scale">> & Pick<DockerAdapterOptions, "scale">;
  /** The engine's latest /info; its mode may differ from `orchestrator` (see connectionState). */
  private info: RawInfo | null = null;
  /** What the sink has, as JSON per id, to send only real changes. */
  private readonly emitted: { [K in CoreKind]: Map<string, string> } = {
    nodes: new Map(),
    workloads: new Map(),
    tasks: new Map(),
    services: new Map(),
  };
  /** Latest tasks and workloads (neutral), for usage and scale answers. */
  private tasks: TaskCore[] = [];
  private workloads = new Map<string, WorkloadCore>();
  /** Standalone: container inspects (for RestartCount), dropped on that container's events and on resync. */
  private readonly inspects = new Map<string, RawContainerInspect>();
  /** Bumped by each event of a container, so an inspect that raced with the event is not cached. */
  private readonly inspectEpochs = new Map<string, number>();
  /** Every relist goes through this chain so results reach the sink in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly orchestrator: DockerMode,
    connection: DockerConnection,
    context: AdapterContext,
    options: DockerAdapterOptions = {},
  ) {
    this.log = context.log;
    this.opts = {
      debounceMs: options.debounceMs ?? 200,
      settleMs: options.settleMs ?? 1_000,
      resyncMs: options.resyncMs ?? 60_000,
      taskPollMs: options.taskPollMs ?? 5_000,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      statsConcurrency: options.statsConcurrency ?? 4,
      scale: options.scale,
    };
    this.client = new DockerClient(connection, { timeoutMs: this.opts.requestTimeoutMs });
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: this.opts.backoffBaseMs, maxMs: this.opts.backoffMaxMs });
    try {
      while (!signal.aborted) {
        const session = new AbortController();
        const stop = () => session.abort();
        signal.addEventListener("abort", stop, { once: true });
        try {
          this.client.renegotiate();
          // Subscribe first, then list: a change between the two still arrives as an event.
          const events = await this.client.openStream(
            "/events",
            { filters: JSON.stringify({ type: ["service", "node", "container"] }) },
            session.signal,
          );
          await this.serially(() => this.resync(sink, session.signal));
          backoff.reset();
          await this.follow(sink, events, session);
        } catch (err) {
          if (signal.aborted) break;
          if (err instanceof NotSwarmManagerError) {
            sink.setConnection({ status: "degraded", reason: err.message, version: this.info?.ServerVersion ?? null });
            await sleep(backoff.next(), signal);
            continue;
          }
          const error = err instanceof AdapterError ? err : new AdapterError("upstream", String((err as Error)?.message ?? err));
          this.log.warn("docker engine connection lost", { host: this.client.label, error: error.message });
          sink.setConnection({ status: "unreachable", reason: error.message, version: this.info?.ServerVersion ?? null });
          await sleep(backoff.next(), signal);
        } finally {
          signal.removeEventListener("abort", stop);
          session.abort();
        }
      }
    } finally {
      await this.client.close();
    }
  }

  async scale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore> {
    if (this.orchestrator !== "swarm") {
      const reason = this.workloads.get(workloadId)?.notScalableReason;
      throw new AdapterError("invalid", reason ?? "Only Swarm services can be scaled through the Docker Engine API.");
    }
    const workload = await scaleSwarmService(this.client, workloadId, replicas, signal, this.opts.scale);
    this.workloads.set(workload.id, workload);
    return workload;
  }

  async sampleUsage(signal?: AbortSignal): Promise<DockerUsageSample | null> {
    const mode = this.orchestrator;
    const info = this.info ?? (await this.readInfo(signal));
    const localNode = mode === "swarm" ? (info.Swarm?.NodeID ?? null) : hostNodeId(info);
    const containers = await this.client.get("/containers/json", z.array(ContainerSummary), undefined, signal);
    const measured = await mapBounded(containers, this.opts.statsConcurrency, async (c) =>
      containerUsage(
        await this.client.get(`/containers/${c.Id}/stats`, ContainerStats, { stream: false }, signal),
      ),
    );
    const sample: DockerUsageSample = {
      nodes: new Map(),
      tasks: new Map(),
      unavailable: { nodes: new Map(), tasks: new Map() },
    };
    let nodeTotal: Resources = { cpuMillis: 0, memoryBytes: 0 };
    let measuredAny = containers.length === 0;
    let failures = 0;
    for (const { item: c, value, error } of measured) {
      if (error) failures++;
      // A container that stopped between the list and its stats has no sample: leave it out.
      if (!value) continue;
      measuredAny = true;
      nodeTotal = addResources(nodeTotal, value);
      const taskId = mode === "swarm" ? c.Labels[SWARM_TASK_LABEL] : c.Id;
      if (taskId) sample.tasks.set(taskId, addResources(sample.tasks.get(taskId) ?? { cpuMillis: 0, memoryBytes: 0 }, value));
    }
    if (!measuredAny) return null;
    // A node total missing some containers would read as a drop in use: leave the node unknown instead.
    if (localNode && failures === 0) sample.nodes.set(localNode, nodeTotal);
    else if (localNode) sample.unavailable.nodes.set(localNode, `stats of ${failures} of ${containers.length} containers could not be read in time`);
    if (mode === "swarm") {
      for (const task of this.tasks) {
        if (task.node && task.node !== localNode && task.state === "running") sample.unavailable.tasks.set(task.id, REMOTE_STATS_UNREACHABLE);
      }
      for (const nodeId of this.emitted.nodes.keys()) {
        if (nodeId !== localNode) sample.unavailable.nodes.set(nodeId, REMOTE_STATS_UNREACHABLE);
      }
    }
    return sample;
  }

  private async readInfo(signal?: AbortSignal): Promise<RawInfo> {
    this.info = await this.client.get("/info", InfoAnswer, undefined, signal);
    return this.info;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Full relist: /info (mode, version), then every list, sent as "replace". */
  private async resync(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    this.inspects.clear();
    this.inspectEpochs.clear();
    const info = await this.readInfo(signal);
    const mode = this.orchestrator;
    if (mode === "swarm" && modeOf(info) !== "swarm") {
      // Often transient (a restarting engine answers before its swarm is back): keep the snapshot, retry.
      throw new NotSwarmManagerError(info);
    }
    const [nodes, work] = await Promise.all([this.listNodes(mode, signal), this.listWork(mode, signal)]);
    const changes: SnapshotChange[] = [
      this.replace("nodes", nodes),
      this.replace("workloads", work.workloads),
      this.replace("tasks", work.tasks),
      this.replace("services", work.services),
    ];
    sink.apply(changes);
    sink.setConnection(this.connectionState());
  }

  /** Relists the groups events marked and sends only what changed. */
  private async refresh(sink: SnapshotSink, groups: Set<Group>, signal: AbortSignal): Promise<void> {
    const mode = this.orchestrator;
    const changes: SnapshotChange[] = [];
    if (groups.has("nodes")) changes.push(...this.diff("nodes", await this.listNodes(mode, signal)));
    if (groups.has("work")) {
      const work = await this.listWork(mode, signal);
      changes.push(...this.diff("workloads", work.workloads), ...this.diff("tasks", work.tasks), ...this.diff("services", work.services));
    }
    if (changes.length) sink.apply(changes);
  }

  private async follow(sink: SnapshotSink, events: AsyncIterable<unknown>, session: AbortController): Promise<void> {
    let failure: unknown = null;
    const fail = (err: unknown) => {
      failure ??= err;
      session.abort();
    };
    const dirty = new Set<Group>();
    let timer: NodeJS.Timeout | null = null;
    const schedule = () => {
      if (timer || session.signal.aborted) return;
      timer = setTimeout(() => {
        timer = null;
        const groups = new Set(dirty);
        dirty.clear();
        this.serially(() => this.refresh(sink, groups, session.signal)).catch(fail);
      }, this.opts.debounceMs);
    };
    const mark = (group: Group) => {
      dirty.add(group);
      schedule();
    };
    let settleTimer: NodeJS.Timeout | null = null;
    const settleGroups = new Set<Group>();
    const settleContainers = new Set<string>();
    const markAndSettle = (group: Group, containerId?: string) => {
      mark(group);
      settleGroups.add(group);
      if (containerId) settleContainers.add(containerId);
      if (settleTimer) clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        settleTimer = null;
        for (const id of settleContainers) this.invalidateInspect(id);
        for (const g of settleGroups) mark(g);
        settleContainers.clear();
        settleGroups.clear();
      }, this.opts.settleMs);
    };
    const resyncTimer = setInterval(() => {
      this.serially(() => this.resync(sink, session.signal)).catch(fail);
    }, this.opts.resyncMs);
    const pollTimer = setInterval(() => {
      if (this.orchestrator === "swarm") mark("work");
    }, this.opts.taskPollMs);
    try {
      for await (const raw of events) {
        const parsed = EngineEvent.safeParse(raw);
        if (!parsed.success) continue;
        const event = parsed.data;
        if (event.Type === "node") markAndSettle("nodes");
        else if (event.Type === "service") markAndSettle("work");
        else if (event.Type === "container") {
          const action = (event.Action ?? "").split(":")[0];
          if (!CONTAINER_ACTIONS.has(action) && action !== "health_status") continue;
          if (event.Actor?.ID) this.invalidateInspect(event.Actor.ID);
          markAndSettle("work", event.Actor?.ID);
        }
      }
    } catch (err) {
      fail(err);
    } finally {
      clearInterval(resyncTimer);
      clearInterval(pollTimer);
      if (timer) clearTimeout(timer);
      if (settleTimer) clearTimeout(settleTimer);
    }
    if (failure) throw failure;
    if (!session.signal.aborted) throw new AdapterError("unreachable", `Docker Engine at ${this.client.label} closed the event stream`);
  }

  private connectionState() {
    const info = this.info!;
    const version = info.ServerVersion;
    if (this.orchestrator === "docker" && modeOf(info) === "swarm") {
      return {
        status: "degraded" as const,
        reason: "This engine is a swarm manager; add it as a swarm cluster to see its services and scale them. Showing its containers.",
        version,
      };
    }
    return { status: "ok" as const, reason: null, version };
  }

  private async listNodes(mode: DockerMode, signal: AbortSignal) {
    if (mode === "docker") {
      const info = this.info ?? (await this.client.get("/info", InfoAnswer, undefined, signal));
      return [mapHostNode(info)];
    }
    const nodes = await this.client.get("/nodes", z.array(SwarmNode), undefined, signal);
    return nodes.map(mapSwarmNode);
  }

  private async listWork(mode: DockerMode, signal: AbortSignal): Promise<Work> {
    let work: Work;
    if (mode === "swarm") {
      const [services, tasks] = await Promise.all([
        this.client.get("/services", z.array(SwarmService), { status: true }, signal),
        this.client.get("/tasks", z.array(SwarmTask), undefined, signal),
      ]);
      work = {
        workloads: services.map((s) => mapSwarmService(s, tasks)),
        tasks: mapSwarmTasks(tasks, services),
        services: services.map(mapSwarmServiceEndpoints).filter((s) => s !== null),
      };
    } else {
      const info = this.info ?? (await this.client.get("/info", InfoAnswer, undefined, signal));
      const containers = await this.client.get("/containers/json", z.array(ContainerSummary), { all: true }, signal);
      const missing = containers.filter((c) => !this.inspects.has(c.Id));
      const epochs = new Map(missing.map((c) => [c.Id, this.inspectEpochs.get(c.Id) ?? 0]));
      const inspected = await mapBounded(missing, this.opts.statsConcurrency, (c) =>
        this.client.get(`/containers/${c.Id}/json`, ContainerInspect, undefined, signal),
      );
      const fresh = new Map<string, RawContainerInspect>();
      for (const { item, value, error } of inspected) {
        // A container removed between list and inspect (404) simply has no details.
        if (!value) {
          if (!(error instanceof AdapterError && error.code === "not-found")) throw error;
          continue;
        }
        fresh.set(item.Id, value);
        // An event meanwhile means this inspect may already be stale: use it once, do not keep it.
        if ((this.inspectEpochs.get(item.Id) ?? 0) === epochs.get(item.Id)) this.inspects.set(item.Id, value);
      }
      const nodeId = hostNodeId(info);
      work = {
        workloads: mapStandaloneWorkloads(containers),
        tasks: containers.map((c) => mapContainerTask(c, nodeId, fresh.get(c.Id) ?? this.inspects.get(c.Id))),
        services: mapStandaloneServices(containers),
      };
    }
    this.tasks = work.tasks;
    this.workloads = new Map(work.workloads.map((w) => [w.id, w]));
    return work;
  }

  private invalidateInspect(containerId: string): void {
    this.inspects.delete(containerId);
    this.inspectEpochs.set(containerId, (this.inspectEpochs.get(containerId) ?? 0) + 1);
  }

  private replace<K extends CoreKind>(kind: K, items: CoreItems[K][]): SnapshotChange {
    const map = this.emitted[kind];
    map.clear();
    for (const item of items) map.set(item.id, JSON.stringify(item));
    return { type: "replace", resource: kind, items } as SnapshotChange;
  }

  private diff<K extends CoreKind>(kind: K, items: CoreItems[K][]): SnapshotChange[] {
    const map = this.emitted[kind];
    const changes: SnapshotChange[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.id);
      const json = JSON.stringify(item);
      if (map.get(item.id) === json) continue;
      map.set(item.id, json);
      changes.push({ type: "upsert", resource: kind, item } as SnapshotChange);
    }
    for (const id of [...map.keys()]) {
      if (seen.has(id)) continue;
      map.delete(id);
      changes.push({ type: "delete", resource: kind, id } as SnapshotChange);
    }
    return changes;
  }
}

/** A swarm manager with control is a `swarm` cluster; anything else (no swarm, a worker) is `docker`. */
export function modeOf(info: RawInfo): DockerMode {
  return info.Swarm?.LocalNodeState === "active" && info.Swarm.ControlAvailable === true ? "swarm" : "docker";
}

/** A `swarm` cluster whose engine is not (or not yet) a swarm manager. */
export class NotSwarmManagerError extends AdapterError {
  constructor(info: RawInfo) {
    const state = info.Swarm?.LocalNodeState ?? "unknown";
    const detail =
      state === "locked"
        ? "the swarm is locked; unlock it with `docker swarm unlock`"
        : state === "active"
          ? "this node is a swarm worker; connect to a manager"
          : `its swarm state is "${state}"${info.Swarm?.Error ? ` (${info.Swarm.Error})` : ""}`;
    super("upstream", `The engine is not a swarm manager: ${detail}. Showing the last known state; retrying.`);
    this.name = "NotSwarmManagerError";
  }
}
