import { describe, expect, it } from "vitest";
import { AGENT_STATISTICS } from "./fixtures";
import { RawMonitorStatisticsSchema, type RawExecutorStatistics } from "./raw";
import { computeUsage, counterOf, cpuMillisBetween, executorKey } from "./usage";

function stats(
  frameworkId: string,
  executorId: string,
  timestamp: number,
  user: number,
  system: number,
  rss: number,
): RawExecutorStatistics {
  return {
    executor_id: executorId,
    framework_id: frameworkId,
    statistics: { timestamp, cpus_user_time_secs: user, cpus_system_time_secs: system, mem_rss_bytes: rss },
  };
}

describe("cpuMillisBetween", () => {
  it("is the delta of cumulative CPU seconds over the delta of the timestamps", () => {
    expect(cpuMillisBetween({ cpuSeconds: 10, timestamp: 100 }, { cpuSeconds: 11.5, timestamp: 103 })).toBe(500);
    expect(cpuMillisBetween({ cpuSeconds: 0, timestamp: 0 }, { cpuSeconds: 30, timestamp: 15 })).toBe(2000);
  });

  it("has no answer for samples at the same time or a counter that went back", () => {
    expect(cpuMillisBetween({ cpuSeconds: 10, timestamp: 100 }, { cpuSeconds: 12, timestamp: 100 })).toBeNull();
    expect(cpuMillisBetween({ cpuSeconds: 10, timestamp: 100 }, { cpuSeconds: 2, timestamp: 110 })).toBeNull();
  });

  it("adds user and system time of a real /monitor/statistics entry", () => {
    const [entry] = RawMonitorStatisticsSchema.parse(AGENT_STATISTICS);
    expect(counterOf(entry)?.cpuSeconds).toBeCloseTo(150.5, 9);
    expect(counterOf(entry)?.timestamp).toBe(1764151000);
  });
});

describe("computeUsage", () => {
  const tasksByExecutor = new Map([
    [executorKey("fw0", "task-a"), ["task-a"]],
    // A custom executor running two tasks.
    [executorKey("fw1", "exec-1"), ["task-b", "task-c"]],
  ]);

  it("knows no CPU use on the first round, then sums executors per node and splits shared executors", () => {
    const first = computeUsage(
      [
        { nodeId: "S0", executors: [stats("fw0", "task-a", 1000, 8, 2, 100 * 1024 * 1024)] },
        { nodeId: "S1", executors: [stats("fw1", "exec-1", 1000, 50, 10, 400 * 1024 * 1024)] },
        { nodeId: "S2", executors: [] },
      ],
      new Map(),
      tasksByExecutor,
    );
    // Without a previous counter nothing is known: absent, never zero. An empty agent truly uses nothing.
    expect([...first.sample.tasks.keys()]).toEqual([]);
    expect([...first.sample.nodes.entries()]).toEqual([["S2", { cpuMillis: 0, memoryBytes: 0 }]]);
    expect(first.counters.get(executorKey("fw0", "task-a"))).toEqual({ cpuSeconds: 10, timestamp: 1000 });

    const second = computeUsage(
      [
        { nodeId: "S0", executors: [stats("fw0", "task-a", 1010, 10, 3, 120 * 1024 * 1024)] },
        { nodeId: "S1", executors: [stats("fw1", "exec-1", 1005, 58, 12, 410 * 1024 * 1024)] },
      ],
      first.counters,
      tasksByExecutor,
    );
    // task-a: 3 cpu-seconds over 10 s = 300 m; exec-1: 10 over 5 s = 2000 m, split over two tasks.
    expect(second.sample.tasks.get("task-a")).toEqual({ cpuMillis: 300, memoryBytes: 120 * 1024 * 1024 });
    expect(second.sample.tasks.get("task-b")).toEqual({ cpuMillis: 1000, memoryBytes: 205 * 1024 * 1024 });
    expect(second.sample.tasks.get("task-c")).toEqual(second.sample.tasks.get("task-b"));
    expect(second.sample.nodes.get("S0")).toEqual({ cpuMillis: 300, memoryBytes: 120 * 1024 * 1024 });
    expect(second.sample.nodes.get("S1")).toEqual({ cpuMillis: 2000, memoryBytes: 410 * 1024 * 1024 });
  });

  it("asks about executors the index does not know yet", () => {
    const previous = new Map([[executorKey("fw0", "new-task"), { cpuSeconds: 1, timestamp: 1000 }]]);
    const round = computeUsage(
      [{ nodeId: "S0", executors: [stats("fw0", "new-task", 1002, 1.5, 0.5, 2048)] }],
      previous,
      tasksByExecutor,
      (frameworkId, executorId) => (frameworkId === "fw0" ? [executorId] : []),
    );
    expect(round.sample.tasks.get("new-task")).toEqual({ cpuMillis: 500, memoryBytes: 2048 });
  });

  it("skips an executor whose counter reset (restarted) until the next round", () => {
    const previous = new Map([[executorKey("fw0", "task-a"), { cpuSeconds: 500, timestamp: 1000 }]]);
    const round = computeUsage([{ nodeId: "S0", executors: [stats("fw0", "task-a", 1010, 1, 0, 1024)] }], previous, tasksByExecutor);
    expect(round.sample.tasks.has("task-a")).toBe(false);
    expect(round.sample.nodes.has("S0")).toBe(false);
    expect(round.counters.get(executorKey("fw0", "task-a"))).toEqual({ cpuSeconds: 1, timestamp: 1010 });
  });
});
