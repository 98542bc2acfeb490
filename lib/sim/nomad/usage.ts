import type { SimAlloc, SimNode } from "./state";

/**
 * Live use the simulated clients report: smooth functions of time (two slow
 * waves per allocation, each with its own phase), so charts move like a real
 * service's load and two samples a second apart are close.
 */

const MIB = 1024 * 1024;

function wave(now: number, phase: number, periodMs: number): number {
  return (Math.sin((now / periodMs) * Math.PI * 2 + phase) + 1) / 2;
}

/** Fraction of its reservation an allocation uses now (CPU may burst past 1, as Nomad allows). */
function load(alloc: SimAlloc, now: number): { cpu: number; memory: number } {
  const p = alloc.sim.phase;
  const cpu = 0.2 + 0.5 * wave(now, p, 180_000) + 0.25 * wave(now, p * 3, 47_000);
  const memory = 0.45 + 0.25 * wave(now, p * 2, 600_000) + 0.05 * wave(now, p, 30_000);
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
