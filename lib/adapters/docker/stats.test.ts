import { describe, expect, it } from "vitest";
import v1 from "./fixtures/stats-cgroup-v1.json";
import v2 from "./fixtures/stats-cgroup-v2.json";
import { DockerContainerStats } from "./raw";
import { containerUsage, cpuMillis, memoryUsedBytes } from "./stats";

// v1 was recorded from Engine 20.10 on cgroup v1 (a busy loop after writing 30 MiB to /tmp);
// v2 is a cgroup v2 answer of the same shape newer engines give (no percpu_usage, no cache).
const statsV1 = DockerContainerStats.parse(v1);
const statsV2 = DockerContainerStats.parse(v2);

describe("container stats arithmetic", () => {
  it("computes CPU millicores from the deltas against precpu_stats (cgroup v1)", () => {
    const c = v1.cpu_stats;
    const p = v1.precpu_stats;
    const expected = ((c.cpu_usage.total_usage - p.cpu_usage.total_usage) / (c.system_cpu_usage - p.system_cpu_usage)) * 2 * 1000;
    expect(cpuMillis(statsV1)).toBeCloseTo(expected, 6);
    // The recorded container was spinning one core flat out.
    expect(cpuMillis(statsV1)).toBeGreaterThan(800);
    expect(cpuMillis(statsV1)).toBeLessThan(1100);
  });

  it("computes CPU millicores on cgroup v2 with online_cpus and no percpu_usage", () => {
    // 0.502 s of CPU over 4.016 s of system time on 4 CPUs = half a core.
    expect(cpuMillis(statsV2)).toBeCloseTo(500, 6);
  });

  it("falls back to the per-CPU list when online_cpus is missing", () => {
    const stats = structuredClone(statsV1);
    delete stats.cpu_stats!.online_cpus;
    expect(cpuMillis(stats)).toBeCloseTo(cpuMillis(statsV1)!, 6);
  });

  it("subtracts the page cache on cgroup v1", () => {
    expect(memoryUsedBytes(statsV1)).toBe(v1.memory_stats.usage - v1.memory_stats.stats.cache);
    expect(memoryUsedBytes(statsV1)).toBe(1_220_608);
  });

  it("subtracts inactive_file on cgroup v2", () => {
    expect(memoryUsedBytes(statsV2)).toBe(157_286_400 - 37_748_736);
  });

  it("never answers negative memory", () => {
    const stats = structuredClone(statsV2);
    stats.memory_stats!.stats!.inactive_file = stats.memory_stats!.usage! + 1;
    expect(memoryUsedBytes(stats)).toBe(0);
  });

  it("has no CPU figure without a previous sample (a streamed first frame)", () => {
    const stats = structuredClone(statsV2);
    stats.precpu_stats = { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 };
    expect(cpuMillis(stats)).toBeNull();
    expect(containerUsage(stats)).toEqual({ cpuMillis: 0, memoryBytes: 157_286_400 - 37_748_736 });
  });

  it("answers null for a stopped container's empty answer", () => {
    expect(
      containerUsage(DockerContainerStats.parse({ read: "0001-01-01T00:00:00Z", cpu_stats: {}, precpu_stats: {}, memory_stats: {} })),
    ).toBeNull();
  });
});
