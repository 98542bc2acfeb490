import type { Dispatcher } from "undici";
import type { WorkloadCore } from "@/lib/model/types";
import type { Logger } from "@/lib/log";
import { AdapterError, fromNetworkError } from "@/lib/adapters/errors";
import { Backoff } from "@/lib/model/backoff";
import { sleep } from "@/lib/adapters/sleep";
import type {
  ClusterAdapter,
  ConnectionState,
  ForceScalable,
  Scalable,
  SnapshotSink,
  UsageSample,
  UsageSource,
} from "@/lib/adapters/types";
import { DeploymentConflictError } from "./abilities";
import type { MesosConnection } from "./connection";
import { HttpEndpoint, UpstreamHttpError, basicAuthHeader, makeDispatcher } from "./http";
import {
  mapDeployment,
  mapMarathonApp,
  mapMasterState,
  mapQueueEntry,
  nodeIdOf,
  parseWorkloadId,
  taskIdOf,
  withQueue,
} from "./mappers";
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

export interface MesosAdapterTimings {
  /** Master state poll interval. */
  pollMs: number;
  /** Full Marathon relist while the event stream is up, to catch missed events. */
  resyncMs: number;
  /** Events arriving within this window cause one refresh. */
  coalesceMs: number;
  requestTimeoutMs: number;
  /** Wait between the two statistics rounds of the very first usage sample. */
  usagePrimeMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /**
   * Marathon's event stream is dead when nothing, not even a keep-alive, came
   * for this long. Marathon's servlet writes a keep-alive (an empty line) every
   * 10 s, so three missed ones and a margin.
   */
  streamIdleMs: number;
}

export const DEFAULT_TIMINGS: MesosAdapterTimings = {
  pollMs: 10_000,
  resyncMs: 60_000,
  coalesceMs: 250,
  requestTimeoutMs: 10_000,
  usagePrimeMs: 1_000,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  streamIdleMs: 35_000,
};

type SourceState = { status: "pending" } | { status: "ok"; version: string | null } | { status: "error"; reason: string };

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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface UsageIndex {
  agents: { nodeId: string; url: string }[];
  tasksByExecutor: Map<string, string[]>;
}

/**
 * Speaks to a Mesos master (agents, frameworks' tasks), its agents
 * (/monitor/statistics) and Marathon (apps, tasks, scaling, the SSE event
 * bus). Marathon's own tasks come from Marathon, which knows their app,
 * ports and health; other frameworks' tasks come from the master.
 */
export class MesosAdapter implements ClusterAdapter, Scalable, ForceScalable, UsageSource {
  readonly orchestrator = "mesos" as const;
  private readonly timings: MesosAdapterTimings;
  private readonly dispatcher: Dispatcher | null;
  private readonly setupError: string | null = null;
  private readonly master: HttpEndpoint | null = null;
  private readonly marathon: HttpEndpoint | null = null;
  private readonly agentAuth: string | null;
  private readonly agents = new Map<string, HttpEndpoint>();
  private marathonFrameworkId: string | null = null;
  private marathonVersion: string | null = null;
  private usageIndex: UsageIndex | null = null;
  private counters = new Map<string, CpuCounter>();
  private snapshot: MergedSnapshot | null = null;
  private readonly sources: { master: SourceState; marathon: SourceState } = {
    master: { status: "pending" },
    marathon: { status: "pending" },
  };
  private lastConnection = "";
  private sink: SnapshotSink | null = null;

  constructor(
    private readonly connection: MesosConnection,
    private readonly log: Logger,
    timings: Partial<MesosAdapterTimings> = {},
    env: Record<string, string | undefined> = process.env,
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    let dispatcher: Dispatcher | null = null;
    try {
      dispatcher = makeDispatcher(connection.tls);
    } catch (err) {
      this.setupError = `cannot read the TLS CA file: ${messageOf(err)}`;
    }
    this.dispatcher = dispatcher;
    this.agentAuth = basicAuthHeader(connection.master, env);
    if (dispatcher && connection.master) {
      this.master = new HttpEndpoint(connection.master.url, this.agentAuth, dispatcher, "Mesos master", this.timings.requestTimeoutMs);
    }
    if (dispatcher && connection.marathon) {
      this.marathon = new HttpEndpoint(
        connection.marathon.url,
        basicAuthHeader(connection.marathon, env),
        dispatcher,
        "Marathon",
        this.timings.requestTimeoutMs,
      );
    }
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    this.sources.master = { status: "pending" };
    this.sources.marathon = { status: "pending" };
    this.lastConnection = "";
    if (this.setupError) {
      sink.setConnection({ status: "unreachable", reason: this.setupError, version: null });
      await sleep(2 ** 31 - 1, signal);
      return;
    }
    const snapshot = new MergedSnapshot(sink);
    this.snapshot = snapshot;
    try {
      await Promise.all([
        this.master ? this.runMaster(snapshot, signal) : Promise.resolve(),
        this.marathon ? this.runMarathon(snapshot, signal) : Promise.resolve(),
      ]);
    } finally {
      if (this.snapshot === snapshot) this.snapshot = null;
    }
  }

  // ---- connection state ----

  private setSource(which: "master" | "marathon", state: SourceState): void {
    this.sources[which] = state;
    const configured = (["master", "marathon"] as const).filter((w) => (w === "master" ? this.master : this.marathon));
    const states = configured.map((w) => ({ which: w, state: this.sources[w] }));
    if (states.some((s) => s.state.status === "pending")) return;
    const failing = states.filter((s) => s.state.status === "error");
    const versions = states
      .map((s) => (s.state.status === "ok" && s.state.version ? `${s.which === "master" ? "Mesos" : "Marathon"} ${s.state.version}` : null))
      .filter(Boolean)
      .join(" · ");
    const next: ConnectionState = {
      status: failing.length === 0 ? "ok" : failing.length === states.length ? "unreachable" : "degraded",
      reason: failing.length ? failing.map((f) => (f.state as { reason: string }).reason).join("; ") : null,
      version: versions || null,
    };
    const key = JSON.stringify(next);
    if (key !== this.lastConnection) {
      this.lastConnection = key;
      this.sink?.setConnection(next);
    }
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

  private async runMaster(snapshot: MergedSnapshot, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: this.timings.backoffBaseMs, maxMs: this.timings.backoffMaxMs });
    let relist = true;
    while (!signal.aborted) {
      try {
        const state = await this.master!.getJson("/master/state", RawMasterStateSchema, signal);
        this.usageIndex = this.indexForUsage(state);
        snapshot.master = mapMasterState(state, { skipFramework: this.skipFramework, frameworkReason: this.frameworkReason });
        snapshot.publish(relist ? "replace" : "diff");
        relist = false;
        backoff.reset();
        this.setSource("master", { status: "ok", version: state.version ?? null });
        await sleep(this.timings.pollMs, signal);
      } catch (err) {
        if (signal.aborted) break;
        relist = true;
        this.log.warn("mesos master poll failed", { error: messageOf(err) });
        this.setSource("master", { status: "error", reason: messageOf(err) });
        await sleep(backoff.next(), signal);
      }
    }
  }

  private indexForUsage(state: RawMasterState): UsageIndex {
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
      }
    }
    return { agents, tasksByExecutor };
  }

  // ---- Marathon ----

  private async runMarathon(snapshot: MergedSnapshot, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: this.timings.backoffBaseMs, maxMs: this.timings.backoffMaxMs });
    while (!signal.aborted) {
      const stream = new AbortController();
      const stopStream = () => stream.abort();
      signal.addEventListener("abort", stopStream, { once: true });
      try {
        const info = await this.marathon!.getJson("/v2/info", RawMarathonInfoSchema, signal);
        this.marathonFrameworkId = info.frameworkId ?? null;
        this.marathonVersion = info.version;
        // Subscribe before listing so that nothing between the list and the stream is missed.
        const body = await this.marathon!.openEventStream(EVENTS_PATH, stream.signal, this.timings.streamIdleMs);
        await this.relistMarathon(snapshot, signal);
        snapshot.publish("replace");
        backoff.reset();
        this.setSource("marathon", { status: "ok", version: info.version });
        await this.followEvents(body, snapshot, stream.signal);
        if (!signal.aborted) throw new AdapterError("unreachable", "Marathon: the event stream closed");
      } catch (err) {
        if (signal.aborted) break;
        this.log.warn("marathon sync failed", { error: messageOf(err) });
        this.setSource("marathon", { status: "error", reason: messageOf(err) });
        await sleep(backoff.next(), signal);
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
      this.log.debug("cannot read Marathon deployments", { error: messageOf(err) });
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
      ...[...appIds].map(async (appId) => {
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
  private async followEvents(body: AsyncIterable<Buffer>, snapshot: MergedSnapshot, signal: AbortSignal): Promise<void> {
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
        this.setSource("marathon", { status: "ok", version: this.marathonVersion });
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn("marathon refresh failed", { error: messageOf(err) });
        // Refresh everything on the next occasion rather than lose these changes.
        for (const app of apps) pendingApps.add(app);
        pendingRelist = pendingRelist ?? "diff";
        this.setSource("marathon", { status: "error", reason: messageOf(err) });
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
        throw new AdapterError(
          "timeout",
          `Marathon event stream: nothing, not even a keep-alive, for ${Math.round(this.timings.streamIdleMs / 1000)} s`,
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
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new AdapterError("invalid", `replicas must be a whole number of at least 0, not ${replicas}`);
    }
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
      endpoint = new HttpEndpoint(url, this.agentAuth, this.dispatcher!, `Mesos agent ${url}`, this.timings.requestTimeoutMs);
      this.agents.set(url, endpoint);
    }
    return endpoint;
  }

  private async statisticsRound(index: UsageIndex, signal?: AbortSignal): Promise<AgentStatistics[]> {
    const results = await Promise.allSettled(
      index.agents.map(async (agent) => ({
        nodeId: agent.nodeId,
        executors: await this.agentEndpoint(agent.url).getJson("/monitor/statistics", RawMonitorStatisticsSchema, signal),
      })),
    );
    const ok = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failed.length) this.log.debug("agent statistics failed", { failed: failed.length, error: messageOf(failed[0]) });
    if (ok.length === 0 && failed.length) {
      throw failed[0] instanceof AdapterError ? failed[0] : new AdapterError("unreachable", messageOf(failed[0]));
    }
    return ok;
  }

  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    if (!this.master) return null;
    let index = this.usageIndex;
    if (!index) {
      index = this.indexForUsage(await this.master.getJson("/master/state", RawMasterStateSchema, signal));
      this.usageIndex = index;
    }
    if (index.agents.length === 0) return null;
    let round = await this.statisticsRound(index, signal);
    if (this.counters.size === 0) {
      // CPU use is a delta: the very first sample needs two rounds.
      this.counters = computeUsage(round, this.counters, index.tasksByExecutor).counters;
      await sleep(this.timings.usagePrimeMs, signal);
      round = await this.statisticsRound(index, signal);
    }
    const { sample, counters } = computeUsage(round, this.counters, index.tasksByExecutor, (frameworkId, executorId) =>
      // Marathon tasks launched since the last master poll: the command executor runs under the task's id.
      frameworkId === this.marathonFrameworkId ? [taskIdOf(executorId)] : [],
    );
    this.counters = counters;
    return sample;
  }
}
