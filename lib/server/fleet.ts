import "server-only";
import type { z } from "zod";
import os from "node:os";
import path from "node:path";
import { ADAPTER_MODULES } from "@/lib/adapters";
import { AdapterError, isAdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { isForceScalable, isScalable, isTaskDescriber, type CoreKind } from "@/lib/adapters/types";
import { PrometheusClient } from "@/lib/adapters/prometheus/client";
import { createLogger, type Logger } from "@/lib/log";
import { gridFor, type Pricing } from "@/lib/model/consumption";
import type { StartDemoFleet } from "@/lib/model/demo";
import {
  isCutOff,
  RESOURCE_KINDS,
  type ChangeEvent,
  type ClusterErrors,
  type ClusterInfo,
  type ListAnswer,
  type Node,
  type Service,
  type Task,
  type TaskDetail,
  type UsageHistory,
  type Workload,
  type WorkloadCore,
} from "@/lib/model/types";
import {
  ConsumptionQuerySchema,
  ConsumptionSeriesQuerySchema,
  FleetTaskQuerySchema,
  FleetWorkloadQuerySchema,
  NodeQuerySchema,
  ProblemQuerySchema,
  rangeSeconds,
  ServiceQuerySchema,
  TaskQuerySchema,
  UsageQuerySchema,
  WorkloadQuerySchema,
  type ConsumptionQuery,
  type ConsumptionSeriesQuery,
  type FleetTaskQuery,
  type FleetWorkloadQuery,
  type NodeQuery,
  type ProblemQuery,
  type ServiceQuery,
  type TaskQuery,
  type UsageQuery,
  type WorkloadQuery,
} from "@/lib/model/queries";
import { assertAuthorized, authorize, type Actor, type Refusal } from "./authz";
import { ClusterOwner, type OwnerStats } from "./cluster-owner";
import { addDemoClusters, applyEntries, clusterPricing, discoverClusters, wantsDemo } from "./cluster-plan";
import { getSettings } from "./config";
import { consumptionReport, consumptionSeries, type ClusterSource, type ConsumptionAnswer, type SeriesAnswer } from "./consumption";
import { openHistoryArchive, type HistoryArchive } from "./history-archive";
import { ApiError, InvalidInputError, NotFoundError } from "./errors";
import { onePerProcess, startedOnePerProcess } from "./process-one";
import { namespacesOf, nodeViews, queryList, taskView, taskViews, workloadViews } from "./views";
import { compareProblems, type FleetProblem } from "@/lib/model/health";

/** A fleet-wide list: each item names its cluster; clusters that could not answer are in `errors`. */
export type FleetList<T> = ListAnswer<T & { clusterId: string }> & { errors: ClusterErrors };

export interface FleetSettings {
  readOnly: boolean;
  maxReplicas: number;
  /** True when the demo fleet runs. */
  demo: boolean;
  /** The workload label naming its team, for /api/consumption (clusters.yaml consumption.teamLabel; "team" unless set). */
  teamLabel?: string;
  /** Each priced cluster's price sheet by id, for the cost in /api/consumption (clusters.yaml `pricing`). */
  pricing?: Readonly<Record<string, Pricing>>;
}

/**
 * The server's view of every cluster: one ClusterOwner each, created once per
 * process and shared by every route and page through getFleet(). Every call
 * names its actor and passes authorize(): a cluster the actor may not see
 * answers as if it did not exist.
 */
export class Fleet {
  private readonly owners: Map<string, ClusterOwner>;

  constructor(
    owners: ClusterOwner[],
    readonly settings: FleetSettings,
    private readonly log: Logger,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.owners = new Map(owners.map((o) => [o.id, o]));
  }

  start(): void {
    for (const owner of this.owners.values()) owner.start();
  }

  async close(): Promise<void> {
    // Each owner writes its open history buckets before it is done.
    await Promise.all([...this.owners.values()].map((owner) => owner.stop()));
    await this.onClose();
  }

  private mayRead(actor: Actor, owner: ClusterOwner): boolean {
    return authorize(actor, "read", owner.definition, this.settings).allowed;
  }

  private owner(actor: Actor, clusterId: string): ClusterOwner {
    const owner = this.owners.get(clusterId);
    if (!owner || !this.mayRead(actor, owner)) throw new NotFoundError(`no cluster "${clusterId}"`);
    return owner;
  }

  /** A cluster as this actor sees it: whether they may scale there, and if not, why. */
  private infoFor(actor: Actor, owner: ClusterOwner): ClusterInfo {
    const info = owner.info();
    if (!info.canScale) return info;
    const decision = authorize(actor, "scale", owner.definition, this.settings);
    return decision.allowed ? info : { ...info, canScale: false, canForceScale: false, scaleNote: SCALE_NOTES[decision.cause] };
  }

  /** Cluster ids a user or token is granted must exist (a typo would grant nothing, silently). */
  checkClusterIds(ids: readonly string[] | null | undefined): void {
    const unknown = (ids ?? []).filter((id) => !this.owners.has(id));
    if (unknown.length) throw new InvalidInputError(`clusters: no cluster ${unknown.map((id) => `"${id}"`).join(", ")}`);
  }

  /** The clusters this actor may see. */
  listClusters(actor: Actor): ClusterInfo[] {
    return [...this.owners.values()].filter((o) => this.mayRead(actor, o)).map((o) => this.infoFor(actor, o));
  }

  cluster(actor: Actor, clusterId: string): ClusterInfo {
    return this.infoFor(actor, this.owner(actor, clusterId));
  }

  async nodes(actor: Actor, clusterId: string, query: NodeQuery = {}): Promise<ListAnswer<Node>> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("nodes");
    await owner.listed("tasks"); // requests and task counts come from the tasks
    return queryList(nodeViews(owner.snapshot, owner.usage, Date.now()), NodeQuerySchema.parse(query));
  }

  async node(actor: Actor, clusterId: string, nodeId: string): Promise<Node> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("nodes");
    const node = nodeViews(owner.snapshot, owner.usage, Date.now()).find((n) => n.id === nodeId);
    if (!node) throw new NotFoundError(`no node "${nodeId}" in cluster "${clusterId}"`);
    return node;
  }

  async workloads(actor: Actor, clusterId: string, query: WorkloadQuery = {}): Promise<ListAnswer<Workload>> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("workloads");
    return queryList(workloadViews(owner.snapshot, owner.usage, Date.now(), owner.taskNoun), WorkloadQuerySchema.parse(query));
  }

  async workload(actor: Actor, clusterId: string, workloadId: string): Promise<Workload> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("workloads");
    const workload = workloadViews(owner.snapshot, owner.usage, Date.now(), owner.taskNoun).find((w) => w.id === workloadId);
    if (!workload) throw new NotFoundError(`no workload "${workloadId}" in cluster "${clusterId}"`);
    return workload;
  }

  async tasks(actor: Actor, clusterId: string, query: TaskQuery = {}): Promise<ListAnswer<Task>> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("tasks");
    return queryList(taskViews(owner.snapshot, owner.usage, Date.now()), TaskQuerySchema.parse(query));
  }

  async task(actor: Actor, clusterId: string, taskId: string): Promise<Task> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("tasks");
    const task = owner.snapshot.tasks.get(taskId);
    if (!task) throw new NotFoundError(`no task "${taskId}" in cluster "${clusterId}"`);
    return taskView(task, owner.usage, Date.now());
  }

  /**
   * GET …/tasks/{taskId}/describe: the task read in full from its orchestrator
   * now (its containers and the steps of its life), which the snapshot does
   * not keep. Upstream errors come back redacted, as 502/504.
   */
  async describeTask(actor: Actor, clusterId: string, taskId: string): Promise<TaskDetail> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("tasks");
    if (!owner.snapshot.tasks.has(taskId)) throw new NotFoundError(`no task "${taskId}" in cluster "${clusterId}"`);
    const adapter = owner.definition.adapter;
    if (!isTaskDescriber(adapter)) throw new ApiError(501, "not-implemented", `${owner.definition.orchestrator} tasks cannot be described`);
    const signal = AbortSignal.timeout(DESCRIBE_TIMEOUT_MS);
    try {
      return await adapter.describeTask(taskId, signal);
    } catch (err) {
      if (signal.aborted)
        throw new AdapterError("timeout", `${clusterId} did not describe the task within ${DESCRIBE_TIMEOUT_MS / 1000} s`);
      if (isAdapterError(err)) throw new AdapterError(err.code, owner.definition.secrets.redact(err.message));
      throw err;
    }
  }

  /**
   * The clusters a fleet-wide read covers, each listed for `kinds`: the one
   * asked for (404 as any read when the actor may not see it), else every one
   * the actor may see. A cluster that cannot answer is named in `errors` and
   * left out; one cut off answers from its last snapshot, and says so there.
   */
  private async fleetOwners(actor: Actor, clusterId: string | undefined, kinds: readonly CoreKind[]) {
    const candidates =
      clusterId !== undefined ? [this.owner(actor, clusterId)] : [...this.owners.values()].filter((o) => this.mayRead(actor, o));
    const errors: ClusterErrors = {};
    const owners: ClusterOwner[] = [];
    await Promise.all(
      candidates.map(async (owner) => {
        try {
          for (const kind of kinds) await owner.listed(kind);
        } catch (err) {
          errors[owner.id] = {
            code: isAdapterError(err) ? `upstream-${err.code}` : "internal",
            message: owner.definition.secrets.redact((err as Error).message),
          };
          return;
        }
        if (isCutOff(owner.connection.status)) {
          errors[owner.id] = {
            code: `upstream-${owner.connection.status}`,
            message: `${owner.connection.reason ?? "not reachable"} (figures from the last snapshot)`,
          };
        }
        owners.push(owner);
      }),
    );
    owners.sort((a, b) => a.id.localeCompare(b.id));
    return { owners, errors };
  }

  /** GET /api/problems: every problem the actor may see, most severe first, then oldest. */
  async problems(actor: Actor, query: ProblemQuery = {}): Promise<{ items: FleetProblem[]; errors: ClusterErrors }> {
    const q = ProblemQuerySchema.parse(query);
    const { owners, errors } = await this.fleetOwners(actor, q.cluster, RESOURCE_KINDS);
    const items = owners
      .flatMap((owner) => owner.problems().map((p) => ({ ...p, clusterId: owner.id, clusterName: owner.definition.name })))
      .filter((p) => q.severity === undefined || p.severity === q.severity)
      .sort(compareProblems);
    return { items, errors };
  }

  /** GET /api/workloads: the per-cluster list's filters over every cluster (or `cluster`), each item naming its cluster. */
  async fleetWorkloads(actor: Actor, query: FleetWorkloadQuery = {}): Promise<FleetList<Workload>> {
    const { cluster, ...filter } = FleetWorkloadQuerySchema.parse(query);
    const { owners, errors } = await this.fleetOwners(actor, cluster, ["workloads", "tasks"]);
    const now = Date.now();
    const items = owners.flatMap((o) => workloadViews(o.snapshot, o.usage, now, o.taskNoun).map((w) => ({ ...w, clusterId: o.id })));
    return { ...queryList(items, filter), errors };
  }

  /** GET /api/tasks: as fleetWorkloads, for tasks. */
  async fleetTasks(actor: Actor, query: FleetTaskQuery = {}): Promise<FleetList<Task>> {
    const { cluster, ...filter } = FleetTaskQuerySchema.parse(query);
    const { owners, errors } = await this.fleetOwners(actor, cluster, ["tasks"]);
    const now = Date.now();
    const items = owners.flatMap((o) => taskViews(o.snapshot, o.usage, now).map((t) => ({ ...t, clusterId: o.id })));
    return { ...queryList(items, filter), errors };
  }

  async services(actor: Actor, clusterId: string, query: ServiceQuery = {}): Promise<ListAnswer<Service>> {
    const owner = this.owner(actor, clusterId);
    const snapshot = await owner.listed("services");
    return queryList([...snapshot.services.values()], ServiceQuerySchema.parse(query));
  }

  async namespaces(actor: Actor, clusterId: string): Promise<string[]> {
    const owner = this.owner(actor, clusterId);
    await owner.listed("tasks");
    return namespacesOf(owner.snapshot);
  }

  usage(actor: Actor, clusterId: string, query: UsageQuery): UsageHistory {
    const owner = this.owner(actor, clusterId);
    const q = UsageQuerySchema.parse(query);
    const summary = owner.info().summary;
    let history = owner.history;
    let key = "cluster";
    let allocatable = summary.nodes > 0 ? summary.allocatable : null;
    if (q.scope === "node") {
      const node = owner.snapshot.nodes.get(q.target!);
      if (!node) throw new NotFoundError(`no node "${q.target}" in cluster "${clusterId}"`);
      key = `node:${node.id}`;
      allocatable = node.allocatable;
    } else if (q.scope === "workload") {
      if (!owner.snapshot.workloads.has(q.target!)) {
        throw new NotFoundError(`no workload "${q.target}" in cluster "${clusterId}"`);
      }
      key = `workload:${q.target}`;
      allocatable = null;
    } else if (q.scope === "task") {
      if (!owner.snapshot.tasks.has(q.target!)) throw new NotFoundError(`no task "${q.target}" in cluster "${clusterId}"`);
      history = owner.taskHistory;
      key = `task:${q.target}`;
      allocatable = null;
    }
    const seconds = rangeSeconds(q.range);
    if (seconds > history.retainSeconds) {
      const kept = `${history.retainSeconds / 60}m`;
      throw new InvalidInputError(`range must be at most ${kept}, the history kept${q.scope === "task" ? " for a task" : ""}`, 400);
    }
    const since = Date.now() - seconds * 1000;
    return {
      scope: q.scope,
      target: q.target ?? null,
      // Longer ranges are answered from coarser buckets: the step the points are at.
      stepSeconds: history.stepFor(key, since),
      points: history.points(key, since),
      allocatable,
    };
  }

  /**
   * The clusters a consumption read covers, each past authorize(): the one
   * asked for (404 as any read when the actor may not see it), else every
   * cluster the actor may see. A cluster that cannot answer is named in
   * `errors` (as /api/clusters does) and left out, never blanking the rest.
   */
  private async consumptionInputs(actor: Actor, q: z.output<typeof ConsumptionQuerySchema>) {
    const { owners, errors } = await this.fleetOwners(actor, q.cluster, ["nodes", "workloads", "tasks"]);
    const now = Date.now();
    const grid = gridFor(q.range, now);
    const sources: ClusterSource[] = await Promise.all(
      owners.map(async (owner) => {
        const { history, origin, note } = await owner.consumptionHistory(grid);
        if (note) errors[owner.id] ??= { code: "upstream-prometheus", message: note };
        const { name, orchestrator } = owner.definition;
        return { id: owner.id, name, orchestrator, snapshot: owner.snapshot, history, origin };
      }),
    );
    const options = {
      groupBy: q.groupBy,
      range: q.range,
      tenant: q.tenant,
      teamLabel: this.settings.teamLabel ?? "team",
      pricing: this.settings.pricing,
      now,
    };
    return { sources, errors, options };
  }

  /** GET /api/consumption: who reserved and used what over the range, from the built-in history. */
  async consumption(actor: Actor, query: ConsumptionQuery): Promise<ConsumptionAnswer & { errors: ClusterErrors }> {
    const { sources, errors, options } = await this.consumptionInputs(actor, ConsumptionQuerySchema.parse(query));
    return { ...consumptionReport(sources, options), errors };
  }

  /** GET /api/consumption/series: the top consumers of the grouping over time. */
  async consumptionSeries(actor: Actor, query: ConsumptionSeriesQuery): Promise<SeriesAnswer & { errors: ClusterErrors }> {
    const q = ConsumptionSeriesQuerySchema.parse(query);
    const { sources, errors, options } = await this.consumptionInputs(actor, q);
    return { ...consumptionSeries(sources, { ...options, top: q.top }), errors };
  }

  /**
   * Sets a workload's replicas after authorize(); answers the workload as it
   * now is. Upstream errors come back with the cluster's credentials redacted.
   */
  async scale(actor: Actor, clusterId: string, workloadId: string, replicas: number, options: { force?: boolean } = {}): Promise<Workload> {
    const owner = this.owner(actor, clusterId);
    assertAuthorized(actor, "scale", owner.definition, this.settings);
    // The one check of the number: adapters take it as given (see Scalable).
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new InvalidInputError(`replicas must be a whole number of at least 0, not ${replicas}`);
    if (replicas > this.settings.maxReplicas) {
      throw new InvalidInputError(`replicas must be at most ${this.settings.maxReplicas} (the configured maximum)`);
    }
    const before = await this.workload(actor, clusterId, workloadId);
    const adapter = owner.definition.adapter;
    if (!before.scalable || !isScalable(adapter)) {
      throw new ApiError(422, "not-scalable", before.notScalableReason ?? `${before.kind} ${before.name} cannot be scaled`);
    }
    if (options.force && !isForceScalable(adapter)) {
      throw new ApiError(422, "invalid", `${owner.definition.orchestrator} has no forced scale; send the scale without "force"`);
    }
    const requester = {
      name: actor.impersonation?.user ?? actor.name,
      groups: actor.impersonation?.groups ?? [],
      anonymous: actor.impersonation === null,
    };
    let updated: WorkloadCore;
    try {
      updated =
        options.force && isForceScalable(adapter)
          ? await adapter.forceScale(workloadId, replicas)
          : await adapter.scale(workloadId, replicas, undefined, requester);
    } catch (err) {
      if (isAdapterError(err)) throw new AdapterError(err.code, owner.definition.secrets.redact(err.message));
      throw err;
    }
    owner.apply([{ type: "upsert", resource: "workloads", item: updated }]);
    this.log.info("scaled", {
      actor: actor.name,
      cluster: clusterId,
      workload: workloadId,
      from: before.desired,
      to: replicas,
      ...(options.force ? { forced: true } : {}),
    });
    return this.workload(actor, clusterId, workloadId);
  }

  /** Per-cluster sizes (listeners, snapshot, usage history), for the memory bench. */
  stats(): Record<string, OwnerStats> {
    return Object.fromEntries([...this.owners.values()].map((o) => [o.id, o.stats()]));
  }

  /** Change notifications of the clusters this actor may see, for the SSE stream. */
  subscribe(actor: Actor, listener: (event: ChangeEvent) => void): () => void {
    const unsubscribers = [...this.owners.values()].filter((o) => this.mayRead(actor, o)).map((o) => o.subscribe(listener));
    return () => unsubscribers.forEach((u) => u());
  }
}

/** What the UI says instead of a scale control. */
/** How long a task's description may take: the page waits on it, and an orchestrator that slow is said to be so. */
const DESCRIBE_TIMEOUT_MS = 10_000;

const SCALE_NOTES: Record<Refusal, string> = {
  "read-only": "Read-only mode: scaling is disabled on this dashboard.",
  "display-token": "This display is read-only.",
  "sign-in": "Sign in as an operator to scale workloads here.",
  role: "Your role does not allow scaling on this cluster; an operator or admin of it can.",
};

/** Builds and starts the Fleet from the settings; getFleet() keeps the process's one. startDemo runs the demo fleet when it is wanted. */
export async function createFleet(options: { startDemo?: StartDemoFleet; historyArchive?: HistoryArchive | null } = {}): Promise<Fleet> {
  const log = createLogger("fleet");
  const settings = await getSettings();
  const discovered = settings.discover ? await discoverClusters(ADAPTER_MODULES, process.env, log) : [];
  let candidates = applyEntries(discovered, settings.clusters, ADAPTER_MODULES, log);
  const runDemo = wantsDemo(settings.demo, candidates);
  let closeDemo = async () => {};
  if (runDemo) {
    if (!options.startDemo) throw new Error("the demo fleet is wanted but no starter was given (instrumentation.ts provides it at boot)");
    const dataDir = path.join(os.tmpdir(), `fleetdeck-demo-${process.pid}`);
    const demo = await options.startDemo({ dataDir });
    closeDemo = () => demo.close();
    candidates = addDemoClusters(candidates, demo.clusters, ADAPTER_MODULES);
    log.info(`demo fleet started: ${demo.clusters.map((c) => c.id).join(", ")}`);
  }

  // The usage history persists in the storage Access opened (no cluster: nothing to keep, no database opened).
  const historyArchive =
    options.historyArchive !== undefined ? options.historyArchive : candidates.length ? await openHistoryArchive(log) : null;
  const owners = candidates.map((c) => {
    const adapterModule = ADAPTER_MODULES[c.orchestrator];
    const secrets = new SecretSet();
    const clusterLog = createLogger(`fleet/${c.id}`, { redact: (text) => secrets.redact(text) });
    const adapter = adapterModule.create(c.connection, { clusterId: c.id, log: clusterLog, secrets, env: process.env });
    return new ClusterOwner(
      {
        id: c.id,
        name: c.name,
        orchestrator: c.orchestrator,
        demo: c.demo,
        adapter,
        secrets,
        usageAt: c.usageAt,
        prometheus: c.prometheus && new PrometheusClient(c.prometheus),
      },
      { usageStepSeconds: settings.usageStepSeconds, usageRetainSeconds: settings.usageRetainSeconds, log: clusterLog, historyArchive },
    );
  });
  const pricing = clusterPricing(candidates, settings.consumption.pricing);
  const fleet = new Fleet(
    owners,
    { readOnly: settings.readOnly, maxReplicas: settings.maxReplicas, demo: runDemo, teamLabel: settings.consumption.teamLabel, pricing },
    log,
    closeDemo,
  );
  fleet.start();
  log.info(`serving ${owners.length} cluster(s) from ${settings.source}${settings.readOnly ? " (read-only)" : ""}`);
  return fleet;
}

const DEMO_STARTER = Symbol.for("fleetdeck.demo-fleet-starter");

/**
 * Gives getFleet() the demo fleet's starter: lib/server may not import the
 * simulators, so the entry point above it (instrumentation.ts) hands them in
 * before the first getFleet(). Kept on globalThis, like the Fleet, so that a
 * route bundle's getFleet() that retries a failed start finds it too.
 */
export function provideDemoFleet(startDemo: StartDemoFleet): void {
  (globalThis as Record<symbol, StartDemoFleet | undefined>)[DEMO_STARTER] = startDemo;
}

/** The Fleet if this process started one; nothing (no start) otherwise, as at shutdown. */
export function startedFleet(): Promise<Fleet> | undefined {
  return startedOnePerProcess<Fleet>("fleetdeck.fleet");
}

/** The process's one Fleet (see onePerProcess). */
export const getFleet = onePerProcess("fleetdeck.fleet", () =>
  createFleet({ startDemo: (globalThis as Record<symbol, StartDemoFleet | undefined>)[DEMO_STARTER] }),
);
