import { MAX_TASK_HISTORY, MAX_WORKLOAD_EVENTS, type TaskTransition, type WorkloadEvent } from "./types";

/**
 * Helpers the adapters' mappers share for a workload's `info` and `events`,
 * and a task's history.
 * Pure; no imports beyond the model.
 */

function time(at: string | null): number {
  if (at === null) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? ms : Number.NEGATIVE_INFINITY;
}

/**
 * Newest first, at most MAX_WORKLOAD_EVENTS. Undated events are conditions
 * that hold now (a launch queue, say), so they sort before dated ones; events
 * with the same time keep their order. Exact repeats (same time, level and
 * message) are dropped.
 */
export function recentEvents(events: Iterable<WorkloadEvent>): WorkloadEvent[] {
  const seen = new Set<string>();
  const unique: WorkloadEvent[] = [];
  for (const event of events) {
    const key = `${event.at ?? ""}\u0000${event.level}\u0000${event.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(event);
  }
  return unique
    .map((event, index) => ({ event, index, t: time(event.at) }))
    .sort((a, b) => b.t - a.t || a.index - b.index)
    .slice(0, MAX_WORKLOAD_EVENTS)
    .map((e) => e.event);
}

/**
 * A task's steps newest first, at most MAX_TASK_HISTORY. Callers give each
 * source's steps oldest first (an orchestrator often stamps several with the
 * same time: exited, restarting, started), so of steps with the same time the
 * one given later comes first; undated ones hold now, and come before all.
 */
export function recentHistory(steps: Iterable<TaskTransition>): TaskTransition[] {
  return [...steps]
    .map((step, index) => ({ step, index, t: time(step.at) }))
    .sort((a, b) => b.t - a.t || b.index - a.index)
    .slice(0, MAX_TASK_HISTORY)
    .map((s) => s.step);
}

/** Facts with a value, in the order given: null, undefined and empty strings are left out; numbers become strings. */
export function facts(entries: [string, string | number | null | undefined][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (value === null || value === undefined) continue;
    const text = typeof value === "number" ? String(value) : value.trim();
    if (text) out[key] = text;
  }
  return out;
}
