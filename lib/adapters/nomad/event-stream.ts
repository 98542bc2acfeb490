import { AdapterError } from "@/lib/adapters/errors";
import type { SnapshotChange, SnapshotSink } from "@/lib/adapters/types";
import type { Logger } from "@/lib/log";
import type { NomadClient, Query } from "./client";
import { jobKey, type ListedIndexes, type NomadMirror } from "./mirror";
import {
  NomadAllocationSchema,
  NomadDeploymentSchema,
  NomadEventBatchSchema,
  NomadJobSchema,
  NomadNodeSchema,
  NomadServiceRegistrationSchema,
  type NomadEvent,
} from "./raw";

/** Thrown when the token may not read the event stream, so that the adapter follows with blocking queries instead. */
export class StreamRefused extends Error {}

/** How long the Refresher gathers the refetches events call for before it reads them. */
const REFETCH_DELAY_MS = 150;

export interface EventStreamFollow {
  client: NomadClient;
  mirror: NomadMirror;
  sink: SnapshotSink;
  log: Logger;
  /** The index each list was read at. */
  listed: ListedIndexes;
  /** Called once, on the stream's first line: Nomad sends a {} heartbeat as soon as the stream is open. */
  onAnswer(): void;
}

/**
 * Follows the cluster through /v1/event/stream until `signal` aborts or the
 * stream ends. Streams from the oldest list's index, so nothing that happened
 * while listing is missed, and skips each event its topic's list already
 * showed. Rejects with StreamRefused when the token may not read the stream.
 */
export async function followEventStream(follow: EventStreamFollow, signal: AbortSignal): Promise<void> {
  const { client, mirror, sink, listed } = follow;
  const refresher = new Refresher(mirror, sink, follow.log, signal);
  const query: Query = {
    topic: ["Node", "Job", "Allocation", "Deployment", "Service"],
    namespace: mirror.followNamespace,
    index: Math.min(...Object.values(listed)) + 1,
  };
  let answered = false;
  try {
    await client.stream("/v1/event/stream", query, signal, (line) => {
      if (!answered) {
        answered = true;
        follow.onAnswer();
      }
      const parsed = NomadEventBatchSchema.safeParse(line);
      if (!parsed.success) throw new AdapterError("upstream", "Nomad event stream: unexpected event shape");
      const changes: SnapshotChange[] = [];
      for (const event of parsed.data.Events ?? []) {
        const index = event.Index ?? parsed.data.Index ?? 0;
        const seen = listed[event.Topic as keyof ListedIndexes];
        if (seen === undefined || index > seen) onEvent(mirror, event, changes, refresher);
        // Jobs are listed before allocations: a change the allocation list showed may have moved a job summary read before it.
        else if (event.Topic === "Allocation" && index > listed.Job) refreshJobOf(mirror, event, refresher);
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

/** Takes one event into the mirror: nodes, allocations and deployments carry themselves, jobs and services are read again. */
function onEvent(mirror: NomadMirror, event: NomadEvent, changes: SnapshotChange[], refresher: Refresher): void {
  const payload = event.Payload ?? {};
  switch (event.Topic) {
    case "Node": {
      if (event.Type === "NodeDeregistration") {
        const id = event.Key ?? "";
        mirror.forgetNode(id);
        changes.push({ type: "delete", resource: "nodes", id });
        return;
      }
      const parsed = NomadNodeSchema.safeParse(payload.Node);
      if (parsed.success) changes.push({ type: "upsert", resource: "nodes", item: mirror.rememberNode(parsed.data) });
      return;
    }
    case "Job": {
      if (!mirror.inScope(event.Namespace)) return;
      const parsed = NomadJobSchema.safeParse(payload.Job);
      const id = parsed.success ? parsed.data.ID : (event.Key ?? "");
      const namespace = parsed.success ? parsed.data.Namespace : event.Namespace;
      // Registered, stopped (Nomad's "deregister" without purge) or purged: read it again; a 404 removes it.
      refresher.job(namespace, id);
      return;
    }
    case "Allocation": {
      if (!mirror.inScope(event.Namespace)) return;
      const parsed = NomadAllocationSchema.safeParse(payload.Allocation);
      if (!parsed.success) return;
      changes.push({ type: "upsert", resource: "tasks", item: mirror.rememberAllocation(parsed.data) });
      refreshJobOf(mirror, event, refresher);
      return;
    }
    case "Deployment": {
      if (!mirror.inScope(event.Namespace)) return;
      const parsed = NomadDeploymentSchema.safeParse(payload.Deployment);
      if (!parsed.success) return;
      // A rollout that started, progressed or failed changes its job's groups.
      for (const item of mirror.rememberDeployment(parsed.data)) changes.push({ type: "upsert", resource: "workloads", item });
      return;
    }
    case "Service": {
      if (!mirror.inScope(event.Namespace)) return;
      const parsed = NomadServiceRegistrationSchema.safeParse(payload.Service);
      if (parsed.success) refresher.service(parsed.data.Namespace || "default", parsed.data.ServiceName);
      return;
    }
  }
}

/** Reads the job of an allocation event again: running and failed counts come from the job summary, which allocations move. */
function refreshJobOf(mirror: NomadMirror, event: NomadEvent, refresher: Refresher): void {
  if (!mirror.inScope(event.Namespace)) return;
  const parsed = NomadAllocationSchema.safeParse(event.Payload?.Allocation);
  if (parsed.success) refresher.job(parsed.data.Namespace, parsed.data.JobID);
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
    private readonly mirror: NomadMirror,
    private readonly sink: SnapshotSink,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
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
    this.timer = setTimeout(() => void this.flush(), REFETCH_DELAY_MS);
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
        const changes = await this.mirror.refreshJob(j.namespace, j.id, this.signal);
        if (changes.length && !this.signal.aborted) this.sink.apply(changes);
      }
      for (const s of services) {
        const changes = await this.mirror.refreshService(s.namespace, s.name, this.signal);
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
