import { describe, expect, it } from "vitest";
import { DEMO_EC2_CLUSTER, DEMO_FARGATE_CLUSTER, seedDemoWorld } from "./demo";
import { cpuFraction, memoryFraction } from "./metrics";
import { EcsScheduler } from "./scheduler";
import { DEFAULT_TIMINGS, EcsWorld, reservedBy } from "./state";

const HOUR = 3_600_000;

function demo(start: number) {
  let now = start;
  const world = new EcsWorld("eu-west-1", "123456789012", DEFAULT_TIMINGS, () => now);
  seedDemoWorld(world);
  const scheduler = new EcsScheduler(world);
  const advance = (to: number, stepMs = 1000) => {
    for (; now < to; now = Math.min(to, now + stepMs)) scheduler.tick();
    scheduler.tick();
  };
  return { world, advance };
}

describe("ECS demo consumption stories", () => {
  const start = Date.UTC(2026, 10, 4, 0, 0); // a Wednesday

  it("follows the day: business hours busier than the night", () => {
    const { world } = demo(start);
    const api = world.clusters.get(DEMO_EC2_CLUSTER)!.services.get("api")!;
    const mean = (fromHour: number) =>
      Array.from({ length: 60 }, (_, i) => cpuFraction(api, start + fromHour * HOUR + i * 60_000)).reduce((a, b) => a + b) / 60;
    expect(mean(13)).toBeGreaterThan(mean(3) * 1.8);
  });

  it("idles payments, starves worker until an OOM kill, fills the t3.small past 90%", () => {
    const { world, advance } = demo(start);
    advance(start + 10_000);
    const ec2 = world.clusters.get(DEMO_EC2_CLUSTER)!;
    const fargate = world.clusters.get(DEMO_FARGATE_CLUSTER)!;

    const payments = fargate.services.get("payments")!;
    for (let t = start; t < start + 24 * HOUR; t += HOUR / 2) {
      expect(cpuFraction(payments, t)).toBeLessThan(0.12);
      expect(memoryFraction(payments, t)).toBeLessThan(0.1);
    }

    const worker = ec2.services.get("worker")!;
    const peak = Math.max(...Array.from({ length: 20 }, (_, i) => memoryFraction(worker, start + i * 60_000 + 30_000)));
    expect(peak).toBeGreaterThan(0.95);
    advance(start + 21 * 60_000);
    const killed = [...ec2.tasks.values()].filter((t) => t.serviceName === "worker" && t.containerStops.worker?.exitCode === 137);
    expect(killed).toHaveLength(1);
    expect(killed[0]!.lastStatus).toBe("STOPPED");

    const small = [...ec2.instances.values()].find((i) => i.instanceType === "t3.small")!;
    const reserved = reservedBy(ec2.tasks.values(), small.id);
    expect(reserved.memory / small.registered.memory).toBeGreaterThan(0.9);

    const teams = [...ec2.services.values(), ...fargate.services.values()].map((s) => s.tags.team ?? null);
    expect(teams.filter((t) => t === null)).toHaveLength(2);
    expect(teams.every((t) => t === null || ["payments", "search", "platform", "data"].includes(t))).toBe(true);
  });
});
