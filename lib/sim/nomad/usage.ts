import { mhzToMillis } from "@/lib/adapters/nomad/units";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import { demand, leakCycle } from "@/lib/sim/usage-model";
import type { NomadWorld, SimAlloc, SimNode } from "./state";

/**
 * Live use the simulated clients report: a deterministic function of time
 * and the allocation. Each allocation's mean share of what it reserves (its
 * group's UsageProfile) follows the day's demand and bursts, with two smooth
 * waves of its own, so charts move like a real service's load and two
 * samples a second apart are close. A leaking group's memory climbs to its
 * limit and the scheduler OOM-kills the task at the end of each cycle.
 */

const MIB = 1024 * 1024;
const DEFAULT_CPU = 0.45;
const DEFAULT_MEMORY = 0.55;

function wave(now: number, phase: number, periodMs: number): number {
  return (Math.sin((now / periodMs) * Math.PI * 2 + phase) + 1) / 2;
}

const seedOf = (alloc: SimAlloc) => Math.floor(alloc.sim.phase * 1e8);

/** Where an allocation's leak cycle is at `now`, spread by its phase so its siblings are not killed together. */
function leakAt(alloc: SimAlloc, leakEveryMs: number, now: number) {
  return leakCycle(now, leakEveryMs, (alloc.sim.phase / (2 * Math.PI)) * leakEveryMs);
}

/** Whether a leaking allocation reached its memory limit after `from` and by `to`. */
export function oomKilledSince(alloc: SimAlloc, from: number, to: number): boolean {
  const every = alloc.sim.usage?.leakEveryMs;
  return every !== undefined && from < to && leakAt(alloc, every, from).cycle !== leakAt(alloc, every, to).cycle;
}

/** Fraction of its reservation an allocation uses now (CPU may burst past 1, as Nomad allows). */
function load(alloc: SimAlloc, now: number): { cpu: number; memory: number } {
  const p = alloc.sim.phase;
  const cpuMean = alloc.sim.usage?.cpu ?? DEFAULT_CPU;
  const cpu = cpuMean * (demand(now, seedOf(alloc)) + 0.3 * (wave(now, p, 180_000) - 0.5) + 0.15 * (wave(now, p * 3, 47_000) - 0.5));
  const leakEveryMs = alloc.sim.usage?.leakEveryMs;
  if (leakEveryMs !== undefined) return { cpu, memory: 0.5 + 0.49 * leakAt(alloc, leakEveryMs, now).position };
  const memoryMean = alloc.sim.usage?.memory ?? DEFAULT_MEMORY;
  const memory = memoryMean * (0.8 + 0.15 * demand(now, seedOf(alloc) + 1) + 0.1 * wave(now, p * 2, 600_000));
  return { cpu, memory };
}

export function allocUsage(
  alloc: SimAlloc,
  now = Date.now(),
): { cpuMhz: number; memoryBytes: number; byTask: Record<string, { cpuMhz: number; memoryBytes: number }> } {
  const byTask: Record<string, { cpuMhz: number; memoryBytes: number }> = {};
  let cpuMhz = 0;
  let memoryBytes = 0;
  if (alloc.ClientStatus === "running") {
    const l = load(alloc, now);
    for (const [name, r] of Object.entries(alloc.AllocatedResources.Tasks)) {
      const t = { cpuMhz: r.Cpu.CpuShares * l.cpu, memoryBytes: Math.round(r.Memory.MemoryMB * l.memory * MIB) };
      byTask[name] = t;
      cpuMhz += t.cpuMhz;
      memoryBytes += t.memoryBytes;
    }
  }
  return { cpuMhz, memoryBytes, byTask };
}

/** A client's whole use: its allocations plus the OS and the Nomad agent. */
export function nodeUsage(node: SimNode, allocs: Iterable<SimAlloc>, now = Date.now()): { cpuMhz: number; memoryBytes: number } {
  let cpuMhz = 0;
  let memoryBytes = 0;
  for (const a of allocs) {
    if (a.NodeID !== node.ID) continue;
    const u = allocUsage(a, now);
    cpuMhz += u.cpuMhz;
    memoryBytes += u.memoryBytes;
  }
  const base = 0.6 + 0.4 * wave(now, node.sim.phase, 240_000);
  cpuMhz += node.sim.reservedMhz * 0.5 * base;
  memoryBytes += node.sim.reservedMemoryMB * MIB * 0.8 * base;
  const total = node.sim.memoryMB * MIB;
  return { cpuMhz: Math.min(cpuMhz, node.sim.cores * node.sim.mhzPerCore), memoryBytes: Math.round(Math.min(memoryBytes, total)) };
}

/**
 * The DemoCluster's usageAt: what the Nomad adapter reads at t from
 * /v1/client/stats of every ready client and /v1/client/allocation/:id/stats
 * of every running allocation (see lib/adapters/nomad/usage.ts), for the
 * allocations running now. Nodes by name, allocations by namespace and name;
 * MHz become millicores at the client's per-core speed, as the adapter does.
 */
export function usageAtFor(world: NomadWorld): (t: number) => DemoUsage {
  return (t) => {
    const usage: DemoUsage = { nodes: new Map(), tasks: new Map() };
    const running = [...world.allocs.values()].filter((a) => a.ClientStatus === "running");
    for (const alloc of running) {
      const node = world.nodes.get(alloc.NodeID);
      if (!node || node.Status === "down" || node.Status === "disconnected") continue;
      const use = allocUsage(alloc, t);
      usage.tasks.set(demoTaskKey(alloc.Namespace, alloc.Name), {
        cpuMillis: mhzToMillis(use.cpuMhz, node.sim.mhzPerCore),
        memoryBytes: use.memoryBytes,
      });
    }
    for (const node of world.nodes.values()) {
      if (node.Status !== "ready") continue;
      const use = nodeUsage(node, running, t);
      usage.nodes.set(node.Name, { cpuMillis: mhzToMillis(use.cpuMhz, node.sim.mhzPerCore), memoryBytes: use.memoryBytes });
    }
    return usage;
  };
}
