import { z } from "zod";
import { replaceAll } from "@/lib/adapters/changes";
import { AdapterError } from "@/lib/adapters/errors";
import type { SnapshotChange, SnapshotSink } from "@/lib/adapters/types";
import type { NomadClient, Query } from "./client";
import type { ListedIndexes, NomadMirror } from "./mirror";

export interface BlockingFollow {
  client: NomadClient;
  mirror: NomadMirror;
  sink: SnapshotSink;
  /** The index each list was read at. */
  listed: ListedIndexes;
  /** Called when a query first answers: Nomad is answering. */
  onAnswer(): void;
  /** Called after services were listed again: whether they can be read may have changed. */
  onServicesListed(): void;
}

/**
 * Follows the cluster with one blocking query per list until `signal` aborts
 * or a query fails. When a list's index moves, that list is read again in
 * full and replaced.
 */
export async function followBlockingQueries(follow: BlockingFollow, signal: AbortSignal): Promise<void> {
  const { client, mirror, sink, listed } = follow;
  const inner = new AbortController();
  const stop = AbortSignal.any([signal, inner.signal]);
  const watch = async (path: string, query: Query, listedAt: number, onChange: () => Promise<void>) => {
    // A first answer at once (blocking from the list's index could take the whole wait to say Nomad answers)...
    let index = (await client.get(path, { ...query, per_page: 1 }, z.unknown(), { signal: stop })).index;
    follow.onAnswer();
    // ...and what changed since the list is read now, not at the next change.
    if (index !== listedAt) await onChange();
    while (!stop.aborted) {
      const answer = await client.get(path, { ...query, per_page: 1 }, z.unknown(), { signal: stop, index: Math.max(1, index) });
      // An index that goes backwards means the cluster was reset: start over from it.
      if (answer.index !== index) {
        index = answer.index;
        await onChange();
      }
    }
  };
  const namespace = mirror.followNamespace;
  const emit = (changes: SnapshotChange[]) => {
    if (!stop.aborted) sink.apply(changes);
  };
  const jobsChanged = async () => {
    await mirror.listJobs(stop);
    emit(replaceAll({ workloads: mirror.allWorkloads(), tasks: mirror.allTasks(), services: mirror.allServices() }));
  };
  const stopped = new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
  const loops = [
    watch("/v1/nodes", {}, listed.Node, async () => {
      await mirror.listNodes(stop);
      emit(replaceAll({ nodes: mirror.allNodes() }));
    }),
    watch("/v1/jobs", { namespace }, listed.Job, jobsChanged),
    watch("/v1/allocations", { namespace }, listed.Allocation, async () => {
      await mirror.listAllocations(stop);
      // Allocations move the job summaries (running, failed, queued).
      await jobsChanged();
    }),
    watch("/v1/deployments", { namespace }, listed.Deployment, async () => {
      await mirror.listDeployments(stop);
      emit(replaceAll({ workloads: mirror.allWorkloads() }));
    }),
    watch("/v1/services", { namespace }, listed.Service, async () => {
      await mirror.listServices(stop);
      emit(replaceAll({ services: mirror.allServices() }));
      follow.onServicesListed();
    }).catch((err) => {
      // Without services:read the other lists still follow.
      if (err instanceof AdapterError && (err.code === "forbidden" || err.code === "unauthorized")) return stopped;
      throw err;
    }),
  ];
  try {
    await Promise.race([...loops.map((p) => p.then(() => undefined)), stopped]);
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    inner.abort();
    await Promise.allSettled(loops);
  }
}
