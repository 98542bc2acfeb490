import { describe, expect, it } from "vitest";
import { populate, type SimContent } from "./content";
import { SimController } from "./controller";
import { FAST_TIMINGS, SimWorld, type MarathonEvent } from "./world";

const CONTENT: SimContent = {
  cluster: "test",
  agents: [
    {
      hostname: "big",
      ip: "10.0.0.1",
      cpus: 4,
      memMb: 8192,
      diskMb: 10000,
      attributes: { zone: "a" },
      reserved: { spark: { cpus: 2, memMb: 4096 } },
    },
    { hostname: "small", ip: "10.0.0.2", cpus: 1, memMb: 2048, diskMb: 10000, attributes: { zone: "b" } },
  ],
  frameworks: [],
  apps: [
    { id: "/a", instances: 2, cpus: 1, mem: 1024 },
    // More than any agent's unreserved CPU: the spark reservation on "big" is not for Marathon's role.
    { id: "/huge", instances: 1, cpus: 3, mem: 1024 },
    { id: "/zoned", instances: 1, cpus: 0.5, mem: 256, constraints: [["zone", "LIKE", "b"]] },
  ],
};

function setup(now = 1_000_000) {
  const world = new SimWorld(CONTENT.cluster, FAST_TIMINGS, 7);
  const controller = new SimController(world);
  populate(world, controller, CONTENT, now);
  const events: MarathonEvent[] = [];
  world.bus.on("event", (e: MarathonEvent) => events.push(e));
  return { world, controller, events, now };
}

const hostOf = (world: SimWorld, agentId: string) => world.agents.get(agentId)!.hostname;

describe("simulated Marathon scheduling", () => {
  it("places instances where the unreserved resources fit and spreads them", () => {
    const { world } = setup();
    expect(
      world
        .tasksOf("/a")
        .map((t) => hostOf(world, t.agentId))
        .sort(),
    ).toEqual(["big", "small"]);
    expect(world.tasksOf("/a").every((t) => t.state === "TASK_RUNNING")).toBe(true);
  });

  it("keeps what does not fit in the launch queue with the reasons offers were declined", () => {
    const { world } = setup();
    expect(world.tasksOf("/huge")).toEqual([]);
    const huge = world.queue.get("/huge")!;
    expect(huge.count).toBe(1);
    expect(Object.fromEntries(huge.rejects)).toEqual({ InsufficientCpus: 2 });
    // "small" is the only zone-b agent and /a already took its CPU.
    const zoned = world.queue.get("/zoned")!;
    expect(Object.fromEntries(zoned.rejects)).toEqual({ UnfulfilledConstraint: 1, InsufficientCpus: 1 });
  });

  it("moves new tasks through staging and starting to running over the configured times", () => {
    const { world, controller, events, now } = setup();
    const app = world.apps.get("/a")!;
    controller.scale(app, 3, false, now);
    controller.tick(now);
    const [fresh] = world.tasksOf("/a").filter((t) => t.state !== "TASK_RUNNING");
    expect(fresh.state).toBe("TASK_STAGING");
    controller.tick(now + FAST_TIMINGS.stagingMs);
    expect(fresh.state).toBe("TASK_STARTING");
    controller.tick(now + FAST_TIMINGS.stagingMs + FAST_TIMINGS.startingMs);
    expect(fresh.state).toBe("TASK_RUNNING");
    expect(fresh.statuses.map((s) => s.state)).toEqual(["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING"]);
    const updates = events.filter((e) => e.eventType === "status_update_event" && e.taskId === fresh.id).map((e) => e.taskStatus);
    expect(updates).toEqual(["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING"]);
  });

  it("holds an app during its deployment: a plain scale is refused, a forced one cancels it", () => {
    const { world, controller, events, now } = setup();
    const app = world.apps.get("/a")!;
    const first = controller.scale(app, 1, false, now);
    expect("deploymentId" in first).toBe(true);
    const id = (first as { deploymentId: string }).deploymentId;
    expect(controller.scale(app, 3, false, now + 10)).toEqual({ lockedBy: [id] });
    expect(app.instances).toBe(1);

    // Scale-down kills the youngest task; the deployment ends once converged and held long enough.
    const youngest = [...world.tasksOf("/a")].sort((a, b) => b.stagedAt - a.stagedAt)[0];
    controller.tick(now + 20);
    expect(youngest.state).toBe("TASK_KILLING");
    controller.tick(now + 20 + FAST_TIMINGS.killMs);
    expect(world.tasks.has(youngest.id)).toBe(false);
    expect(world.deployments.has(id)).toBe(true);
    controller.tick(now + FAST_TIMINGS.deploymentHoldMs);
    expect(world.deployments.has(id)).toBe(false);
    expect(events.some((e) => e.eventType === "deployment_success" && e.id === id)).toBe(true);

    const second = controller.scale(app, 2, false, now + FAST_TIMINGS.deploymentHoldMs + 1) as { deploymentId: string };
    const forced = controller.scale(app, 1, true, now + FAST_TIMINGS.deploymentHoldMs + 2);
    expect("deploymentId" in forced).toBe(true);
    expect(world.deployments.has(second.deploymentId)).toBe(false);
    expect(events.some((e) => e.eventType === "deployment_failed" && e.id === second.deploymentId)).toBe(true);
  });

  it("counts CPU seconds only while a task runs, at no more than its cpus", () => {
    const { world, now } = setup();
    const task = world.tasksOf("/a")[0];
    const before = task.usage.cpuSeconds;
    task.usage.measuredAt = now;
    world.advanceUsage(task, now + 10_000);
    const used = task.usage.cpuSeconds - before;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(task.cpus * 10 + 1e-9);
  });
});
