import type { Dispatcher } from "undici";
import type { WorkloadCore } from "@/lib/model/types";
import type { Logger } from "@/lib/log";
import { Backoff } from "@/lib/model/backoff";
import { forEachBounded, mapBounded } from "@/lib/adapters/concurrency";
import { AdapterError, asAdapterError, fromNetworkError, retryDelay } from "@/lib/adapters/errors";
import { ConnectionHealth } from "@/lib/adapters/health";
import type { AdapterContext } from "@/lib/adapters/module";
import { sleep } from "@/lib/adapters/sleep";
import { DEFAULT_ADAPTER_TIMINGS, withTimings, type AdapterTimings } from "@/lib/adapters/timings";
import {
  emptyUsageSample,
  type ClusterAdapter,
  type ForceScalable,
  type Scalable,
  type SnapshotSink,
  type UsageSample,
  type UsageSource,
} from "@/lib/adapters/types";
import { DeploymentConflictError } from "./abilities";
import type { MesosConnection } from "./connection";
import { HttpEndpoint, UpstreamHttpError, basicAuthHeader, endpointPassword, makeDispatcher } from "./http";
import { mapDeployment, mapMarathonApp, mapMasterState, mapQueueEntry, nodeIdOf, parseWorkloadId, taskIdOf, withQueue } from "./mappers";
import {
  RawMarathonAppAnswerSchema,
  RawMarathonAppListSchema,
  RawMarathonDeploymentListSchema,
  RawMarathonEventSchema,
  RawMarathonInfoSchema,
  RawMasterStateSchema,
  RawMonitorStatisticsSchema,
  RawQueueSchema,
  RawScaleAnswerSchema,
  type RawFramework,
  type RawMasterState,
  type RawQueueEntry,
} from "./raw";
import { MergedSnapshot } from "./snapshot";
import { SseParser } from "./sse";
import { computeUsage, executorKey, type AgentStatistics, type CpuCounter } from "./usage";

/** resyncMs is the full Marathon relist while the event stream is up, to catch missed events. */
export interface MesosTimings extends AdapterTimings {
  /** Master state poll interval. */
  pollMs: number;
  /** Events arriving within this window cause one refresh. */
  coalesceMs: number;
  /** Wait between the two statistics rounds of the very first usage sample. */
  usagePrimeMs: number;
  /**
   * Marathon's event stream is dead when nothing, not even a keep-alive, came
   * for this long. Marathon's servlet writes a keep-alive (an empty line) every
   * 10 s, so three missed ones and a margin.
   */
  streamIdleMs: number;
}

export const DEFAULT_MESOS_TIMINGS: MesosTimings = {
  ...DEFAULT_ADAPTER_TIMINGS,
  pollMs: 10_000,
  coalesceMs: 250,
  usagePrimeMs: 1_000,
  streamIdleMs: 35_000,
};

/** Agents asked for their statistics at once. */
const AGENT_REQUESTS_IN_FLIGHT = 8;

/** The upstream sources whose outcomes make the cluster's status, as ConnectionHealth names them. */
type Source = "master" | "marathon";

const APP_READS_IN_FLIGHT = 4;
const APP_EMBEDS = "embed=app.tasks&embed=app.counts&embed=app.deployments&embed=app.lastTaskFailure";
const APPS_EMBEDS = "embed=apps.tasks&embed=apps.counts&embed=apps.deployments&embed=apps.lastTaskFailure";

/**
 * The event types that change what the adapter shows, as the `event_type`
 * filter of GET /v2/events (Marathon 1.3.7+; older versions send every type,
 * which the adapter sorts out itself). Filtering spares Marathon, which drops
 * a consumer that falls behind, and the adapter.
 */
export const MARATHON_EVENT_TYPES = [
  "status_update_event",
  "instance_changed_event",
  "health_status_changed_event",
  "instance_health_changed_event",
  "api_post_event",
  "app_terminated_event",
  "deployment_info",
  "deployment_success",
  "deployment_failed",
  "deployment_step_success",
  "deployment_step_failure",
  "group_change_success",
  "group_change_failed",
  "scheduler_registered_event",
  "scheduler_reregistered_event",
] as const;

const EVENTS_PATH = "/v2/events?" + MARATHON_EVENT_TYPES.map((t) => `event_type=${t}`).join("&");

function appPath(appId: string): string {
  return "/v2/apps" + appId.split("/").map(encodeURIComponent).join("/");
}

interface UsageIndex {
  agents: { nodeId: string; url: string }[];
  tasksByExecutor: Map<string, string[]>;
  /** Model ids of the tasks each agent (by node id) runs, to name those an unreadable agent leaves unmeasured. */
  tasksByAgent: Map<string, string[]>;
}

/**
 * Speaks to a Mesos master (agents, frameworks' tasks), its agents
 * (/monitor/statistics) and Marathon (apps, tasks, scaling, the SSE event
 * bus). Marathon's own tasks come from Marathon, which knows their app,
 * ports and health; other frameworks' tasks come from the master.
 */
export class MesosAdapter implements ClusterAdapter, Scalable, ForceScalable, UsageSource {
  readonly orchestrator = "mesos" as const;
  private readonly log: Logger;
  private readonly timings: MesosTimings;
  private readonly dispatcher: () => Dispatcher;
  private readonly master: HttpEndpoint | null = null;
  private readonly marathon: HttpEndpoint | null = null;
  private readonly agentAuth: string | null;
  private readonly agents = new Map<string, HttpEndpoint>();
  private marathonFrameworkId: string | null = null;
  private usageIndex: UsageIndex | null = null;
  private counters = new Map<string, CpuCounter>();
  private snapshot: MergedSnapshot | null = null;

  constructor(
    private readonly connection: MesosConnection,
    context: AdapterContext,
    timings: Partial<MesosTimings> = {},
  ) {
    this.log = context.log.child("mesos");
    this.timings = withTimings(DEFAULT_MESOS_TIMINGS, timings);
    // The master's credentials also go to every agent; Marathon has its own. Both go out as basic auth.
    for (const endpoint of [connection.master, connection.marathon]) {
      context.secrets.addBasicAuth(endpoint?.username, endpointPassword(endpoint, context.env));
    }
    const dispatcher = makeDispatcher(connection.tls);
    this.dispatcher = dispatcher;
    this.agentAuth = basicAuthHeader(connection.master, context.env);
    if (connection.master) {
      this.master = new HttpEndpoint(connection.master.url, this.agentAuth, dispatcher, "Mesos master", this.timings.requestTimeoutMs);
    }
    if (connection.marathon) {
      this.marathon = new HttpEndpoint(
        connection.marathon.url,
        basicAuthHeader(connection.marathon, context.env),
        dispatcher,
        "Marathon",
        this.timings.requestTimeoutMs,
      );
    }
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const sources = (["master", "marathon"] as const).filter((source) => this.connection[source]);
    const health = new ConnectionHealth(sources, (state) => sink.setConnection(state));
    const snapshot = new MergedSnapshot(sink);
    this.snapshot = snapshot;
    try {
      await Promise.all([
        this.master ? this.runMaster(snapshot, health, signal) : Promise.resolve(),
        this.marathon ? this.runMarathon(snapshot, health, signal) : Promise.resolve(),
      ]);
    } finally {
      if (this.snapshot === snapshot) this.snapshot = null;
    }
  }

  /** A failed upstream call as the AdapterError its source reports, logged. */
  private failure(source: Source, err: unknown, logMessage: string): AdapterError {
    const error = asAdapterError(err, source === "master" ? "Mesos master" : "Marathon");
    this.log.warn(logMessage, { error: error.message });
    return error;
  }

  // ---- master ----

  private skipFramework = (fw: RawFramework): boolean => {
    if (!this.marathon) return false;
    return this.marathonFrameworkId ? fw.id === this.marathonFrameworkId : fw.name === "marathon";
  };

  private frameworkReason = (fw: RawFramework): string =>
    fw.name === "marathon" && !this.marathon
      ? "No Marathon URL is configured for this cluster, so Marathon's tasks are shown read-only"
      : `The ${fw.name} framework schedules its own tasks; Mesos has no way to scale them from outside`;

  private async runMaster(snapshot: MergedSnapshot, health: ConnectionHealth, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.timings.backoff);
    let relist = true;
    while (!signal.aborted) {
      try {
        const state = await this.master!.getJson("/master/state", RawMasterStateSchema, signal);
        this.usageIndex = this.indexForUsage(state);
        snapshot.master = mapMasterState(state, { skipFramework: this.skipFramework, frameworkReason: this.frameworkReason });
        snapshot.publish(relist ? "replace" : "diff");
        relist = false;
        backoff.reset();
        health.ok("master", { version: state.version ? `Mesos ${state.version}` : null });
        await sleep(this.timings.pollMs, signal);
      } catch (err) {
        if (signal.aborted) break;
        relist = true;
        health.failed("master", this.failure("master", err, "mesos master poll failed"));
        await sleep(retryDelay(backoff, err), signal);
      }
    }
  }

  private indexForUsage(state: RawMasterState): UsageIndex {
    const tasksByAgent = new Map<string, string[]>();
    const scheme = new URL(this.connection.master!.url).protocol;
    const agents = state.slaves
      .filter((a) => a.active)
      .flatMap((a) => {
        // The pid ("slave(1)@10.0.0.11:5051") is where the agent's own endpoints answer; the hostname may not resolve here.
        const match = /@([^@]+):(\d+)$/.exec(a.pid);
        return match ? [{ nodeId: nodeIdOf(a.id), url: `${scheme}//${match[1]}:${match[2]}` }] : [];
      });
    const tasksByExecutor = new Map<string, string[]>();
    for (const fw of state.frameworks) {
      for (const task of fw.tasks) {
        // The command executor runs one task under the task's own id.
        const key = executorKey(fw.id, task.executor_id || task.id);
        tasksByExecutor.set(key, [...(tasksByExecutor.get(key) ?? []), taskIdOf(task.id)]);
        const nodeId = nodeIdOf(task.slave_id);
        tasksByAgent.set(nodeId, [...(tasksByAgent.get(nodeId) ?? []), taskIdOf(task.id)]);
      }
    }
    return { agents, tasksByExecutor, tasksByAgent };
  }

  // ---- Marathon ----

  private async runMarathon(snapshot: MergedSnapshot, health: ConnectionHealth, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.timings.backoff);
    while (!signal.aborted) {
      const stream = new AbortController();
      const stopStream = () => stream.abort();
      signal.addEventListener("abort", stopStream, { once: true });
      try {
        const info = await this.marathon!.getJson("/v2/info", RawMarathonInfoSchema, signal);
        this.marathonFrameworkId = info.frameworkId ?? null;
        // Subscribe before listing so that nothing between the list and the stream is missed.
        const body = await this.marathon!.openEventStream(EVENTS_PATH, stream.signal, this.timings.streamIdleMs);
        await this.relistMarathon(snapshot, signal);
        snapshot.publish("replace");
        backoff.reset();
        health.ok("marathon", { version: `Marathon ${info.version}` });
        await this.followEvents(body, snapshot, health, stream.signal);
        if (!signal.aborted) throw new AdapterError("unreachable", "Marathon: the event stream closed");
      } catch (err) {
        if (signal.aborted) break;
        health.failed("marathon", this.failure("marathon", err, "marathon sync failed"));
        await sleep(retryDelay(backoff, err), signal);
      } finally {
        stream.abort();
        signal.removeEventListener("abort", stopStream);
      }
    }
  }

  private async relistMarathon(snapshot: MergedSnapshot, signal: AbortSignal): Promise<void> {
    const [list, queue] = await Promise.all([
      this.marathon!.getJson(`/v2/apps?${APPS_EMBEDS}`, RawMarathonAppListSchema, signal),
      this.marathon!.getJson("/v2/queue", RawQueueSchema, signal),
      this.refreshDeployments(snapshot, signal),
    ]);
    snapshot.apps.clear();
    for (const app of list.apps) snapshot.apps.set(app.id, mapMarathonApp(app));
    this.applyQueue(snapshot, queue);
  }

  /** The steps of running deployments: a nicety beside the apps, so a failure keeps what was known rather than failing the refresh. */
  private async refreshDeployments(snapshot: MergedSnapshot, signal: AbortSignal): Promise<void> {
    try {
      const list = await this.marathon!.getJson("/v2/deployments", RawMarathonDeploymentListSchema, signal);
      snapshot.deployments.clear();
      for (const raw of list) snapshot.deployments.set(raw.id, mapDeployment(raw));
    } catch (err) {
      if (signal.aborted) throw err;
      this.log.debug("cannot read Marathon deployments", { error: asAdapterError(err, "Marathon").message });
    }
  }

  private applyQueue(snapshot: MergedSnapshot, queue: { queue: RawQueueEntry[] }): void {
    snapshot.queue.clear();
    for (const entry of queue.queue) if (entry.app) snapshot.queue.set(entry.app.id, mapQueueEntry(entry));
  }

  private async refreshApps(snapshot: MergedSnapshot, appIds: Set<string>, signal: AbortSignal): Promise<void> {
    const [queue] = await Promise.all([
      this.marathon!.getJson("/v2/queue", RawQueueSchema, signal),
      this.refreshDeployments(snapshot, signal),
      // An event burst can name many apps: a few reads at a time.
      forEachBounded([...appIds], APP_READS_IN_FLIGHT, async (appId) => {
        try {
          const answer = await this.marathon!.getJson(`${appPath(appId)}?${APP_EMBEDS}`, RawMarathonAppAnswerSchema, signal);
          snapshot.apps.set(answer.app.id, mapMarathonApp(answer.app));
        } catch (err) {
          if (err instanceof AdapterError && err.code === "not-found") snapshot.apps.delete(appId);
          else throw err;
        }
      }),
    ]);
    this.applyQueue(snapshot, queue);
  }

  /** Reads events until the stream ends; each burst of events becomes one refresh of the apps they name. */
  private async followEvents(
    body: AsyncIterable<Buffer>,
    snapshot: MergedSnapshot,
    health: ConnectionHealth,
    signal: AbortSignal,
  ): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const pendingApps = new Set<string>();
    let pendingRelist: "replace" | "diff" | null = null;
    let timer: NodeJS.Timeout | null = null;
    let chain = Promise.resolve();

    const flush = async () => {
      timer = null;
      const apps = new Set(pendingApps);
      const relist = pendingRelist;
      pendingApps.clear();
      pendingRelist = null;
      try {
        if (relist) await this.relistMarathon(snapshot, signal);
        else await this.refreshApps(snapshot, apps, signal);
        snapshot.publish(relist ?? "diff");
        health.ok("marathon");
      } catch (err) {
        if (signal.aborted) return;
        const error = this.failure("marathon", err, "marathon refresh failed");
        // Refresh everything on the next occasion rather than lose these changes.
        for (const app of apps) pendingApps.add(app);
        pendingRelist = pendingRelist ?? "diff";
        health.failed("marathon", error);
      }
    };
    const schedule = () => {
      if (timer === null && !signal.aborted) timer = setTimeout(() => (chain = chain.then(flush)), this.timings.coalesceMs);
    };
    const resync = setInterval(() => {
      pendingRelist = "replace";
      schedule();
    }, this.timings.resyncMs);

    try {
      for await (const chunk of body) {
        for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
          const appIds = this.appsOfEvent(message.event, message.data);
          if (appIds === "all") pendingRelist = pendingRelist ?? "diff";
          else appIds.forEach((id) => pendingApps.add(id));
          if (appIds === "all" || appIds.length) schedule();
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if ((err as { code?: string }).code === "UND_ERR_BODY_TIMEOUT") {
        // Marathon answered the subscription, so it is not cut off: its stream went quiet ("upstream").
        throw new AdapterError(
          "upstream",
          `Marathon event stream: sent nothing, not even a keep-alive, for ${Math.round(this.timings.streamIdleMs / 1000)} s`,
          { cause: err },
        );
      }
      throw fromNetworkError(err, "Marathon event stream");
    } finally {
      clearInterval(resync);
      if (timer) clearTimeout(timer);
      await chain;
    }
  }

  /** Which apps an event touches: a list, "all" when it cannot tell (deployments, groups), or none. */
  private appsOfEvent(event: string, data: string): string[] | "all" {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return [];
    }
    const parsed = RawMarathonEventSchema.safeParse(json);
    const type = parsed.success ? parsed.data.eventType : event;
    if (
      type === "event_stream_attached" ||
      type === "event_stream_detached" ||
      type === "framework_message_event" ||
      type === "subscribe_event" ||
      type === "unsubscribe_event"
    ) {
      return [];
    }
    if (type.startsWith("deployment_") || type.startsWith("group_") || !parsed.success) return "all";
    const appId = parsed.data.appId ?? parsed.data.runSpecId ?? parsed.data.appDefinition?.id;
    return appId ? [appId] : "all";
  }

  // ---- scaling ----

  scale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore> {
    return this.scaleApp(workloadId, replicas, false, signal);
  }

  forceScale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore> {
    return this.scaleApp(workloadId, replicas, true, signal);
  }

  private async scaleApp(workloadId: string, replicas: number, force: boolean, signal?: AbortSignal): Promise<WorkloadCore> {
    const parsed = parseWorkloadId(workloadId);
    if (!parsed) throw new AdapterError("not-found", `no Mesos workload has the id ${workloadId}`);
    if (parsed.kind === "framework") {
      throw new AdapterError("invalid", "tasks of Mesos frameworks other than Marathon are read-only: their framework scales them");
    }
    if (!this.marathon) {
      throw new AdapterError("invalid", "this cluster has no Marathon URL configured, so its apps are read-only");
    }
    const path = appPath(parsed.appId);
    // Marathon's PUT creates an app that does not exist; look first so a stale id is a 404, not a new app.
    await this.marathon.getJson(path, RawMarathonAppAnswerSchema, signal);
    try {
      await this.marathon.putJson(`${path}${force ? "?force=true" : ""}`, { instances: replicas }, RawScaleAnswerSchema, signal);
    } catch (err) {
      if (err instanceof UpstreamHttpError && err.upstream.status === 409 && err.upstream.deployments.length) {
        throw new DeploymentConflictError(parsed.appId, err.upstream.deployments, err.upstream.message);
      }
      throw err;
    }
    const answer = await this.marathon.getJson(`${path}?${APP_EMBEDS}`, RawMarathonAppAnswerSchema, signal);
    const bundle = mapMarathonApp(answer.app);
    const snapshot = this.snapshot;
    if (snapshot) {
      snapshot.apps.set(bundle.appId, bundle);
      snapshot.publish("diff");
    }
    return withQueue(bundle, snapshot?.queue.get(bundle.appId), snapshot?.deployments).workload;
  }

  // ---- usage ----

  private agentEndpoint(url: string): HttpEndpoint {
    let endpoint = this.agents.get(url);
    if (!endpoint) {
      endpoint = new HttpEndpoint(url, this.agentAuth, this.dispatcher, `Mesos agent ${url}`, this.timings.requestTimeoutMs);
      this.agents.set(url, endpoint);
    }
    return endpoint;
  }

  /** One round of every agent's statistics, and why the agents that did not answer could not be read. */
  private async statisticsRound(
    index: UsageIndex,
    signal?: AbortSignal,
  ): Promise<{ read: AgentStatistics[]; unread: Map<string, AdapterError> }> {
    const results = await mapBounded(index.agents, AGENT_REQUESTS_IN_FLIGHT, async (agent) => ({
      nodeId: agent.nodeId,
      executors: await this.agentEndpoint(agent.url).getJson("/monitor/statistics", RawMonitorStatisticsSchema, signal),
    }));
    const read: AgentStatistics[] = [];
    const unread = new Map<string, AdapterError>();
    for (const result of results) {
      if ("error" in result) unread.set(result.item.nodeId, asAdapterError(result.error, `Mesos agent ${result.item.url}`));
      else read.push(result.value);
    }
    const [first] = unread.values();
    if (first) this.log.debug("agent statistics failed", { failed: unread.size, error: first.message });
    // Not one agent answered: that failure is the answer.
    if (read.length === 0 && first) throw first;
    return { read, unread };
  }

  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    // Live use comes from the agents, which only the master names.
    if (!this.master) return null;
    let index = this.usageIndex;
    if (!index) {
      index = this.indexForUsage(await this.master.getJson("/master/state", RawMasterStateSchema, signal));
      this.usageIndex = index;
    }
    if (index.agents.length === 0) return emptyUsageSample();
    let round = await this.statisticsRound(index, signal);
    if (this.counters.size === 0) {
      // CPU use is a delta: the very first sample needs two rounds.
      this.counters = computeUsage(round.read, this.counters, index.tasksByExecutor).counters;
      await sleep(this.timings.usagePrimeMs, signal);
      round = await this.statisticsRound(index, signal);
    }
    const { sample, counters } = computeUsage(round.read, this.counters, index.tasksByExecutor, (frameworkId, executorId) =>
      // Marathon tasks launched since the last master poll: the command executor runs under the task's id.
      frameworkId === this.marathonFrameworkId ? [taskIdOf(executorId)] : [],
    );
    this.counters = counters;
    for (const [nodeId, error] of round.unread) {
      const reason = `the agent's statistics could not be read: ${error.message}`;
      sample.unavailable.nodes.set(nodeId, reason);
      for (const taskId of index.tasksByAgent.get(nodeId) ?? []) sample.unavailable.tasks.set(taskId, reason);
    }
    return sample;
  }
}
