import { z } from "zod";
import { AdapterError } from "@/lib/adapters/errors";
import { Backoff } from "@/lib/model/backoff";
import { sleep } from "@/lib/adapters/sleep";
import type { ClusterAdapter, Requester, Scalable, SnapshotChange, SnapshotSink, UsageSample, UsageSource } from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import { splitId } from "@/lib/model/ids";
import type { NodeCore, Resources, Service, TaskCore, WorkloadCore, WorkloadEvent } from "@/lib/model/types";
import { NomadClient, type Query } from "./client";
import type { ResolvedNomadConnection } from "./connection";
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
  NomadAgentSelfSchema,
  NomadAllocationSchema,
  NomadAllocStatsSchema,
  NomadEvaluationSchema,
  NomadEventBatchSchema,
  NomadHostStatsSchema,
  NomadJobSchema,
  NomadJobStubSchema,
  NomadJobSummarySchema,
  NomadNodeSchema,
  NomadNodeStubSchema,
  NomadScaleResponseSchema,
  NomadServiceListSchema,
  NomadServiceRegistrationSchema,
  type NomadAllocation,
  type NomadEvaluation,
  type NomadEvent,
  type NomadJob,
  type NomadJobSummary,
  type NomadServiceRegistration,
} from "./schemas";
import { mhzToMillis } from "./units";

/** What the adapter remembers of a job: its (already trimmed) spec, summary and placement failure. */
interface JobEntry {
  job: NomadJob;
  summary: NomadJobSummary | null;
  blocked: NomadEvaluation | undefined;
}

const jobKey = (namespace: string | null | undefined, id: string) => `${namespace || "default"}\u0000${id}`;
const USAGE_CONCURRENCY = 8;
const DETAIL_CONCURRENCY = 8;

/** Runs `fn` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(workers);
}

function asAdapterError(err: unknown): AdapterError {
  return err instanceof AdapterError ? err : new AdapterError("upstream", (err as Error)?.message ?? String(err), { cause: err });
}

/** The X-Nomad-Index of each list, by the event topic that changes it. */
interface ListedIndexes {
  Node: number;
  Job: number;
  Allocation: number;
  Service: number;
}

/** Thrown inside follow loops when the stream is refused, to switch to blocking queries. */
class StreamRefused extends Error {}

export class NomadAdapter implements ClusterAdapter, Scalable, UsageSource {
  readonly orchestrator = "nomad" as const;
  private readonly client: NomadClient;

  // The mirror of the cluster, as model objects (and trimmed job specs), fed by lists and events.
  private nodes = new Map<string, NodeCore>();
  private nodeModifyIndex = new Map<string, number>();
  private perCore = new Map<string, number>();
  private jobs = new Map<string, JobEntry>();
  private allocTasks = new Map<string, TaskCore>();
  /** What went wrong in each allocation (bounded per allocation), for its workload's recent events. */
  private allocEvents = new Map<string, { workloadId: string; events: WorkloadEvent[] }>();
  private nativeServices = new Map<string, Service>();
  private version: string | null = null;
  private servicesProblem: string | null = null;

  constructor(
    private readonly conn: ResolvedNomadConnection,
    private readonly log: Logger,
  ) {
    this.client = new NomadClient(conn);
  }

  private get allNamespaces(): boolean {
    return this.conn.namespaces[0] === "*";
  }

  private perCoreOf = (nodeId: string | null): number => (nodeId && this.perCore.get(nodeId)) || FALLBACK_MHZ_PER_CORE;

  // ---------------------------------------------------------------- run

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: this.conn.backoffBaseMs, maxMs: this.conn.backoffMaxMs });
    let useStream = this.conn.eventStream;
    try {
      while (!signal.aborted) {
        let followingSince: number | null = null;
        try {
          const listed = await this.relist(sink, signal);
          sink.setConnection(this.connectionState());
          backoff.reset();
          followingSince = Date.now();
          // Follow until the periodic resync, then list again.
          const resync = AbortSignal.any([signal, AbortSignal.timeout(this.conn.resyncMs)]);
          if (useStream) {
            try {
              await this.followStream(sink, listed, resync);
            } catch (err) {
              if (!(err instanceof StreamRefused)) throw err;
              useStream = false;
              this.log.warn("the token may not read the Nomad event stream; following with blocking queries", { reason: err.message });
              continue;
            }
          } else {
            await this.followBlocking(sink, resync);
          }
          // A stream the server ends at once would otherwise relist in a tight loop.
          if (!signal.aborted && !resync.aborted && Date.now() - followingSince < 1000) await sleep(backoff.next(), signal);
        } catch (err) {
          if (signal.aborted) break;
          const e = asAdapterError(err);
          if (followingSince !== null && Date.now() - followingSince > 5000) {
            // A stream that ran a while and broke (leader change, restart): list again at once; that list says whether the cluster is down.
            this.log.info("lost the Nomad event stream; relisting", { reason: e.message });
            continue;
          }
          this.log.warn(followingSince !== null ? "cannot follow the Nomad cluster" : "cannot list the Nomad cluster", { reason: e.message });
          sink.setConnection(
            followingSince !== null
              ? { status: "degraded", reason: `lists work but following changes fails: ${e.message}`, version: this.version }
              : { status: "unreachable", reason: e.message, version: this.version },
          );
          await sleep(backoff.next(), signal);
        }
      }
    } finally {
      await this.client.close();
    }
  }

  private connectionState() {
    return this.servicesProblem
      ? { status: "degraded" as const, reason: this.servicesProblem, version: this.version }
      : { status: "ok" as const, reason: null, version: this.version };
  }

  /** `namespace` query values to list with: "*" once, or each configured namespace. */
  private namespaceQueries(): string[] {
    return this.conn.namespaces;
  }

  private inScope(namespace: string | null | undefined): boolean {
    return this.allNamespaces || this.conn.namespaces.includes(namespace || "default");
  }

  // ---------------------------------------------------------------- lists

  private async readVersion(signal: AbortSignal): Promise<void> {
    try {
      const self = (await this.client.get("/v1/agent/self", {}, NomadAgentSelfSchema, { signal })).data;
      const v = self.config?.Version;
      const version = v?.Version ? `${v.Version}${v.VersionPrerelease ? `-${v.VersionPrerelease}` : ""}` : (self.member?.Tags?.build ?? null);
      this.version = version ?? null;
    } catch (err) {
      // agent:read is optional; without it the version stays unknown.
      if (!(err instanceof AdapterError) || (err.code !== "forbidden" && err.code !== "not-found")) throw err;
    }
  }

  /** Lists everything, replaces every resource list of the snapshot, and answers each list's index by event topic. */
  private async relist(sink: SnapshotSink, signal: AbortSignal): Promise<ListedIndexes> {
    await this.readVersion(signal);
    const nodesIndex = await this.listNodes(signal);
    const jobsIndex = await this.listJobs(signal);
    const allocsIndex = await this.listAllocations(signal);
    const servicesIndex = await this.listServices(signal);
    sink.apply([
      { type: "replace", resource: "nodes", items: [...this.nodes.values()] },
      { type: "replace", resource: "workloads", items: this.allWorkloads() },
      { type: "replace", resource: "tasks", items: this.allTasks() },
      { type: "replace", resource: "services", items: this.allServices() },
    ]);
    return { Node: nodesIndex, Job: jobsIndex, Allocation: allocsIndex, Service: servicesIndex };
  }

  private async listNodes(signal: AbortSignal): Promise<number> {
    const { items, index } = await this.client.list("/v1/nodes", {}, NomadNodeStubSchema, signal);
    const seen = new Set(items.map((n) => n.ID));
    for (const id of [...this.nodes.keys()]) if (!seen.has(id)) this.forgetNode(id);
    // The list stub has neither attributes nor meta: read the nodes that changed.
    const changed = items.filter((n) => this.nodeModifyIndex.get(n.ID) !== (n.ModifyIndex ?? -1) || !this.nodes.has(n.ID));
    await eachLimited(changed, DETAIL_CONCURRENCY, async (stub) => {
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

  private rememberNode(raw: z.infer<typeof NomadNodeSchema>): NodeCore {
    const { node, mhzPerCore } = mapNode(raw);
    this.nodes.set(node.id, node);
    this.nodeModifyIndex.set(node.id, raw.ModifyIndex ?? -1);
    if (mhzPerCore) this.perCore.set(node.id, mhzPerCore);
    return node;
  }

  private forgetNode(id: string) {
    this.nodes.delete(id);
    this.nodeModifyIndex.delete(id);
    this.perCore.delete(id);
  }

  private async listJobs(signal: AbortSignal): Promise<number> {
    let index = 0;
    const seen = new Set<string>();
    for (const namespace of this.namespaceQueries()) {
      const answer = await this.client.list("/v1/jobs", { namespace }, NomadJobStubSchema, signal);
      index = Math.max(index, answer.index);
      await eachLimited(answer.items, DETAIL_CONCURRENCY, async (stub) => {
        const key = jobKey(stub.Namespace, stub.ID);
        seen.add(key);
        const known = this.jobs.get(key);
        let job = known?.job;
        if (!job || (job.JobModifyIndex ?? job.ModifyIndex) !== (stub.JobModifyIndex ?? stub.ModifyIndex)) {
          const fetched = await this.fetchJob(stub.Namespace, stub.ID, signal);
          if (!fetched) return;
          job = fetched;
        }
        const entry: JobEntry = { job: { ...job, Status: stub.Status ?? job.Status }, summary: stub.JobSummary ?? null, blocked: undefined };
        entry.blocked = await this.blockedEvaluation(entry, signal);
        this.jobs.set(key, entry);
      });
    }
    for (const key of [...this.jobs.keys()]) if (!seen.has(key)) this.jobs.delete(key);
    return index;
  }

  private async fetchJob(namespace: string | null | undefined, id: string, signal?: AbortSignal): Promise<NomadJob | null> {
    try {
      return (await this.client.get(`/v1/job/${encodeURIComponent(id)}`, { namespace: namespace || "default" }, NomadJobSchema, { signal })).data;
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
      const evals = (await this.client.get(path, { namespace: entry.job.Namespace || "default" }, NomadEvaluationSchema.array(), { signal })).data;
      return latestPlacementFailure(evals);
    } catch (err) {
      // The reason is a nicety; queued work still shows without it.
      this.log.debug("cannot read evaluations", { job: entry.job.ID, reason: (err as Error).message });
      return undefined;
    }
  }

  private async listAllocations(signal: AbortSignal): Promise<number> {
    let index = 0;
    const tasks = new Map<string, TaskCore>();
    const events = new Map<string, { workloadId: string; events: WorkloadEvent[] }>();
    for (const namespace of this.namespaceQueries()) {
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
    const ids = new Set((entry.job.TaskGroups ?? []).map((g) => workloadIdOf(entry.job.Namespace, entry.job.ID, g.Name)));
    return mapJob(entry.job, entry.summary, { blocked: entry.blocked, allocationEvents: events ?? this.eventsByWorkload(ids) });
  }

  private async listServices(signal: AbortSignal): Promise<number> {
    let index = 0;
    const services = new Map<string, Service>();
    try {
      for (const namespace of this.namespaceQueries()) {
        const answer = await this.client.get("/v1/services", { namespace }, NomadServiceListSchema, { signal });
        index = Math.max(index, answer.index);
        const names = answer.data.flatMap((entry) => (entry.Services ?? []).map((s) => ({ namespace: entry.Namespace, name: s.ServiceName })));
        await eachLimited(names, DETAIL_CONCURRENCY, async ({ namespace: ns, name }) => {
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

  private allWorkloads(): WorkloadCore[] {
    const events = this.eventsByWorkload();
    return [...this.jobs.values()].flatMap((e) => this.workloadsOf(e, events));
  }

  private allTasks(): TaskCore[] {
    return [...this.allocTasks.values(), ...[...this.jobs.values()].flatMap((e) => queuedTasks(e.job, e.summary, e.blocked))];
  }

  private allServices(): Service[] {
    const consul = [...this.jobs.values()].flatMap((e) => consulServicesOfJob(e.job));
    return [...this.nativeServices.values(), ...consul];
  }

  // ---------------------------------------------------------------- event stream

  /**
   * Streams from the oldest list's index, so nothing that happened while
   * listing is missed, and skips each event its topic's list already showed.
   */
  private async followStream(sink: SnapshotSink, listed: ListedIndexes, signal: AbortSignal): Promise<void> {
    const refresher = new Refresher(this, sink, this.log, signal);
    const query: Query = {
      topic: ["Node", "Job", "Allocation", "Service"],
      namespace: this.allNamespaces || this.conn.namespaces.length > 1 ? "*" : this.conn.namespaces[0],
      index: Math.min(...Object.values(listed)) + 1,
    };
    try {
      await this.client.stream("/v1/event/stream", query, signal, (line) => {
        const parsed = NomadEventBatchSchema.safeParse(line);
        if (!parsed.success) throw new AdapterError("upstream", "Nomad event stream: unexpected event shape");
        const changes: SnapshotChange[] = [];
        for (const event of parsed.data.Events ?? []) {
          const seen = listed[event.Topic as keyof ListedIndexes];
          if (seen !== undefined && (event.Index ?? parsed.data.Index ?? 0) <= seen) continue;
          this.onEvent(event, changes, refresher);
        }
        if (changes.length) sink.apply(changes);
      });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof AdapterError && (err.code === "forbidden" || err.code === "unauthorized") && /event\/stream/.test(err.message)) {
        throw new StreamRefused(err.message);
      }
      throw err;
    } finally {
      refresher.stop();
    }
  }

  private onEvent(event: NomadEvent, changes: SnapshotChange[], refresher: Refresher) {
    const payload = event.Payload ?? {};
    switch (event.Topic) {
      case "Node": {
        if (event.Type === "NodeDeregistration") {
          const id = event.Key ?? "";
          this.forgetNode(id);
          changes.push({ type: "delete", resource: "nodes", id });
          return;
        }
        const parsed = NomadNodeSchema.safeParse(payload.Node);
        if (parsed.success) changes.push({ type: "upsert", resource: "nodes", item: this.rememberNode(parsed.data) });
        return;
      }
      case "Job": {
        if (!this.inScope(event.Namespace)) return;
        const parsed = NomadJobSchema.safeParse(payload.Job);
        const id = parsed.success ? parsed.data.ID : (event.Key ?? "");
        const namespace = parsed.success ? parsed.data.Namespace : event.Namespace;
        // Registered, stopped (Nomad's "deregister" without purge) or purged: read it again; a 404 removes it.
        refresher.job(namespace, id);
        return;
      }
      case "Allocation": {
        if (!this.inScope(event.Namespace)) return;
        const parsed = NomadAllocationSchema.safeParse(payload.Allocation);
        if (!parsed.success) return;
        const task = mapAllocation(parsed.data, this.perCoreOf);
        this.allocTasks.set(task.id, task);
        this.rememberAllocEvents(parsed.data);
        changes.push({ type: "upsert", resource: "tasks", item: task });
        // Running and failed counts come from the job summary, which allocations move.
        refresher.job(parsed.data.Namespace, parsed.data.JobID);
        return;
      }
      case "Service": {
        if (!this.inScope(event.Namespace)) return;
        const parsed = NomadServiceRegistrationSchema.safeParse(payload.Service);
        if (parsed.success) refresher.service(parsed.data.Namespace || "default", parsed.data.ServiceName);
        return;
      }
    }
  }

  /** Re-reads a job (spec, summary, placement failures) and emits what changed of its workloads, queued tasks and Consul services. */
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
    return diff<WorkloadCore, "workloads">("workloads", before ? this.workloadsOf(before) : [], after ? this.workloadsOf(after) : [])
      .concat(diff("tasks", before ? queuedTasks(before.job, before.summary, before.blocked) : [], after ? queuedTasks(after.job, after.summary, after.blocked) : []))
      .concat(diff("services", before ? consulServicesOfJob(before.job) : [], after ? consulServicesOfJob(after.job) : []));
  }

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

  // ---------------------------------------------------------------- blocking queries

  /**
   * Follows the cluster with one blocking query per list. When a list's
   * index moves, that list is read again in full and replaced.
   */
  private async followBlocking(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const inner = new AbortController();
    const stop = AbortSignal.any([signal, inner.signal]);
    const watch = async (path: string, query: Query, onChange: () => Promise<void>) => {
      let index = (await this.client.get(path, { ...query, per_page: 1 }, z.unknown(), { signal: stop })).index;
      while (!stop.aborted) {
        const answer = await this.client.get(path, { ...query, per_page: 1 }, z.unknown(), { signal: stop, index: Math.max(1, index) });
        // An index that goes backwards means the cluster was reset: start over from it.
        if (answer.index !== index) {
          index = answer.index;
          await onChange();
        }
      }
    };
    const namespace = this.allNamespaces || this.conn.namespaces.length > 1 ? "*" : this.conn.namespaces[0];
    const emit = (changes: SnapshotChange[]) => {
      if (!stop.aborted) sink.apply(changes);
    };
    const jobsChanged = async () => {
      await this.listJobs(stop);
      emit([
        { type: "replace", resource: "workloads", items: this.allWorkloads() },
        { type: "replace", resource: "tasks", items: this.allTasks() },
        { type: "replace", resource: "services", items: this.allServices() },
      ]);
    };
    const loops = [
      watch("/v1/nodes", {}, async () => {
        await this.listNodes(stop);
        emit([{ type: "replace", resource: "nodes", items: [...this.nodes.values()] }]);
      }),
      watch("/v1/jobs", { namespace }, jobsChanged),
      watch("/v1/allocations", { namespace }, async () => {
        await this.listAllocations(stop);
        // Allocations move the job summaries (running, failed, queued).
        await jobsChanged();
      }),
      watch("/v1/services", { namespace }, async () => {
        const problem = this.servicesProblem;
        await this.listServices(stop);
        emit([{ type: "replace", resource: "services", items: this.allServices() }]);
        if (problem !== this.servicesProblem) sink.setConnection(this.connectionState());
      }).catch((err) => {
        // Without services:read the other lists still follow.
        if (err instanceof AdapterError && (err.code === "forbidden" || err.code === "unauthorized")) {
          return new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
        }
        throw err;
      }),
    ];
    try {
      await Promise.race([...loops.map((p) => p.then(() => undefined)), new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }))]);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      inner.abort();
      await Promise.allSettled(loops);
    }
  }

  // ---------------------------------------------------------------- scale

  /**
   * Sets a task group's count with POST /v1/job/:id/scale. `actor` names the
   * user in Nomad's scaling event; the Scalable contract has no user yet, so
   * it is an optional extra argument.
   */
  async scale(workloadId: string, replicas: number, signal?: AbortSignal, requester?: Requester): Promise<WorkloadCore> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new AdapterError("invalid", "replicas must be a whole number, 0 or more");
    const target = this.resolveWorkload(workloadId);
    if (!target) throw new AdapterError("invalid", `"${workloadId}" is not a Nomad task group`);
    const { namespace, jobId, group } = target;
    const known = this.jobs.get(jobKey(namespace, jobId));
    const workload = known ? this.workloadsOf(known).find((w) => w.id === workloadId) : undefined;
    if (workload && !workload.scalable) throw new AdapterError("invalid", workload.notScalableReason ?? "This task group cannot be scaled.");

    const who = requester?.name.trim() || "an operator";
    await this.client.post(
      `/v1/job/${encodeURIComponent(jobId)}/scale`,
      { namespace },
      {
        Count: replicas,
        Target: { Namespace: namespace, Job: jobId, Group: group },
        Message: `Scaled to ${replicas} by ${who} from Fleetdeck`,
        Meta: { "fleetdeck.user": who },
        PolicyOverride: false,
      },
      NomadScaleResponseSchema,
      signal,
    );
    const [job, summary] = await Promise.all([this.fetchJob(namespace, jobId, signal), this.fetchSummary(namespace, jobId, signal)]);
    if (!job) throw new AdapterError("not-found", `Nomad job "${jobId}" is gone`);
    const entry: JobEntry = { job, summary, blocked: known?.blocked };
    this.jobs.set(jobKey(namespace, jobId), entry);
    const updated = this.workloadsOf(entry).find((w) => w.id === workloadId);
    if (!updated) throw new AdapterError("not-found", `task group "${group}" is no longer in job "${jobId}"`);
    return updated;
  }

  /** The namespace, job and group of a workload id: from the cache when known, else by splitting it. */
  private resolveWorkload(workloadId: string): { namespace: string; jobId: string; group: string } | null {
    for (const { job } of this.jobs.values()) {
      for (const g of job.TaskGroups ?? []) {
        if (workloadIdOf(job.Namespace, job.ID, g.Name) === workloadId) return { namespace: job.Namespace || "default", jobId: job.ID, group: g.Name };
      }
    }
    const parts = splitId(workloadId);
    if (parts.length !== 3 || parts.some((p) => !p)) return null;
    const [namespace, jobId, group] = parts as [string, string, string];
    return { namespace, jobId, group };
  }

  // ---------------------------------------------------------------- usage

  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    const nodes = new Map<string, Resources>();
    const tasks = new Map<string, Resources>();
    let failures = 0;
    let lastError: unknown = null;
    const readyNodes = [...this.nodes.values()].filter((n) => n.status === "ready");
    const running = [...this.allocTasks.values()].filter((t) => t.state === "running");
    type Job = { kind: "node"; id: string } | { kind: "task"; id: string; node: string | null };
    const jobs: Job[] = [
      ...readyNodes.map((n) => ({ kind: "node" as const, id: n.id })),
      ...running.map((t) => ({ kind: "task" as const, id: t.id, node: t.node })),
    ];
    await eachLimited(jobs, USAGE_CONCURRENCY, async (job) => {
      try {
        if (job.kind === "node") {
          const stats = (await this.client.get("/v1/client/stats", { node_id: job.id }, NomadHostStatsSchema, { signal })).data;
          nodes.set(job.id, { cpuMillis: mhzToMillis(stats.CPUTicksConsumed, this.perCoreOf(job.id)), memoryBytes: stats.Memory.Used });
        } else {
          const path = `/v1/client/allocation/${encodeURIComponent(job.id)}/stats`;
          const usage = (await this.client.get(path, {}, NomadAllocStatsSchema, { signal })).data.ResourceUsage;
          // cgroup v2 reports no RSS; Usage is then the figure Nomad's UI shows.
          const memory = usage.MemoryStats.RSS || usage.MemoryStats.Usage || 0;
          tasks.set(job.id, { cpuMillis: mhzToMillis(usage.CpuStats.TotalTicks, this.perCoreOf(job.node)), memoryBytes: memory });
        }
      } catch (err) {
        if (signal?.aborted) throw err;
        failures++;
        lastError = err;
      }
    });
    if (failures) this.log.debug("some Nomad usage reads failed", { failures, reason: (lastError as Error)?.message });
    if (jobs.length > 0 && nodes.size === 0 && tasks.size === 0) return null;
    return { nodes, tasks };
  }
}

/** Upserts and deletes that turn `before` into `after`. */
function diff<T extends { id: string }, K extends "workloads" | "tasks" | "services">(resource: K, before: T[], after: T[]): SnapshotChange[] {
  const out: SnapshotChange[] = [];
  const next = new Map(after.map((item) => [item.id, item]));
  for (const item of before) if (!next.has(item.id)) out.push({ type: "delete", resource, id: item.id } as SnapshotChange);
  for (const item of after) out.push({ type: "upsert", resource, item } as unknown as SnapshotChange);
  return out;
}

/**
 * Coalesces the refetches that events call for (a burst of allocation events
 * for one job reads its summary once) and applies their changes.
 */
class Refresher {
  private jobs = new Map<string, { namespace: string | null | undefined; id: string }>();
  private services = new Map<string, { namespace: string; name: string }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private stopped = false;

  constructor(
    private readonly adapter: NomadAdapter,
    private readonly sink: SnapshotSink,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    private readonly delayMs = 150,
  ) {}

  job(namespace: string | null | undefined, id: string) {
    this.jobs.set(jobKey(namespace, id), { namespace, id });
    this.schedule();
  }

  service(namespace: string, name: string) {
    this.services.set(`${namespace}\u0000${name}`, { namespace, name });
    this.schedule();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule() {
    if (this.timer || this.running || this.stopped) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  private async flush() {
    this.timer = null;
    this.running = true;
    const jobs = [...this.jobs.values()];
    const services = [...this.services.values()];
    this.jobs.clear();
    this.services.clear();
    try {
      for (const j of jobs) {
        const changes = await this.adapter.refreshJob(j.namespace, j.id, this.signal);
        if (changes.length && !this.signal.aborted) this.sink.apply(changes);
      }
      for (const s of services) {
        const changes = await this.adapter.refreshService(s.namespace, s.name, this.signal);
        if (changes.length && !this.signal.aborted) this.sink.apply(changes);
      }
    } catch (err) {
      // The next relist repairs what a failed refetch missed.
      if (!this.signal.aborted) this.log.warn("a Nomad refetch failed", { reason: (err as Error).message });
    } finally {
      this.running = false;
      if (this.jobs.size || this.services.size) this.schedule();
    }
  }
}

