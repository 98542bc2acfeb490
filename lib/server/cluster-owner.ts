import "server-only";
import { Backoff } from "@/lib/model/backoff";
import { sleep } from "@/lib/adapters/sleep";
import { AdapterError } from "@/lib/adapters/errors";
import type { SecretSet } from "@/lib/adapters/secrets";
import {
  isForceScalable,
  isScalable,
  isUsageSource,
  type ClusterAdapter,
  type ConnectionState,
  type CoreKind,
  type SnapshotChange,
  type UsageSample,
} from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import type { DemoUsage } from "@/lib/model/demo";
import { isCutOff, RESOURCE_KINDS, type ChangeEvent, type ClusterInfo, type Orchestrator, type Resources } from "@/lib/model/types";
import type { PrometheusClient } from "@/lib/adapters/prometheus/client";
import type { Grid, HistoryOrigin } from "@/lib/model/consumption";
import type { Health } from "@/lib/model/health";
import { taskNoun } from "@/lib/model/vocabulary";
import { backfillDemoHistory, modelSettled } from "./demo-history";
import { prometheusHistory, type PointSource } from "./prometheus-history";
import { UsageHistoryStore } from "./history";
import { HISTORY_FLUSH_MS, type HistoryArchive } from "./history-archive";
import { applyChanges, changedResources, EMPTY_SNAPSHOT, type Snapshot } from "./snapshot";
import { clusterUsed, snapshotProblems, summarize, usageByWorkload, type SnapshotProblem } from "./views";

export interface ClusterDefinition {
  id: string;
  name: string;
  orchestrator: Orchestrator;
  demo: boolean;
  adapter: ClusterAdapter;
  /** The adapter's credentials: every upstream text is redacted through it before it is kept. */
  secrets: SecretSet;
  /** A simulated cluster's model of use over time: its history is backfilled from it (see demo-history.ts). */
  usageAt?: (t: number) => DemoUsage;
  /** The cluster's Prometheus (clusters.yaml `prometheus`), where consumption reads its history. */
  prometheus?: PrometheusClient;
}

export interface ConsumptionHistory {
  history: PointSource;
  origin: HistoryOrigin;
  /** Why the figures are not from where they should be (Prometheus failed: the built-in history answers). */
  note?: string;
}

/** How long the problems found in one snapshot serve: past problems lapse by the minute, not by the millisecond. */
const PROBLEMS_REUSE_MS = 5_000;
/** How many of its problems a cluster's health names; the rest are in /api/problems. */
const CLUSTER_HEALTH_PROBLEMS = 5;

/** How long a Prometheus answer serves the same range: the page asks for the table and the chart at once. */
const PROMETHEUS_REUSE_MS = 30_000;

export interface OwnerOptions {
  usageStepSeconds: number;
  /** How long raw samples are kept; coarser buckets are kept for a week (see history.ts). */
  usageRetainSeconds: number;
  log: Logger;
  /** Where the history's coarse buckets persist (the shared Storage); absent: in memory only. */
  historyArchive?: HistoryArchive | null;
}

export interface OwnerStats {
  listeners: number;
  waiters: number;
  /** Items in the snapshot, and the bytes of their JSON. */
  items: number;
  snapshotBytes: number;
  history: { rings: number; samples: number; bytes: number };
  taskHistory: { rings: number; samples: number; bytes: number };
}

type Listener = (event: ChangeEvent) => void;

/** How long each task's use is kept: the last quarter of an hour, as Kubernetes Dashboard's metrics scraper keeps. */
export const TASK_HISTORY_SECONDS = 15 * 60;

/** Coalesces bursts (a scale creates many pod events) into one message per resource. */
export const NOTIFY_DELAY_MS = 250;
/** How long a request waits for a cluster that is still connecting. */
export const FIRST_LIST_WAIT_MS = 5_000;

/**
 * The one live owner of a configured cluster: runs its adapter, keeps the
 * snapshot and the usage history, and tells subscribers what changed. Route
 * handlers only read from here, so N viewers cost the upstream one.
 */
export class ClusterOwner {
  private snapshotValue: Snapshot = EMPTY_SNAPSHOT;
  /** "connecting" until the adapter's first report (or its crash): requests wait for it rather than fail. */
  private connectionValue: ConnectionState = { status: "connecting", reason: null, version: null };
  private statusSince = Date.now();
  private lastSyncAt: string | null = null;
  /** When the connection last stopped being followed (cut off), and when a change last arrived: see dataAsOf(). */
  private cutOffAt: number | null = null;
  private lastChangeAt = 0;
  private latestUsage: UsageSample | null = null;
  private usageFailing = false;
  readonly history: UsageHistoryStore;
  /** Each task's recent use, raw samples only: tasks come and go by the thousand, so a few KiB each for a week would not do. */
  readonly taskHistory: UsageHistoryStore;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<Listener>();
  private readonly settleWaiters = new Set<() => void>();
  private pending = new Set<ChangeEvent["resources"][number]>();
  private notifyTimer: NodeJS.Timeout | null = null;
  private historyTimer: NodeJS.Timeout | null = null;
  /** The stored history put back; flushes wait for it, so they never overwrite a bucket before it is merged. */
  private historyLoaded: Promise<void> = Promise.resolve();
  /** The chain of flushes, one at a time. */
  private historyFlushes: Promise<void> = Promise.resolve();
  private prometheusAnswer: { range: string; at: number; history: Promise<PointSource> } | null = null;
  private problemsFound: { snapshot: Snapshot; at: number; problems: SnapshotProblem[] } | null = null;

  constructor(
    readonly definition: ClusterDefinition,
    private readonly options: OwnerOptions,
  ) {
    this.history = new UsageHistoryStore(options.usageStepSeconds, options.usageRetainSeconds);
    this.taskHistory = new UsageHistoryStore(options.usageStepSeconds, Math.min(TASK_HISTORY_SECONDS, options.usageRetainSeconds), []);
  }

  get id(): string {
    return this.definition.id;
  }

  get snapshot(): Snapshot {
    return this.snapshotValue;
  }

  get usage(): UsageSample | null {
    return this.latestUsage;
  }

  get connection(): ConnectionState {
    return this.connectionValue;
  }

  /**
   * Until when the snapshot is known to be current. While the adapter follows
   * the cluster (ok, degraded) that is now: its watch, stream or poll would
   * have said otherwise. Once cut off it is when that happened, or the last
   * change applied after it (a scale's answer).
   */
  dataAsOf(now = Date.now()): number | null {
    if (this.snapshotValue.listed.size === 0) return null;
    if (this.cutOffAt === null) return now;
    return Math.max(this.cutOffAt, this.lastChangeAt);
  }

  start(): void {
    const archive = this.options.historyArchive;
    if (archive && isUsageSource(this.definition.adapter)) {
      // Failures are logged by the archive and never reject.
      this.historyLoaded = archive.load(this.id, this.history, Date.now()).then(() => archive.prune(this.history, Date.now()));
      this.historyTimer = setInterval(() => void this.flushHistory(false), HISTORY_FLUSH_MS);
      this.historyTimer.unref();
    }
    void this.runAdapter();
    if (isUsageSource(this.definition.adapter)) void this.runSampler();
  }

  /** Stops the adapter and the sampler; resolves once the history, open buckets too, is written. */
  stop(): Promise<void> {
    this.abort.abort();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.listeners.clear();
    if (!this.historyTimer) return Promise.resolve();
    clearInterval(this.historyTimer);
    this.historyTimer = null;
    return this.flushHistory(true);
  }

  /** Writes the sealed buckets (every changed one with `all`) and prunes old rows now and then. */
  private flushHistory(all: boolean): Promise<void> {
    const archive = this.options.historyArchive;
    if (!archive) return Promise.resolve();
    this.historyFlushes = this.historyFlushes.then(async () => {
      await this.historyLoaded;
      await archive.flush(this.id, this.history, { all });
      await archive.prune(this.history, Date.now());
    });
    return this.historyFlushes;
  }

  /**
   * The history consumption reads over `grid`: the cluster's Prometheus when
   * one is configured (its answer reused for a moment), else the built-in
   * history. A failing Prometheus falls back to the built-in history, saying so.
   */
  async consumptionHistory(grid: Grid): Promise<ConsumptionHistory> {
    const own: ConsumptionHistory = { history: this.history, origin: this.definition.usageAt ? "demo" : "history" };
    const prometheus = this.definition.prometheus;
    if (!prometheus) return own;
    const range = `${grid.from}/${grid.stepMs}`;
    const cached = this.prometheusAnswer;
    if (!cached || cached.range !== range || Date.now() - cached.at > PROMETHEUS_REUSE_MS) {
      this.prometheusAnswer = {
        range,
        at: Date.now(),
        history: prometheusHistory(prometheus, this.snapshotValue, grid, this.abort.signal),
      };
    }
    try {
      return { history: await this.prometheusAnswer!.history, origin: "prometheus" };
    } catch (err) {
      // The failure is kept as long as an answer would be: a hanging Prometheus costs one timeout, not one per request.
      const why = this.definition.secrets.redact((err as Error).message);
      return { ...own, note: `${why}; figures from Fleetdeck's own history` };
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sizes for the memory bench: listeners, pending waiters, the snapshot and the usage history. */
  stats(): OwnerStats {
    const s = this.snapshotValue;
    let items = 0;
    let snapshotBytes = 0;
    for (const kind of RESOURCE_KINDS) {
      items += s[kind].size;
      for (const item of s[kind].values()) snapshotBytes += JSON.stringify(item).length;
    }
    return {
      listeners: this.listeners.size,
      waiters: this.settleWaiters.size,
      items,
      snapshotBytes,
      history: this.history.stats(),
      taskHistory: this.taskHistory.stats(),
    };
  }

  info(): ClusterInfo {
    const { definition: d, snapshotValue: s, connectionValue: c } = this;
    return {
      id: d.id,
      name: d.name,
      orchestrator: d.orchestrator,
      status: c.status,
      statusReason: c.reason,
      statusSince: new Date(this.statusSince).toISOString(),
      version: c.version ?? null,
      demo: d.demo,
      synced: s.listed.size === 4,
      lastSyncAt: this.lastSyncAt,
      dataAsOf: isoOrNull(this.dataAsOf()),
      canScale: isScalable(d.adapter),
      scaleNote: null,
      canForceScale: isForceScalable(d.adapter),
      usageAvailable: this.latestUsage !== null,
      health: clusterHealth(s, this.problems()),
      summary: summarize(s, this.latestUsage, this.problems()),
    };
  }

  /** Every problem of what runs here (see snapshotProblems), found again when the snapshot changes or a few seconds pass. */
  problems(): SnapshotProblem[] {
    const now = Date.now();
    const found = this.problemsFound;
    if (found && found.snapshot === this.snapshotValue && now - found.at < PROBLEMS_REUSE_MS) return found.problems;
    const problems = snapshotProblems(this.snapshotValue, now, this.taskNoun);
    this.problemsFound = { snapshot: this.snapshotValue, at: now, problems };
    return problems;
  }

  /** What this cluster's tasks are called, in the evidence of a problem ("2 of 3 pods: ..."). */
  get taskNoun(): string {
    return taskNoun(this.definition.orchestrator).plural.toLowerCase();
  }

  /**
   * Answers once `kind` has been listed, waiting briefly for a cluster that is
   * still connecting; otherwise throws the reason as an upstream error, so a
   * broken cluster is a 502/504, never a silent empty list.
   */
  async listed(kind: CoreKind): Promise<Snapshot> {
    const deadline = Date.now() + FIRST_LIST_WAIT_MS;
    while (!this.snapshotValue.listed.has(kind)) {
      const c = this.connectionValue;
      if (c.status !== "connecting" && c.status !== "ok") {
        throw new AdapterError("unreachable", `${this.definition.name}: ${c.reason ?? "not reachable"}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new AdapterError("timeout", `${this.definition.name} has not answered its first ${kind} list yet`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.settleWaiters.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    return this.snapshotValue;
  }

  /** Applies a change the caller already knows (e.g. a scale's answer) ahead of the watch. */
  apply(changes: SnapshotChange[]): void {
    const before = this.snapshotValue;
    this.snapshotValue = applyChanges(before, changes);
    const changed = changedResources(before, this.snapshotValue);
    this.lastChangeAt = Date.now();
    if (this.snapshotValue.listed.size === 4 && changes.some((c) => c.type === "replace")) {
      this.lastSyncAt = new Date().toISOString();
    }
    if (changed.length || before.listed !== this.snapshotValue.listed) {
      this.notify([...changed, "cluster"]);
      this.wakeWaiters();
    }
  }

  private setConnection(raw: ConnectionState): void {
    // An upstream's error text may echo the request's credentials.
    const state = raw.reason ? { ...raw, reason: this.definition.secrets.redact(raw.reason) } : raw;
    const before = this.connectionValue;
    this.connectionValue = { ...state, version: state.version ?? before.version ?? null };
    if (before.status !== state.status || before.reason !== state.reason) this.statusSince = Date.now();
    if (isCutOff(state.status)) this.cutOffAt ??= Date.now();
    else this.cutOffAt = null;
    if (
      before.status === "connecting" ||
      before.status !== state.status ||
      before.reason !== state.reason ||
      before.version !== this.connectionValue.version
    ) {
      const log = this.options.log;
      if (state.status === "ok") log.info(`connected`, { version: this.connectionValue.version });
      else log.warn(`${state.status}: ${state.reason ?? ""}`);
      this.notify(["cluster"]);
      this.wakeWaiters();
    }
  }

  private wakeWaiters(): void {
    for (const wake of this.settleWaiters) wake();
    this.settleWaiters.clear();
  }

  private notify(resources: ChangeEvent["resources"]): void {
    for (const r of resources) this.pending.add(r);
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      const event: ChangeEvent = { clusterId: this.id, resources: [...this.pending] };
      this.pending = new Set();
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (err) {
          this.options.log.warn("a change listener failed", { error: String(err) });
        }
      }
    }, NOTIFY_DELAY_MS);
  }

  /** Adapters never reject except on abort; if one does anyway, restart it with back-off. */
  private async runAdapter(): Promise<void> {
    const backoff = new Backoff({ baseMs: 1_000, maxMs: 60_000 });
    const sink = { apply: (c: SnapshotChange[]) => this.apply(c), setConnection: (s: ConnectionState) => this.setConnection(s) };
    while (!this.abort.signal.aborted) {
      try {
        await this.definition.adapter.run(sink, this.abort.signal);
        backoff.reset();
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.options.log.error("adapter stopped unexpectedly; restarting", { error: String(err) });
        this.setConnection({ status: "unreachable", reason: `internal error: ${(err as Error).message}` });
      }
      await sleep(backoff.next(), this.abort.signal);
    }
  }

  /** Samples live use at a fixed step, in the background, whatever the number of viewers. */
  private async runSampler(): Promise<void> {
    const adapter = this.definition.adapter;
    // Live samples are shown from the first round, but kept in the history only once the backfill is done and
    // only when newer than what it wrote: the history takes each series' samples oldest first.
    let backfilled = !this.definition.usageAt;
    if (this.definition.usageAt) {
      void this.backfillDemo(this.definition.usageAt)
        .catch((err: Error) => this.options.log.warn("demo history backfill failed", { error: err.message }))
        .finally(() => (backfilled = true));
    }
    if (!isUsageSource(adapter)) return;
    const stepMs = this.options.usageStepSeconds * 1000;
    while (!this.abort.signal.aborted) {
      const started = Date.now();
      let sample: UsageSample | null = null;
      try {
        sample = await adapter.sampleUsage(AbortSignal.any([this.abort.signal, AbortSignal.timeout(stepMs)]));
        this.usageFailing = false;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (!this.usageFailing) this.options.log.warn("usage sample failed", { error: (err as Error).message });
        this.usageFailing = true;
      }
      this.latestUsage = sample && this.redacted(sample);
      if (backfilled && started > this.history.newestTime) this.recordHistory(started, sample);
      this.notify(["usage", "cluster", "nodes", "workloads", "tasks"]);
      await sleep(Math.max(0, stepMs - (Date.now() - started)), this.abort.signal);
    }
  }

  /**
   * Fills the history from the simulator's model, from where the stored
   * history ends (a week back at most) until now, once the snapshot and the
   * model agree on the tasks that run.
   */
  private async backfillDemo(usageAt: (t: number) => DemoUsage): Promise<void> {
    const signal = this.abort.signal;
    const kinds = ["nodes", "workloads", "tasks"] as const;
    while (!signal.aborted && !kinds.every((k) => this.snapshotValue.listed.has(k))) await sleep(250, signal);
    await modelSettled({ snapshot: () => this.snapshotValue, usageAt, signal });
    await this.historyLoaded;
    if (signal.aborted) return;
    const now = Date.now();
    const from = Math.max(this.history.newestTime + 1, now - this.history.retainSeconds * 1000);
    const rounds = await backfillDemoHistory({
      times: this.history.backfillTimes(from, now),
      snapshot: () => this.snapshotValue,
      usageAt,
      record: (t, sample) => this.recordHistory(t, sample),
      signal,
    });
    this.options.log.info(`demo history backfilled: ${rounds} rounds from ${new Date(from).toISOString()}`);
  }

  /** Why a figure is missing quotes upstream errors: redacted like every other upstream text kept here. */
  private redacted(sample: UsageSample): UsageSample {
    const redact = (notes: ReadonlyMap<string, string>) =>
      new Map([...notes].map(([id, why]) => [id, this.definition.secrets.redact(why)]));
    return { ...sample, unavailable: { nodes: redact(sample.unavailable.nodes), tasks: redact(sample.unavailable.tasks) } };
  }

  private recordHistory(at: number, sample: UsageSample | null): void {
    const values = new Map<string, Resources | null>();
    values.set("cluster", clusterUsed(sample));
    for (const id of this.snapshotValue.nodes.keys()) values.set(`node:${id}`, sample?.nodes.get(id) ?? null);
    const perWorkload = usageByWorkload(this.snapshotValue, sample);
    for (const id of this.snapshotValue.workloads.keys()) values.set(`workload:${id}`, perWorkload.get(id) ?? null);
    this.history.record(at, values);
    const perTask = new Map<string, Resources | null>();
    for (const id of this.snapshotValue.tasks.keys()) perTask.set(`task:${id}`, sample?.tasks.get(id) ?? null);
    this.taskHistory.record(at, perTask);
  }
}

/**
 * Failing when none of its nodes is ready, degraded when anything has a
 * problem, else healthy; it names its first few problems, each with the
 * object it is about.
 */
function clusterHealth(snapshot: Snapshot, problems: readonly SnapshotProblem[]): Health {
  const nodes = [...snapshot.nodes.values()];
  const down = nodes.length > 0 && nodes.every((n) => n.status !== "ready");
  return {
    state: down ? "failing" : problems.length ? "degraded" : "healthy",
    problems: problems.slice(0, CLUSTER_HEALTH_PROBLEMS).map(({ object, ...p }) => ({
      ...p,
      evidence: `${object.namespace ? `${object.namespace}/` : ""}${object.name}: ${p.evidence}`,
    })),
  };
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
