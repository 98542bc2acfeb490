import { describe, expect, it } from "vitest";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import nodesFixture from "./fixtures/nodes.json";
import podsFixture from "./fixtures/pods.json";
import workloadsFixture from "./fixtures/workloads.json";
import servicesFixture from "./fixtures/services.json";
import metricsFixture from "./fixtures/metrics.json";
import simFixture from "./fixtures/sim-demo-east.json";
import volumesFixture from "./fixtures/volumes.json";
import {
  DAEMONSET_NOT_SCALABLE,
  combineEndpointCounts,
  describeUpdateStrategy,
  endpointSliceCounts,
  joinVolumes,
  mapClaim,
  mapDaemonSet,
  deploymentProblems,
  mapDeployment,
  mapHorizontalPodAutoscaler,
  mapNode,
  mapNodeMetrics,
  mapPod,
  mapPodMetrics,
  mapReplicaSet,
  mapService,
  mapStatefulSet,
  nodeProblems,
  podLimits,
  podRequests,
  renderSelector,
  replicaSetOwner,
  workloadVolumeSpecs,
  type ClaimLookup,
  type ReplicaSetOwnerLookup,
} from "./mappers";
import {
  KubeDaemonSetSchema,
  KubeDeploymentSchema,
  KubeEndpointSliceSchema,
  KubeHorizontalPodAutoscalerSchema,
  KubeNodeMetricsSchema,
  KubeNodeSchema,
  KubePodMetricsSchema,
  KubePersistentVolumeClaimSchema,
  KubePodSchema,
  KubeReplicaSetSchema,
  KubeServiceSchema,
  KubeStatefulSetSchema,
} from "./raw";

const nodes = nodesFixture.items.map((n) => KubeNodeSchema.parse(n));
const pods = new Map(podsFixture.items.map((p) => [p.metadata.name, KubePodSchema.parse(p)]));
const replicaSets = workloadsFixture.replicaSets.items.map((r) => KubeReplicaSetSchema.parse(r));
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const owners = new Map(replicaSets.map((rs) => [`${rs.metadata.namespace}/${rs.metadata.name}`, replicaSetOwner(rs)]));
const lookup: ReplicaSetOwnerLookup = (ns, name) => owners.get(`${ns}/${name}`);
const unknownReplicaSets: ReplicaSetOwnerLookup = () => undefined;

function pod(name: string) {
  const p = pods.get(name);
  if (!p) throw new Error(`no fixture pod ${name}`);
  return mapPod(p, lookup);
}

describe("mapNode", () => {
  it("maps a ready control-plane node", () => {
    const node = mapNode(nodes[0]);
    expect(NodeCoreSchema.parse(node)).toEqual(node);
    expect(node).toMatchObject({
      id: "kind-control-plane",
      name: "kind-control-plane",
      status: "ready",
      statusReason: null,
      schedulable: true,
      roles: ["control-plane"],
      capacity: { cpuMillis: 8000, memoryBytes: 16393252 * 1024 },
      allocatable: { cpuMillis: 7800, memoryBytes: 15868964 * 1024 },
      createdAt: "2026-11-20T08:14:02Z",
    });
    expect(node.info).toEqual({
      kubeletVersion: "v1.31.2",
      osImage: "Debian GNU/Linux 12 (bookworm)",
      kernelVersion: "6.8.0-49-generic",
      containerRuntime: "containerd://1.7.18",
      architecture: "amd64",
      internalIP: "172.18.0.2",
      taints: "node-role.kubernetes.io/control-plane:NoSchedule",
    });
  });

  it("maps a cordoned node with several roles and fractional binary memory", () => {
    const node = mapNode(nodes[1]);
    expect(node.schedulable).toBe(false);
    expect(node.roles).toEqual(["ingress", "worker"]);
    expect(node.allocatable).toEqual({ cpuMillis: 3920, memoryBytes: 7.5 * GiB });
    expect(node.info.taints).toBe("node.kubernetes.io/unschedulable:NoSchedule, dedicated=gpu:NoExecute");
    expect(node.info.externalIP).toBe("203.0.113.7");
  });

  it("reports a node whose kubelet stopped posting as unknown, with why", () => {
    const node = mapNode(nodes[2]);
    expect(node.status).toBe("unknown");
    expect(node.statusReason).toBe("NodeStatusUnknown: Kubelet stopped posting node status.");
  });

  it("reports a not-ready node with its reason, and falls back to capacity without allocatable", () => {
    const node = mapNode(nodes[3]);
    expect(node.status).toBe("not-ready");
    expect(node.statusReason).toMatch(/^KubeletNotReady: container runtime network not ready/);
    expect(node.allocatable).toEqual({ cpuMillis: 2000, memoryBytes: 4 * GiB });
    expect(node.info).toEqual({});
  });
});

describe("mapPod", () => {
  it("maps a running Deployment pod", () => {
    const task = pod("web-7d9f8b6c5d-x2k4p");
    expect(TaskCoreSchema.parse(task)).toEqual(task);
    expect(task).toEqual({
      id: "shop~web-7d9f8b6c5d-x2k4p",
      name: "web-7d9f8b6c5d-x2k4p",
      namespace: "shop",
      workloadId: "deployment~shop~web",
      node: "kind-worker",
      state: "running",
      stateReason: null,
      ready: true,
      restarts: 3,
      labels: { app: "web", "pod-template-hash": "7d9f8b6c5d" },
      limits: { cpuMillis: null, memoryBytes: null },
      requests: { cpuMillis: 300, memoryBytes: 160 * MiB },
      startedAt: "2026-11-26T14:02:14Z",
      createdAt: "2026-11-26T14:02:11Z",
      ip: "10.244.1.17",
    });
  });

  it("explains an unschedulable pod with the scheduler's message", () => {
    const task = pod("web-7d9f8b6c5d-q8z7m");
    expect(task.state).toBe("pending");
    expect(task.node).toBeNull();
    expect(task.stateReason).toBe(
      "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    expect(task.startedAt).toBeNull();
    expect(task.ip).toBeNull();
  });

  it("shows CrashLoopBackOff on a running but unready pod", () => {
    const task = pod("api-5f6c7d8e9-abcde");
    expect(task).toMatchObject({ state: "running", ready: false, stateReason: "CrashLoopBackOff", restarts: 14 });
    // The api ReplicaSet is not in the fixtures: the Deployment comes from the pod-template-hash naming.
    expect(task.workloadId).toBe("deployment~shop~api");
  });

  it("prefers an image pull error over a routine ContainerCreating", () => {
    const task = pod("fluentd-9xk2l");
    expect(task).toMatchObject({ stateReason: "ImagePullBackOff", workloadId: "daemonset~kube-system~fluentd" });
    expect(task.requests).toEqual({ cpuMillis: 100, memoryBytes: 200 * MiB });
  });

  it("reports init container trouble like kubectl and sums init restarts", () => {
    const task = pod("mysql-2");
    expect(task).toMatchObject({
      workloadId: "statefulset~db~mysql",
      state: "pending",
      stateReason: "Init:CrashLoopBackOff",
      restarts: 3,
      startedAt: "2026-11-26T15:38:01Z",
    });
  });

  it("reports terminated reasons of finished pods", () => {
    expect(pod("migrate-28871234-7wq9z")).toMatchObject({ state: "succeeded", stateReason: "Completed", workloadId: null });
    expect(pod("worker-6c8d9e0f1-oomed")).toMatchObject({ state: "failed", stateReason: "OOMKilled" });
  });

  it("reports an eviction with its message and a bare ReplicaSet as the workload", () => {
    const task = pod("cache-0-evicted");
    expect(task.state).toBe("failed");
    expect(task.stateReason).toMatch(/^Evicted: The node was low on resource: memory\./);
    expect(task.workloadId).toBe("replicaset~shop~cache");
  });

  it("does not blame a finished sidecar for a running pod, but does name a crashed one", () => {
    const running = (exitCode: number, reason: string) =>
      mapPod(
        KubePodSchema.parse({
          metadata: { name: "p", namespace: "x" },
          status: {
            phase: "Running",
            containerStatuses: [
              { name: "app", restartCount: 0, state: { running: { startedAt: "2026-11-26T10:00:00Z" } } },
              { name: "setup", restartCount: 0, state: { terminated: { exitCode, reason } } },
            ],
          },
        }),
        lookup,
      ).stateReason;
    expect(running(0, "Completed")).toBeNull();
    expect(running(2, "Error")).toBe("Error");
  });

  it("marks a pod being deleted as Terminating", () => {
    expect(pod("web-7d9f8b6c5d-term1").stateReason).toBe("Terminating");
  });

  it("maps a bare pod without status details", () => {
    expect(pod("debug")).toMatchObject({ workloadId: null, state: "pending", stateReason: null, ready: false, restarts: 0 });
    expect(pod("debug").requests).toEqual({ cpuMillis: 0, memoryBytes: 0 });
  });

  it("leaves the workload unknown for a ReplicaSet of another controller", () => {
    const raw = KubePodSchema.parse({
      metadata: { name: "r-1", namespace: "shop", ownerReferences: [{ kind: "ReplicaSet", name: "rollout-abc", controller: true }] },
    });
    expect(mapPod(raw, lookup).workloadId).toBeNull();
    expect(mapPod(raw, unknownReplicaSets).workloadId).toBeNull();
  });

  it("takes a Date from the client library's deserializer as a timestamp", () => {
    const raw = KubePodSchema.parse({ metadata: { name: "d", namespace: "x", creationTimestamp: new Date("2026-01-02T03:04:05Z") } });
    expect(mapPod(raw, lookup).createdAt).toBe("2026-01-02T03:04:05.000Z");
  });
});

describe("health signals", () => {
  const problems = (name: string) => (pod(name).problems ?? []).map((p) => [p.severity, p.reason, p.ongoing]);

  it("reads waiting reasons that will not clear as critical, with the container and its restarts", () => {
    expect(pod("api-5f6c7d8e9-abcde").problems).toEqual([
      {
        severity: "critical",
        reason: "Crash loop",
        evidence:
          "container api: CrashLoopBackOff: back-off 5m0s restarting failed container=api pod=api-5f6c7d8e9-abcde_shop(1234) (14 restarts)",
        since: null,
        ongoing: true,
      },
    ]);
    expect(problems("fluentd-9xk2l")).toEqual([["critical", "Image cannot be pulled", true]]);
    expect(problems("mysql-2")).toEqual([["critical", "Crash loop", true]]); // an init container
  });

  it("reads a pod no node can take as critical, since the scheduler said so", () => {
    expect(pod("web-7d9f8b6c5d-q8z7m").problems).toMatchObject([
      {
        severity: "critical",
        reason: "Cannot be placed",
        since: "2026-11-26T15:30:00Z",
        evidence: expect.stringContaining("3 Insufficient cpu"),
      },
    ]);
  });

  it("reads an OOM kill as a past warning dated when it ended", () => {
    expect(pod("worker-6c8d9e0f1-oomed").problems).toEqual([
      {
        severity: "warning",
        reason: "Out of memory",
        evidence: "container worker was OOMKilled (exit code 137)",
        since: "2026-11-26T12:10:00Z",
        ongoing: false,
      },
    ]);
  });

  it("keeps a crash loop critical while the container is briefly up between back-offs", () => {
    const base = pods.get("api-5f6c7d8e9-abcde")!;
    const up = structuredClone(base);
    up.status!.containerStatuses![0].state = { running: { startedAt: "2026-11-26T15:40:00Z" } };
    expect(mapPod(up, lookup).problems).toMatchObject([{ severity: "critical", reason: "Crash loop" }]);
    up.status!.containerStatuses![0].restartCount = 1;
    expect(mapPod(up, lookup).problems).toMatchObject([{ severity: "warning", reason: "Container failed", ongoing: false }]);
  });

  it("finds nothing wrong with healthy, finished or deleted pods", () => {
    for (const name of ["web-7d9f8b6c5d-x2k4p", "migrate-28871234-7wq9z", "web-7d9f8b6c5d-term1", "debug"]) {
      expect(pod(name).problems, name).toBeUndefined();
    }
  });

  it("reads a stuck rollout and replicas that cannot be created from a Deployment's conditions", () => {
    const d = KubeDeploymentSchema.parse({
      metadata: { name: "web", namespace: "shop" },
      status: {
        conditions: [
          { type: "Available", status: "False", reason: "MinimumReplicasUnavailable" },
          {
            type: "Progressing",
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: 'ReplicaSet "web-1" has timed out progressing.',
          },
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message: "exceeded quota: compute",
            lastTransitionTime: "2026-11-26T15:00:00Z",
          },
        ],
      },
    });
    expect(deploymentProblems(d).map((p) => [p.reason, p.since])).toEqual([
      ["Rollout stuck", null],
      ["Replicas cannot be created", "2026-11-26T15:00:00Z"],
    ]);
    expect(mapDeployment(d).problems).toHaveLength(2);
  });

  it("reads a node's pressure conditions as warnings", () => {
    const node = KubeNodeSchema.parse({
      metadata: { name: "n1" },
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "DiskPressure", status: "True", reason: "KubeletHasDiskPressure" },
        ],
      },
    });
    expect(nodeProblems(node)).toEqual([
      { severity: "warning", reason: "Disk pressure", evidence: "KubeletHasDiskPressure", since: null, ongoing: true },
    ]);
    expect(mapNode(nodes[0]).problems).toBeUndefined();
  });
});

describe("podRequests", () => {
  it("takes the larger of the app containers plus sidecars and the init steps, plus overhead", () => {
    // init-mysql alone: 2 CPU, 256Mi. clone-mysql runs beside the proxy sidecar: 200m, 1Gi+64Mi.
    // app: mysql + xtrabackup + proxy sidecar = 700m, 1Gi+164Mi. Overhead: 10m, 1Mi.
    expect(podRequests(pods.get("mysql-2")!)).toEqual({
      cpuMillis: 2000 + 10,
      memoryBytes: GiB + 164 * MiB + MiB,
    });
  });
});

describe("podLimits", () => {
  const podWith = (spec: object) => KubePodSchema.parse({ metadata: { name: "p", namespace: "x" }, spec });
  const c = (name: string, limits?: object, restartPolicy?: string) => ({ name, resources: limits ? { limits } : {}, restartPolicy });

  it("caps a resource only when every container caps it", () => {
    // nginx limits memory, the log shipper nothing: the pod is capped in neither.
    expect(podLimits(pods.get("web-7d9f8b6c5d-x2k4p")!)).toEqual({ cpuMillis: null, memoryBytes: null });
    const pod = podWith({ containers: [c("a", { cpu: "500m", memory: "256Mi" }), c("b", { memory: "64Mi" })] });
    expect(podLimits(pod)).toEqual({ cpuMillis: null, memoryBytes: 320 * MiB });
    expect(mapPod(pod, unknownReplicaSets).limits).toEqual({ cpuMillis: null, memoryBytes: 320 * MiB });
  });

  it("adds sidecars and overhead, and takes a larger init step", () => {
    const pod = podWith({
      initContainers: [c("init", { cpu: "2", memory: "64Mi" }), c("proxy", { cpu: "100m", memory: "32Mi" }, "Always")],
      containers: [c("app", { cpu: "1", memory: "1Gi" })],
      overhead: { cpu: "10m", memory: "1Mi" },
    });
    expect(podLimits(pod)).toEqual({ cpuMillis: 2000 + 10, memoryBytes: GiB + 32 * MiB + MiB });
  });

  it("reads a malformed quantity as no cap, never throws", () => {
    const pod = podWith({ containers: [c("a", { cpu: "lots", memory: "1Gi" })] });
    expect(podLimits(pod)).toEqual({ cpuMillis: null, memoryBytes: GiB });
    expect(podLimits(podWith({}))).toEqual({ cpuMillis: null, memoryBytes: null });
  });

  it("reads a zero limit as none, as the kubelet does", () => {
    const pod = podWith({ containers: [c("a", { cpu: "0", memory: "1Gi" }), c("b", { cpu: "500m", memory: "1Gi" })] });
    expect(podLimits(pod)).toEqual({ cpuMillis: null, memoryBytes: 2 * GiB });
  });
});

describe("workloads", () => {
  const [web, idle] = workloadsFixture.deployments.items.map((d) => KubeDeploymentSchema.parse(d));
  const [mysql] = workloadsFixture.statefulSets.items.map((s) => KubeStatefulSetSchema.parse(s));
  const [fluentd] = workloadsFixture.daemonSets.items.map((d) => KubeDaemonSetSchema.parse(d));
  const hpas = workloadsFixture.horizontalPodAutoscalers.items.map((h) =>
    mapHorizontalPodAutoscaler(KubeHorizontalPodAutoscalerSchema.parse(h)),
  );

  it("maps a Deployment with its selector, unique images and autoscaler", () => {
    const hpa = hpas.find((h) => h.target === "deployment~shop~web");
    expect(hpa).toBeDefined();
    const workload = mapDeployment(web, hpa!.autoscaler);
    expect(WorkloadCoreSchema.parse(workload)).toEqual(workload);
    expect(workload).toEqual({
      id: "deployment~shop~web",
      name: "web",
      namespace: "shop",
      kind: "Deployment",
      labels: { app: "web", team: "storefront" },
      images: ["nginx:1.27", "fluent/fluent-bit:3.1"],
      desired: 3,
      ready: 2,
      scalable: true,
      notScalableReason: null,
      autoscaler: { name: "web-hpa", minReplicas: 2, maxReplicas: 10 },
      createdAt: "2026-11-25T09:00:00Z",
      selector: "app=web,tier in (frontend,edge),!canary",
      info: { "Update strategy": "RollingUpdate (max surge 25%, max unavailable 25%)", "Up to date": "3", Available: "2" },
      events: [],
      volumes: [],
    });
  });

  it("maps a Deployment scaled to zero with an empty status", () => {
    expect(mapDeployment(idle)).toMatchObject({ desired: 0, ready: 0, autoscaler: null, selector: "app=idle", events: [] });
    expect(mapDeployment(idle).info).toEqual({ "Up to date": "0", Available: "0" });
  });

  it("describes rollout strategies as kubectl would", () => {
    expect(describeUpdateStrategy({ type: "Recreate" })).toBe("Recreate");
    expect(describeUpdateStrategy({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } })).toBe(
      "RollingUpdate (max surge 1, max unavailable 0)",
    );
    expect(describeUpdateStrategy({ type: "RollingUpdate", rollingUpdate: { partition: 0 } })).toBe("RollingUpdate");
    expect(describeUpdateStrategy({ type: "OnDelete" })).toBe("OnDelete");
    expect(describeUpdateStrategy(null)).toBeNull();
    const paused = KubeDeploymentSchema.parse({
      ...workloadsFixture.deployments.items[0],
      spec: { ...workloadsFixture.deployments.items[0].spec, paused: true, minReadySeconds: 10 },
    });
    expect(mapDeployment(paused).info).toMatchObject({ Paused: expect.stringMatching(/^yes/), "Min ready": "10 s" });
  });

  it("maps a StatefulSet, whose HPA has no minimum", () => {
    const hpa = hpas.find((h) => h.target === "statefulset~db~mysql")!;
    expect(mapStatefulSet(mysql, hpa.autoscaler)).toMatchObject({
      id: "statefulset~db~mysql",
      kind: "StatefulSet",
      desired: 3,
      ready: 3,
      scalable: true,
      images: ["mysql:8.4", "gcr.io/google-samples/xtrabackup:1.0"],
      autoscaler: { name: "mysql", minReplicas: null, maxReplicas: 5 },
      info: { Service: "mysql", "Pod management": "Parallel", "Update strategy": "RollingUpdate (partition 1)", "Up to date": "3" },
      events: [],
    });
  });

  it("maps a DaemonSet as not scalable, sized by its nodes", () => {
    expect(mapDaemonSet(fluentd)).toMatchObject({
      id: "daemonset~kube-system~fluentd",
      desired: 4,
      ready: 3,
      scalable: false,
      notScalableReason: DAEMONSET_NOT_SCALABLE,
      selector: "name=fluentd,env notin (dev),logging",
      info: { "Update strategy": "RollingUpdate (max surge 0, max unavailable 1)", "Up to date": "4", Available: "3" },
      events: [],
    });
  });

  it("tells ReplicaSets of a Deployment from bare ones", () => {
    expect(replicaSets.map(replicaSetOwner)).toEqual([{ kind: "Deployment", name: "web" }, null, { kind: "Rollout", name: "rollout" }]);
    expect(mapReplicaSet(replicaSets[1])).toMatchObject({ id: "replicaset~shop~cache", desired: 2, ready: 1, scalable: false });
  });

  it("makes URL-safe ids from dotted DNS-subdomain names", () => {
    const dotted = KubeDeploymentSchema.parse({ metadata: { name: "metrics-server.v0.7", namespace: "kube-system" } });
    const id = mapDeployment(dotted).id;
    expect(id).toBe("deployment~kube-system~metrics-server.v0.7");
    expect(WorkloadCoreSchema.shape.id.safeParse(id).success).toBe(true);
  });
});

describe("renderSelector", () => {
  it("answers null without a selector and handles an empty one", () => {
    expect(renderSelector(undefined)).toBeNull();
    expect(renderSelector({})).toBe("");
  });
});

describe("services", () => {
  const services = new Map(servicesFixture.services.items.map((s) => [s.metadata.name, KubeServiceSchema.parse(s)]));
  const slices = servicesFixture.endpointSlices.items.map((s) => endpointSliceCounts(KubeEndpointSliceSchema.parse(s)));
  const countsFor = (id: string) => {
    const mine = slices.filter((s) => s.serviceId === id);
    return mine.length ? combineEndpointCounts(mine) : null;
  };

  it("maps a NodePort service with endpoints over several slices, not doubling dual-stack", () => {
    const svc = mapService(services.get("web")!, countsFor("shop~web"));
    expect(ServiceSchema.parse(svc)).toEqual(svc);
    expect(svc).toEqual({
      id: "shop~web",
      name: "web",
      namespace: "shop",
      type: "NodePort",
      clusterIp: "10.96.120.15",
      headless: false,
      ports: [
        { name: "http", port: 80, targetPort: "8080", protocol: "TCP", nodePort: 30080 },
        { name: "metrics", port: 9113, targetPort: "metrics", protocol: "TCP", nodePort: 31913 },
      ],
      selector: { app: "web" },
      labels: { app: "web" },
      readyEndpoints: 2,
      totalEndpoints: 3,
      createdAt: "2026-11-25T09:00:00Z",
    });
  });

  it("maps a headless service", () => {
    expect(mapService(services.get("mysql")!, countsFor("db~mysql"))).toMatchObject({
      clusterIp: null,
      headless: true,
      readyEndpoints: 0,
      totalEndpoints: 0,
    });
  });

  it("has no endpoint counts for ExternalName or selector-less services, and zero for selected ones without slices", () => {
    expect(mapService(services.get("payments")!, null)).toMatchObject({ type: "ExternalName", clusterIp: null, readyEndpoints: null });
    expect(mapService(services.get("legacy-db")!, null)).toMatchObject({ readyEndpoints: null, totalEndpoints: null });
    expect(mapService(services.get("api")!, null)).toMatchObject({
      readyEndpoints: 0,
      totalEndpoints: 0,
      ports: [{ name: null, port: 443, targetPort: "8443", protocol: "TCP", nodePort: null }],
    });
  });
});

describe("metrics", () => {
  it("converts nanocores to millicores and Ki to bytes", () => {
    const [node] = metricsFixture.nodes.items.map((m) => mapNodeMetrics(KubeNodeMetricsSchema.parse(m)));
    expect(node[0]).toBe("kind-worker");
    expect(node[1].cpuMillis).toBeCloseTo(187.654321, 9);
    expect(node[1].memoryBytes).toBe(1928340 * 1024);
  });

  it("sums a pod's containers under the pod's task id", () => {
    const [pod] = metricsFixture.pods.items.map((m) => mapPodMetrics(KubePodMetricsSchema.parse(m)));
    expect(pod[0]).toBe("shop~web-7d9f8b6c5d-x2k4p");
    expect(pod[1].cpuMillis).toBeCloseTo(3, 9);
    expect(pod[1].memoryBytes).toBe((7340 + 2900) * 1024);
  });
});

describe("objects captured from the simulator (scripts/capture-sim-fixtures.ts)", () => {
  const sim = simFixture;
  const rsOwners = new Map(
    sim.replicaSets.map((r) => {
      const rs = KubeReplicaSetSchema.parse(r);
      return [`${rs.metadata.namespace}/${rs.metadata.name}`, replicaSetOwner(rs)];
    }),
  );
  const simLookup: ReplicaSetOwnerLookup = (ns, name) => rsOwners.get(`${ns}/${name}`);

  it("maps a worker node, with allocatable in plain bytes and Ki", () => {
    const node = mapNode(KubeNodeSchema.parse(sim.nodes[1]));
    expect(node).toMatchObject({
      id: "east-worker-a",
      status: "ready",
      roles: [],
      capacity: { cpuMillis: 8000, memoryBytes: 33554432 * 1024 },
      allocatable: { cpuMillis: 7860, memoryBytes: 30870077 * 1024 },
    });
    expect(mapNode(KubeNodeSchema.parse(sim.nodes[0])).roles).toEqual(["control-plane"]);
  });

  it("maps a StatefulSet pod and a Deployment pod through its ReplicaSet", () => {
    const mysql = mapPod(KubePodSchema.parse(sim.pods[0]), simLookup);
    expect(mysql).toMatchObject({
      id: "default~mysql-0",
      workloadId: "statefulset~default~mysql",
      state: "running",
      ready: true,
      requests: { cpuMillis: 500, memoryBytes: GiB },
    });
    expect(mysql.node).toBeTruthy();
    const web = mapPod(KubePodSchema.parse(sim.pods[1]), simLookup);
    expect(web).toMatchObject({ workloadId: "deployment~default~web", state: "running", ip: "10.244.2.4" });
  });

  it("maps the web Deployment with its HPA, and the services with their slices", () => {
    const { target, autoscaler } = mapHorizontalPodAutoscaler(KubeHorizontalPodAutoscalerSchema.parse(sim.horizontalPodAutoscalers[0]));
    expect(target).toBe("deployment~default~web");
    expect(mapDeployment(KubeDeploymentSchema.parse(sim.deployments[0]), autoscaler)).toMatchObject({
      desired: 3,
      ready: 3,
      selector: "app=web",
      images: ["nginx:1.27.3"],
      autoscaler: { name: "web", minReplicas: 2, maxReplicas: 10 },
    });
    expect(mapStatefulSet(KubeStatefulSetSchema.parse(sim.statefulSets[0]))).toMatchObject({ desired: 3, ready: 3 });

    const counts = endpointSliceCounts(KubeEndpointSliceSchema.parse(sim.endpointSlices[0]));
    expect(counts).toMatchObject({ serviceId: "default~mysql", counts: { ready: 3, total: 3 } });
    expect(mapService(KubeServiceSchema.parse(sim.services[0]), counts.counts)).toMatchObject({ headless: true, readyEndpoints: 3 });
    expect(mapService(KubeServiceSchema.parse(sim.services[1]), null)).toMatchObject({
      type: "LoadBalancer",
      clusterIp: "10.96.0.13",
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP", nodePort: 30444 }],
    });
  });

  it("joins the mysql StatefulSet's claim template with the claims the simulator bound for its replicas", () => {
    const claims = new Map(
      sim.persistentVolumeClaims.map((c) => {
        const pvc = KubePersistentVolumeClaimSchema.parse(c);
        return [`${pvc.metadata.namespace}/${pvc.metadata.name}`, mapClaim(pvc)];
      }),
    );
    const mysql = mapStatefulSet(KubeStatefulSetSchema.parse(sim.statefulSets[0]), null, (ns, name) => claims.get(`${ns}/${name}`));
    expect(mysql.volumes).toEqual([
      {
        name: "mysql-persistent-volume",
        type: "persistentVolumeClaim",
        claim: "mysql-persistent-volume-mysql-{0..2}",
        capacityBytes: GiB,
        accessModes: ["ReadWriteOnce"],
        status: "Bound",
      },
    ]);
  });

  it("converts the metrics the simulator serves", () => {
    const [, node] = mapNodeMetrics(KubeNodeMetricsSchema.parse(sim.nodeMetrics[0]));
    expect(node).toEqual({ cpuMillis: 1336.489107, memoryBytes: 4670473 * 1024 });
    const [id, pod] = mapPodMetrics(KubePodMetricsSchema.parse(sim.podMetrics[0]));
    expect(id).toBe("default~mysql-0");
    expect(pod).toEqual({ cpuMillis: 178.808039, memoryBytes: 805504 * 1024 });
  });
});

describe("volumes", () => {
  const [postgres] = volumesFixture.statefulSets.items.map((x) => KubeStatefulSetSchema.parse(x));
  const [uploads] = volumesFixture.deployments.items.map((x) => KubeDeploymentSchema.parse(x));
  const claims = new Map(
    volumesFixture.persistentVolumeClaims.items.map((c) => {
      const pvc = KubePersistentVolumeClaimSchema.parse(c);
      return [`${pvc.metadata.namespace}/${pvc.metadata.name}`, mapClaim(pvc)];
    }),
  );
  const lookup: ClaimLookup = (ns, name) => claims.get(`${ns}/${name}`);
  const withReplicas = (replicas: number) =>
    KubeStatefulSetSchema.parse({
      ...volumesFixture.statefulSets.items[0],
      spec: { ...volumesFixture.statefulSets.items[0].spec, replicas },
    });

  it("reads a claim's request, and once bound what it got", () => {
    expect(claims.get("db/data-postgres-2")).toEqual({
      phase: "Pending",
      requestBytes: 20 * GiB,
      capacityBytes: null,
      accessModes: ["ReadWriteOnce"],
    });
    expect(claims.get("db/wal-postgres-2")).toEqual({
      phase: "Bound",
      requestBytes: 5 * GiB,
      capacityBytes: 8 * GiB,
      accessModes: ["ReadWriteOnce"],
    });
    expect(mapClaim(KubePersistentVolumeClaimSchema.parse({ metadata: { name: "bare" } }))).toEqual({
      phase: "Pending",
      requestBytes: null,
      capacityBytes: null,
      accessModes: [],
    });
  });

  it("lists a StatefulSet's pod volumes, then its claim templates summed up over its replicas' claims", () => {
    const workload = mapStatefulSet(postgres, null, lookup);
    expect(WorkloadCoreSchema.parse(workload).volumes).toEqual(workload.volumes);
    expect(workload.volumes).toEqual([
      { name: "config", type: "configMap", claim: null, capacityBytes: null, accessModes: [], status: "mounted" },
      { name: "tls", type: "secret", claim: null, capacityBytes: null, accessModes: [], status: "mounted" },
      { name: "run", type: "emptyDir", claim: null, capacityBytes: 64 * 1024 ** 2, accessModes: [], status: "mounted" },
      // data-postgres-2 waits for its volume: the template is Pending until every replica's claim is bound.
      {
        name: "data",
        type: "persistentVolumeClaim",
        claim: "data-postgres-{0..2}",
        capacityBytes: 20 * GiB,
        accessModes: ["ReadWriteOnce"],
        status: "Pending",
      },
      // One claim lost its volume; the smallest bound claim says what every replica has at least.
      {
        name: "wal",
        type: "persistentVolumeClaim",
        claim: "wal-postgres-{0..2}",
        capacityBytes: 5 * GiB,
        accessModes: ["ReadWriteOnce"],
        status: "Lost",
      },
    ]);
  });

  it("counts only the claims of current replicas: kept ones of replicas scaled away do not make it Pending or Bound", () => {
    expect(mapStatefulSet(withReplicas(2), null, lookup).volumes[3]).toMatchObject({ claim: "data-postgres-{0..1}", status: "Bound" });
    expect(mapStatefulSet(withReplicas(1), null, lookup).volumes[3]).toMatchObject({ claim: "data-postgres-0", status: "Bound" });
    // A replica without a claim yet is Pending (the controller creates it before the pod).
    expect(mapStatefulSet(withReplicas(5), null, lookup).volumes[3]).toMatchObject({ claim: "data-postgres-{0..4}", status: "Pending" });
    expect(mapStatefulSet(withReplicas(0), null, lookup).volumes[3]).toEqual({
      name: "data",
      type: "persistentVolumeClaim",
      claim: null,
      capacityBytes: 20 * GiB,
      accessModes: ["ReadWriteOnce"],
      status: "unused",
    });
  });

  it("says unknown for claims when they cannot be read, and unmounted when no replica is ready", () => {
    const workload = mapStatefulSet(postgres);
    expect(workload.volumes.map((v) => `${v.name} ${v.status}`)).toEqual([
      "config mounted",
      "tls mounted",
      "run mounted",
      "data unknown",
      "wal unknown",
    ]);
    // Without claims, a template still says what it asks for.
    expect(workload.volumes[3]).toMatchObject({ capacityBytes: 20 * GiB, accessModes: ["ReadWriteOnce"] });
    const uploadsVolumes = mapDeployment(uploads, null, lookup).volumes;
    expect(uploadsVolumes).toEqual([
      {
        name: "files",
        type: "persistentVolumeClaim",
        claim: "shop-uploads",
        capacityBytes: 5 * GiB,
        accessModes: ["ReadWriteMany"],
        status: "Bound",
      },
      {
        name: "thumbnails",
        type: "persistentVolumeClaim",
        claim: "shop-thumbnails",
        capacityBytes: null,
        accessModes: [],
        status: "Missing",
      },
      { name: "node-logs", type: "hostPath", claim: "/var/log", capacityBytes: null, accessModes: [], status: "unmounted" },
      { name: "media", type: "nfs", claim: "nfs.internal:/exports/media", capacityBytes: null, accessModes: [], status: "unmounted" },
      { name: "scratch", type: "ephemeral", claim: null, capacityBytes: 10 * GiB, accessModes: ["ReadWriteOnce"], status: "unmounted" },
      { name: "podinfo", type: "downwardAPI", claim: null, capacityBytes: null, accessModes: [], status: "unmounted" },
    ]);
  });

  it("keeps only what it joins on between events: the specs, not the raw volumes", () => {
    const specs = workloadVolumeSpecs(uploads);
    expect(specs[0]).toEqual({
      name: "files",
      type: "persistentVolumeClaim",
      claim: { name: "shop-uploads" },
      location: null,
      sizeBytes: null,
      accessModes: [],
    });
    expect(JSON.stringify(specs)).not.toContain("fieldRef");
    expect(joinVolumes("shop", specs, lookup, true)[2].status).toBe("mounted");
  });
});
