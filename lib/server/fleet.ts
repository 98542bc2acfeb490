import "server-only";
import os from "node:os";
import path from "node:path";
import { ADAPTER_MODULES } from "@/lib/adapters";
import { isForceScalable, isScalable } from "@/lib/adapters/types";
import { createLogger, type Logger } from "@/lib/log";
import type {
  ChangeEvent,
  ClusterInfo,
  ListAnswer,
  Node,
  Service,
  Task,
  UsageHistory,
  Workload,
} from "@/lib/model/types";
import {
  NodeQuerySchema,
  rangeSeconds,
  ServiceQuerySchema,
  TaskQuerySchema,
  UsageQuerySchema,
  WorkloadQuerySchema,
  type NodeQuery,
  type ServiceQuery,
  type TaskQuery,
  type UsageQuery,
  type WorkloadQuery,
} from "@/lib/model/queries";
import type { DemoCluster } from "@/lib/sim/types";
import { authorize, type Actor } from "./authz";
import { ClusterOwner, type OwnerStats } from "./cluster-owner";
import { addDemoClusters, applyEntries, discoverClusters, wantsDemo } from "./cluster-plan";
import { loadSettings } from "./config";
import { ApiError, InvalidInputError, NotFoundError } from "./errors";
import { namespacesOf, nodeViews, queryList, taskViews, workloadViews } from "./views";

export interface FleetSettings {
  readOnly: boolean;
  maxReplicas: number;
  /** True when the demo fleet runs. */
  demo: boolean;
}

/**
 * The server's view of every cluster: one ClusterOwner each, created once per
 * process and shared by every route and page through getFleet().
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
    for (const owner of this.owners.values()) owner.stop();
    await this.onClose();
  }

  private owner(clusterId: string): ClusterOwner {
    const owner = this.owners.get(clusterId);
    if (!owner) throw new NotFoundError(`no cluster "${clusterId}"`);
    return owner;
  }

  listClusters(): ClusterInfo[] {
    return [...this.owners.values()].map((o) => o.info());
  }

  cluster(clusterId: string): ClusterInfo {
    return this.owner(clusterId).info();
  }

  async nodes(clusterId: string, query: NodeQuery = {}): Promise<ListAnswer<Node>> {
    const owner = this.owner(clusterId);
    await owner.listed("nodes");
    await owner.listed("tasks"); // requests and task counts come from the tasks
    return queryList(nodeViews(owner.snapshot, owner.usage), NodeQuerySchema.parse(query));
  }

  async node(clusterId: string, nodeId: string): Promise<Node> {
    const owner = this.owner(clusterId);
    await owner.listed("nodes");
    const node = nodeViews(owner.snapshot, owner.usage).find((n) => n.id === nodeId);
    if (!node) throw new NotFoundError(`no node "${nodeId}" in cluster "${clusterId}"`);
    return node;
  }

  async workloads(clusterId: string, query: WorkloadQuery = {}): Promise<ListAnswer<Workload>> {
    const owner = this.owner(clusterId);
    await owner.listed("workloads");
    return queryList(workloadViews(owner.snapshot, owner.usage), WorkloadQuerySchema.parse(query));
  }

  async workload(clusterId: string, workloadId: string): Promise<Workload> {
    const owner = this.owner(clusterId);
    await owner.listed("workloads");
    const workload = workloadViews(owner.snapshot, owner.usage).find((w) => w.id === workloadId);
    if (!workload) throw new NotFoundError(`no workload "${workloadId}" in cluster "${clusterId}"`);
    return workload;
  }

  async tasks(clusterId: string, query: TaskQuery = {}): Promise<ListAnswer<Task>> {
    const owner = this.owner(clusterId);
    await owner.listed("tasks");
    return queryList(taskViews(owner.snapshot, owner.usage), TaskQuerySchema.parse(query));
  }

  async services(clusterId: string, query: ServiceQuery = {}): Promise<ListAnswer<Service>> {
    const owner = this.owner(clusterId);
    const snapshot = await owner.listed("services");
    return queryList([...snapshot.services.values()], ServiceQuerySchema.parse(query));
  }

  async namespaces(clusterId: string): Promise<string[]> {
    const owner = this.owner(clusterId);
    await owner.listed("tasks");
    return namespacesOf(owner.snapshot);
  }

  usage(clusterId: string, query: UsageQuery): UsageHistory {
    const owner = this.owner(clusterId);
    const q = UsageQuerySchema.parse(query);
    const seconds = rangeSeconds(q.range);
    if (seconds > owner.history.retainSeconds) {
      throw new InvalidInputError(`range must be at most ${owner.history.retainSeconds / 60}m, the history kept`);
    }
    const since = Date.now() - seconds * 1000;
    const summary = owner.info().summary;
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
    }
    return {
      scope: q.scope,
      target: q.target ?? null,
      stepSeconds: owner.history.stepSeconds,
      points: owner.history.points(key, since),
      allocatable,
    };
  }

  /** Sets a workload's replicas; every mutation passes authorize() first. */
  async scale(
    clusterId: string,
    workloadId: string,
    replicas: number,
    actor: Actor,
    options: { force?: boolean } = {},
  ): Promise<Workload> {
    authorize(this.settings, actor, { verb: "scale", clusterId, workloadId });
    if (replicas > this.settings.maxReplicas) {
      throw new InvalidInputError(`replicas must be at most ${this.settings.maxReplicas} (the configured maximum)`);
    }
    const owner = this.owner(clusterId);
    const snapshot = await owner.listed("workloads");
    const before = snapshot.workloads.get(workloadId);
    if (!before) throw new NotFoundError(`no workload "${workloadId}" in cluster "${clusterId}"`);
    const adapter = owner.definition.adapter;
    if (!before.scalable || !isScalable(adapter)) {
      throw new ApiError(422, "not-scalable", before.notScalableReason ?? `${before.kind} ${before.name} cannot be scaled`);
    }
    if (options.force && !isForceScalable(adapter)) {
      throw new ApiError(422, "invalid", `${owner.definition.orchestrator} has no forced scale; send the scale without "force"`);
    }
    const updated = options.force && isForceScalable(adapter)
      ? await adapter.forceScale(workloadId, replicas)
      : await adapter.scale(workloadId, replicas, undefined, actor.name);
    owner.apply([{ type: "upsert", resource: "workloads", item: updated }]);
    // The audit trail: who changed what, never credentials.
    this.log.info("scaled", {
      actor: actor.name,
      cluster: clusterId,
      workload: workloadId,
      from: before.desired,
      to: replicas,
      ...(options.force ? { forced: true } : {}),
    });
    return this.workload(clusterId, workloadId);
  }

  /** Per-cluster sizes (listeners, snapshot, usage history), for the memory bench. */
  stats(): Record<string, OwnerStats> {
    return Object.fromEntries([...this.owners.values()].map((o) => [o.id, o.stats()]));
  }

  /** Change notifications of every cluster, for the SSE stream. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    const unsubscribers = [...this.owners.values()].map((o) => o.subscribe(listener));
    return () => unsubscribers.forEach((u) => u());
  }
}

/** Starts the demo simulators; the default runs them in this process (the bench may run them elsewhere). */
export type StartDemo = (options: { dataDir: string }) => Promise<{ clusters: DemoCluster[]; close(): Promise<void> }>;

/** Builds and starts the Fleet from the settings; getFleet() keeps the process's one. */
export async function createFleet(options: { startDemo?: StartDemo } = {}): Promise<Fleet> {
  const log = createLogger("fleet");
  const settings = await loadSettings();
  const discovered = settings.discover ? await discoverClusters(ADAPTER_MODULES, process.env, log) : [];
  let candidates = applyEntries(discovered, settings.clusters, ADAPTER_MODULES, log);
  const runDemo = wantsDemo(settings.demo, candidates);
  let closeDemo = async () => {};
  if (runDemo) {
    // Imported lazily: a production setup with real clusters never loads the simulators.
    const startDemo = options.startDemo ?? (await import("@/lib/sim/fleet")).startDemoFleet;
    const dataDir = path.join(os.tmpdir(), `fleetdeck-demo-${process.pid}`);
    const demo = await startDemo({ dataDir });
    closeDemo = () => demo.close();
    candidates = addDemoClusters(candidates, demo.clusters, ADAPTER_MODULES);
    log.info(`demo fleet started: ${demo.clusters.map((c) => c.id).join(", ")}`);
  }

  const owners = candidates.map((c) => {
    const adapterModule = ADAPTER_MODULES[c.orchestrator];
    const clusterLog = log.child(c.id);
    const adapter = adapterModule.create(c.connection, { clusterId: c.id, log: clusterLog });
    return new ClusterOwner(
      { id: c.id, name: c.name, orchestrator: c.orchestrator, demo: c.demo, adapter },
      { usageStepSeconds: settings.usageStepSeconds, usageRetainSeconds: settings.usageRetainSeconds, log: clusterLog },
    );
  });
  const fleet = new Fleet(
    owners,
    { readOnly: settings.readOnly, maxReplicas: settings.maxReplicas, demo: runDemo },
    log,
    closeDemo,
  );
  fleet.start();
  log.info(`serving ${owners.length} cluster(s) from ${settings.source}${settings.readOnly ? " (read-only)" : ""}`);
  return fleet;
}

const FLEET = Symbol.for("fleetdeck.fleet");
type FleetHolder = { [FLEET]?: Promise<Fleet> };

/**
 * The process's one Fleet, kept on globalThis so hot reload and every route
 * bundle share it. A failed start is not cached, so the next request retries.
 */
export function getFleet(): Promise<Fleet> {
  const holder = globalThis as FleetHolder;
  holder[FLEET] ??= createFleet().catch((err) => {
    delete holder[FLEET];
    throw err;
  });
  return holder[FLEET];
}
