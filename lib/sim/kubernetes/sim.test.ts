import { afterEach, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSimHandle } from "./sim";
import { RESOURCE_TYPES } from "./resources";
import type { DaemonSetObject, DeploymentObject, HpaObject, KubeObject, NodeObject, Pod, StatefulSetObject } from "./types";
import { isReady } from "./controllers";
import { FAST_TIMINGS } from "./types";

/** Controller and scheduler behaviour through the programmatic handle (the HTTP surface is in kube-sim.int.test.ts). */
let sim: KubeSimHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const podsOf = (s: KubeSimHandle, prefix: string, ns = "default") =>
  s.list<Pod>("Pod", ns).filter((p) => p.metadata.name.startsWith(prefix + "-"));

describe("demo-east content", () => {
  it("starts settled: every workload ready, daemon pods on every node that tolerates them", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const nodes = sim.list<NodeObject>("Node");
    expect(nodes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(nodes.map((n) => n.status.capacity.cpu)).size).toBeGreaterThan(1);
    const mysql = sim.get<StatefulSetObject>("StatefulSet", "default", "mysql")!;
    expect(mysql.spec.template.spec.containers[0].image).toBe("mysql:5.7");
    expect(mysql.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
    expect(
      podsOf(sim, "mysql")
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["mysql-0", "mysql-1", "mysql-2"]);
    const headless = sim.get<KubeObject & { spec: { clusterIP: string } }>("Service", "default", "mysql")!;
    expect(headless.spec.clusterIP).toBe("None");
    for (const name of ["web", "api", "worker"]) {
      const d = sim.get<DeploymentObject>("Deployment", "default", name)!;
      expect(d.status.readyReplicas, name).toBe(d.spec.replicas);
    }
    const ds = sim.get<DaemonSetObject>("DaemonSet", "kube-system", "node-exporter")!;
    expect(ds.status).toMatchObject({ desiredNumberScheduled: nodes.length, numberReady: nodes.length });
    // Nothing but node-exporter and coredns (which tolerate it) lands on the tainted control plane.
    const onControlPlane = sim.list<Pod>("Pod").filter((p) => p.spec.nodeName === "east-control-plane");
    expect(onControlPlane.every((p) => /^(node-exporter|coredns)-/.test(p.metadata.name))).toBe(true);
    const hpa = sim.get<HpaObject>("HorizontalPodAutoscaler", "default", "web")!;
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpa.status).toMatchObject({ currentReplicas: 3, desiredReplicas: 3 });
  });

  it("writes nothing once settled but the autoscalers' periodic status", async () => {
    sim = await startKubeSim({ timings: "fast" });
    // An HPA re-reads CPU use every sync period, as the real controller does, so its status may move.
    const settled = () => RESOURCE_TYPES.filter((t) => t.kind !== "HorizontalPodAutoscaler").map((t) => [t.kind, sim!.list(t.kind)]);
    const before = JSON.stringify(settled());
    for (let i = 0; i < 5; i++) sim.reconcile();
    expect(JSON.stringify(settled())).toBe(before);
  });

  it("is deterministic for a seed", async () => {
    sim = await startKubeSim({ timings: "fast", seed: 5 });
    const names = sim.list<Pod>("Pod").map((p) => p.metadata.name);
    await sim.close();
    sim = await startKubeSim({ timings: "fast", seed: 5 });
    expect(sim.list<Pod>("Pod").map((p) => p.metadata.name)).toEqual(names);
  });
});

describe("demo-west content", () => {
  it("has a crash-looping pod whose restarts rise and a pod that fits on no node", async () => {
    sim = await startKubeSim({ content: "demo-west", timings: "fast" });
    const recommendations = () => podsOf(sim!, "recommendations", "shop")[0];
    const first = recommendations().status.containerStatuses![0];
    expect(recommendations().status.phase).toBe("Running");
    expect(first.ready).toBe(false);
    await sim.waitFor(
      () => recommendations().status.containerStatuses![0].state.waiting?.reason === "CrashLoopBackOff",
      5000,
      "CrashLoopBackOff",
    );
    const restarts = recommendations().status.containerStatuses![0].restartCount;
    await sim.waitFor(() => recommendations().status.containerStatuses![0].restartCount > restarts, 5000, "another restart");
    expect(recommendations().status.containerStatuses![0].lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });

    const batch = podsOf(sim, "ml-batch", "shop")[0];
    expect(batch.status.phase).toBe("Pending");
    expect(batch.status.conditions[0]).toMatchObject({ type: "PodScheduled", status: "False", reason: "Unschedulable" });
    expect(batch.status.conditions[0].message).toMatch(/^0\/3 nodes are available: .*2 Insufficient cpu/);
  });
});

describe("controllers", () => {
  it("scales the mysql StatefulSet 3 → 5 in ordinal order, each pod going Pending → Running → Ready", async () => {
    sim = await startKubeSim({ timings: { tickMs: 10, scheduleMs: 10, startMs: 150, readyMs: 60, terminateMs: 30 } });
    const phases = new Map<string, string[]>();
    const seen = () => {
      for (const p of podsOf(sim!, "mysql")) {
        const state =
          p.status.phase === "Pending"
            ? `Pending:${p.status.containerStatuses?.[0]?.state.waiting?.reason ?? "unscheduled"}`
            : isReady(p)
              ? "Ready"
              : p.status.phase;
        const list = phases.get(p.metadata.name) ?? [];
        if (list[list.length - 1] !== state) list.push(state);
        phases.set(p.metadata.name, list);
      }
    };
    sim.scale("StatefulSet", "default", "mysql", 5);
    await sim.waitFor(
      () => {
        seen();
        // OrderedReady: mysql-4 may not exist before mysql-3 is ready.
        const three = sim!.get<Pod>("Pod", "default", "mysql-3");
        if (sim!.get("Pod", "default", "mysql-4")) expect(three && isReady(three)).toBe(true);
        return sim!.get<StatefulSetObject>("StatefulSet", "default", "mysql")!.status.readyReplicas === 5;
      },
      5000,
      "mysql to have 5 ready replicas",
    );
    expect(phases.get("mysql-3")).toEqual(expect.arrayContaining(["Pending:ContainerCreating", "Running", "Ready"]));
    expect(phases.get("mysql-4")![phases.get("mysql-4")!.length - 1]).toBe("Ready");
    const endpoints = sim.get<KubeObject & { subsets: { addresses: unknown[] }[] }>("Endpoints", "default", "mysql")!;
    expect(endpoints.subsets[0].addresses).toHaveLength(5);
    const slice = sim
      .list<KubeObject & { endpoints: { conditions: { ready: boolean } }[] }>("EndpointSlice", "default")
      .find((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "mysql")!;
    expect(slice.endpoints.filter((e) => e.conditions.ready)).toHaveLength(5);

    sim.scale("StatefulSet", "default", "mysql", 2);
    await sim.waitFor(() => podsOf(sim!, "mysql").length === 2, 5000, "mysql to shrink to 2");
    expect(
      podsOf(sim, "mysql")
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["mysql-0", "mysql-1"]);
  });

  it("scales a Deployment through its ReplicaSet and reports status and generation", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const rs = sim
      .list<KubeObject & { spec: { replicas: number } }>("ReplicaSet", "default")
      .find((r) => r.metadata.name.startsWith("api-") && !r.metadata.name.startsWith("api-canary"))!;
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Deployment", name: "api", controller: true });
    sim.scale("Deployment", "default", "api", 6);
    await sim.waitFor(() => sim!.get<DeploymentObject>("Deployment", "default", "api")!.status.readyReplicas === 6, 5000);
    const api = sim.get<DeploymentObject>("Deployment", "default", "api")!;
    expect(api.metadata.generation).toBe(2);
    expect(api.status).toMatchObject({ observedGeneration: 2, replicas: 6, updatedReplicas: 6, availableReplicas: 6 });
    sim.scale("Deployment", "default", "api", 1);
    await sim.waitFor(() => podsOf(sim!, "api").filter((p) => !p.metadata.name.startsWith("api-canary")).length === 1, 5000);
  });

  it("leaves pods that fit nowhere Pending with the scheduler's reason", async () => {
    sim = await startKubeSim({ timings: "fast" });
    sim.scale("Deployment", "default", "worker", 40);
    await sim.waitFor(
      () => sim!.list<Pod>("Pod", "default").some((p) => p.status.conditions.some((c) => c.reason === "Unschedulable")),
      5000,
    );
    const stuck = sim.list<Pod>("Pod", "default").filter((p) => p.status.conditions.some((c) => c.reason === "Unschedulable"));
    const cond = stuck[0].status.conditions.find((c) => c.type === "PodScheduled")!;
    expect(cond.status).toBe("False");
    expect(cond.message).toMatch(
      /^0\/4 nodes are available: 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}, 3 Insufficient cpu\.$/,
    );
    expect(stuck[0].spec.nodeName).toBeUndefined();
    const worker = sim.get<DeploymentObject>("Deployment", "default", "worker")!;
    await sim.waitFor(
      () => sim!.get<DeploymentObject>("Deployment", "default", "worker")!.status.readyReplicas === 40 - stuck.length,
      5000,
    );
    expect(worker.spec.replicas).toBe(40);
  });

  it("follows nodes: a cordoned node gets no new pods, a not-ready node no daemon-less scheduling", async () => {
    sim = await startKubeSim({ timings: "fast" });
    for (const n of ["east-worker-a", "east-worker-b"]) sim.setNodeSchedulable(n, false);
    sim.setNodeReady("east-worker-c", false);
    sim.scale("Deployment", "default", "web", 5);
    await sim.waitFor(() => podsOf(sim!, "web").some((p) => p.status.conditions.some((c) => c.reason === "Unschedulable")), 5000);
    const message = podsOf(sim, "web")
      .flatMap((p) => p.status.conditions)
      .find((c) => c.reason === "Unschedulable")!.message;
    expect(message).toContain("2 node(s) were unschedulable");
    expect(message).toContain("node.kubernetes.io/not-ready");
    sim.setNodeReady("east-worker-c", true);
    await sim.waitFor(() => sim!.get<DeploymentObject>("Deployment", "default", "web")!.status.readyReplicas === 5, 5000);
  });

  it("marks the pods of a NotReady node not ready (endpoints drop them) and recovers", async () => {
    sim = await startKubeSim({ timings: "fast" });
    const onC = () => sim!.list<Pod>("Pod").filter((p) => p.spec.nodeName === "east-worker-c");
    expect(onC().length).toBeGreaterThan(0);
    sim.setNodeReady("east-worker-c", false);
    sim.reconcile();
    expect(onC().every((p) => !isReady(p))).toBe(true);
    const ips = new Set(onC().map((p) => p.status.podIP));
    const endpoints = sim.list<KubeObject & { subsets?: { addresses?: { ip: string }[] }[] }>("Endpoints");
    expect(
      endpoints
        .flatMap((e) => e.subsets ?? [])
        .flatMap((s) => s.addresses ?? [])
        .some((a) => ips.has(a.ip)),
    ).toBe(false);
    sim.setNodeReady("east-worker-c", true);
    await sim.waitFor(() => onC().every(isReady), 5000, "pods on east-worker-c ready again");
  });

  it("replaces a deleted pod and terminates the old one after the grace period", async () => {
    // A grace period long enough to see the Terminating state even on a loaded machine.
    sim = await startKubeSim({ timings: { ...FAST_TIMINGS, terminateMs: 1000 } });
    const victim = podsOf(sim, "web")[0];
    sim.deletePod("default", victim.metadata.name);
    expect(sim.get<Pod>("Pod", "default", victim.metadata.name)!.metadata.deletionTimestamp).toBeDefined();
    await sim.waitFor(() => !sim!.get("Pod", "default", victim.metadata.name) && podsOf(sim!, "web").filter(isReady).length === 3, 5000);
  });

  it("shows restarts on the worker pods, which leak memory and are OOMKilled", async () => {
    sim = await startKubeSim({ timings: "fast" });
    for (const p of podsOf(sim, "worker")) {
      expect(p.status.containerStatuses![0].restartCount).toBeGreaterThan(0);
      expect(p.status.containerStatuses![0].lastState.terminated?.reason).toBe("OOMKilled");
    }
  });
});

describe("runtime changes", () => {
  it("adds a workload at runtime and garbage-collects what it owned when removed", async () => {
    sim = await startKubeSim({ timings: "fast" });
    sim.add((b) =>
      b.deployment({
        namespace: "default",
        name: "batch",
        image: "busybox:1.36",
        replicas: 2,
        labels: { app: "batch" },
        requests: { cpu: "100m", memory: "64Mi" },
      }),
    );
    await sim.waitFor(() => sim!.get<DeploymentObject>("Deployment", "default", "batch")?.status.readyReplicas === 2, 5000);
    expect(podsOf(sim, "batch")).toHaveLength(2);
    sim.remove("Deployment", "default", "batch");
    await sim.waitFor(() => podsOf(sim!, "batch").length === 0, 5000, "batch pods to be collected");
    expect(sim.list("ReplicaSet", "default").some((r) => r.metadata.name.startsWith("batch-"))).toBe(false);
  });

  it("removes a Service's Endpoints and EndpointSlice with it", async () => {
    sim = await startKubeSim({ timings: "fast" });
    sim.remove("Service", "default", "web");
    sim.reconcile();
    expect(sim.get("Endpoints", "default", "web")).toBeUndefined();
    expect(sim.list("EndpointSlice", "default").some((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "web")).toBe(false);
  });
});
