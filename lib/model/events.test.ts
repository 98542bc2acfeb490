import { describe, expect, it } from "vitest";
import { facts, recentEvents } from "./events";
import { MAX_WORKLOAD_EVENTS, WorkloadEventSchema, type WorkloadEvent } from "./types";

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
