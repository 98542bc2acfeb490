import type { UsageSample } from "@/lib/adapters/types";
import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import type { NodeCore, Resources, TaskCore } from "@/lib/model/types";

/**
 * For the simulators' tests of DemoCluster.usageAt: an adapter's sample
 * (keyed by its ids) re-keyed by the names usageAt uses, and the differences
 * between two such readings beyond the rounding of the wire units.
 */

export function sampleByName(sample: UsageSample, nodes: readonly NodeCore[], tasks: readonly TaskCore[]): DemoUsage {
  const byName: DemoUsage = { nodes: new Map(), tasks: new Map() };
  for (const node of nodes) {
    const use = sample.nodes.get(node.id);
    if (use) byName.nodes.set(node.name, use);
  }
  for (const task of tasks) {
    const use = sample.tasks.get(task.id);
    if (use) byName.tasks.set(demoTaskKey(task.namespace, task.name), use);
  }
  return byName;
}

export interface Tolerance {
  cpuMillis: number;
  memoryBytes: number;
}

/** Every key of either reading that is missing from the other or differs by more than the tolerance, described. */
export function usageDifferences(expected: DemoUsage, actual: DemoUsage, tolerance: Tolerance): string[] {
  const out: string[] = [];
  const compare = (kind: string, a: Map<string, Resources>, b: Map<string, Resources>) => {
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(key);
      const y = b.get(key);
      if (!x || !y) out.push(`${kind} ${key}: ${x ? "missing from the sample" : "missing from usageAt"}`);
      else if (Math.abs(x.cpuMillis - y.cpuMillis) > tolerance.cpuMillis || Math.abs(x.memoryBytes - y.memoryBytes) > tolerance.memoryBytes)
        out.push(`${kind} ${key}: usageAt ${JSON.stringify(x)}, sample ${JSON.stringify(y)}`);
    }
  };
  compare("node", expected.nodes, actual.nodes);
  compare("task", expected.tasks, actual.tasks);
  return out;
}

/**
 * The moments of the week before `now` (every 137 s, about the 4,400 a
 * backfill reads) at which the model gives a figure that is not a finite,
 * non-negative number, named; empty when all are.
 */
export function badFiguresOverAWeek(usageAt: (t: number) => DemoUsage, now: number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < 4400; i++) {
    const t = now - i * 137_000;
    const u = usageAt(t);
    for (const [name, r] of [...u.nodes, ...u.tasks]) {
      const ok = Number.isFinite(r.cpuMillis) && r.cpuMillis >= 0 && Number.isFinite(r.memoryBytes) && r.memoryBytes >= 0;
      if (!ok) bad.push(`${new Date(t).toISOString()} ${name}: ${r.cpuMillis} m, ${r.memoryBytes} B`);
    }
  }
  return bad;
}
