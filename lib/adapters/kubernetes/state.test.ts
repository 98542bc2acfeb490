import { describe, expect, it } from "vitest";
import type { SnapshotChange } from "../types";
import {
  KubeDeploymentSchema,
  KubeEndpointSliceSchema,
  KubeEventSchema,
  KubeHorizontalPodAutoscalerSchema,
  KubePersistentVolumeClaimSchema,
  KubePodSchema,
  KubeReplicaSetSchema,
  KubeServiceSchema,
  KubeStatefulSetSchema,
} from "./raw";
import { ClusterState } from "./state";

function recorder() {
  const changes: SnapshotChange[] = [];
  const state = new ClusterState((c) => changes.push(...c));
  return { state, changes, take: () => changes.splice(0) };
}

const deployment = (name: string, replicas = 2) =>
  KubeDeploymentSchema.parse({
    metadata: { name, namespace: "shop" },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name, image: `${name}:1` }] } } },
    status: { readyReplicas: replicas },
  });

const replicaSet = (name: string, owner?: string) =>
  KubeReplicaSetSchema.parse({
    metadata: {
      name,
      namespace: "shop",
      ownerReferences: owner ? [{ kind: "Deployment", name: owner, controller: true }] : undefined,
    },
    spec: { replicas: 1 },
  });

// A pod whose ReplicaSet name does not follow the pod-template-hash convention, so only the owner map can resolve it.
const pod = (name: string, rs: string) =>
  KubePodSchema.parse({
    metadata: { name, namespace: "shop", ownerReferences: [{ kind: "ReplicaSet", name: rs, controller: true }] },
    status: { phase: "Running" },
  });

const hpa = (name: string, target: string, max = 5) =>
  KubeHorizontalPodAutoscalerSchema.parse({
    metadata: { name, namespace: "shop" },
    spec: { scaleTargetRef: { kind: "Deployment", name: target, apiVersion: "apps/v1" }, minReplicas: 1, maxReplicas: max },
  });

describe("ClusterState: pods and ReplicaSets", () => {
  it("re-points tasks at their Deployment when the ReplicaSet arrives after them", () => {
    const { state, take } = recorder();
    state.replacePods([pod("web-a", "web-rs")]);
    const [first] = take();
    expect(first).toMatchObject({ type: "replace", resource: "tasks" });
    expect(first.type === "replace" && first.items[0]).toMatchObject({ id: "shop~web-a", workloadId: null });

    state.upsertReplicaSet(replicaSet("web-rs", "web"));
    expect(take()).toEqual([
      expect.objectContaining({
        type: "upsert",
        resource: "tasks",
        item: expect.objectContaining({ id: "shop~web-a", workloadId: "deployment~shop~web" }),
      }),
    ]);

    // Once resolved, the ReplicaSet's later updates do not re-emit tasks.
    state.upsertReplicaSet(replicaSet("web-rs", "web"));
    expect(take()).toEqual([]);
  });

  it("resolves waiting tasks on a ReplicaSet relist too, and forgets deleted pods", () => {
    const { state, take } = recorder();
    state.upsertPod(pod("a", "rs-1"));
    state.upsertPod(pod("b", "rs-1"));
    state.deletePod(pod("b", "rs-1"));
    take();
    state.replaceReplicaSets([replicaSet("rs-1", "api")]);
    const changes = take();
    expect(changes[0]).toMatchObject({ type: "replace", resource: "workloads", items: [] });
    expect(changes.slice(1)).toEqual([
      expect.objectContaining({
        type: "upsert",
        resource: "tasks",
        item: expect.objectContaining({ id: "shop~a", workloadId: "deployment~shop~api" }),
      }),
    ]);
  });

  it("maps pods of known ReplicaSets directly", () => {
    const { state, take } = recorder();
    state.replaceReplicaSets([replicaSet("rs-1", "api"), replicaSet("bare")]);
    take();
    state.upsertPod(pod("a", "rs-1"));
    state.upsertPod(pod("b", "bare"));
    expect(take().map((c) => c.type === "upsert" && c.resource === "tasks" && c.item.workloadId)).toEqual([
      "deployment~shop~api",
      "replicaset~shop~bare",
    ]);
  });

  it("lists a bare ReplicaSet as a workload until a Deployment adopts it", () => {
    const { state, take } = recorder();
    state.upsertReplicaSet(replicaSet("loner"));
    expect(take()).toEqual([expect.objectContaining({ type: "upsert", item: expect.objectContaining({ id: "replicaset~shop~loner" }) })]);
    state.upsertReplicaSet(replicaSet("loner", "web"));
    expect(take()).toEqual([{ type: "delete", resource: "workloads", id: "replicaset~shop~loner" }]);
  });
});

describe("ClusterState: workloads from several sources", () => {
  it("keeps other sources' workloads when one source relists", () => {
    const { state, take } = recorder();
    state.replaceDeployments([deployment("web"), deployment("api")]);
    state.replaceStatefulSets([KubeStatefulSetSchema.parse({ metadata: { name: "db", namespace: "shop" }, spec: { replicas: 1 } })]);
    take();
    state.replaceDeployments([deployment("web")]);
    const [change] = take();
    expect(change.type === "replace" && change.items.map((w) => w.id).sort()).toEqual(["deployment~shop~web", "statefulset~shop~db"]);
  });

  it("joins autoscalers in whichever order they arrive and follows their changes", () => {
    const { state, take } = recorder();
    state.replaceAutoscalers([hpa("web-hpa", "web")]);
    state.replaceDeployments([deployment("web")]);
    const replaced = take().at(-1);
    expect(replaced?.type === "replace" && replaced.resource === "workloads" && replaced.items[0].autoscaler).toEqual({
      name: "web-hpa",
      minReplicas: 1,
      maxReplicas: 5,
    });
    expect(state.autoscalerFor("deployment~shop~web")?.name).toBe("web-hpa");

    // A status-only update of the HPA answers the workload as it was: the store drops such upserts.
    state.upsertAutoscaler(hpa("web-hpa", "web"));
    expect(take()).toEqual([{ type: "upsert", resource: "workloads", item: replaced?.type === "replace" ? replaced.items[0] : null }]);

    state.upsertAutoscaler(hpa("web-hpa", "web", 9));
    expect(take()).toEqual([
      expect.objectContaining({
        type: "upsert",
        item: expect.objectContaining({ autoscaler: { name: "web-hpa", minReplicas: 1, maxReplicas: 9 } }),
      }),
    ]);

    state.deleteAutoscaler(hpa("web-hpa", "web"));
    expect(take()).toEqual([expect.objectContaining({ type: "upsert", item: expect.objectContaining({ autoscaler: null }) })]);
    expect(state.autoscalerFor("deployment~shop~web")).toBeNull();
  });

  it("moves an autoscaler that is retargeted", () => {
    const { state, take } = recorder();
    state.replaceDeployments([deployment("web"), deployment("api")]);
    state.upsertAutoscaler(hpa("h", "web"));
    take();
    state.upsertAutoscaler(hpa("h", "api"));
    const items = take().map((c) =>
      c.type === "upsert" && c.resource === "workloads" ? [c.item.id, c.item.autoscaler?.name ?? null] : null,
    );
    expect(items).toEqual(
      expect.arrayContaining([
        ["deployment~shop~web", null],
        ["deployment~shop~api", "h"],
      ]),
    );
  });
});

describe("ClusterState: services and endpoint slices", () => {
  const service = KubeServiceSchema.parse({
    metadata: { name: "web", namespace: "shop" },
    spec: { clusterIP: "10.0.0.1", selector: { app: "web" }, ports: [{ port: 80 }] },
  });
  const slice = (name: string, ready: boolean[]) =>
    KubeEndpointSliceSchema.parse({
      metadata: { name, namespace: "shop", labels: { "kubernetes.io/service-name": "web" } },
      addressType: "IPv4",
      endpoints: ready.map((r, i) => ({ addresses: [`10.1.0.${i}`], conditions: { ready: r } })),
    });

  it("counts endpoints as slices come and go", () => {
    const { state, take } = recorder();
    state.replaceServices([service]);
    expect(take()).toEqual([
      expect.objectContaining({ type: "replace", items: [expect.objectContaining({ readyEndpoints: 0, totalEndpoints: 0 })] }),
    ]);
    state.upsertEndpointSlice(slice("web-1", [true, false]));
    state.upsertEndpointSlice(slice("web-2", [true]));
    expect(take().map((c) => c.type === "upsert" && c.resource === "services" && [c.item.readyEndpoints, c.item.totalEndpoints])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    // An update that moves no count answers the service as it was: the store drops such upserts.
    state.upsertEndpointSlice(slice("web-2", [true]));
    expect(take().map((c) => c.type === "upsert" && c.resource === "services" && [c.item.readyEndpoints, c.item.totalEndpoints])).toEqual([
      [2, 3],
    ]);
    state.deleteEndpointSlice(slice("web-1", []));
    expect(take()).toEqual([expect.objectContaining({ item: expect.objectContaining({ readyEndpoints: 1, totalEndpoints: 1 }) })]);
  });

  it("applies slices that arrive before their service", () => {
    const { state, take } = recorder();
    state.replaceEndpointSlices([slice("web-1", [true, true])]);
    state.upsertService(service);
    expect(take().at(-1)).toMatchObject({ type: "upsert", item: { readyEndpoints: 2, totalEndpoints: 2 } });
  });
});

describe("ClusterState: complete lists only", () => {
  it("holds back a workloads replace until every expected source has been listed", () => {
    const emitted: SnapshotChange[][] = [];
    const state = new ClusterState((c) => emitted.push(c), ["deployments", "statefulsets", "daemonsets", "services", "endpointslices"]);
    state.markListed("deployments");
    state.replaceDeployments([deployment("web")]);
    expect(emitted.flat().filter((c) => c.type === "replace")).toEqual([]);
    state.markListed("statefulsets");
    state.replaceStatefulSets([KubeStatefulSetSchema.parse({ metadata: { name: "db", namespace: "shop" }, spec: { replicas: 1 } })]);
    expect(emitted.flat().filter((c) => c.type === "replace")).toEqual([]);
    // DaemonSets are forbidden to this user: the list completes without them.
    state.sourceUnavailable("daemonsets");
    const replaces = emitted.flat().filter((c) => c.type === "replace");
    expect(replaces).toHaveLength(1);
    expect(replaces[0].type === "replace" && replaces[0].items.map((w) => w.id).sort()).toEqual([
      "deployment~shop~web",
      "statefulset~shop~db",
    ]);
  });
});

describe("ClusterState: events", () => {
  const NOW = Date.parse("2026-01-01T12:00:00Z");
  const event = (name: string, kind: string, of: string, reason: string, note: string, secondsAgo: number, type = "Normal") =>
    KubeEventSchema.parse({
      metadata: { name, namespace: "shop" },
      regarding: { kind, namespace: "shop", name: of },
      reason,
      note,
      type,
      eventTime: new Date(NOW - secondsAgo * 1000).toISOString(),
    });
  function eventsState() {
    const changes: SnapshotChange[] = [];
    const state = new ClusterState(
      (c) => changes.push(...c),
      [],
      () => NOW,
    );
    return { state, take: () => changes.splice(0) };
  }
  const eventsOf = (changes: SnapshotChange[], id: string) => {
    const last = changes
      .flatMap((c) =>
        c.type === "upsert" && c.resource === "workloads" && c.item.id === id
          ? [c.item]
          : c.type === "replace" && c.resource === "workloads"
            ? c.items.filter((w) => w.id === id)
            : [],
      )
      .at(-1);
    return last?.events.map((e) => `${e.level} ${e.message}`);
  };

  it("attaches the Deployment's, its ReplicaSets' and its pods' events to the Deployment", () => {
    const { state, take } = eventsState();
    state.replaceDeployments([deployment("web")]);
    state.replaceReplicaSets([replicaSet("web-rs", "web")]);
    state.replacePods([pod("web-a", "web-rs")]);
    state.replaceEvents([
      event("e1", "Deployment", "web", "ScalingReplicaSet", "Scaled up replica set web-rs to 1", 30),
      event("e2", "ReplicaSet", "web-rs", "SuccessfulCreate", "Created pod: web-a", 29),
      event("e3", "Pod", "web-a", "Started", "Started container web", 20),
      event("e4", "Pod", "other-a", "Started", "Started container other", 10),
      event("old", "Deployment", "web", "ScalingReplicaSet", "Scaled up replica set web-rs to 9", 7200),
    ]);
    expect(eventsOf(take(), "deployment~shop~web")).toEqual([
      "normal Started: Started container web — pod web-a",
      "normal SuccessfulCreate: Created pod: web-a",
      "normal ScalingReplicaSet: Scaled up replica set web-rs to 1",
    ]);
    expect(state.eventCount).toBe(4);
  });

  it("re-emits a workload when an event arrives, and when a pod with events joins it", () => {
    const { state, take } = eventsState();
    state.replaceDeployments([deployment("web")]);
    state.replaceReplicaSets([replicaSet("web-rs", "web")]);
    take();
    // The kubelet's event can arrive before the pod's watch event.
    state.upsertEvent(event("e1", "Pod", "web-b", "FailedScheduling", "0/4 nodes are available: 4 Insufficient cpu.", 5, "Warning"));
    expect(take()).toEqual([]);
    state.upsertPod(pod("web-b", "web-rs"));
    const changes = take();
    expect(changes[0]).toMatchObject({ type: "upsert", resource: "tasks" });
    expect(eventsOf(changes, "deployment~shop~web")).toEqual([
      "warning FailedScheduling: 0/4 nodes are available: 4 Insufficient cpu. — pod web-b",
    ]);
    // A deleted pod's events stay on its workload until they go.
    state.deletePod(pod("web-b", "web-rs"));
    take();
    state.upsertEvent(event("e2", "Pod", "web-b", "Killing", "Stopping container web", 1));
    expect(eventsOf(take(), "deployment~shop~web")?.[0]).toBe("normal Killing: Stopping container web — pod web-b");
    state.deleteEvent(event("e1", "Pod", "web-b", "", "", 0));
    expect(eventsOf(take(), "deployment~shop~web")).toEqual(["normal Killing: Stopping container web — pod web-b"]);
  });

  it("holds the first workloads list back until events are listed too, or known to be unavailable", () => {
    const changes: SnapshotChange[] = [];
    const state = new ClusterState(
      (c) => changes.push(...c),
      ["deployments", "events"],
      () => NOW,
    );
    state.markListed("deployments");
    state.replaceDeployments([deployment("web")]);
    expect(changes.filter((c) => c.type === "replace")).toEqual([]);
    state.sourceUnavailable("events");
    expect(changes).toEqual([
      expect.objectContaining({
        type: "replace",
        resource: "workloads",
        items: [expect.objectContaining({ id: "deployment~shop~web", events: [] })],
      }),
    ]);
  });
});

describe("ClusterState: volumes and their claims", () => {
  const database = (replicas: number) =>
    KubeStatefulSetSchema.parse({
      metadata: { name: "db", namespace: "shop" },
      spec: {
        replicas,
        selector: { matchLabels: { app: "db" } },
        template: { spec: { containers: [{ name: "db", image: "postgres:17" }] } },
        volumeClaimTemplates: [
          { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
        ],
      },
      status: { readyReplicas: replicas },
    });
  const claim = (name: string, phase: "Pending" | "Bound", namespace = "shop") =>
    KubePersistentVolumeClaimSchema.parse({
      metadata: { name, namespace },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      status: phase === "Bound" ? { phase, accessModes: ["ReadWriteOnce"], capacity: { storage: "2Gi" } } : { phase },
    });
  const volumesOf = (changes: SnapshotChange[], id: string) => {
    const item = changes.flatMap((c) => (c.type === "upsert" ? [c.item] : c.type === "replace" ? c.items : [])).find((w) => w.id === id);
    return item && "volumes" in item ? item.volumes : undefined;
  };

  it("re-emits the workload whose claims change, and only it", () => {
    const { state, take } = recorder();
    state.replaceClaims([claim("data-db-0", "Bound")]);
    state.replaceStatefulSets([database(2)]);
    state.replaceDeployments([deployment("web")]);
    expect(volumesOf(take(), "statefulset~shop~db")).toEqual([
      {
        name: "data",
        type: "persistentVolumeClaim",
        claim: "data-db-{0..1}",
        capacityBytes: 2 * 1024 ** 3,
        accessModes: ["ReadWriteOnce"],
        status: "Pending",
      },
    ]);

    state.upsertClaim(claim("data-db-1", "Bound"));
    const changes = take();
    expect(changes.map((c) => (c.type === "upsert" ? c.item.id : c.type))).toEqual(["statefulset~shop~db"]);
    expect(volumesOf(changes, "statefulset~shop~db")?.[0].status).toBe("Bound");

    // A claim of the same name in another namespace, or of another set, touches nothing.
    state.upsertClaim(claim("data-db-1", "Pending", "other"));
    state.upsertClaim(claim("data-dbx-0", "Pending"));
    expect(take()).toEqual([]);

    state.deleteClaim(claim("data-db-1", "Bound"));
    expect(volumesOf(take(), "statefulset~shop~db")?.[0].status).toBe("Pending");
  });

  it("holds the first workloads list back until claims are listed, and says unknown when they cannot be", () => {
    const changes: SnapshotChange[] = [];
    const state = new ClusterState((c) => changes.push(...c), ["statefulsets", "persistentvolumeclaims"]);
    state.markListed("statefulsets");
    state.replaceStatefulSets([database(1)]);
    expect(changes.filter((c) => c.type === "replace")).toEqual([]);
    state.sourceUnavailable("persistentvolumeclaims");
    expect(volumesOf(changes, "statefulset~shop~db")).toEqual([expect.objectContaining({ claim: "data-db-0", status: "unknown" })]);
  });
});
