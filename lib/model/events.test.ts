import { describe, expect, it } from "vitest";
import { facts, recentEvents, recentHistory } from "./events";
import {
  MAX_TASK_HISTORY,
  MAX_WORKLOAD_EVENTS,
  TaskTransitionSchema,
  WorkloadEventSchema,
  type TaskTransition,
  type WorkloadEvent,
} from "./types";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString();
const ev = (minute: number | null, message: string, level: WorkloadEvent["level"] = "normal"): WorkloadEvent => ({
  at: minute === null ? null : at(minute),
  level,
  message,
});

describe("recentEvents", () => {
  it("orders newest first, undated conditions before dated events, and keeps the order of ties", () => {
    const events = recentEvents([ev(1, "a"), ev(5, "b"), ev(null, "waiting", "warning"), ev(5, "c"), ev(3, "d")]);
    expect(events.map((e) => e.message)).toEqual(["waiting", "b", "c", "d", "a"]);
    for (const e of events) expect(WorkloadEventSchema.parse(e)).toEqual(e);
  });

  it("keeps at most the bound, the newest ones, and drops exact repeats", () => {
    const many = Array.from({ length: 25 }, (_, i) => ev(i, `event ${i}`));
    const events = recentEvents([...many, ev(24, "event 24")]);
    expect(events).toHaveLength(MAX_WORKLOAD_EVENTS);
    expect(events[0].message).toBe("event 24");
    expect(events.at(-1)?.message).toBe(`event ${25 - MAX_WORKLOAD_EVENTS}`);
  });
});

describe("recentHistory", () => {
  const step = (minute: number | null, what: string): TaskTransition => ({
    at: minute === null ? null : at(minute),
    what,
    detail: null,
    level: "normal",
    container: null,
  });

  it("orders newest first, what holds now before the rest, the later of steps given at the same time first", () => {
    const history = recentHistory([
      step(1, "Received"),
      step(4, "Terminated"),
      step(4, "Restarting"),
      step(null, "HEALTHY"),
      step(2, "Started"),
    ]);
    expect(history.map((s) => s.what)).toEqual(["HEALTHY", "Restarting", "Terminated", "Started", "Received"]);
    for (const s of history) expect(TaskTransitionSchema.parse(s)).toEqual(s);
  });

  it("keeps the newest steps up to the bound", () => {
    const history = recentHistory(Array.from({ length: MAX_TASK_HISTORY + 5 }, (_, i) => step(i, `step ${i}`)));
    expect(history).toHaveLength(MAX_TASK_HISTORY);
    expect(history[0].what).toBe(`step ${MAX_TASK_HISTORY + 4}`);
    expect(history.at(-1)?.what).toBe("step 5");
  });
});

describe("facts", () => {
  it("keeps values that say something, in order, as strings", () => {
    expect(
      facts([
        ["Running", 3],
        ["Staged", 0],
        ["Empty", ""],
        ["Missing", null],
        ["Gone", undefined],
        ["Mode", " global "],
      ]),
    ).toEqual({
      Running: "3",
      Staged: "0",
      Mode: "global",
    });
    expect(
      Object.keys(
        facts([
          ["b", "1"],
          ["a", "2"],
        ]),
      ),
    ).toEqual(["b", "a"]);
  });
});
