import { z } from "zod";
import { Backoff } from "@/lib/model/backoff";
import { changesBetween, replaceAll } from "@/lib/adapters/changes";
import { mapBounded } from "@/lib/adapters/concurrency";
import { AdapterError, asAdapterError } from "@/lib/adapters/errors";
import { ConnectionHealth } from "@/lib/adapters/health";
import type { AdapterContext } from "@/lib/adapters/module";
import { sleep } from "@/lib/adapters/sleep";
import { DEFAULT_ADAPTER_TIMINGS, withTimings, type AdapterTimings } from "@/lib/adapters/timings";
import {
  emptyUsageSample,
  type ClusterAdapter,
  type CoreItems,
  type CoreKind,
  type Scalable,
  type SnapshotChange,
  type SnapshotSink,
  type UsageSample,
  type UsageSource,
} from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import { RESOURCE_KINDS, ZERO_RESOURCES, type Resources, type Service, type TaskCore, type WorkloadCore } from "@/lib/model/types";
import { DockerClient } from "./client";
import type { DockerConnection } from "./connection";
import {
  DockerContainerInspect,
  DockerContainerStats,
  DockerContainerSummary,
  DockerEngineEvent,
  DockerInfoAnswer,
  SwarmNode,
  SwarmService,
  SwarmTask,
  type RawContainerInspect,
  type RawContainerSummary,
  type RawInfo,
} from "./raw";
import { scaleSwarmService } from "./scale";
import { hostNodeId, mapContainers, mapHostNode, plainContainers } from "./standalone-mappers";
import { addResources, containerUsage } from "./stats";
import { mapSwarmNode, mapSwarmService, mapSwarmServiceEndpoints, mapSwarmTasks, TASK_ID_LABEL } from "./swarm-mappers";

export type DockerMode = "swarm" | "docker";

export interface DockerTimings extends AdapterTimings {
  /** Coalescing window for event-triggered relists. */
  debounceMs: number;
  /**
   * One more relist this long after the last event of a burst: the engine
   * sends "die" before the container's listed state (and a task's state)
   * shows it, so the relist an event triggers can still see the old state.
   */
  settleMs: number;
  /** Swarm only: task states change on other nodes without any event here, so tasks are polled. */
  taskPollMs: number;
}

export const DEFAULT_DOCKER_TIMINGS: DockerTimings = {
  ...DEFAULT_ADAPTER_TIMINGS,
  debounceMs: 200,
  settleMs: 1_000,
  taskPollMs: 5_000,
};

/** Per-container requests (stats, inspects) in flight at once: one engine answers them all. */
const CONTAINER_REQUESTS_IN_FLIGHT = 4;

export const REMOTE_STATS_UNREACHABLE =
  "Container stats exist only on the node that runs the container; Fleetdeck talks to one manager and cannot reach them.";

type Group = "nodes" | "work";
/** The one upstream source, for ConnectionHealth. */
const ENGINE = "engine";
/** Container event actions that change what Fleetdeck shows (exec_* from health checks are noise). */
const CONTAINER_ACTIONS = new Set([
  "create",
  "start",
  "restart",
  "die",
  "kill",
  "stop",
  "destroy",
  "pause",
  "unpause",
  "oom",
  "rename",
  "update",
]);

interface Work {
  workloads: WorkloadCore[];
  tasks: TaskCore[];
  services: Service[];
}

/**
 * One adapter for the Docker family; SwarmAdapter and StandaloneDockerAdapter
 * below fix its mode, so that each module builds its adapter in the one
 * shape (connection, context, timings) and the mode stays the module's.
 */
export abstract class DockerAdapter implements ClusterAdapter, Scalable, UsageSource {
  readonly client: DockerClient;
  private readonly log: Logger;
  private readonly timings: DockerTimings;
  /** The engine's latest /info; its mode may differ from `orchestrator` (see engineWarning). */
  private info: RawInfo | null = null;
  /** The ids the sink has per resource, so a partial relist can delete what is gone. */
  private readonly known: { [K in CoreKind]: Set<string> } = {
    nodes: new Set(),
    workloads: new Set(),
    tasks: new Set(),
    services: new Set(),
  };
  /** Latest tasks and workloads (neutral), for usage and scale answers. */
  private tasks: TaskCore[] = [];
  private workloads = new Map<string, WorkloadCore>();
  /** Plain containers' inspects (restarts, health, last exit), dropped on that container's events and on resync. */
  private readonly inspects = new Map<string, RawContainerInspect>();
  /** Bumped by each event of a container, so an inspect that raced with the event is not cached. */
  private readonly inspectEpochs = new Map<string, number>();
  /** Every relist goes through this chain so results reach the sink in order. */
  private queue: Promise<unknown> = Promise.resolve();

  protected constructor(
    readonly orchestrator: DockerMode,
    connection: DockerConnection,
    context: AdapterContext,
    timings: Partial<DockerTimings>,
  ) {
    // Nothing to register in context.secrets: the Engine API takes no token or password here (no
    // X-Registry-Auth is sent, scaling changes replicas only), and the TLS key is a file whose
    // contents never go over the wire; its path is configuration, not a secret.
    this.log = context.log.child(orchestrator);
    this.timings = withTimings(DEFAULT_DOCKER_TIMINGS, timings);
    this.client = new DockerClient(connection, { timeoutMs: this.timings.requestTimeoutMs });
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.timings.backoff);
    const health = new ConnectionHealth([ENGINE], (state) => sink.setConnection(state));
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
          await this.serially(() => this.resync(sink, health, session.signal));
          backoff.reset();
          await this.follow(sink, health, events, session);
        } catch (err) {
          if (signal.aborted) break;
          // A swarm cluster whose engine is not a manager (yet) answers: degraded, and not worth a warning each retry.
          const error = asAdapterError(err, `Docker Engine at ${this.client.label}`);
          if (!(err instanceof NotSwarmManagerError))
            this.log.warn("docker engine connection lost", { host: this.client.label, error: error.message });
          health.failed(ENGINE, error);
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
    // Compose services and containers (in either mode), global services and jobs say why not.
    const known = this.workloads.get(workloadId);
    if (known && !known.scalable) {
      throw new AdapterError("invalid", known.notScalableReason ?? "Only Swarm services can be scaled through the Docker Engine API.");
    }
    if (this.orchestrator !== "swarm") throw new AdapterError("not-found", `no container or Compose service has the id ${workloadId}`);
    const workload = await scaleSwarmService(this.client, workloadId, replicas, signal);
    this.workloads.set(workload.id, workload);
    return workload;
  }

  async sampleUsage(signal?: AbortSignal): Promise<UsageSample> {
    const mode = this.orchestrator;
    const info = this.info ?? (await this.readInfo(signal));
    const localNode = mode === "swarm" ? (info.Swarm?.NodeID ?? null) : hostNodeId(info);
    const containers = await this.client.get("/containers/json", z.array(DockerContainerSummary), undefined, signal);
    const measured = await mapBounded(containers, CONTAINER_REQUESTS_IN_FLIGHT, async (c) =>
      containerUsage(await this.client.get(`/containers/${c.Id}/stats`, DockerContainerStats, { stream: false }, signal)),
    );
    const failed = measured.flatMap((m) => ("error" in m ? [m.error] : []));
    if (containers.length > 0 && failed.length === containers.length) {
      const first = asAdapterError(failed[0], `Docker Engine at ${this.client.label}`);
      throw new AdapterError(first.code, `the stats of none of ${containers.length} containers could be read: ${first.message}`, {
        cause: first,
      });
    }
    const sample = emptyUsageSample();
    let nodeTotal: Resources = ZERO_RESOURCES;
    let figures = 0;
    for (const { item: c, value } of measured) {
      // A container that stopped between the list and its stats has no sample: leave it out.
      if (!value) continue;
      figures++;
      nodeTotal = addResources(nodeTotal, value);
      // A swarm task's container counts for its task; plain containers are tasks of their own in both modes.
      const taskId = (mode === "swarm" && c.Labels[TASK_ID_LABEL]) || c.Id;
      sample.tasks.set(taskId, addResources(sample.tasks.get(taskId) ?? ZERO_RESOURCES, value));
    }
    // A node total missing some containers would read as a drop in use, and one from no figure at all as idle: leave the node unknown.
    if (localNode && failed.length > 0) {
      sample.unavailable.nodes.set(localNode, `stats of ${failed.length} of ${containers.length} containers could not be read in time`);
    } else if (localNode && containers.length > 0 && figures === 0) {
      sample.unavailable.nodes.set(localNode, `none of ${containers.length} running containers reported CPU and memory figures`);
    } else if (localNode) {
      sample.nodes.set(localNode, nodeTotal);
    }
    if (mode === "swarm") {
      for (const task of this.tasks) {
        if (task.node && task.node !== localNode && task.state === "running")
          sample.unavailable.tasks.set(task.id, REMOTE_STATS_UNREACHABLE);
      }
      for (const nodeId of this.known.nodes) {
        if (nodeId !== localNode) sample.unavailable.nodes.set(nodeId, REMOTE_STATS_UNREACHABLE);
      }
    }
    return sample;
  }

  private async readInfo(signal?: AbortSignal): Promise<RawInfo> {
    this.info = await this.client.get("/info", DockerInfoAnswer, undefined, signal);
    return this.info;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Full relist: /info (mode, version), then every list, sent as "replace". */
  private async resync(sink: SnapshotSink, health: ConnectionHealth, signal: AbortSignal): Promise<void> {
    this.inspects.clear();
    this.inspectEpochs.clear();
    const info = await this.readInfo(signal);
    const mode = this.orchestrator;
    if (mode === "swarm" && modeOf(info) !== "swarm") {
      // Often transient (a restarting engine answers before its swarm is back): keep the snapshot, retry.
      throw new NotSwarmManagerError(info);
    }
    const [nodes, work] = await Promise.all([this.listNodes(mode, signal), this.listWork(mode, signal)]);
    const lists = { nodes, ...work };
    for (const kind of RESOURCE_KINDS) this.remember(kind, lists[kind]);
    sink.apply(replaceAll(lists));
    health.ok(ENGINE, { version: info.ServerVersion, warning: this.engineWarning(info) });
  }

  /** Relists the groups events marked; the store drops what did not change. */
  private async refresh(sink: SnapshotSink, groups: Set<Group>, signal: AbortSignal): Promise<void> {
    const mode = this.orchestrator;
    const changes: SnapshotChange[] = [];
    if (groups.has("nodes")) changes.push(...this.changes("nodes", await this.listNodes(mode, signal)));
    if (groups.has("work")) {
      const work = await this.listWork(mode, signal);
      changes.push(
        ...this.changes("workloads", work.workloads),
        ...this.changes("tasks", work.tasks),
        ...this.changes("services", work.services),
      );
    }
    if (changes.length) sink.apply(changes);
  }

  private async follow(
    sink: SnapshotSink,
    health: ConnectionHealth,
    events: AsyncIterable<unknown>,
    session: AbortController,
  ): Promise<void> {
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
      }, this.timings.debounceMs);
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
      }, this.timings.settleMs);
    };
    const resyncTimer = setInterval(() => {
      this.serially(() => this.resync(sink, health, session.signal)).catch(fail);
    }, this.timings.resyncMs);
    const pollTimer = setInterval(() => {
      if (this.orchestrator === "swarm") mark("work");
    }, this.timings.taskPollMs);
    try {
      for await (const raw of events) {
        const parsed = DockerEngineEvent.safeParse(raw);
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

  /** What is not all it should be about an engine that answers. */
  private engineWarning(info: RawInfo): string | null {
    return this.orchestrator === "docker" && modeOf(info) === "swarm"
      ? "This engine is a swarm manager; add it as a swarm cluster to see its services and scale them. Showing its containers."
      : null;
  }

  private async listNodes(mode: DockerMode, signal: AbortSignal) {
    if (mode === "docker") {
      const info = this.info ?? (await this.client.get("/info", DockerInfoAnswer, undefined, signal));
      return [mapHostNode(info)];
    }
    const nodes = await this.client.get("/nodes", z.array(SwarmNode), undefined, signal);
    return nodes.map(mapSwarmNode);
  }

  /**
   * Swarm: the services and their tasks, and beside them the plain
   * containers of this engine (Compose services, lone containers; a task's
   * container is its task already). Docker: every container.
   */
  private async listWork(mode: DockerMode, signal: AbortSignal): Promise<Work> {
    const info = this.info ?? (await this.readInfo(signal));
    // One moment for the whole list: problems that settle with time (a recovered slot or container) read alike.
    const now = Date.now();
    let work: Work;
    if (mode === "swarm") {
      const [services, tasks, containers] = await Promise.all([
        this.client.get("/services", z.array(SwarmService), { status: true }, signal),
        this.client.get("/tasks", z.array(SwarmTask), undefined, signal),
        this.client.get("/containers/json", z.array(DockerContainerSummary), { all: true }, signal),
      ]);
      const plain = plainContainers(containers);
      const local = mapContainers(plain, info.Swarm?.NodeID ?? hostNodeId(info), await this.inspectContainers(plain, signal), now);
      work = {
        workloads: [...services.map((s) => mapSwarmService(s, tasks, now)), ...local.workloads],
        tasks: [...mapSwarmTasks(tasks, services, now), ...local.tasks],
        services: [...services.map(mapSwarmServiceEndpoints).filter((s) => s !== null), ...local.services],
      };
    } else {
      const containers = await this.client.get("/containers/json", z.array(DockerContainerSummary), { all: true }, signal);
      work = mapContainers(containers, hostNodeId(info), await this.inspectContainers(containers, signal), now);
    }
    this.tasks = work.tasks;
    this.workloads = new Map(work.workloads.map((w) => [w.id, w]));
    return work;
  }

  /** The containers' inspects (for RestartCount, health, exit), cached until an event of the container. */
  private async inspectContainers(
    containers: readonly RawContainerSummary[],
    signal: AbortSignal,
  ): Promise<Map<string, RawContainerInspect>> {
    const missing = containers.filter((c) => !this.inspects.has(c.Id));
    const epochs = new Map(missing.map((c) => [c.Id, this.inspectEpochs.get(c.Id) ?? 0]));
    const inspected = await mapBounded(missing, CONTAINER_REQUESTS_IN_FLIGHT, (c) =>
      this.client.get(`/containers/${c.Id}/json`, DockerContainerInspect, undefined, signal),
    );
    const known = new Map<string, RawContainerInspect>();
    for (const c of containers) {
      const cached = this.inspects.get(c.Id);
      if (cached) known.set(c.Id, cached);
    }
    for (const { item, value, error } of inspected) {
      // A container removed between list and inspect (404) simply has no details.
      if (!value) {
        if (!(error instanceof AdapterError && error.code === "not-found")) throw error;
        continue;
      }
      known.set(item.Id, value);
      // An event meanwhile means this inspect may already be stale: use it once, do not keep it.
      if ((this.inspectEpochs.get(item.Id) ?? 0) === epochs.get(item.Id)) this.inspects.set(item.Id, value);
    }
    return known;
  }

  private invalidateInspect(containerId: string): void {
    this.inspects.delete(containerId);
    this.inspectEpochs.set(containerId, (this.inspectEpochs.get(containerId) ?? 0) + 1);
  }

  private remember<K extends CoreKind>(kind: K, items: readonly CoreItems[K][]): void {
    this.known[kind] = new Set(items.map((item) => item.id));
  }

  /** Changes from what the sink has to `items`, a complete list of `kind`. */
  private changes<K extends CoreKind>(kind: K, items: readonly CoreItems[K][]): SnapshotChange[] {
    const changes = changesBetween(kind, this.known[kind], items);
    this.remember(kind, items);
    return changes;
  }
}

export class SwarmAdapter extends DockerAdapter {
  constructor(connection: DockerConnection, context: AdapterContext, timings: Partial<DockerTimings> = {}) {
    super("swarm", connection, context, timings);
  }
}

export class StandaloneDockerAdapter extends DockerAdapter {
  constructor(connection: DockerConnection, context: AdapterContext, timings: Partial<DockerTimings> = {}) {
    super("docker", connection, context, timings);
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
