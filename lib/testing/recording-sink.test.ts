import { describe, expect, it } from "vitest";
import type { TaskCore } from "@/lib/model/types";
import { RecordingSink, waitFor } from "./recording-sink";

const task = (id: string, workloadId: string) => ({ id, workloadId }) as TaskCore;

describe("RecordingSink", () => {
  it("applies replace, upsert and delete in order and counts them per type and resource", () => {
    const sink = new RecordingSink();
    sink.apply([
      { type: "replace", resource: "tasks", items: [task("a", "w1"), task("b", "w2")] },
      { type: "upsert", resource: "tasks", item: task("c", "w1") },
      { type: "delete", resource: "tasks", id: "b" },
      { type: "replace", resource: "nodes", items: [] },
    ]);
    expect(sink.list("tasks").map((t) => t.id)).toEqual(["a", "c"]);
    expect(sink.tasksOf("w1").map((t) => t.id)).toEqual(["a", "c"]);
    expect(sink.counts).toEqual({ replace: 2, upsert: 1, delete: 1 });
    expect(sink.countsByResource.tasks).toEqual({ replace: 1, upsert: 1, delete: 1 });
    expect(sink.countsByResource.nodes).toEqual({ replace: 1, upsert: 0, delete: 0 });
    sink.apply([{ type: "replace", resource: "tasks", items: [task("d", "w2")] }]);
    expect(sink.list("tasks").map((t) => t.id)).toEqual(["d"]);
  });

  it("keeps every connection state and answers the last, null before the first", () => {
    const sink = new RecordingSink();
    expect(sink.connection).toBeNull();
    sink.setConnection({ status: "unreachable", reason: "down" });
    sink.setConnection({ status: "ok", reason: null });
    expect(sink.connection).toEqual({ status: "ok", reason: null });
    expect(sink.connections.map((c) => c.status)).toEqual(["unreachable", "ok"]);
  });
});

describe("waitFor", () => {
  it("answers the first truthy value of a sync or async check, retrying one that throws", async () => {
    let calls = 0;
    expect(await waitFor("three calls", () => ++calls >= 3 && calls, 1000, 1)).toBe(3);
    let tries = 0;
    const value = await waitFor(
      "an answer",
      async () => {
        if (++tries < 3) throw new Error("not yet");
        return "ready";
      },
      1000,
      1,
    );
    expect(value).toBe("ready");
  });

  it("fails naming what it waited for and the last value or error", async () => {
    await expect(waitFor("the count to reach 5", () => 0, 30, 5)).rejects.toThrow(/waiting for the count to reach 5 \(last: 0\)/);
    await expect(
      waitFor(
        "a server",
        () => {
          throw new Error("connection refused");
        },
        30,
        5,
      ),
    ).rejects.toThrow(/waiting for a server \(last: connection refused\)/);
  });
});
