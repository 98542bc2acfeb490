import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import type { ClusterAdapter, SnapshotSink } from "@/lib/adapters/types";
import type { ChangeEvent, TaskCore, WorkloadCore } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { ClusterOwner, FIRST_LIST_WAIT_MS, NOTIFY_DELAY_MS } from "./cluster-owner";

/**
 * The owner on its own, with fake timers and an adapter whose sink the test
 * drives: the wait for a first list, change coalescing, and the connecting
 * state.
 */

/** An adapter that reports nothing by itself: the test feeds its sink. */
class FakeAdapter implements ClusterAdapter {
  readonly orchestrator = "kubernetes" as const;
  private sinkValue: SnapshotSink | null = null;

  run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    this.sinkValue = sink;
    return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  get sink(): SnapshotSink {
    if (!this.sinkValue) throw new Error("the owner has not started the adapter");
    return this.sinkValue;
  }
}

function task(id: string, over: Partial<TaskCore> = {}): TaskCore {
  return {
    id,
    name: id,
    namespace: "default",
    workloadId: "db",
    node: "n1",
    state: "running",
    stateReason: null,
    ready: true,
    restarts: 0,
    labels: {},
    requests: { cpuMillis: 100, memoryBytes: 1024 },
    startedAt: null,
    createdAt: null,
    ip: null,
    ...over,
  };
}

function workload(id: string, over: Partial<WorkloadCore> = {}): WorkloadCore {
  return {
    id,
    name: id,
    namespace: "default",
    kind: "StatefulSet",
    labels: {},
    images: [],
    desired: 3,
    ready: 3,
    scalable: true,
    notScalableReason: null,
    autoscaler: null,
    createdAt: null,
    selector: null,
    info: {},
    events: [],
    volumes: [],
    ...over,
  };
}

/** A promise's outcome, readable synchronously once microtasks have run. */
function track<T>(promise: Promise<T>) {
  const t: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(t, { settled: true, value }),
    (error: unknown) => Object.assign(t, { settled: true, error }),
  );
  return t;
}

/** Moves the fake clock and runs what became due, promise callbacks included. */
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

let owner: ClusterOwner;
let adapter: FakeAdapter;

beforeEach(() => {
  vi.useFakeTimers();
  adapter = new FakeAdapter();
  owner = new ClusterOwner(
    { id: "c1", name: "east", orchestrator: "kubernetes", demo: true, adapter, secrets: new SecretSet() },
    { usageStepSeconds: 10, usageRetainSeconds: 3600, log: memoryLogger() },
  );
  owner.start();
});

afterEach(() => {
  owner.stop();
  vi.useRealTimers();
});

describe("ClusterOwner.listed: a request that waits for the first list", () => {
  it("answers as soon as the list arrives, while the cluster is still connecting", async () => {
    const asked = track(owner.listed("tasks"));
    await advance(1_000);
    expect(asked.settled).toBe(false);

    adapter.sink.apply([{ type: "replace", resource: "tasks", items: [task("a")] }]);
    await advance(0);
    expect(asked.error).toBeUndefined();
    expect(asked.settled).toBe(true);
    expect([...asked.value!.tasks.keys()]).toEqual(["a"]);
  });

  it("keeps waiting once connected until its own resource is listed, then answers", async () => {
    const asked = track(owner.listed("tasks"));
    adapter.sink.setConnection({ status: "ok", reason: null, version: "v1" });
    adapter.sink.apply([{ type: "replace", resource: "workloads", items: [workload("db")] }]);
    await advance(1_000);
    expect(asked.settled).toBe(false);

    adapter.sink.apply([{ type: "replace", resource: "tasks", items: [task("a"), task("b")] }]);
    await advance(0);
    expect([...asked.value!.tasks.keys()]).toEqual(["a", "b"]);
  });

  it("answers at once for a resource already listed", async () => {
    adapter.sink.apply([{ type: "replace", resource: "tasks", items: [task("a")] }]);
    const asked = track(owner.listed("tasks"));
    await advance(0);
    expect(asked.value?.tasks.has("a")).toBe(true);
  });

  it.each([
    ["while the cluster is still connecting", () => {}],
    ["while connected but this resource is not listed yet", () => adapter.sink.setConnection({ status: "ok", reason: null })],
  ])("gives up after FIRST_LIST_WAIT_MS with a timeout when no list arrives, %s", async (_what, setUp) => {
    setUp();
    const asked = track(owner.listed("nodes"));
    await advance(FIRST_LIST_WAIT_MS - 1);
    expect(asked.settled).toBe(false);
    await advance(1);
    expect(asked.settled).toBe(true);
    expect(asked.error).toBeInstanceOf(AdapterError);
    expect(asked.error).toMatchObject({ code: "timeout", message: "east has not answered its first nodes list yet" });
  });

  it("does not extend its deadline when other changes wake it", async () => {
    const asked = track(owner.listed("nodes"));
    await advance(3_000);
    // Each of these wakes the waiter, which must wait only for what is left.
    adapter.sink.setConnection({ status: "ok", reason: null });
    adapter.sink.apply([{ type: "replace", resource: "tasks", items: [task("a")] }]);
    await advance(FIRST_LIST_WAIT_MS - 3_000 - 1);
    expect(asked.settled).toBe(false);
    await advance(1);
    expect(asked.error).toMatchObject({ code: "timeout" });
  });
});

describe("ClusterOwner: connecting → connected", () => {
  it("is connecting until the adapter first reports", async () => {
    expect(owner.info()).toMatchObject({ status: "connecting", statusReason: null, synced: false, dataAsOf: null });

    const events: ChangeEvent[] = [];
    owner.subscribe((e) => events.push(e));
    adapter.sink.setConnection({ status: "ok", reason: null, version: "v1.31" });
    expect(owner.info()).toMatchObject({ status: "ok", statusReason: null, version: "v1.31" });
    await advance(NOTIFY_DELAY_MS);
    expect(events).toEqual([{ clusterId: "c1", resources: ["cluster"] }]);
  });

  it("fails a waiting request at once, with the reason, when the first report is a failure", async () => {
    const asked = track(owner.listed("tasks"));
    await advance(100);
    adapter.sink.setConnection({ status: "unreachable", reason: "connect ECONNREFUSED 127.0.0.1:6443" });
    await advance(0);
    expect(asked.error).toBeInstanceOf(AdapterError);
    expect(asked.error).toMatchObject({ code: "unreachable", message: "east: connect ECONNREFUSED 127.0.0.1:6443" });
  });

  it("does not go back to connecting on a later failure: requests then fail instead of waiting", async () => {
    adapter.sink.setConnection({ status: "ok", reason: null });
    adapter.sink.setConnection({ status: "unauthorized", reason: "list pods: Unauthorized" });
    expect(owner.info().status).toBe("unauthorized");
    const asked = track(owner.listed("tasks"));
    await advance(0);
    expect(asked.error).toMatchObject({ code: "unreachable", message: "east: list pods: Unauthorized" });
  });
});

describe("ClusterOwner: since when, and how old the data is", () => {
  const listAll = () =>
    adapter.sink.apply([
      { type: "replace", resource: "nodes", items: [] },
      { type: "replace", resource: "workloads", items: [] },
      { type: "replace", resource: "tasks", items: [task("a")] },
      { type: "replace", resource: "services", items: [] },
    ]);

  it("keeps the time the status began, through repeated reports of the same state", async () => {
    adapter.sink.setConnection({ status: "ok", reason: null });
    const okSince = owner.info().statusSince;
    await advance(5_000);
    adapter.sink.setConnection({ status: "ok", reason: null });
    expect(owner.info().statusSince).toBe(okSince);
    adapter.sink.setConnection({ status: "degraded", reason: "list events: forbidden" });
    expect(Date.parse(owner.info().statusSince) - Date.parse(okSince)).toBe(5_000);
  });

  it("says the data is current while followed, and dates it from the loss once cut off", async () => {
    adapter.sink.setConnection({ status: "ok", reason: null });
    listAll();
    expect(Date.parse(owner.info().dataAsOf!)).toBe(Date.now());
    await advance(10_000);
    adapter.sink.setConnection({ status: "degraded", reason: "list events: forbidden" });
    // Degraded still follows the cluster: its data is current.
    expect(Date.parse(owner.info().dataAsOf!)).toBe(Date.now());
    const lost = Date.now();
    adapter.sink.setConnection({ status: "unreachable", reason: "connect ECONNREFUSED" });
    await advance(60_000);
    adapter.sink.setConnection({ status: "unauthorized", reason: "Unauthorized" });
    await advance(60_000);
    expect(owner.info()).toMatchObject({ status: "unauthorized", dataAsOf: new Date(lost).toISOString() });
    adapter.sink.setConnection({ status: "ok", reason: null });
    expect(Date.parse(owner.info().dataAsOf!)).toBe(Date.now());
  });
});

describe("ClusterOwner change notifications", () => {
  /** Connected and listed, with the notifications of that already delivered. */
  async function listedOwner() {
    adapter.sink.setConnection({ status: "ok", reason: null });
    adapter.sink.apply([
      { type: "replace", resource: "workloads", items: [workload("db")] },
      { type: "replace", resource: "tasks", items: [task("a")] },
    ]);
    await advance(NOTIFY_DELAY_MS);
    const first: ChangeEvent[] = [];
    const second: ChangeEvent[] = [];
    owner.subscribe((e) => first.push(e));
    owner.subscribe((e) => second.push(e));
    return { first, second };
  }

  it("delivers a burst of changes within NOTIFY_DELAY_MS as one event naming each resource once", async () => {
    const { first, second } = await listedOwner();
    // 25 changes, one every 8 ms: 192 ms in all, inside one delay.
    for (let i = 0; i < 25; i++) {
      adapter.sink.apply([{ type: "upsert", resource: "tasks", item: task(`t${i}`, { state: "pending" }) }]);
      if (i % 5 === 0) adapter.sink.apply([{ type: "upsert", resource: "workloads", item: workload("db", { desired: 3 + i }) }]);
      await advance(8);
    }
    expect(first).toEqual([]);

    await advance(NOTIFY_DELAY_MS);
    expect(first).toHaveLength(1);
    expect(first[0].clusterId).toBe("c1");
    expect([...first[0].resources].sort()).toEqual(["cluster", "tasks", "workloads"]);
    expect(second).toEqual(first);

    // Nothing trails the burst.
    await advance(NOTIFY_DELAY_MS * 4);
    expect(first).toHaveLength(1);
  });

  it("starts a new event for a change after the delay, and sends none for a change that changes nothing", async () => {
    const { first } = await listedOwner();
    adapter.sink.apply([{ type: "upsert", resource: "tasks", item: task("a") }]); // identical to what is held
    await advance(NOTIFY_DELAY_MS * 2);
    expect(first).toEqual([]);

    adapter.sink.apply([{ type: "upsert", resource: "tasks", item: task("b") }]);
    await advance(NOTIFY_DELAY_MS);
    adapter.sink.apply([{ type: "delete", resource: "tasks", id: "b" }]);
    await advance(NOTIFY_DELAY_MS);
    expect(first.map((e) => [...e.resources].sort())).toEqual([
      ["cluster", "tasks"],
      ["cluster", "tasks"],
    ]);
  });
});
