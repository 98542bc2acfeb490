/**
 * The usage model of one simulated cluster seen three ways: `usageAt(t)` (what
 * metrics.k8s.io answers at any moment, for the demo's history backfill), the
 * kubelet's cAdvisor endpoint and kube-state-metrics, both in Prometheus text
 * format for a real Prometheus to scrape.
 */

import { demoTaskKey, type DemoUsage } from "@/lib/model/demo";
import type { NodeObject, Pod, UsageProfile } from "./types";
import type { ObjectStore } from "./store";
import { resourceTypeByKind } from "./resources";
import { cpuMillis, memoryBytes } from "./quantity";
import { modelCpuMillis, modelMemoryBytes, nodeModel, nodeUsageAt, podModels, type ContainerModel, type NodeModel } from "./metrics";

const POD = resourceTypeByKind("Pod");
const NODE = resourceTypeByKind("Node");
const REPLICA_SET = resourceTypeByKind("ReplicaSet");
const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"].map((k) => resourceTypeByKind(k));
/** Counters integrate the model in steps of this length (left Riemann sums on a fixed grid, so any scrape sees the same value). */
const STEP_MS = 5_000;
/** Counters of containers not scraped for this long are forgotten. */
const FORGET_MS = 10 * 60_000;

interface PodEntry {
  pod: Pod;
  key: string;
  models: ContainerModel[];
}

interface Snapshot {
  revision: number;
  pods: PodEntry[];
  nodes: { node: NodeObject; model: NodeModel; containers: ContainerModel[] }[];
}

const isRunning = (p: Pod) => p.status.phase === "Running" && p.metadata.deletionTimestamp === undefined;

/** A Prometheus label set: `{a="x",b="y"}` with the format's escapes. */
function labels(set: Record<string, string | undefined>): string {
  const parts = Object.entries(set)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** Prometheus text format writer: HELP/TYPE once per family, samples under it. */
class Exposition {
  private readonly families = new Map<string, { help: string; type: string; lines: string[] }>();

  add(name: string, type: "counter" | "gauge", help: string, set: Record<string, string | undefined>, value: number): void {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { help, type, lines: [] }));
    f.lines.push(`${name}${labels(set)} ${Number.isInteger(value) ? value : value.toPrecision(12)}`);
  }

  text(): string {
    let out = "";
    for (const [name, f] of this.families) out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.lines.join("\n")}\n`;
    return out;
  }
}

/** The cgroup (systemd driver, as on EKS/kubeadm) of a pod, by its QoS class. */
function podCgroup(pod: Pod): string {
  const uid = pod.metadata.uid.replace(/-/g, "_");
  const qos = pod.status.qosClass;
  if (qos === "Guaranteed") return `/kubepods.slice/kubepods-pod${uid}.slice`;
  const q = qos === "BestEffort" ? "besteffort" : "burstable";
  return `/kubepods.slice/kubepods-${q}.slice/kubepods-${q}-pod${uid}.slice`;
}

export class UsageModel {
  private snapshot: Snapshot | undefined;
  private readonly counters = new Map<string, { g: number; sum: number; seen: number }>();

  /** `bootedAt`: where the nodes' root-cgroup CPU counters start (the nodes' boot, for the simulation). */
  constructor(
    private readonly store: ObjectStore,
    private readonly profileOf: (pod: Pod) => UsageProfile | undefined,
    private readonly bootedAt: number,
  ) {}

  /** The running pods and nodes with their models, rebuilt only when the store changed. */
  private current(): Snapshot {
    const revision = this.store.resourceVersion;
    if (this.snapshot?.revision === revision) return this.snapshot;
    const pods = this.store
      .list<Pod>(POD)
      .filter(isRunning)
      .map((pod) => ({
        pod,
        key: demoTaskKey(pod.metadata.namespace ?? null, pod.metadata.name),
        models: podModels(pod, this.profileOf(pod)),
      }));
    const nodes = this.store.list<NodeObject>(NODE).map((node) => ({
      node,
      model: nodeModel(node),
      containers: pods.filter((p) => p.pod.spec.nodeName === node.metadata.name).flatMap((p) => p.models),
    }));
    this.snapshot = { revision, pods, nodes };
    return this.snapshot;
  }

  usageAt(t: number): DemoUsage {
    const { pods, nodes } = this.current();
    const tasks = new Map<string, { cpuMillis: number; memoryBytes: number }>();
    for (const p of pods) {
      let cpu = 0;
      let memory = 0;
      for (const m of p.models) {
        cpu += modelCpuMillis(m, t);
        memory += modelMemoryBytes(m, t);
      }
      tasks.set(p.key, { cpuMillis: cpu, memoryBytes: memory });
    }
    return { tasks, nodes: new Map(nodes.map((n) => [n.node.metadata.name, nodeUsageAt(n.model, n.containers, t)])) };
  }

  /** ∫ rate (millicores) dt from `origin` to `now`, in CPU seconds; monotonic in `now`, the same whoever asks when. */
  private cpuSeconds(key: string, origin: number, rate: (t: number) => number, now: number): number {
    if (now <= origin) return 0;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = { g: origin, sum: 0, seen: now }));
    c.seen = now;
    for (let next = (Math.floor(c.g / STEP_MS) + 1) * STEP_MS; next <= now; next += STEP_MS) {
      c.sum += (rate(c.g) * (next - c.g)) / 1e6;
      c.g = next;
    }
    return c.sum + (rate(c.g) * (now - c.g)) / 1e6;
  }

  private forget(now: number): void {
    for (const [k, c] of this.counters) if (now - c.seen > FORGET_MS) this.counters.delete(k);
  }

  /** The kubelet's /metrics/cadvisor for one node (undefined: no such node). */
  cadvisor(nodeName: string, now: number): string | undefined {
    const snap = this.current();
    const n = snap.nodes.find((x) => x.node.metadata.name === nodeName);
    if (!n) return undefined;
    this.forget(now);
    const out = new Exposition();
    const cpuHelp = "Cumulative cpu time consumed in seconds.";
    const memHelp = "Current working set in bytes.";
    const root = { id: "/" };
    const rootCpu = this.cpuSeconds(`node/${nodeName}`, this.bootedAt, (t) => nodeUsageAt(n.model, n.containers, t).cpuMillis, now);
    out.add("container_cpu_usage_seconds_total", "counter", cpuHelp, root, rootCpu);
    out.add("container_memory_working_set_bytes", "gauge", memHelp, root, nodeUsageAt(n.model, n.containers, now).memoryBytes);
    for (const p of snap.pods) {
      if (p.pod.spec.nodeName !== nodeName) continue;
      for (const m of p.models) {
        const status = p.pod.status.containerStatuses?.find((s) => s.name === m.name);
        const running = status?.state.running;
        if (!running || !status.containerID) continue;
        const cid = status.containerID.replace(/^[a-z]+:\/\//, "");
        const set = {
          container: m.name,
          id: `${podCgroup(p.pod)}/cri-containerd-${cid}.scope`,
          image: status.image,
          name: cid,
          namespace: p.pod.metadata.namespace,
          pod: p.pod.metadata.name,
        };
        const cpu = this.cpuSeconds(cid, Date.parse(running.startedAt), (t) => modelCpuMillis(m, t), now);
        out.add("container_cpu_usage_seconds_total", "counter", cpuHelp, set, cpu);
        out.add("container_memory_working_set_bytes", "gauge", memHelp, set, modelMemoryBytes(m, now));
      }
    }
    const machine = {
      boot_id: n.node.status.nodeInfo?.bootID,
      machine_id: n.node.status.nodeInfo?.machineID,
      system_uuid: n.node.status.nodeInfo?.systemUUID,
    };
    out.add("machine_cpu_cores", "gauge", "Number of logical CPU cores.", machine, n.model.capacityCpu / 1000);
    out.add("machine_memory_bytes", "gauge", "Amount of memory installed on the machine.", machine, n.model.capacityMem);
    return out.text();
  }

  /** kube-state-metrics' /metrics: the objects' requests, limits, owners, restarts and terminations (not use). */
  kubeStateMetrics(now: number): string {
    void now;
    const out = new Exposition();
    for (const node of this.store.list<NodeObject>(NODE)) {
      for (const [family, q] of [
        ["kube_node_status_allocatable", node.status.allocatable],
        ["kube_node_status_capacity", node.status.capacity],
      ] as const) {
        const help = family.endsWith("allocatable")
          ? "The allocatable for different resources of a node that are available for scheduling."
          : "The capacity for different resources of a node.";
        out.add(family, "gauge", help, { node: node.metadata.name, resource: "cpu", unit: "core" }, cpuMillis(q.cpu) / 1000);
        out.add(family, "gauge", help, { node: node.metadata.name, resource: "memory", unit: "byte" }, memoryBytes(q.memory));
        out.add(family, "gauge", help, { node: node.metadata.name, resource: "pods", unit: "integer" }, Number(q.pods ?? 110));
      }
    }
    for (const pod of this.store.list<Pod>(POD)) {
      const { namespace, name: podName, uid } = pod.metadata;
      const base = { namespace, pod: podName, uid };
      const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
      out.add(
        "kube_pod_info",
        "gauge",
        "Information about pod.",
        {
          ...base,
          host_ip: pod.status.hostIP ?? "",
          pod_ip: pod.status.podIP ?? "",
          node: pod.spec.nodeName ?? "",
          created_by_kind: owner?.kind ?? "",
          created_by_name: owner?.name ?? "",
          priority_class: "",
          host_network: "false",
        },
        1,
      );
      out.add(
        "kube_pod_owner",
        "gauge",
        "Information about the Pod's owner.",
        { ...base, owner_kind: owner?.kind ?? "", owner_name: owner?.name ?? "", owner_is_controller: owner ? "true" : "" },
        1,
      );
      for (const c of pod.spec.containers) {
        const at = { ...base, container: c.name, node: pod.spec.nodeName ?? "" };
        for (const [family, q, help] of [
          ["kube_pod_container_resource_requests", c.resources.requests, "The number of requested request resource by a container."],
          ["kube_pod_container_resource_limits", c.resources.limits, "The number of requested limit resource by a container."],
        ] as const) {
          if (q?.cpu) out.add(family, "gauge", help, { ...at, resource: "cpu", unit: "core" }, cpuMillis(q.cpu) / 1000);
          if (q?.memory) out.add(family, "gauge", help, { ...at, resource: "memory", unit: "byte" }, memoryBytes(q.memory));
        }
        const status = pod.status.containerStatuses?.find((s) => s.name === c.name);
        if (!status) continue;
        const container = { ...base, container: c.name };
        out.add(
          "kube_pod_container_status_restarts_total",
          "counter",
          "The number of container restarts per container.",
          container,
          status.restartCount,
        );
        const last = status.lastState.terminated?.reason;
        if (last) {
          out.add(
            "kube_pod_container_status_last_terminated_reason",
            "gauge",
            "Describes the last reason the container was in terminated state.",
            { ...container, reason: last },
            1,
          );
        }
      }
    }
    for (const rs of this.store.list(REPLICA_SET)) {
      const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
      out.add(
        "kube_replicaset_owner",
        "gauge",
        "Information about the ReplicaSet's owner.",
        {
          namespace: rs.metadata.namespace,
          replicaset: rs.metadata.name,
          owner_kind: owner?.kind ?? "",
          owner_name: owner?.name ?? "",
          owner_is_controller: owner ? "true" : "",
        },
        1,
      );
    }
    // As with --metric-labels-allowlist=deployments=[team],statefulsets=[team],daemonsets=[team].
    for (const type of WORKLOADS) {
      const kind = type.kind.toLowerCase();
      for (const w of this.store.list(type)) {
        out.add(
          `kube_${kind}_labels`,
          "gauge",
          `Kubernetes labels converted to Prometheus labels.`,
          { namespace: w.metadata.namespace, [kind]: w.metadata.name, label_team: w.metadata.labels?.team },
          1,
        );
      }
    }
    return out.text();
  }
}
