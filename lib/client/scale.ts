import { plural } from "@/lib/format";
import type { Workload } from "@/lib/model/types";

/** Scaling to zero, or by more than a factor of two either way, is worth a second look. */
export function needsConfirmation(current: number, next: number): boolean {
  if (next < 0 || next === current) return false;
  if (next === 0) return true;
  return next > current * 2 || next * 2 < current;
}

/** What a scale will do, in words, for the confirmation dialog. */
export function describeScale(workload: Pick<Workload, "kind" | "name" | "namespace" | "desired">, next: number, taskWord = "pod"): string {
  const what = `${workload.kind} ${workload.namespace ? `${workload.namespace}/` : ""}${workload.name}`;
  const current = workload.desired;
  if (next === 0) {
    return `${what} will go from ${plural(current, "replica")} to 0: all of its ${taskWord}s will be stopped and it will serve nothing until scaled up again.`;
  }
  if (next > current) {
    return `${what} will go from ${plural(current, "replica")} to ${next}: ${plural(next - current, `new ${taskWord}`)} will be created, more than doubling what it asks of the cluster.`;
  }
  return `${what} will go from ${plural(current, "replica")} to ${next}: ${plural(current - next, taskWord)} will be stopped, more than halving its capacity.`;
}
