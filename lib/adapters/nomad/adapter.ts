import { replaceAll } from "@/lib/adapters/changes";
import { AdapterError, asAdapterError, retryDelay } from "@/lib/adapters/errors";
import { ConnectionHealth } from "@/lib/adapters/health";
import type { AdapterContext } from "@/lib/adapters/module";
import { sleep } from "@/lib/adapters/sleep";
import { withTimeout, withTimings } from "@/lib/adapters/timings";
import type { ClusterAdapter, Requester, Scalable, SnapshotSink, TaskDescriber, UsageSample, UsageSource } from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import { Backoff } from "@/lib/model/backoff";
import type { TaskDetail, WorkloadCore } from "@/lib/model/types";
import { followBlockingQueries } from "./blocking-queries";
import { NomadClient } from "./client";
import { resolveConnection, type NomadConnection, type ResolvedNomadConnection } from "./connection";
import { followEventStream, StreamRefused } from "./event-stream";
import { isQueuedTaskId } from "./mappers";
import { NomadMirror } from "./mirror";
import { NomadAgentSelfSchema, NomadAllocationDetailSchema, NomadScaleResponseSchema } from "./raw";
import { mapAllocationDetail } from "./task-detail";
import { DEFAULT_NOMAD_TIMINGS, type NomadTimings } from "./timings";
import { sampleNomadUsage } from "./usage";

/** A follow that ends sooner than this did not follow: relisting at once would spin. */
const MIN_FOLLOW_MS = 1000;
/** A follow that ran longer than this and broke (leader change, restart) relists at once; that list says whether the cluster is down. */
const LONG_FOLLOW_MS = 5000;

export class NomadAdapter implements ClusterAdapter, Scalable, UsageSource, TaskDescriber {
  readonly orchestrator = "nomad" as const;
  private readonly conn: ResolvedNomadConnection;
  private readonly timings: NomadTimings;
  private readonly log: Logger;
  private readonly client: NomadClient;
  private readonly mirror: NomadMirror;
  private version: string | null = null;

  constructor(connection: NomadConnection, context: AdapterContext, timings: Partial<NomadTimings> = {}) {
    this.conn = resolveConnection(connection, context.env);
    // The ACL token (from the entry, its tokenEnv or NOMAD_TOKEN) goes out as X-Nomad-Token on every request.
    context.secrets.add(this.conn.token);
    this.timings = withTimings(DEFAULT_NOMAD_TIMINGS, timings);
    this.log = context.log.child("nomad");
    this.client = new NomadClient(this.conn, this.timings);
    this.mirror = new NomadMirror(this.client, this.conn.namespaces, this.log);
  }

  // ---------------------------------------------------------------- run

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.timings.backoff);
    // Two sources whose outcomes change together (a failed list also stops following; a follow that
    // answers means the lists worked): each change is recorded as one, so no passing state shows between.
    const health = new ConnectionHealth(["lists", "following"], (state) => sink.setConnection(state));
    const listsWork = () => ({ version: this.version, warning: this.mirror.servicesProblem });
    let useStream = this.conn.eventStream;
    try {
      while (!signal.aborted) {
        let followingSince: number | null = null;
        try {
          await this.readVersion(signal);
          const listed = await this.mirror.listAll(signal);
          const { mirror } = this;
          sink.apply(
            replaceAll({
              nodes: mirror.allNodes(),
              workloads: mirror.allWorkloads(),
              tasks: mirror.allTasks(),
              services: mirror.allServices(),
            }),
          );
          backoff.reset();
          followingSince = Date.now();
          // The cluster is ok once following answers too; a follow that fails says so below.
          const onAnswer = () =>
            health.record((h) => {
              h.ok("lists", listsWork());
              h.ok("following");
            });
          // Follow until the periodic resync, then list again.
          const resync = withTimeout(this.timings.resyncMs, signal);
          if (useStream) {
            try {
              await followEventStream({ client: this.client, mirror, sink, log: this.log, listed, onAnswer }, resync);
            } catch (err) {
              if (!(err instanceof StreamRefused)) throw err;
              useStream = false;
              this.log.warn("the token may not read the Nomad event stream; following with blocking queries", { reason: err.message });
              continue;
            }
          } else {
            const onServicesListed = () => health.record((h) => h.ok("lists", listsWork()));
            await followBlockingQueries({ client: this.client, mirror, sink, listed, onAnswer, onServicesListed }, resync);
          }
          if (!signal.aborted && !resync.aborted && Date.now() - followingSince < MIN_FOLLOW_MS) {
            throw new AdapterError("upstream", "Nomad ended the event stream as soon as it opened");
          }
        } catch (err) {
          if (signal.aborted) break;
          const e = asAdapterError(err, "Nomad");
          if (followingSince !== null && Date.now() - followingSince > LONG_FOLLOW_MS) {
            this.log.info("lost the Nomad event stream; relisting", { reason: e.message });
            continue;
          }
          if (followingSince !== null) {
            this.log.warn("cannot follow the Nomad cluster", { reason: e.message });
            const following = new AdapterError(e.code, `lists work but following changes fails: ${e.message}`, { cause: e });
            health.record((h) => {
              h.ok("lists", listsWork());
              h.failed("following", following);
            });
          } else {
            this.log.warn("cannot list the Nomad cluster", { reason: e.message });
            // Without the lists there is nothing to follow.
            health.record((h) => {
              h.failed("lists", e);
              h.failed("following", e);
            });
          }
          await sleep(retryDelay(backoff, e), signal);
        }
      }
    } finally {
      await this.client.close();
    }
  }

  private async readVersion(signal: AbortSignal): Promise<void> {
    try {
      const self = (await this.client.get("/v1/agent/self", {}, NomadAgentSelfSchema, { signal })).data;
      const v = self.config?.Version;
      const version = v?.Version
        ? `${v.Version}${v.VersionPrerelease ? `-${v.VersionPrerelease}` : ""}`
        : (self.member?.Tags?.build ?? null);
      this.version = version ?? null;
    } catch (err) {
      // agent:read is optional; without it the version stays unknown.
      if (!(err instanceof AdapterError) || (err.code !== "forbidden" && err.code !== "not-found")) throw err;
    }
  }

  // ---------------------------------------------------------------- scale

  /**
   * Sets a task group's count with POST /v1/job/:id/scale; Nomad's scaling
   * event (its message and meta) names the requester.
   */
  async scale(workloadId: string, replicas: number, signal?: AbortSignal, requester?: Requester): Promise<WorkloadCore> {
    const target = this.mirror.taskGroupOf(workloadId);
    if (!target) throw new AdapterError("not-found", `"${workloadId}" is not a Nomad task group (namespace~job~group)`);
    const { namespace, jobId, group } = target;
    const workload = this.mirror.workload(namespace, jobId, workloadId);
    if (workload && !workload.scalable)
      throw new AdapterError("invalid", workload.notScalableReason ?? "This task group cannot be scaled.");

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
    const workloads = await this.mirror.rereadJob(namespace, jobId, signal);
    if (!workloads) throw new AdapterError("not-found", `Nomad job "${jobId}" is gone`);
    const updated = workloads.find((w) => w.id === workloadId);
    if (!updated) throw new AdapterError("not-found", `task group "${group}" is no longer in job "${jobId}"`);
    return updated;
  }

  // ---------------------------------------------------------------- describe

  /**
   * Reads an allocation in full with GET /v1/allocation/:id (Nomad finds it
   * in any namespace; one this cluster does not follow is not found here).
   * Nomad's 404 "alloc not found" is a not-found, as every read's.
   */
  async describeTask(taskId: string, signal?: AbortSignal): Promise<TaskDetail> {
    // The stand-ins for queued work name no allocation: Nomad has not placed one.
    if (isQueuedTaskId(taskId)) throw new AdapterError("not-found", `"${taskId}" is queued: Nomad has created no allocation for it yet`);
    const { data: alloc } = await this.client.get(`/v1/allocation/${encodeURIComponent(taskId)}`, {}, NomadAllocationDetailSchema, {
      signal,
    });
    if (!this.mirror.inScope(alloc.Namespace))
      throw new AdapterError("not-found", `allocation ${taskId} is not in a namespace this cluster follows`);
    return mapAllocationDetail(alloc, new Date().toISOString());
  }

  // ---------------------------------------------------------------- usage

  /** Never null: every Nomad client reports stats. */
  sampleUsage(signal?: AbortSignal): Promise<UsageSample> {
    return sampleNomadUsage(this.client, this.mirror, signal);
  }
}
