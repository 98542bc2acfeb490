import { changesBetween } from "@/lib/adapters/changes";
import { forEachBounded } from "@/lib/adapters/concurrency";
import { AdapterError } from "@/lib/adapters/errors";
import type { SnapshotChange } from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import { splitId } from "@/lib/model/ids";
import type { NodeCore, Service, TaskCore, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import type { NomadClient } from "./client";
import {
  allocationEvents,
  consulServicesOfJob,
  FALLBACK_MHZ_PER_CORE,
  latestPlacementFailure,
  mapAllocation,
  mapJob,
  mapNativeService,
  mapNode,
  queuedTasks,
  workloadIdOf,
} from "./mappers";
import {
  NomadAllocationSchema,
  NomadDeploymentSchema,
  NomadEvaluationSchema,
  NomadJobSchema,
  NomadJobStubSchema,
  NomadJobSummarySchema,
  NomadNodeSchema,
  NomadNodeStubSchema,
  NomadServiceListSchema,
  NomadServiceRegistrationSchema,
  type NomadAllocation,
  type NomadDeployment,
  type NomadEvaluation,
  type NomadJob,
  type NomadJobSummary,
  type NomadNode,
  type NomadServiceRegistration,
} from "./raw";

/** What the adapter remembers of a job: its (already trimmed) spec, summary and placement failure. */
interface JobEntry {
  job: NomadJob;
  summary: NomadJobSummary | null;
  blocked: NomadEvaluation | undefined;
}

/** The X-Nomad-Index of each list, by the event topic that changes it. */
export interface ListedIndexes {
  Node: number;
  Job: number;
  Allocation: number;
  Deployment: number;
  Service: number;
}

export const jobKey = (namespace: string | null | undefined, id: string) => `${namespace || "default"}\u0000${id}`;
const DETAIL_CONCURRENCY = 8;

/**
 * The adapter's model of the cluster, as model objects (and trimmed job
 * specs): nodes, jobs, allocation tasks and their events, native services.
 * The lists fill it; the followers update it from events and relists.
 */
export class NomadMirror {
  private nodes = new Map<string, NodeCore>();
  private nodeModifyIndex = new Map<string, number>();
  private perCore = new Map<string, number>();
  private jobs = new Map<string, JobEntry>();
  /** Each job's latest deployment, by jobKey. */
  private deployments = new Map<string, NomadDeployment>();
  private allocTasks = new Map<string, TaskCore>();
  /** What went wrong in each allocation (bounded per allocation), for its workload's recent events. */
  private allocEvents = new Map<string, { workloadId: string; events: WorkloadEvent[] }>();
  private nativeServices = new Map<string, Service>();
  /** Why services could not be listed (a token without services:read), while the rest of the cluster could. */
  servicesProblem: string | null = null;

  constructor(
    private readonly client: NomadClient,
    /** ["*"] or the configured namespaces. */
    private readonly namespaces: readonly string[],
    private readonly log: Logger,
  ) {}

  private get allNamespaces(): boolean {
    return this.namespaces[0] === "*";
  }

  /** The `namespace` of a query that follows every namespace in scope at once (the event stream, blocking queries). */
  get followNamespace(): string {
    return this.allNamespaces || this.namespaces.length > 1 ? "*" : (this.namespaces[0] as string);
  }

  inScope(namespace: string | null | undefined): boolean {
    return this.allNamespaces || this.namespaces.includes(namespace || "default");
  }

  perCoreOf = (nodeId: string | null): number => (nodeId && this.perCore.get(nodeId)) || FALLBACK_MHZ_PER_CORE;

  // ---------------------------------------------------------------- lists

  /** Lists everything and answers each list's index by event topic. */
  async listAll(signal: AbortSignal): Promise<ListedIndexes> {
    const Node = await this.listNodes(signal);
    const Job = await this.listJobs(signal);
    const Allocation = await this.listAllocations(signal);
    const Deployment = await this.listDeployments(signal);
    const Service = await this.listServices(signal);
    return { Node, Job, Allocation, Deployment, Service };
  }

  async listNodes(signal: AbortSignal): Promise<number> {
    const { items, index } = await this.client.list("/v1/nodes", {}, NomadNodeStubSchema, signal);
    const seen = new Set(items.map((n) => n.ID));
    for (const id of [...this.nodes.keys()]) if (!seen.has(id)) this.forgetNode(id);
    // The list stub has neither attributes nor meta: read the nodes that changed.
    const changed = items.filter((n) => this.nodeModifyIndex.get(n.ID) !== (n.ModifyIndex ?? -1) || !this.nodes.has(n.ID));
    await forEachBounded(changed, DETAIL_CONCURRENCY, async (stub) => {
      try {
        const node = (await this.client.get(`/v1/node/${encodeURIComponent(stub.ID)}`, {}, NomadNodeSchema, { signal })).data;
        this.rememberNode(node);
      } catch (err) {
        if (err instanceof AdapterError && err.code === "not-found") return; // gone since the list
        throw err;
      }
    });
    return index;
  }

  rememberNode(raw: NomadNode): NodeCore {
    const { node, mhzPerCore } = mapNode(raw);
    this.nodes.set(node.id, node);
    this.nodeModifyIndex.set(node.id, raw.ModifyIndex ?? -1);
    if (mhzPerCore) this.perCore.set(node.id, mhzPerCore);
    return node;
  }

  forgetNode(id: string): void {
    this.nodes.delete(id);
    this.nodeModifyIndex.delete(id);
    this.perCore.delete(id);
  }

  async listJobs(signal: AbortSignal): Promise<number> {
    let index = 0;
    const seen = new Set<string>();
    for (const namespace of this.namespaces) {
      const answer = await this.client.list("/v1/jobs", { namespace }, NomadJobStubSchema, signal);
      index = Math.max(index, answer.index);
      await forEachBounded(answer.items, DETAIL_CONCURRENCY, async (stub) => {
        const key = jobKey(stub.Namespace, stub.ID);
        seen.add(key);
        const known = this.jobs.get(key);
        let job = known?.job;
        if (!job || (job.JobModifyIndex ?? job.ModifyIndex) !== (stub.JobModifyIndex ?? stub.ModifyIndex)) {
          const fetched = await this.fetchJob(stub.Namespace, stub.ID, signal);
          if (!fetched) return;
          job = fetched;
        }
        const entry: JobEntry = {
          job: { ...job, Status: stub.Status ?? job.Status },
          summary: stub.JobSummary ?? null,
          blocked: undefined,
        };
        entry.blocked = await this.blockedEvaluation(entry, signal);
        this.jobs.set(key, entry);
      });
    }
    for (const key of [...this.jobs.keys()]) if (!seen.has(key)) this.jobs.delete(key);
    return index;
  }

  private async fetchJob(namespace: string | null | undefined, id: string, signal?: AbortSignal): Promise<NomadJob | null> {
    try {
      return (await this.client.get(`/v1/job/${encodeURIComponent(id)}`, { namespace: namespace || "default" }, NomadJobSchema, { signal }))
        .data;
    } catch (err) {
      if (err instanceof AdapterError && err.code === "not-found") return null;
      throw err;
    }
  }

  private async fetchSummary(namespace: string | null | undefined, id: string, signal?: AbortSignal): Promise<NomadJobSummary | null> {
    try {
      const path = `/v1/job/${encodeURIComponent(id)}/summary`;
      return (await this.client.get(path, { namespace: namespace || "default" }, NomadJobSummarySchema, { signal })).data;
    } catch (err) {
      if (err instanceof AdapterError && err.code === "not-found") return null;
      throw err;
    }
  }

  /** The evaluation that says why a job's queued allocations wait (see latestPlacementFailure). */
  private async blockedEvaluation(entry: JobEntry, signal?: AbortSignal): Promise<NomadEvaluation | undefined> {
    const queued = Object.values(entry.summary?.Summary ?? {}).some((s) => (s.Queued ?? 0) > 0);
    if (!queued) return undefined;
    try {
      const path = `/v1/job/${encodeURIComponent(entry.job.ID)}/evaluations`;
      const evals = (
        await this.client.get(path, { namespace: entry.job.Namespace || "default" }, NomadEvaluationSchema.array(), { signal })
      ).data;
      return latestPlacementFailure(evals);
    } catch (err) {
      // The reason is a nicety; queued work still shows without it.
      this.log.debug("cannot read evaluations", { job: entry.job.ID, reason: (err as Error).message });
      return undefined;
    }
  }

  async listAllocations(signal: AbortSignal): Promise<number> {
    let index = 0;
    const tasks = new Map<string, TaskCore>();
    const events = new Map<string, { workloadId: string; events: WorkloadEvent[] }>();
    for (const namespace of this.namespaces) {
      const answer = await this.client.list("/v1/allocations", { namespace, resources: true }, NomadAllocationSchema, signal);
      index = Math.max(index, answer.index);
      for (const alloc of answer.items) {
        tasks.set(alloc.ID, mapAllocation(alloc, this.perCoreOf));
        this.rememberAllocEvents(alloc, events);
      }
    }
    this.allocTasks = tasks;
    this.allocEvents = events;
    return index;
  }

  /** Lists deployments (Nomad keeps them until its garbage collection) and keeps each job's latest. */
  async listDeployments(signal: AbortSignal): Promise<number> {
    let index = 0;
    const latest = new Map<string, NomadDeployment>();
    for (const namespace of this.namespaces) {
      const answer = await this.client.list("/v1/deployments", { namespace }, NomadDeploymentSchema, signal);
      index = Math.max(index, answer.index);
      for (const d of answer.items) keepLatest(latest, d);
    }
    this.deployments = latest;
    return index;
  }

  /** Takes in a deployment from an event; answers the workloads of its job, whose rollout it may change. */
  rememberDeployment(deployment: NomadDeployment): WorkloadCore[] {
    keepLatest(this.deployments, deployment);
    const entry = this.jobs.get(jobKey(deployment.Namespace, deployment.JobID));
    return entry ? this.workloadsOf(entry) : [];
  }

  /** Takes in an allocation from an event; answers its task. */
  rememberAllocation(alloc: NomadAllocation): TaskCore {
    const task = mapAllocation(alloc, this.perCoreOf);
    this.allocTasks.set(task.id, task);
    this.rememberAllocEvents(alloc);
    return task;
  }

  private rememberAllocEvents(alloc: NomadAllocation, into = this.allocEvents): void {
    const events = allocationEvents(alloc);
    if (events.length) into.set(alloc.ID, { workloadId: workloadIdOf(alloc.Namespace, alloc.JobID, alloc.TaskGroup), events });
    else into.delete(alloc.ID);
  }

  /** Allocation events by workload, for the given workloads (all when omitted). */
  private eventsByWorkload(workloadIds?: Set<string>): Map<string, WorkloadEvent[]> {
    const out = new Map<string, WorkloadEvent[]>();
    for (const { workloadId, events } of this.allocEvents.values()) {
      if (workloadIds && !workloadIds.has(workloadId)) continue;
      const list = out.get(workloadId);
      if (list) list.push(...events);
      else out.set(workloadId, [...events]);
    }
    return out;
  }

  private workloadsOf(entry: JobEntry, events?: Map<string, WorkloadEvent[]>): WorkloadCore[] {
    const { job } = entry;
    const ids = new Set((job.TaskGroups ?? []).map((g) => workloadIdOf(job.Namespace, job.ID, g.Name)));
    const deployment = this.deployments.get(jobKey(job.Namespace, job.ID));
    // A job purged and registered again under its ID starts over: its predecessor's deployments are not its own.
    const own =
      deployment && (deployment.JobCreateIndex == null || job.CreateIndex == null || deployment.JobCreateIndex === job.CreateIndex);
    return mapJob(job, entry.summary, {
      blocked: entry.blocked,
      allocationEvents: events ?? this.eventsByWorkload(ids),
      deployment: own ? deployment : undefined,
    });
  }

  async listServices(signal: AbortSignal): Promise<number> {
    let index = 0;
    const services = new Map<string, Service>();
    try {
      for (const namespace of this.namespaces) {
        const answer = await this.client.get("/v1/services", { namespace }, NomadServiceListSchema, { signal });
        index = Math.max(index, answer.index);
        const names = answer.data.flatMap((entry) =>
          (entry.Services ?? []).map((s) => ({ namespace: entry.Namespace, name: s.ServiceName })),
        );
        await forEachBounded(names, DETAIL_CONCURRENCY, async ({ namespace: ns, name }) => {
          const service = await this.fetchService(ns, name, signal);
          if (service) services.set(service.id, service);
        });
      }
      this.servicesProblem = null;
      this.nativeServices = services;
    } catch (err) {
      // A token may read jobs but not services: keep the rest of the cluster and say so.
      if (err instanceof AdapterError && (err.code === "forbidden" || err.code === "unauthorized")) {
        this.servicesProblem = `cannot list Nomad services: ${err.message}`;
        return index;
      }
      throw err;
    }
    return index;
  }

  private async fetchService(namespace: string, name: string, signal?: AbortSignal): Promise<Service | null> {
    const path = `/v1/service/${encodeURIComponent(name)}`;
    let regs: NomadServiceRegistration[];
    try {
      regs = (await this.client.list(path, { namespace }, NomadServiceRegistrationSchema, signal)).items;
    } catch (err) {
      if (err instanceof AdapterError && err.code === "not-found") return null;
      throw err;
    }
    return regs.length ? mapNativeService(namespace, name, regs) : null;
  }

  // ---------------------------------------------------------------- what the snapshot holds

  allNodes(): NodeCore[] {
    return [...this.nodes.values()];
  }

  allWorkloads(): WorkloadCore[] {
    const events = this.eventsByWorkload();
    return [...this.jobs.values()].flatMap((e) => this.workloadsOf(e, events));
  }

  allTasks(): TaskCore[] {
    return [...this.allocTasks.values(), ...[...this.jobs.values()].flatMap((e) => queuedTasks(e.job, e.summary, e.blocked))];
  }

  allServices(): Service[] {
    const consul = [...this.jobs.values()].flatMap((e) => consulServicesOfJob(e.job));
    return [...this.nativeServices.values(), ...consul];
  }

  /** Allocation tasks only (not queued stand-ins), for usage. */
  allocationTasks(): TaskCore[] {
    return [...this.allocTasks.values()];
  }

  // ---------------------------------------------------------------- refetches

  /** Re-reads a job (spec, summary, placement failures) and answers what changed of its workloads, queued tasks and Consul services. */
  async refreshJob(namespace: string | null | undefined, id: string, signal: AbortSignal): Promise<SnapshotChange[]> {
    const key = jobKey(namespace, id);
    const before = this.jobs.get(key);
    let after: JobEntry | undefined;
    const [job, summary] = await Promise.all([this.fetchJob(namespace, id, signal), this.fetchSummary(namespace, id, signal)]);
    if (job) {
      after = { job, summary, blocked: undefined };
      after.blocked = await this.blockedEvaluation(after, signal);
    }
    if (after) this.jobs.set(key, after);
    else this.jobs.delete(key);
    const ids = (items: { id: string }[]) => items.map((item) => item.id);
    return [
      ...changesBetween("workloads", before ? ids(this.workloadsOf(before)) : [], after ? this.workloadsOf(after) : []),
      ...changesBetween(
        "tasks",
        before ? ids(queuedTasks(before.job, before.summary, before.blocked)) : [],
        after ? queuedTasks(after.job, after.summary, after.blocked) : [],
      ),
      ...changesBetween("services", before ? ids(consulServicesOfJob(before.job)) : [], after ? consulServicesOfJob(after.job) : []),
    ];
  }

  /** Re-reads a native service and answers its upsert or delete. */
  async refreshService(namespace: string, name: string, signal: AbortSignal): Promise<SnapshotChange[]> {
    const service = await this.fetchService(namespace, name, signal);
    const id = mapNativeService(namespace, name, []).id;
    if (service) {
      this.nativeServices.set(id, service);
      return [{ type: "upsert", resource: "services", item: service }];
    }
    if (!this.nativeServices.delete(id)) return [];
    return [{ type: "delete", resource: "services", id }];
  }

  // ---------------------------------------------------------------- task groups, for scaling

  /** The namespace, job and group of a workload id: from the mirror when known, else by splitting it. */
  taskGroupOf(workloadId: string): { namespace: string; jobId: string; group: string } | null {
    for (const { job } of this.jobs.values()) {
      for (const g of job.TaskGroups ?? []) {
        if (workloadIdOf(job.Namespace, job.ID, g.Name) === workloadId)
          return { namespace: job.Namespace || "default", jobId: job.ID, group: g.Name };
      }
    }
    const parts = splitId(workloadId);
    if (parts.length !== 3 || parts.some((p) => !p)) return null;
    const [namespace, jobId, group] = parts as [string, string, string];
    return { namespace, jobId, group };
  }

  /** The workload as the mirror has it, if its job is known. */
  workload(namespace: string, jobId: string, workloadId: string): WorkloadCore | undefined {
    const known = this.jobs.get(jobKey(namespace, jobId));
    return known ? this.workloadsOf(known).find((w) => w.id === workloadId) : undefined;
  }

  /**
   * Re-reads a job's spec and summary (after a scale) and answers its
   * workloads, or null when the job is gone. The placement failure stays the
   * one known: the events that follow the change bring the next.
   */
  async rereadJob(namespace: string, jobId: string, signal?: AbortSignal): Promise<WorkloadCore[] | null> {
    const key = jobKey(namespace, jobId);
    const [job, summary] = await Promise.all([this.fetchJob(namespace, jobId, signal), this.fetchSummary(namespace, jobId, signal)]);
    if (!job) return null;
    const entry: JobEntry = { job, summary, blocked: this.jobs.get(key)?.blocked };
    this.jobs.set(key, entry);
    return this.workloadsOf(entry);
  }
}

/** Keeps `deployment` if it is its job's latest one known (the newest, or a newer state of it). */
function keepLatest(latest: Map<string, NomadDeployment>, deployment: NomadDeployment): void {
  const key = jobKey(deployment.Namespace, deployment.JobID);
  const known = latest.get(key);
  const order = (d: NomadDeployment) => [d.CreateIndex ?? 0, d.ModifyIndex ?? 0] as const;
  const [created, modified] = order(deployment);
  if (known) {
    const [knownCreated, knownModified] = order(known);
    if (created < knownCreated || (created === knownCreated && modified < knownModified)) return;
  }
  latest.set(key, deployment);
}
