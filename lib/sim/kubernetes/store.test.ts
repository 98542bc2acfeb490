import { describe, expect, it } from "vitest";
import { ExpiredError, ObjectStore } from "./store";
import type { KubeObject } from "./types";
import { resourceTypeByKind } from "./resources";

const NAMESPACES = resourceTypeByKind("Namespace");

const ns = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, uid: `uid-${name}`, resourceVersion: "", creationTimestamp: "2024-01-01T00:00:00Z" },
  ...extra,
});

describe("ObjectStore", () => {
  it("bumps one cluster-wide resourceVersion per change and ignores no-op writes", () => {
    const store = new ObjectStore(100, 500);
    const a = store.put(ns("a"));
    const b = store.put(ns("b"));
    expect(a.metadata.resourceVersion).toBe("501");
    expect(b.metadata.resourceVersion).toBe("502");
    store.put({ ...a, metadata: { ...a.metadata, resourceVersion: "whatever" } });
    expect(store.resourceVersion).toBe(502);
    const changed = store.put({ ...a, status: { phase: "Terminating" } });
    expect(changed.metadata.resourceVersion).toBe("503");
    expect(store.eventsSince(501).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "b"],
      ["MODIFIED", "a"],
    ]);
  });

  it("keeps uid and creationTimestamp and bumps generation only on spec changes", () => {
    const store = new ObjectStore(100);
    const first = store.put({ ...ns("g"), metadata: { ...ns("g").metadata, generation: 1 }, spec: { x: 1 } });
    const labelled = store.put({ ...first, metadata: { ...first.metadata, uid: "other", labels: { a: "b" } } });
    expect(labelled.metadata.uid).toBe("uid-g");
    expect(labelled.metadata.generation).toBe(1);
    const respec = store.put({ ...labelled, spec: { x: 2 } });
    expect(respec.metadata.generation).toBe(2);
  });

  it("hands out copies", () => {
    const store = new ObjectStore(100);
    store.put(ns("a"));
    const copy = store.get(NAMESPACES, undefined, "a")!;
    copy.metadata.labels = { mutated: "yes" };
    store.list(NAMESPACES)[0].metadata.name = "mutated";
    expect(store.get(NAMESPACES, undefined, "a")!.metadata.labels).toBeUndefined();
    expect(store.list(NAMESPACES)[0].metadata.name).toBe("a");
  });

  it("answers 410-style expiry once events fall out of the retained window", () => {
    const store = new ObjectStore(2, 0);
    store.put(ns("a")); // rv 1
    store.put(ns("b")); // rv 2
    store.put(ns("c")); // rv 3: event 1 dropped
    expect(() => store.eventsSince(0)).toThrow(ExpiredError);
    expect(store.eventsSince(1).map((e) => e.rv)).toEqual([2, 3]);
  });

  it("compaction expires every resourceVersion handed out so far", () => {
    const store = new ObjectStore(100, 0);
    store.put(ns("a"));
    store.compact();
    expect(() => store.eventsSince(1)).toThrow(/too old resource version: 1/);
    store.put(ns("b"));
    expect(() => store.eventsSince(1)).toThrow(ExpiredError);
  });

  it("notifies subscribers of deletions with a new resourceVersion", () => {
    const store = new ObjectStore(100, 10);
    store.put(ns("a"));
    const seen: string[] = [];
    const off = store.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.resourceVersion}`));
    store.delete(NAMESPACES, undefined, "a");
    off();
    store.put(ns("b"));
    expect(seen).toEqual(["DELETED:12"]);
  });
});
