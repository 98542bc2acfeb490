import { describe, expect, it } from "vitest";
import { DEMO_CONTENT, populate } from "./content";
import { SimController } from "./controller";
import { usageAtFor } from "./usage";
import { FAST_TIMINGS, SimWorld } from "./world";

const HOUR = 3_600_000;

describe("Mesos demo consumption stories", () => {
  const world = new SimWorld(DEMO_CONTENT.cluster, FAST_TIMINGS);
  populate(world, new SimController(world), DEMO_CONTENT);
  const start = Date.UTC(2026, 10, 4, 0, 0); // a Wednesday

  it("idles grafana at a few percent of what it reserves, all day, while the day moves the rest", () => {
    const [grafana] = world.tasksOf("/monitoring/grafana");
    for (let t = start; t < start + 24 * HOUR; t += HOUR / 2) {
      expect(world.cpuRate(grafana!, t) / grafana!.cpus).toBeLessThan(0.12);
      expect(world.memRssBytes(grafana!, t) / (grafana!.memMb * 1024 * 1024)).toBeLessThan(0.1);
    }
    const usageAt = usageAtFor(world);
    const total = (t: number) => [...usageAt(t).nodes.values()].reduce((n, u) => n + u.cpuMillis, 0);
    const mean = (hour: number) =>
      Array.from({ length: 30 }, (_, i) => total(start + hour * HOUR + i * 120_000)).reduce((a, b) => a + b) / 30;
    expect(mean(13)).toBeGreaterThan(mean(3) * 1.5);
  });

  it("fills the small agent c1 past 90% with search's indexer", () => {
    const c1 = [...world.agents.values()].find((a) => a.hostname.startsWith("mesos-agent-c1"))!;
    const tasks = world.tasksOn(c1.id).filter((t) => t.state === "TASK_RUNNING");
    expect(tasks.some((t) => t.appId === "/search/indexer")).toBe(true);
    expect(tasks.reduce((n, t) => n + t.cpus, 0) / c1.cpus).toBeGreaterThan(0.9);
    expect(tasks.reduce((n, t) => n + t.memMb, 0) / c1.memMb).toBeGreaterThan(0.9);
  });

  it("labels apps with the demo fleet's teams, leaving node-exporter without", () => {
    const teams = [...world.apps.values()].map((a) => a.labels.team ?? null);
    expect(teams.filter((t) => t === null)).toHaveLength(1);
    expect(teams.every((t) => t === null || ["payments", "search", "platform", "data"].includes(t))).toBe(true);
  });
});
