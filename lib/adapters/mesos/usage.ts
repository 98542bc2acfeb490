import { emptyUsageSample, type UsageSample } from "@/lib/adapters/types";
import type { RawExecutorStatistics } from "./raw";

/**
 * Live use from the agents' /monitor/statistics. Mesos reports cumulative CPU
 * seconds per executor, so CPU use is the delta of those seconds over the
 * delta of the agent's own timestamps between two samples; memory is RSS.
 */

export interface CpuCounter {
  cpuSeconds: number;
  /** The agent's sample time, seconds since the epoch. */
  timestamp: number;
}

/** Millicores used between two samples, or null when they cannot be compared (same time, counter reset). */
export function cpuMillisBetween(previous: CpuCounter, current: CpuCounter): number | null {
  const seconds = current.timestamp - previous.timestamp;
  if (!(seconds > 0)) return null;
  const cpuSeconds = current.cpuSeconds - previous.cpuSeconds;
  // A smaller counter means a new executor under the same id: no delta to take.
  if (cpuSeconds < 0) return null;
  return (cpuSeconds / seconds) * 1000;
}

export function counterOf(stats: RawExecutorStatistics): CpuCounter | null {
  const { cpus_user_time_secs: user, cpus_system_time_secs: system, timestamp } = stats.statistics;
  if (user === undefined && system === undefined) return null;
  return { cpuSeconds: (user ?? 0) + (system ?? 0), timestamp };
}

export function executorKey(frameworkId: string, executorId: string): string {
  return `${frameworkId}\u0000${executorId}`;
}

export interface AgentStatistics {
  /** Model id of the agent's node. */
  nodeId: string;
  executors: RawExecutorStatistics[];
}

/**
 * Turns one round of agent statistics into a usage sample, given the counters
 * of the previous round. `tasksByExecutor` maps an executor key to the model
 * ids of the tasks it runs; an executor running several tasks has its use
 * split evenly between them (Mesos measures executors, not tasks).
 * Answers the sample and the counters to keep for the next round.
 */
export function computeUsage(
  agents: AgentStatistics[],
  previous: ReadonlyMap<string, CpuCounter>,
  tasksByExecutor: ReadonlyMap<string, string[]>,
  /** The tasks of an executor the index does not know yet. */
  unindexed: (frameworkId: string, executorId: string) => string[] = () => [],
): { sample: UsageSample; counters: Map<string, CpuCounter> } {
  const counters = new Map<string, CpuCounter>();
  const sample = emptyUsageSample();
  const { nodes, tasks } = sample;
  for (const agent of agents) {
    let nodeCpu = 0;
    let nodeMem = 0;
    let measured = false;
    for (const executor of agent.executors) {
      const key = executorKey(executor.framework_id, executor.executor_id);
      const counter = counterOf(executor);
      if (counter) counters.set(key, counter);
      const before = previous.get(key);
      const cpuMillis = counter && before ? cpuMillisBetween(before, counter) : null;
      const memoryBytes = executor.statistics.mem_rss_bytes;
      if (cpuMillis === null || memoryBytes === undefined) continue;
      measured = true;
      nodeCpu += cpuMillis;
      nodeMem += memoryBytes;
      const taskIds = tasksByExecutor.get(key) ?? unindexed(executor.framework_id, executor.executor_id);
      for (const taskId of taskIds) {
        tasks.set(taskId, { cpuMillis: cpuMillis / taskIds.length, memoryBytes: memoryBytes / taskIds.length });
      }
    }
    // An agent with nothing measured yet has no known use, which is not the same as zero.
    if (measured || agent.executors.length === 0) nodes.set(agent.nodeId, { cpuMillis: nodeCpu, memoryBytes: nodeMem });
  }
  return { sample, counters };
}
