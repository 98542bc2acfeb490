import { afterEach, describe, expect, it } from "vitest";
import { EventRecorder } from "./events";
import { startKubeSim, type KubeSimHandle } from "./sim";
import { ObjectStore } from "./store";
import { resourceTypeByKind } from "./resources";
import type { EventObject, KubeObject } from "./types";

const EVENT = resourceTypeByKind("Event");
const T0 = Date.parse("2026-01-01T12:00:00Z");
const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "shop", uid: "pod-uid", resourceVersion: "1", creationTimestamp: "2026-01-01T11:00:00Z" },
};

describe("EventRecorder", () => {
  it("writes core/v1-style events with deprecated times, folding repeats into a count", () => {
    const store = new ObjectStore(100);
    const rec = new EventRecorder(store);
    rec.record(
      pod,
      { reason: "Started", note: "Started container web", controller: "kubelet", host: "node-a", fieldPath: "spec.containers{web}" },
      T0,
    );
    rec.record(
      pod,
      { reason: "Started", note: "Started container web", controller: "kubelet", host: "node-a", fieldPath: "spec.containers{web}" },
      T0 + 5000,
    );
    const [e] = store.list<EventObject>(EVENT, "shop");
    expect(store.list(EVENT)).toHaveLength(1);
    expect(e).toMatchObject({
      regarding: { kind: "Pod", namespace: "shop", name: "web-1", uid: "pod-uid", fieldPath: "spec.containers{web}" },
      reason: "Started",
      type: "Normal",
      eventTime: null,
      reportingController: "kubelet",
      deprecatedSource: { component: "kubelet", host: "node-a" },
      deprecatedFirstTimestamp: "2026-01-01T12:00:00Z",
      deprecatedLastTimestamp: "2026-01-01T12:00:05Z",
      deprecatedCount: 2,
    });
    expect(e.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
  });

  it("writes the scheduler's events with eventTime and series", () => {
    const store = new ObjectStore(100);
    const rec = new EventRecorder(store);
    const o = {
      type: "Warning" as const,
      reason: "FailedScheduling",
      note: "0/4 nodes are available: 4 Insufficient cpu.",
      controller: "default-scheduler",
      newApi: true,
      action: "Scheduling",
    };
    rec.record(pod, o, T0);
    rec.record(pod, o, T0 + 300_000);
    const [e] = store.list<EventObject>(EVENT);
    expect(e).toMatchObject({
      eventTime: "2026-01-01T12:00:00.000000Z",
      series: { count: 2, lastObservedTime: "2026-01-01T12:05:00.000000Z" },
      type: "Warning",
    });
    expect(e.deprecatedCount).toBeUndefined();
  });

  it("deletes events an hour after they last happened, and the oldest beyond the cap", () => {
    const store = new ObjectStore(100);
    const rec = new EventRecorder(store, 3600_000, 2);
    rec.record(pod, { reason: "A", note: "a", controller: "kubelet" }, T0);
    rec.record(pod, { reason: "B", note: "b", controller: "kubelet" }, T0 + 1000);
    expect(rec.expire(T0 + 2000)).toBe(T0 + 3600_000);
    rec.record(pod, { reason: "C", note: "c", controller: "kubelet" }, T0 + 3000);
    rec.expire(T0 + 3000);
    expect(
      store
        .list<EventObject>(EVENT)
        .map((e) => e.reason)
        .sort(),
    ).toEqual(["B", "C"]);
    expect(rec.expire(T0 + 1000 + 3600_000)).toBe(T0 + 3000 + 3600_000);
    expect(store.list<EventObject>(EVENT).map((e) => e.reason)).toEqual(["C"]);
    expect(rec.expire(T0 + 3000 + 3600_000)).toBe(Infinity);
    expect(rec.size).toBe(0);
  });
});

describe("the simulator's events.k8s.io/v1", () => {
  let sim: KubeSimHandle | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("is discoverable, lists and watches like the other resources, and records what the controllers do", async () => {
    sim = await startKubeSim({ content: "demo-east", timings: "fast" });
    const s = sim;
    const groups = (await (await fetch(`${s.url}/apis`)).json()) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain("events.k8s.io");
    const resources = (await (await fetch(`${s.url}/apis/events.k8s.io/v1`)).json()) as {
      resources: { name: string; kind: string; shortNames?: string[] }[];
    };
    expect(resources.resources).toContainEqual(expect.objectContaining({ name: "events", kind: "Event", shortNames: ["ev"] }));

    // The initial fleet's history is older than the TTL: no events from bootstrapping.
    const empty = (await (await fetch(`${s.url}/apis/events.k8s.io/v1/events`)).json()) as {
      kind: string;
      metadata: { resourceVersion: string };
      items: unknown[];
    };
    expect(empty.kind).toBe("EventList");
    // The bootstrapped history is older than any event's TTL; only the leaking worker's OOM kills of the last hour show.
    expect((empty.items as { reason: string }[]).filter((e) => e.reason !== "OOMKilling")).toEqual([]);

    const watch = await fetch(
      `${s.url}/apis/events.k8s.io/v1/namespaces/default/events?watch=1&resourceVersion=${empty.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    s.scale("StatefulSet", "default", "mysql", 5);
    s.scale("Deployment", "default", "web", 5);
    await s.waitFor(
      () => s.list<Pod5>("Pod", "default").filter((p) => p.metadata.name.startsWith("mysql-") && p.status.phase === "Running").length === 5,
      5000,
      "mysql at 5",
    );
    const notes = s.list<EventObject>("Event", "default").map((e) => `${e.regarding.kind} ${e.reason}: ${e.note}`);
    expect(notes).toContain("StatefulSet SuccessfulCreate: create Pod mysql-3 in StatefulSet mysql successful");
    expect(notes).toContain("StatefulSet SuccessfulCreate: create Pod mysql-4 in StatefulSet mysql successful");
    expect(notes.some((n) => /^Deployment ScalingReplicaSet: Scaled up replica set web-\w+ to 5 from 3$/.test(n))).toBe(true);
    expect(notes.some((n) => /^ReplicaSet SuccessfulCreate: Created pod: web-\w+-\w{5}$/.test(n))).toBe(true);
    expect(notes.some((n) => /^Pod Scheduled: Successfully assigned default\/mysql-4 to east-/.test(n))).toBe(true);
    expect(notes).toContain('Pod Pulled: Container image "mysql:5.7" already present on machine');
    expect(notes).toContain("Pod Created: Created container mysql");
    expect(notes).toContain("Pod Started: Started container mysql");
    const streamed = (await watch.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; object: EventObject });
    expect(streamed.filter((e) => e.type === "ADDED").map((e) => e.object.reason)).toContain("SuccessfulCreate");
    // Field selectors kubectl describe uses.
    const selected = (await (
      await fetch(
        `${s.url}/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.kind%3DStatefulSet,regarding.name%3Dmysql`,
      )
    ).json()) as { items: EventObject[] };
    expect(selected.items.length).toBeGreaterThanOrEqual(2);
    expect(selected.items.every((e) => e.regarding.name === "mysql")).toBe(true);
    s.scale("Deployment", "default", "web", 3);
  });

  it("warns with FailedScheduling about a pod that fits on no node", async () => {
    sim = await startKubeSim({ content: "demo-west", timings: "fast" });
    const s = sim;
    await s.waitFor(() => s.list<EventObject>("Event", "shop").some((e) => e.reason === "FailedScheduling"), 5000, "FailedScheduling");
    const e = s.list<EventObject>("Event", "shop").find((x) => x.reason === "FailedScheduling")!;
    expect(e).toMatchObject({ type: "Warning", regarding: { kind: "Pod" }, reportingController: "default-scheduler" });
    expect(e.regarding.name).toMatch(/^ml-batch-/);
    expect(e.note).toMatch(/^0\/3 nodes are available: .*2 Insufficient cpu.*\.$/);
    // Repeated scheduling passes do not write it again (the scheduler retries every 5 minutes).
    const rv = e.metadata.resourceVersion;
    s.reconcile();
    s.reconcile();
    expect(s.get<EventObject>("Event", "shop", e.metadata.name)!.metadata.resourceVersion).toBe(rv);
  });
});

type Pod5 = KubeObject & { status: { phase: string } };
