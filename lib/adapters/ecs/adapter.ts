import { Backoff, type BackoffPolicy } from "@/lib/model/backoff";
import { replaceAll } from "@/lib/adapters/changes";
import { forEachBounded } from "@/lib/adapters/concurrency";
import { AdapterError, retryDelay } from "@/lib/adapters/errors";
import { statusForFailure } from "@/lib/adapters/health";
import type { AdapterContext } from "@/lib/adapters/module";
import type { SecretSet } from "@/lib/adapters/secrets";
import { sleep } from "@/lib/adapters/sleep";
import { withTimings, type AdapterTimings } from "@/lib/adapters/timings";
import type { ClusterAdapter, Scalable, SnapshotSink, TaskDescriber, UsageSample, UsageSource } from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import { splitId } from "@/lib/model/ids";
import type { Problem } from "@/lib/model/health";
import type { NodeCore, Service, TaskCore, TaskDetail, WorkloadCore } from "@/lib/model/types";
import { EcsApi } from "./client";
import { clusterNameOf, type EcsConnection } from "./connection";
import { toAdapterError } from "./errors";
import {
  countRestarts,
  imagesByService,
  mapContainerInstance,
  mapService,
  mapServiceEndpoints,
  mapTask,
  serviceNameOfTask,
  stopStanding,
  taskRequests,
  workloadIdOf,
} from "./mappers";
import type { RawCluster, RawContainerInstance, RawService, RawTask, RawTaskDefinition } from "./raw";
import { mapTaskDetail } from "./task-detail";
import {
  type LatestValues,
  type RunningTask,
  type UsageTargets,
  USAGE_PERIOD_SECONDS,
  USAGE_WINDOW_PERIODS,
  buildQueries,
  distribute,
  latestByWorkload,
  serviceUsage,
  unmeasurableReason,
} from "./usage";

/**
 * ECS has no watch API: every poll lists everything, so `resyncMs` is the
 * poll period, the connection's pollIntervalSeconds unless a test sets it.
 */
export interface EcsTimings extends AdapterTimings {
  /** Poll period for a short while after a scale, so new tasks show up as they start. */
  fastPollMs: number;
  fastPollWindowMs: number;
  /** CloudWatch publishes one datapoint a minute; asking more often only costs money. */
  usageRefreshMs: number;
  /**
   * After ThrottlingException, instead of `backoff`: the account's API budget
   * is spent, so never sooner than a poll period. Two to sixteen poll periods
   * by default.
   */
  throttledBackoff: BackoffPolicy;
  /** SDK attempts per call, its own retries of throttling and 5xx included. */
  maxAttempts: number;
}

/** Everything but what follows the connection's poll period (resyncMs and both back-offs). */
const DEFAULT_ECS_TIMINGS: Omit<EcsTimings, "resyncMs" | "backoff" | "throttledBackoff"> = {
  // Per attempt of one AWS call, as the client always had it.
  requestTimeoutMs: 20_000,
  fastPollMs: 3_000,
  fastPollWindowMs: 30_000,
  usageRefreshMs: USAGE_PERIOD_SECONDS * 1000,
  maxAttempts: 3,
};

/**
 * Clusters read at once, each with its three lists (container instances,
 * services, tasks) at once: at most nine calls in flight, and as many calls
 * per poll as one at a time made.
 */
const CLUSTERS_AT_ONCE = 3;

/** What one poll learned: the neutral lists plus the slim facts scale and usage need. */
interface PollResult {
  nodes: NodeCore[];
  workloads: WorkloadCore[];
  tasks: TaskCore[];
  services: Service[];
  version: string;
  usage: UsageTargets;
  images: Map<string, string[]>;
  /** Tags by workload id: UpdateService answers a service without them. */
  serviceTags: Map<string, RawService["tags"]>;
}

interface ClusterRead {
  cluster: RawCluster;
  instances: RawContainerInstance[];
  services: RawService[];
  tasks: RawTask[];
}

/** Task definitions read at once on a poll that meets new ones (a deploy of many services). */
const TASK_DEFINITIONS_AT_ONCE = 4;
/** How long services show no volumes after IAM refused DescribeTaskDefinition, before it is asked again. */
const TASK_DEFINITIONS_REFUSED_RETRY_MS = 10 * 60_000;

/** Fargate's capacity providers; a cluster with only these has no container instances. */
const FARGATE = /^FARGATE/;

/**
 * An ECS account-region, or one cluster of it, as a Fleetdeck cluster. ECS
 * has no watch API, so it polls (bounded, shared by every viewer through the
 * server's one owner per cluster), backing off on throttling and failures.
 */
export class EcsAdapter implements ClusterAdapter, Scalable, UsageSource, TaskDescriber {
  readonly orchestrator = "ecs" as const;
  private readonly api: EcsApi;
  private readonly timings: EcsTimings;
  private readonly log: Logger;
  private readonly secrets: SecretSet;
  private last: PollResult | null = null;
  private wake = new AbortController();
  private fastUntil = 0;
  private usageCache: { at: number; latest: Map<string, LatestValues> } | null = null;
  /**
   * The services' task definitions by ARN, for their volumes. A revision
   * never changes, so each is read once and kept while a service runs it;
   * null: it cannot be read (deregistered and deleted), so it shows none.
   */
  private readonly taskDefinitions = new Map<string, RawTaskDefinition | null>();
  /** DescribeTaskDefinition was refused (IAM): volumes are left out until then, rather than failing every poll. */
  private taskDefinitionsRefusedUntil = 0;

  constructor(
    private readonly connection: EcsConnection,
    context: AdapterContext,
    timings: Partial<EcsTimings> = {},
  ) {
    const resyncMs = timings.resyncMs ?? connection.pollIntervalSeconds * 1000;
    this.timings = withTimings(
      {
        ...DEFAULT_ECS_TIMINGS,
        resyncMs,
        // A failing account is retried no faster than its poll period allows, so a long period spares the API quota.
        backoff: { baseMs: Math.min(1_000, resyncMs), maxMs: Math.max(60_000, 4 * resyncMs) },
        throttledBackoff: { baseMs: 2 * resyncMs, maxMs: 16 * resyncMs },
      },
      timings,
    );
    this.log = context.log.child("ecs");
    this.secrets = context.secrets;
    // Registers the connection's credentials, and those the SDK's chain resolves as it signs.
    this.api = new EcsApi(
      connection,
      { maxAttempts: this.timings.maxAttempts, requestTimeoutMs: this.timings.requestTimeoutMs },
      context.secrets,
    );
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const interval = this.timings.resyncMs;
    const retry = new Backoff(this.timings.backoff);
    const throttled = new Backoff(this.timings.throttledBackoff);
    try {
      while (!signal.aborted) {
        let delay: number;
        try {
          const result = await this.poll(signal);
          if (signal.aborted) break;
          this.last = result;
          sink.apply(replaceAll({ nodes: result.nodes, workloads: result.workloads, tasks: result.tasks, services: result.services }));
          sink.setConnection({ status: "ok", reason: null, version: result.version });
          retry.reset();
          throttled.reset();
          delay = Date.now() < this.fastUntil ? Math.min(this.timings.fastPollMs, interval) : interval;
        } catch (err) {
          if (signal.aborted) break;
          const error = toAdapterError(err, "ECS");
          // The last snapshot stays as it was: stale data beats an empty page.
          sink.setConnection({ status: statusForFailure(error), reason: error.message });
          // Throttled: the account's budget is spent, so never sooner than a poll period; either way as late as AWS asks.
          delay = error.code === "throttled" ? Math.max(interval, retryDelay(throttled, error)) : retryDelay(retry, error);
          this.log.debug("poll failed", { code: error.code, retryInMs: Math.round(delay) });
        }
        await this.pause(delay, signal);
      }
    } finally {
      if (signal.aborted) this.api.destroy();
    }
  }

  /** Waits for the next poll, or less when a scale asks for a fresh look. */
  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    const wake = this.wake.signal;
    await sleep(ms, AbortSignal.any([signal, wake]));
    if (wake.aborted) this.wake = new AbortController();
  }

  private poke(): void {
    this.fastUntil = Date.now() + this.timings.fastPollWindowMs;
    this.wake.abort();
  }

  private async clusters(signal: AbortSignal): Promise<RawCluster[]> {
    if (this.connection.cluster) {
      const [cluster] = await this.api.describeClusters([this.connection.cluster], signal);
      if (!cluster || cluster.status === "INACTIVE")
        throw new AdapterError("not-found", `ECS cluster ${this.connection.cluster} is not found or INACTIVE`);
      return [cluster];
    }
    const arns = await this.api.listClusterArns(signal);
    // DescribeClusters with no names describes "default"; an account without clusters has nothing to describe.
    if (arns.length === 0) return [];
    return (await this.api.describeClusters(arns, signal)).filter((c) => c.status !== "INACTIVE");
  }

  private async readCluster(cluster: RawCluster, signal: AbortSignal): Promise<ClusterRead> {
    // Three fixed, independent lists, each paging and batching on its own.
    const [instances, services, tasks] = await Promise.all([
      this.api.containerInstances(cluster.clusterArn, signal),
      this.api.services(cluster.clusterArn, signal),
      this.api.tasks(cluster.clusterArn, signal),
    ]);
    return { cluster, instances, services, tasks };
  }

  private async poll(signal: AbortSignal): Promise<PollResult> {
    const clusters = await this.clusters(signal);
    const reads: ClusterRead[] = new Array(clusters.length);
    // A poll is only shown whole: the first failure fails it.
    await forEachBounded([...clusters.keys()], CLUSTERS_AT_ONCE, async (i) => {
      reads[i] = await this.readCluster(clusters[i], signal);
    });

    await this.readTaskDefinitions(reads.flatMap((r) => r.services.map((sv) => sv.taskDefinition ?? "")).filter(Boolean), signal);

    const result: PollResult = {
      nodes: [],
      workloads: [],
      tasks: [],
      services: [],
      version: "",
      usage: { services: [], otherTasks: [], nodeIds: [] },
      images: new Map(),
      serviceTags: new Map(),
    };
    let fargate = false;
    for (const { cluster, instances, services, tasks } of reads) {
      const name = cluster.clusterName;
      const insights = (cluster.settings ?? []).some(
        (s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"),
      );
      fargate ||= (cluster.capacityProviders ?? []).some((p) => FARGATE.test(p)) || tasks.some((t) => t.launchType === "FARGATE");

      const nodes = instances.map((i) => mapContainerInstance(name, i));
      const images = imagesByService(name, services, tasks);
      const restarts = countRestarts(tasks);
      const servicesByName = new Map(services.map((s) => [s.serviceName, s]));
      const tasksByService = new Map<string, RawTask[]>();
      for (const t of tasks) {
        const service = serviceNameOfTask(t);
        if (!service) continue;
        const own = tasksByService.get(service);
        if (own) own.push(t);
        else tasksByService.set(service, [t]);
      }
      result.nodes.push(...nodes);
      result.usage.nodeIds.push(...nodes.map((n) => n.id));
      for (const s of services) {
        const workload = mapService(
          name,
          s,
          images.get(workloadIdOf(name, s.serviceName)) ?? [],
          tasksByService.get(s.serviceName),
          this.taskDefinitions.get(s.taskDefinition ?? "") ?? null,
        );
        result.workloads.push(this.redactWorkload(workload));
      }
      for (const t of tasks) {
        const standing = stopStanding(servicesByName.get(serviceNameOfTask(t) ?? ""), t);
        result.tasks.push(this.redactTask(mapTask(name, t, restarts.get(t.taskArn) ?? 0, standing)));
      }
      result.services.push(...services.flatMap((s) => mapServiceEndpoints(name, s)));
      for (const [id, list] of images) result.images.set(id, list);
      for (const s of services) result.serviceTags.set(workloadIdOf(name, s.serviceName), s.tags);

      const running = tasks.filter((t) => t.lastStatus === "RUNNING");
      const listed = new Set(services.map((s) => s.serviceName));
      for (const service of services) {
        const own = running.filter((t) => serviceNameOfTask(t) === service.serviceName);
        if (own.length === 0) continue;
        result.usage.services.push({
          clusterName: name,
          serviceName: service.serviceName,
          workloadId: workloadIdOf(name, service.serviceName),
          containerInsights: insights,
          taskRequests: taskRequests(own[0]),
          runningTasks: own.map((t) => runningTask(name, t)),
        });
      }
      for (const t of running) {
        const service = serviceNameOfTask(t);
        if (service === null || !listed.has(service)) result.usage.otherTasks.push(runningTask(name, t));
      }
    }
    result.version = this.versionText(clusters.length, result.nodes.length, fargate);
    return result;
  }

  /**
   * ECS has no server version; the version slot tells what runs the tasks,
   * so a Fargate-only cluster (no nodes, by design) reads as such.
   */
  private versionText(clusters: number, nodes: number, fargate: boolean): string {
    const scope = this.connection.cluster ? "ECS" : `ECS, ${clusters} cluster${clusters === 1 ? "" : "s"}`;
    if (nodes === 0) return `${scope} · Fargate (capacity managed by AWS)`;
    return `${scope} · ${fargate ? "EC2 + Fargate" : "EC2"}`;
  }

  async scale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore> {
    const parts = splitId(workloadId);
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new AdapterError("not-found", `${workloadId} is not an ECS service id`);
    const [clusterName, serviceName] = parts;
    const configured = this.connection.cluster;
    if (configured && clusterNameOf(configured) !== clusterName)
      throw new AdapterError("not-found", `service ${serviceName} is not in ECS cluster ${clusterNameOf(configured)}`);
    const raw = await this.api.updateDesiredCount(configured ?? clusterName, serviceName, replicas, signal);
    this.poke();
    const tags = raw.tags?.length ? raw.tags : this.last?.serviceTags.get(workloadId);
    const definition = this.taskDefinitions.get(raw.taskDefinition ?? "") ?? null;
    return this.redactWorkload(mapService(clusterName, { ...raw, tags }, this.last?.images.get(workloadId) ?? [], [], definition));
  }

  /**
   * Reads one task with DescribeTasks: the task id is its cluster's name and
   * its ID (see taskIdOf). A task ECS no longer lists (about an hour after it
   * stopped) is a not-found, as is one outside the configured cluster.
   */
  async describeTask(taskId: string, signal?: AbortSignal): Promise<TaskDetail> {
    const parts = splitId(taskId);
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new AdapterError("not-found", `${taskId} is not an ECS task id`);
    const [clusterName, id] = parts;
    const configured = this.connection.cluster;
    if (configured && clusterNameOf(configured) !== clusterName)
      throw new AdapterError("not-found", `task ${id} is not in ECS cluster ${clusterNameOf(configured)}`);
    const raw = await this.api.describeTask(configured ?? clusterName, id, signal);
    return mapTaskDetail(raw, new Date().toISOString());
  }

  /**
   * Reads the task definitions not read yet, and forgets those no service
   * runs any more. Refused by IAM, the services show no volumes for a while
   * (said once in the log); other failures fail the poll, as any call's do.
   */
  private async readTaskDefinitions(arns: string[], signal: AbortSignal): Promise<void> {
    const wanted = new Set(arns);
    for (const arn of this.taskDefinitions.keys()) if (!wanted.has(arn)) this.taskDefinitions.delete(arn);
    if (Date.now() < this.taskDefinitionsRefusedUntil) return;
    const missing = [...wanted].filter((arn) => !this.taskDefinitions.has(arn));
    await forEachBounded(missing, TASK_DEFINITIONS_AT_ONCE, async (arn) => {
      try {
        this.taskDefinitions.set(arn, await this.api.taskDefinition(arn, signal));
      } catch (err) {
        const error = toAdapterError(err, "ECS");
        if (error.code === "invalid" || error.code === "not-found") this.taskDefinitions.set(arn, null);
        else if (error.code === "forbidden") {
          if (this.taskDefinitionsRefusedUntil === 0)
            this.log.info("DescribeTaskDefinition refused; services show no volumes", { reason: error.message });
          this.taskDefinitionsRefusedUntil = Date.now() + TASK_DEFINITIONS_REFUSED_RETRY_MS;
        } else throw error;
      }
    });
  }

  /**
   * What ECS wrote (stop reasons, service events, the evidence quoting them)
   * through the connection's secrets, as the server does with every other
   * upstream text: an error that echoes a request or a registry's
   * credentials must not carry them onto a page.
   */
  private redactTask(task: TaskCore): TaskCore {
    return { ...task, stateReason: task.stateReason && this.secrets.redact(task.stateReason), ...this.redactedProblems(task) };
  }

  private redactWorkload(workload: WorkloadCore): WorkloadCore {
    const events = workload.events.map((e) => ({ ...e, message: this.secrets.redact(e.message) }));
    return { ...workload, events, ...this.redactedProblems(workload) };
  }

  private redactedProblems(item: { problems?: Problem[] }): { problems?: Problem[] } {
    return item.problems ? { problems: item.problems.map((p) => ({ ...p, evidence: this.secrets.redact(p.evidence) })) } : {};
  }

  /**
   * Null before the first poll. Without any measurable service (none runs,
   * or Container Insights is off where the tasks reserve nothing to scale
   * AWS/ECS percentages by) the nodes read idle and every task says why it
   * has no figure. A failed CloudWatch read throws.
   */
  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    const last = this.last;
    if (!last) return null;
    const targets = last.usage.services.filter((t) => unmeasurableReason(t) === null);
    if (targets.length === 0) return distribute(last.usage, new Map());
    const now = Date.now();
    const cache = this.usageCache;
    let latest: Map<string, LatestValues>;
    if (cache && now - cache.at < this.timings.usageRefreshMs && targets.every((t) => cache.latest.has(t.workloadId))) {
      latest = cache.latest;
    } else {
      const start = new Date(now - USAGE_WINDOW_PERIODS * USAGE_PERIOD_SECONDS * 1000);
      const results = await this.api.metricData(buildQueries(targets), start, new Date(now), signal);
      latest = latestByWorkload(targets, results);
      this.usageCache = { at: now, latest };
    }
    return distribute(last.usage, serviceUsage(targets, latest));
  }
}

function runningTask(clusterName: string, raw: RawTask): RunningTask {
  const task = mapTask(clusterName, raw);
  return { id: task.id, node: task.node };
}
