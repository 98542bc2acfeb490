import { Backoff } from "@/lib/model/backoff";
import { sleep } from "@/lib/adapters/sleep";
import { AdapterError } from "@/lib/adapters/errors";
import type { AdapterContext } from "@/lib/adapters/module";
import type { ClusterAdapter, ConnectionState, Scalable, SnapshotSink, UsageSample, UsageSource } from "@/lib/adapters/types";
import { splitId } from "@/lib/model/ids";
import type { NodeCore, Service, TaskCore, WorkloadCore } from "@/lib/model/types";
import { EcsApi, type EcsClientOptions } from "./client";
import { clusterNameOf, type EcsConnection } from "./connection";
import { toAdapterError } from "./errors";
import { countRestarts, imagesByService, mapContainerInstance, mapService, mapServiceEndpoints, mapTask, serviceNameOfTask, taskRequests, workloadIdOf } from "./mappers";
import type { RawCluster, RawService } from "./raw";
import { type LatestValues, type ServiceUsageTarget, USAGE_PERIOD_SECONDS, buildQueries, distribute, latestByWorkload, serviceUsage } from "./usage";

export interface EcsAdapterTuning {
  /** Poll period (ECS has no watch API). */
  pollIntervalMs: number;
  /** Poll period for a short while after a scale, so new tasks show up as they start. */
  fastPollMs: number;
  fastPollWindowMs: number;
  /** CloudWatch publishes one datapoint a minute; asking more often only costs money. */
  usageRefreshMs: number;
  /** First delay after a failed poll (doubling, with jitter). */
  retryBaseMs: number;
  client: EcsClientOptions;
}

/** What one poll learned: the neutral lists plus the slim facts scale and usage need. */
interface PollResult {
  nodes: NodeCore[];
  workloads: WorkloadCore[];
  tasks: TaskCore[];
  services: Service[];
  version: string;
  usageTargets: ServiceUsageTarget[];
  nodeIds: string[];
  images: Map<string, string[]>;
  /** Tags by workload id: UpdateService answers a service without them. */
  serviceTags: Map<string, RawService["tags"]>;
}

/** Fargate's capacity providers; a cluster with only these has no container instances. */
const FARGATE = /^FARGATE/;

function statusFor(err: AdapterError): ConnectionState["status"] {
  return err.code === "unreachable" || err.code === "timeout" || err.code === "unauthorized" || err.code === "not-found" ? "unreachable" : "degraded";
}

/**
 * An ECS account-region, or one cluster of it, as a Fleetdeck cluster. ECS
 * has no watch API, so it polls (bounded, shared by every viewer through the
 * server's one owner per cluster), backing off on throttling and failures.
 */
export class EcsAdapter implements ClusterAdapter, Scalable, UsageSource {
  readonly orchestrator = "ecs" as const;
  private readonly api: EcsApi;
  private readonly tuning: EcsAdapterTuning;
  private last: PollResult | null = null;
  private wake = new AbortController();
  private fastUntil = 0;
  private usageCache: { at: number; latest: Map<string, LatestValues> } | null = null;

  constructor(
    private readonly connection: EcsConnection,
    private readonly context: AdapterContext,
    tuning: Partial<EcsAdapterTuning> = {},
  ) {
    const pollIntervalMs = tuning.pollIntervalMs ?? connection.pollIntervalSeconds * 1000;
    this.tuning = {
      pollIntervalMs,
      fastPollMs: tuning.fastPollMs ?? Math.min(3_000, pollIntervalMs),
      fastPollWindowMs: tuning.fastPollWindowMs ?? 30_000,
      usageRefreshMs: tuning.usageRefreshMs ?? USAGE_PERIOD_SECONDS * 1000,
      retryBaseMs: tuning.retryBaseMs ?? Math.min(1_000, pollIntervalMs),
      client: tuning.client ?? {},
    };
    this.api = new EcsApi(connection, this.tuning.client, context.secrets);
  }

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const interval = this.tuning.pollIntervalMs;
    const retry = new Backoff({ baseMs: this.tuning.retryBaseMs, maxMs: Math.max(60_000, interval * 4) });
    // Throttling means the account's API budget is spent: wait at least a poll period, doubling.
    const throttled = new Backoff({ baseMs: interval * 2, maxMs: interval * 16 });
    try {
      while (!signal.aborted) {
        let delay: number;
        try {
          const result = await this.poll(signal);
          if (signal.aborted) break;
          this.last = result;
          sink.apply([
            { type: "replace", resource: "nodes", items: result.nodes },
            { type: "replace", resource: "workloads", items: result.workloads },
            { type: "replace", resource: "tasks", items: result.tasks },
            { type: "replace", resource: "services", items: result.services },
          ]);
          sink.setConnection({ status: "ok", reason: null, version: result.version });
          retry.reset();
          throttled.reset();
          delay = Date.now() < this.fastUntil ? this.tuning.fastPollMs : interval;
        } catch (err) {
          if (signal.aborted) break;
          const error = toAdapterError(err, "ECS");
          // The last snapshot stays as it was: stale data beats an empty page.
          sink.setConnection({ status: statusFor(error), reason: error.message });
          delay = error.code === "throttled" ? Math.max(interval, throttled.next()) : retry.next();
          this.context.log.debug("poll failed", { code: error.code, retryInMs: Math.round(delay) });
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
    this.fastUntil = Date.now() + this.tuning.fastPollWindowMs;
    this.wake.abort();
  }

  private async clusters(signal: AbortSignal): Promise<RawCluster[]> {
    if (this.connection.cluster) {
      const [cluster] = await this.api.describeClusters([this.connection.cluster], signal);
      if (!cluster || cluster.status === "INACTIVE") throw new AdapterError("not-found", `ECS cluster ${this.connection.cluster} is not found or INACTIVE`);
      return [cluster];
    }
    const arns = await this.api.listClusterArns(signal);
    // DescribeClusters with no names describes "default"; an account without clusters has nothing to describe.
    if (arns.length === 0) return [];
    return (await this.api.describeClusters(arns, signal)).filter((c) => c.status !== "INACTIVE");
  }

  private async poll(signal: AbortSignal): Promise<PollResult> {
    const result: PollResult = { nodes: [], workloads: [], tasks: [], services: [], version: "", usageTargets: [], nodeIds: [], images: new Map(), serviceTags: new Map() };
    const clusters = await this.clusters(signal);
    let fargate = false;
    for (const cluster of clusters) {
      const name = cluster.clusterName;
      // One cluster at a time: a bounded, predictable number of calls per poll.
      const instances = await this.api.containerInstances(cluster.clusterArn, signal);
      const services = await this.api.services(cluster.clusterArn, signal);
      const tasks = await this.api.tasks(cluster.clusterArn, signal);
      const insights = (cluster.settings ?? []).some((s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"));
      fargate ||= (cluster.capacityProviders ?? []).some((p) => FARGATE.test(p)) || tasks.some((t) => t.launchType === "FARGATE");

      const nodes = instances.map((i) => mapContainerInstance(name, i));
      const images = imagesByService(name, services, tasks);
      const restarts = countRestarts(tasks);
      result.nodes.push(...nodes);
      result.nodeIds.push(...nodes.map((n) => n.id));
      result.workloads.push(...services.map((s) => mapService(name, s, images.get(workloadIdOf(name, s.serviceName)) ?? [])));
      result.tasks.push(...tasks.map((t) => mapTask(name, t, restarts.get(t.taskArn) ?? 0)));
      result.services.push(...services.flatMap((s) => mapServiceEndpoints(name, s)));
      for (const [id, list] of images) result.images.set(id, list);
      for (const s of services) result.serviceTags.set(workloadIdOf(name, s.serviceName), s.tags);

      for (const service of services) {
        const running = tasks.filter((t) => serviceNameOfTask(t) === service.serviceName && t.lastStatus === "RUNNING");
        if (running.length === 0) continue;
        const mapped = running.map((t) => mapTask(name, t));
        result.usageTargets.push({
          clusterName: name,
          serviceName: service.serviceName,
          workloadId: workloadIdOf(name, service.serviceName),
          containerInsights: insights,
          taskRequests: taskRequests(running[0]),
          runningTasks: mapped.map((t) => ({ id: t.id, node: t.node })),
        });
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
    if (!Number.isInteger(replicas) || replicas < 0) throw new AdapterError("invalid", `replicas must be a whole number ≥ 0, not ${replicas}`);
    const parts = splitId(workloadId);
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new AdapterError("not-found", `${workloadId} is not an ECS service id`);
    const [clusterName, serviceName] = parts;
    const configured = this.connection.cluster;
    if (configured && clusterNameOf(configured) !== clusterName) throw new AdapterError("not-found", `service ${serviceName} is not in ECS cluster ${clusterNameOf(configured)}`);
    const raw = await this.api.updateDesiredCount(configured ?? clusterName, serviceName, replicas, signal);
    this.poke();
    const tags = raw.tags?.length ? raw.tags : this.last?.serviceTags.get(workloadId);
    return mapService(clusterName, { ...raw, tags }, this.last?.images.get(workloadId) ?? []);
  }

  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    const last = this.last;
    if (!last || last.usageTargets.length === 0) return null;
    const targets = last.usageTargets;
    const now = Date.now();
    const cache = this.usageCache;
    let latest: Map<string, LatestValues>;
    if (cache && now - cache.at < this.tuning.usageRefreshMs && targets.every((t) => cache.latest.has(t.workloadId))) {
      latest = cache.latest;
    } else {
      // Five periods back: CloudWatch publishes a minute late and sometimes skips one.
      const start = new Date(now - 5 * USAGE_PERIOD_SECONDS * 1000);
      const results = await this.api.metricData(buildQueries(targets), start, new Date(now), signal);
      latest = latestByWorkload(targets, results);
      this.usageCache = { at: now, latest };
    }
    const usage = serviceUsage(targets, latest);
    if (usage.size === 0) return null;
    return distribute(targets, usage, last.nodeIds);
  }
}
