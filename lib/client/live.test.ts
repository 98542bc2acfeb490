import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { QueryKey } from "@tanstack/react-query";
import { Backoff } from "@/lib/model/backoff";
import { followChanges, type ChangeSource, type LiveStatus } from "./live";
import { isFleetWide } from "./queries";

class FakeSource implements ChangeSource {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
  fail(permanently: boolean) {
    this.readyState = permanently ? 2 : 0;
    this.onerror?.(new Event("error"));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function setup() {
  const sources: FakeSource[] = [];
  const statuses: LiveStatus[] = [];
  const invalidated: { queryKey: QueryKey; exact?: boolean }[][] = [];
  let resyncs = 0;
  const stop = followChanges({
    open: () => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    },
    onStatus: (s) => statuses.push(s),
    onInvalidate: (filters) => invalidated.push(filters),
    onResync: () => resyncs++,
    batchMs: 100,
    fleetWideMs: 1000,
    backoff: new Backoff({ baseMs: 500, maxMs: 500 }),
  });
  return { sources, statuses, invalidated, resyncs: () => resyncs, stop };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("followChanges", () => {
  it("batches a burst of changes into one invalidation per query prefix", () => {
    const t = setup();
    t.sources[0].open();
    expect(t.statuses).toEqual(["live"]);
    for (let i = 0; i < 20; i++) t.sources[0].send({ clusterId: "east", resources: ["tasks"] });
    t.sources[0].send({ clusterId: "west", resources: ["nodes"] });
    expect(t.invalidated).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(t.invalidated).toHaveLength(1);
    const keys = t.invalidated[0].map((f) => f.queryKey);
    expect(keys).toContainEqual(["clusters", "east", "tasks"]);
    expect(keys).toContainEqual(["clusters", "west", "nodes"]);
    expect(keys.filter((k) => JSON.stringify(k) === JSON.stringify(["clusters", "east", "tasks"]))).toHaveLength(1);
  });

  it("refreshes the fleet list at most once per interval", () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].send({ clusterId: "east", resources: ["usage"] });
    vi.advanceTimersByTime(500);
    t.sources[0].send({ clusterId: "west", resources: ["usage"] });
    vi.advanceTimersByTime(499);
    const fleetListCalls = () => t.invalidated.filter((b) => b.some((f) => f.queryKey.length === 1)).length;
    expect(fleetListCalls()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fleetListCalls()).toBe(1);
  });

  it("refreshes every query that spans clusters on that interval, none of them left out", () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].send({ clusterId: "east", resources: ["tasks", "cluster"] });
    t.sources[0].send({ clusterId: "west", resources: ["workloads", "cluster"] });
    vi.advanceTimersByTime(100);
    // The cluster's own lists at once, batched.
    expect(t.invalidated.flat().map((f) => f.queryKey)).toEqual(
      expect.arrayContaining([
        ["clusters", "east", "tasks"],
        ["clusters", "east", "cluster"],
        ["clusters", "west", "workloads"],
        ["clusters", "west", "cluster"],
      ]),
    );
    expect(t.invalidated.flat().filter((f) => isFleetWide(f.queryKey))).toEqual([]);
    vi.advanceTimersByTime(900);
    const fleetWide = t.invalidated.at(-1)!.map((f) => f.queryKey);
    expect(fleetWide).toEqual([["clusters"], ["problems"], ["fleet", "workloads"], ["fleet", "tasks"]]);
    expect(t.invalidated).toHaveLength(2);
  });

  it("ignores messages that are not change events", () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].onmessage?.({ data: "not json" } as MessageEvent<string>);
    t.sources[0].send({ clusterId: "east", resources: ["secrets"] });
    vi.advanceTimersByTime(1000);
    expect(t.invalidated).toHaveLength(0);
  });

  it("refetches everything once the stream is open, and again once it is back", () => {
    const t = setup();
    expect(t.resyncs()).toBe(0);
    t.sources[0].open();
    // What the server rendered may have changed before the stream opened.
    expect(t.resyncs()).toBe(1);
    t.sources[0].fail(false); // EventSource retries by itself
    expect(t.statuses.at(-1)).toBe("reconnecting");
    expect(t.sources).toHaveLength(1);
    t.sources[0].open();
    expect(t.statuses.at(-1)).toBe("live");
    expect(t.resyncs()).toBe(2);
  });

  it("reopens with back-off when the server refuses the stream, and stops for good", () => {
    const t = setup();
    t.sources[0].fail(true);
    expect(t.sources[0].closed).toBe(true);
    // Back-off with jitter: between half and all of 500 ms.
    vi.advanceTimersByTime(249);
    expect(t.sources).toHaveLength(1);
    vi.advanceTimersByTime(251);
    expect(t.sources).toHaveLength(2);
    t.stop();
    expect(t.sources[1].closed).toBe(true);
    t.sources[1].fail(true);
    vi.advanceTimersByTime(10_000);
    expect(t.sources).toHaveLength(2);
  });
});
