import { afterEach, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSimHandle } from "./sim";
import type {
  CoreEventObject,
  DeploymentObject,
  EventObject,
  NodeObject,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  Pod,
  StorageClassObject,
} from "./types";

/** Claims, volumes and the StorageClass through the handle and plain HTTP (kubectl's view is in kubectl.int.test.ts). */
let sim: KubeSimHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const claim = (s: KubeSimHandle, name: string, ns = "default") => s.get<PersistentVolumeClaimObject>("PersistentVolumeClaim", ns, name);
const mysqlClaim = (ordinal: number) => `mysql-persistent-volume-mysql-${ordinal}`;

describe("persistent storage", () => {
  it("starts with a default StorageClass and a bound claim per replica of each StatefulSet template", async () => {
    sim = await startKubeSim({ content: "demo-west", timings: "fast" });
    const [gp3] = sim.list<StorageClassObject>("StorageClass");
    expect(gp3).toMatchObject({
      metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    const data = claim(sim, "data-redis-0", "shop")!;
    expect(data).toMatchObject({
      metadata: { labels: { app: "redis" } },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } }, storageClassName: "gp3" },
      status: { phase: "Bound", capacity: { storage: "2Gi" }, accessModes: ["ReadWriteOnce"] },
    });
    const volume = sim.get<PersistentVolumeObject>("PersistentVolume", undefined, data.spec.volumeName!)!;
    const pod = sim.get<Pod>("Pod", "shop", "redis-0")!;
    const zone = sim.get<NodeObject>("Node", undefined, pod.spec.nodeName!)!.metadata.labels!["topology.kubernetes.io/zone"];
    // Provisioned where the pod was scheduled: the claim waited for its first consumer.
    expect(data.metadata.annotations?.["volume.kubernetes.io/selected-node"]).toBe(pod.spec.nodeName);
    expect(volume.spec.nodeAffinity?.required.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: "topology.kubernetes.io/zone", operator: "In", values: [zone] },
    ]);
    expect(volume.spec).toMatchObject({
      claimRef: { name: "data-redis-0", uid: data.metadata.uid },
      persistentVolumeReclaimPolicy: "Delete",
    });
  });

  it("keeps a replica's claim when the set scales down, and brings the replica back to its volume's zone", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const s = sim;
    const volumeOf2 = claim(s, mysqlClaim(2))!.spec.volumeName!;
    const zoneOf2 = s.get<PersistentVolumeObject>("PersistentVolume", undefined, volumeOf2)!.spec.nodeAffinity!.required
      .nodeSelectorTerms[0].matchExpressions[0].values[0];
    s.scale("StatefulSet", "default", "mysql", 1);
    await s.waitFor(() => !s.get("Pod", "default", "mysql-2") && !s.get("Pod", "default", "mysql-1"), 10_000, "mysql down to one pod");
    expect(claim(s, mysqlClaim(2))).toMatchObject({ status: { phase: "Bound" }, spec: { volumeName: volumeOf2 } });

    // With its zone's nodes cordoned, the replica waits rather than start elsewhere without its data.
    const inZone = s.list<NodeObject>("Node").filter((n) => n.metadata.labels!["topology.kubernetes.io/zone"] === zoneOf2);
    for (const n of inZone) s.setNodeSchedulable(n.metadata.name, false);
    s.scale("StatefulSet", "default", "mysql", 3);
    const mysql2 = () => s.get<Pod>("Pod", "default", "mysql-2");
    await s.waitFor(() => mysql2()?.status.conditions.some((c) => c.reason === "Unschedulable") ?? false, 10_000, "mysql-2 unschedulable");
    expect(mysql2()!.status.conditions[0].message).toMatch(/node\(s\) had volume node affinity conflict/);

    for (const n of inZone) s.setNodeSchedulable(n.metadata.name, true);
    await s.waitFor(() => mysql2()?.status.phase === "Running", 10_000, "mysql-2 running again");
    const node = s.get<NodeObject>("Node", undefined, mysql2()!.spec.nodeName!)!;
    expect(node.metadata.labels!["topology.kubernetes.io/zone"]).toBe(zoneOf2);
    expect(claim(s, mysqlClaim(2))!.spec.volumeName).toBe(volumeOf2);
  });

  it("leaves a pod whose claim is missing unscheduled, and deletes the volume of a deleted claim", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const s = sim;
    const volume = claim(s, mysqlClaim(0))!.spec.volumeName!;
    s.remove("PersistentVolumeClaim", "default", mysqlClaim(0));
    await s.waitFor(() => !s.get("PersistentVolume", undefined, volume), 5000, "the released volume deleted (reclaimPolicy Delete)");

    s.add((b) =>
      b.deployment({ namespace: "default", name: "uploads", image: "nginx:1.27.3", labels: { app: "uploads" }, requests: { cpu: "10m" } }),
    );
    s.mutate<DeploymentObject>("Deployment", "default", "uploads", (d) => {
      d.spec.template.spec.volumes = [{ name: "files", persistentVolumeClaim: { claimName: "uploads" } }];
    });
    const uploads = () =>
      s.list<Pod>("Pod", "default").find((p) => p.metadata.name.startsWith("uploads-") && !p.metadata.deletionTimestamp);
    await s.waitFor(
      () => uploads()?.status.conditions.some((c) => c.reason === "Unschedulable") ?? false,
      5000,
      "the uploads pod reported unschedulable",
    );
    expect(uploads()!.status.conditions[0].message).toBe('0/4 nodes are available: persistentvolumeclaim "uploads" not found.');

    // Created through the API (as kubectl would), it gets the default class and is bound once the pod is placed.
    const res = await fetch(`${s.url}/api/v1/namespaces/default/persistentvolumeclaims`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        metadata: { name: "uploads" },
        spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "500Mi" } } },
      }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ spec: { storageClassName: "gp3", volumeMode: "Filesystem" }, status: { phase: "Pending" } });
    await s.waitFor(() => uploads()?.status.phase === "Running", 10_000, "the uploads pod running");
    // Block storage comes in whole GiB.
    expect(claim(s, "uploads")).toMatchObject({ status: { phase: "Bound", capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"] } });
  });

  it("serves claims, volumes and classes through discovery, and core/v1 events as a view of the recorded ones", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const s = sim;
    const json = async <T>(p: string) => (await (await fetch(`${s.url}${p}`)).json()) as T;
    type Resources = { resources: { name: string; shortNames?: string[]; categories?: string[]; namespaced: boolean }[] };
    const core = await json<Resources>("/api/v1");
    expect(core.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "persistentvolumeclaims", namespaced: true, shortNames: ["pvc"] }),
        expect.objectContaining({ name: "persistentvolumes", namespaced: false, shortNames: ["pv"] }),
        expect.objectContaining({ name: "events", namespaced: true, shortNames: ["ev"] }),
        expect.objectContaining({ name: "pods", categories: ["all"] }),
      ]),
    );
    const storage = await json<Resources>("/apis/storage.k8s.io/v1");
    expect(storage.resources).toContainEqual(expect.objectContaining({ name: "storageclasses", namespaced: false, shortNames: ["sc"] }));
    const apps = await json<Resources>("/apis/apps/v1");
    expect(apps.resources.filter((r) => r.categories?.includes("all")).map((r) => r.name)).toEqual([
      "deployments",
      "statefulsets",
      "daemonsets",
      "replicasets",
    ]);

    const list = await json<{ metadata: { resourceVersion: string } }>("/api/v1/events");
    const watch = await fetch(
      `${s.url}/api/v1/namespaces/default/events?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`,
    );
    s.scale("StatefulSet", "default", "mysql", 4);
    await s.waitFor(() => claim(s, mysqlClaim(3))?.status.phase === "Bound", 5000, "claim 3 bound");
    const streamed = (await watch.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; object: CoreEventObject });
    const provisioned = streamed.find((e) => e.object.reason === "ProvisioningSucceeded")!;
    expect(provisioned.object).toMatchObject({
      apiVersion: "v1",
      involvedObject: { kind: "PersistentVolumeClaim", name: mysqlClaim(3) },
      message: expect.stringMatching(/^Successfully provisioned volume pvc-/),
      source: { component: "ebs.csi.aws.com" },
      reportingComponent: "ebs.csi.aws.com",
      count: 1,
    });
    // The same event, stored once, through events.k8s.io/v1.
    const v1 = s.get<EventObject>("Event", "default", provisioned.object.metadata.name)!;
    expect(v1).toMatchObject({ regarding: { name: mysqlClaim(3) }, note: provisioned.object.message, deprecatedCount: 1 });

    const selected = await json<{ items: CoreEventObject[] }>(
      `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${mysqlClaim(3)},reason=Provisioning`)}`,
    );
    expect(selected.items.map((e) => e.reason)).toEqual(["Provisioning"]);
    const refused = await fetch(`${s.url}/api/v1/namespaces/default/events?fieldSelector=regarding.name%3Dx`);
    expect(refused.status).toBe(400);
    const write = await fetch(`${s.url}/api/v1/namespaces/default/events`, { method: "POST", body: "{}" });
    expect(write.status).toBe(405);
  });
});
