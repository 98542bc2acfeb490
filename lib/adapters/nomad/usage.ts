import { mapBounded } from "@/lib/adapters/concurrency";
import { AdapterError, asAdapterError } from "@/lib/adapters/errors";
import { emptyUsageSample, type UsageSample } from "@/lib/adapters/types";
import type { NomadClient } from "./client";
import type { NomadMirror } from "./mirror";
import { NomadAllocStatsSchema, NomadHostStatsSchema } from "./raw";
import { mhzToMillis } from "./units";

const USAGE_CONCURRENCY = 8;

type Read = { kind: "node"; id: string; path: string } | { kind: "task"; id: string; node: string | null; path: string };

/**
 * Live use of every ready client (/v1/client/stats) and running allocation
 * (/v1/client/allocation/:id/stats), in model units. Reads that fail name
 * their node or task in `unavailable`; when every read fails, this throws.
 */
export async function sampleNomadUsage(client: NomadClient, mirror: NomadMirror, signal?: AbortSignal): Promise<UsageSample> {
  const reads: Read[] = [
    ...mirror
      .allNodes()
      .filter((n) => n.status === "ready")
      .map((n) => ({ kind: "node" as const, id: n.id, path: "/v1/client/stats" })),
    ...mirror
      .allocationTasks()
      .filter((t) => t.state === "running")
      .map((t) => ({ kind: "task" as const, id: t.id, node: t.node, path: `/v1/client/allocation/${encodeURIComponent(t.id)}/stats` })),
  ];
  const sample = emptyUsageSample();
  const settled = await mapBounded(reads, USAGE_CONCURRENCY, async (read) => {
    if (read.kind === "node") {
      const stats = (await client.get(read.path, { node_id: read.id }, NomadHostStatsSchema, { signal })).data;
      sample.nodes.set(read.id, {
        cpuMillis: mhzToMillis(stats.CPUTicksConsumed, mirror.perCoreOf(read.id)),
        memoryBytes: stats.Memory.Used,
      });
    } else {
      const usage = (await client.get(read.path, {}, NomadAllocStatsSchema, { signal })).data.ResourceUsage;
      // cgroup v2 reports no RSS; Usage is then the figure Nomad's UI shows.
      const memory = usage.MemoryStats.RSS || usage.MemoryStats.Usage || 0;
      sample.tasks.set(read.id, { cpuMillis: mhzToMillis(usage.CpuStats.TotalTicks, mirror.perCoreOf(read.node)), memoryBytes: memory });
    }
  });
  // Cut off (the sampling step's deadline): a part of the reads is no sample.
  if (signal?.aborted) throw asAdapterError(signal.reason, "Nomad usage");
  const failures = settled.flatMap((s) =>
    s.error === undefined ? [] : [{ read: s.item, error: asAdapterError(s.error, `Nomad GET ${s.item.path}`) }],
  );
  if (failures.length && failures.length === reads.length) {
    const first = failures[0]!.error;
    throw new AdapterError(first.code, `no Nomad usage could be read (all ${reads.length} reads failed): ${first.message}`, {
      cause: first,
    });
  }
  for (const { read, error } of failures) {
    const into = read.kind === "node" ? sample.unavailable.nodes : sample.unavailable.tasks;
    into.set(read.id, shortReason(read, error));
  }
  return sample;
}

/** "cannot read client stats: Permission denied": the client puts the request in front of every message, which the id already says. */
function shortReason(read: Read, error: AdapterError): string {
  const prefix = `Nomad GET ${read.path}: `;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return `cannot read ${read.kind === "node" ? "client" : "allocation"} stats: ${detail}`;
}
