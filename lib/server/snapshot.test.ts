import { describe, expect, it } from "vitest";
import type { TaskCore } from "@/lib/model/types";
import { applyChanges, changedResources, EMPTY_SNAPSHOT } from "./snapshot";

function task(id: string, state: TaskCore["state"] = "running"): TaskCore {
  return {
    id,
    name: id,
    namespace: "default",
    workloadId: "w",
    node: "n1",
    state,
    stateReason: null,
    ready: state === "running",
    restarts: 0,
    labels: {},
    requests: { cpuMillis: 100, memoryBytes: 1024 },
    startedAt: null,
    createdAt: null,
    ip: null,
  };
}

describe("applyChanges", () => {
  it("replace lists a resource and marks it listed", () => {
    const s = applyChanges(EMPTY_SNAPSHOT, [{ type: "replace", resource: "tasks", items: [task("a"), task("b")] }]);
    expect([...s.tasks.keys()]).toEqual(["a", "b"]);
    expect(s.listed.has("tasks")).toBe(true);
    expect(s.nodes).toBe(EMPTY_SNAPSHOT.nodes);
    expect(EMPTY_SNAPSHOT.tasks.size).toBe(0); // the old snapshot is untouched
  });

  it("upsert adds and modifies, delete removes, in order", () => {
    let s = applyChanges(EMPTY_SNAPSHOT, [{ type: "replace", resource: "tasks", items: [task("a")] }]);
    s = applyChanges(s, [
      { type: "upsert", resource: "tasks", item: task("b", "pending") },
      { type: "upsert", resource: "tasks", item: task("b", "running") },
      { type: "delete", resource: "tasks", id: "a" },
    ]);
    expect([...s.tasks.values()].map((t) => [t.id, t.state])).toEqual([["b", "running"]]);
  });

  it("answers the same snapshot when nothing changed", () => {
    const s = applyChanges(EMPTY_SNAPSHOT, [{ type: "replace", resource: "tasks", items: [task("a")] }]);
    expect(applyChanges(s, [{ type: "delete", resource: "tasks", id: "missing" }])).toBe(s);
    expect(applyChanges(s, [{ type: "upsert", resource: "tasks", item: task("a") }])).toBe(s);
    expect(applyChanges(s, [{ type: "replace", resource: "tasks", items: [task("a")] }])).toBe(s);
  });

  it("a replace after events wins over them", () => {
    let s = applyChanges(EMPTY_SNAPSHOT, [{ type: "upsert", resource: "tasks", item: task("stale") }]);
    s = applyChanges(s, [{ type: "replace", resource: "tasks", items: [task("fresh")] }]);
    expect([...s.tasks.keys()]).toEqual(["fresh"]);
  });

  it("changedResources names what differs", () => {
    const a = applyChanges(EMPTY_SNAPSHOT, [{ type: "replace", resource: "tasks", items: [task("a")] }]);
    const b = applyChanges(a, [{ type: "upsert", resource: "tasks", item: task("a", "failed") }]);
    expect(changedResources(a, b)).toEqual(["tasks"]);
    expect(changedResources(b, b)).toEqual([]);
  });
});
