import { appGroup } from "@/lib/adapters/mesos/mappers";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import type { SimWorld } from "./world";

/**
 * The DemoCluster's usageAt: what the Mesos adapter makes of the agents'
 * /monitor/statistics at t (see lib/adapters/mesos/usage.ts), for the tasks
 * running now. CPU is the cores in use at t (the adapter's delta of the
 * cumulative seconds over a short interval ending at t), memory the RSS.
 * Marathon's tasks are keyed as the adapter shows them (their top-level
 * group and task id), other frameworks' tasks by name alone; agents by
 * hostname, their use the sum of their executors'.
 */
export function usageAtFor(world: SimWorld): (t: number) => DemoUsage {
  return (t) => {
    const usage: DemoUsage = { nodes: new Map(), tasks: new Map() };
    const nodeByAgent = new Map<string, { cpuMillis: number; memoryBytes: number }>();
    for (const agent of world.agents.values()) {
      if (!agent.active) continue;
      const node = { cpuMillis: 0, memoryBytes: 0 };
      nodeByAgent.set(agent.id, node);
      usage.nodes.set(agent.hostname, node);
    }
    for (const task of world.tasks.values()) {
      if (task.state !== "TASK_RUNNING" && task.state !== "TASK_KILLING") continue;
      const node = nodeByAgent.get(task.agentId);
      if (!node) continue;
      const use = { cpuMillis: world.cpuRate(task, t) * 1000, memoryBytes: world.memRssBytes(task, t) };
      const key = task.appId === null ? demoTaskKey(null, task.name) : demoTaskKey(appGroup(task.appId), task.id);
      usage.tasks.set(key, use);
      node.cpuMillis += use.cpuMillis;
      node.memoryBytes += use.memoryBytes;
    }
    return usage;
  };
}
