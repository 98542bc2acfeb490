import type { Resources } from "@/lib/model/types";
import type { RawContainerStats } from "./raw";

/**
 * Live use of one container from a non-streamed stats answer (`stream=false`,
 * which waits for a second sample so `precpu_stats` is filled).
 * Answers null when the answer carries no sample (container stopped meanwhile).
 */
export function containerUsage(stats: RawContainerStats): Resources | null {
  const memory = memoryUsedBytes(stats);
  const cpu = cpuMillis(stats);
  if (memory === null && cpu === null) return null;
  return { cpuMillis: cpu ?? 0, memoryBytes: memory ?? 0 };
}

/** (cpu delta / system delta) × online CPUs × 1000, as millicores. */
export function cpuMillis(stats: RawContainerStats): number | null {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  const total = now?.cpu_usage?.total_usage;
  const system = now?.system_cpu_usage;
  const totalBefore = before?.cpu_usage?.total_usage;
  const systemBefore = before?.system_cpu_usage;
  if (total === undefined || system === undefined || totalBefore === undefined || !systemBefore) return null;
  const cpuDelta = total - totalBefore;
  const systemDelta = system - systemBefore;
  // A zero system delta means both samples are the same instant: no rate to compute.
  if (systemDelta <= 0) return null;
  const onlineCpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return Math.max(0, (cpuDelta / systemDelta) * onlineCpus * 1000);
}

/**
 * Memory in use without the reclaimable page cache: usage − inactive_file on
 * cgroup v2, usage − cache on cgroup v1 (v1 answers carry `cache`/`total_cache`,
 * v2 answers do not).
 */
export function memoryUsedBytes(stats: RawContainerStats): number | null {
  const usage = stats.memory_stats?.usage;
  if (usage === undefined) return null;
  const s = stats.memory_stats?.stats ?? {};
  const isCgroupV1 = "cache" in s || "total_cache" in s;
  const reclaimable = isCgroupV1 ? (s.cache ?? s.total_cache ?? 0) : (s.inactive_file ?? 0);
  return Math.max(0, usage - reclaimable);
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}
