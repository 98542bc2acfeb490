/**
 * The simulated control plane and kubelets: Deployment → ReplicaSet → Pods,
 * StatefulSet (ordered), DaemonSet (one pod per eligible node), a scheduler
 * that respects requests and taints, pod lifecycle over configurable timings,
 * workload/HPA status and Endpoints/EndpointSlices. Every write goes through
 * the store, which turns no-op writes into nothing, so a settled cluster
 * produces no watch events.
 */

import type {
  Condition,
  ContainerStatus,
  DaemonSetObject,
  DeploymentObject,
  HpaObject,
  JsonObject,
  KubeObject,
  Labels,
  NodeObject,
  OwnerReference,
  Pod,
  PodTemplate,
  ReplicaSetObject,
  ServiceObject,
  SimTimings,
  StatefulSetObject,
  Toleration,
  Taint,
  UsageProfile,
} from "./types";
import type { ObjectStore } from "./store";
import { resourceTypeByKind } from "./resources";
import { matchesRequirements, requirementsOf } from "./selectors";
import { cpuMillis, memoryBytes } from "./quantity";
import { hashString, kubeTime, type SeededRandom } from "./random";
import { EventRecorder, type EventOptions } from "./events";

const T = {
  node: resourceTypeByKind("Node"),
  pod: resourceTypeByKind("Pod"),
  deployment: resourceTypeByKind("Deployment"),
  replicaSet: resourceTypeByKind("ReplicaSet"),
  statefulSet: resourceTypeByKind("StatefulSet"),
  daemonSet: resourceTypeByKind("DaemonSet"),
  service: resourceTypeByKind("Service"),
  endpoints: resourceTypeByKind("Endpoints"),
  endpointSlice: resourceTypeByKind("EndpointSlice"),
  hpa: resourceTypeByKind("HorizontalPodAutoscaler"),
};

/** Lifecycle times of a pod, in controller-clock ms; not part of the served object. */
interface PodRuntime {
  scheduledAt?: number;
  runningAt?: number;
  readyAt?: number;
  deletingAt?: number;
  /** Restart count shown for realism (with an OOMKilled last state). */
  restarts?: number;
  /** The container keeps crashing: short runs, then CrashLoopBackOff, restart count rising. */
  crashLoop?: boolean;
}

export interface ControllerOptions {
  timings: SimTimings;
  /** How often HPA status (current utilisation) is refreshed, like the HPA controller's sync period. */
  hpaSyncMs: number;
  /** Per workload ("namespace/name"): how its pods use resources. */
  profiles: Map<string, UsageProfile>;
  /** Per workload: restart count the first pod shows, for realism. */
  initialRestarts: Map<string, number>;
  /** Workloads ("namespace/name") whose containers crash-loop. */
  crashLooping: Set<string>;
  /** CPU use of a running pod right now, in millicores (for HPA status). */
  podCpuMillis: (pod: Pod) => number;
  /** Events are deleted this long after they last happened (the apiserver's --event-ttl, 1 h). */
  eventTtlMs?: number;
  /** At most this many events are kept (the oldest go first). */
  maxEvents?: number;
}

export function podRequests(pod: { spec: { containers: { resources: { requests?: { cpu?: string; memory?: string } } }[] } }) {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += cpuMillis(c.resources.requests?.cpu);
    memory += memoryBytes(c.resources.requests?.memory);
  }
  return { cpu, memory };
}

export function isReady(pod: Pod): boolean {
  return pod.status.conditions.some((c) => c.type === "Ready" && c.status === "True");
}

const isTerminating = (o: KubeObject) => o.metadata.deletionTimestamp !== undefined;
const isTerminated = (pod: Pod) => pod.status.phase === "Succeeded" || pod.status.phase === "Failed";

function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller);
}

function ownerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

function nodeReady(node: NodeObject): boolean {
  return node.status.conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Taints a node effectively has, including the one the node lifecycle controller adds when it is not ready. */
function effectiveTaints(node: NodeObject): Taint[] {
  const taints = [...(node.spec.taints ?? [])];
  if (!nodeReady(node)) taints.push({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" });
  return taints;
}

function templateHash(template: PodTemplate): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let h = hashString(JSON.stringify(template));
  let out = "";
  for (let i = 0; i < 10; i++) {
    out += alphabet[h % alphabet.length];
    h = (Math.floor(h / alphabet.length) ^ hashString(out)) >>> 0;
  }
  return out;
}

/** Drops zero counters, as the apiserver's omitempty does for most status fields. */
function omitZero(status: Record<string, number | string | Condition[] | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === 0 || v === undefined) continue;
    out[k] = v as JsonObject[string];
  }
  return out;
}

export class ClusterController {
  private readonly runtime = new Map<string, PodRuntime>();
  private readonly nextPodIp = new Map<string, number>();
  private readonly restartsGiven = new Set<string>();
  private lastHpaSync = -Infinity;
  /** Shifts the controller clock; negative while bootstrapping so the initial fleet looks long-running. */
  private clockOffset = 0;
  private instant = false;
  /** Store revision after the last pass that wrote nothing; equal to the current one means nothing changed since. */
  private quietAt = -1;
  /** Controller-clock time at which some pod's next step falls due by time alone (Infinity: none). */
  private nextDue = 0;
  private readonly recorder: EventRecorder;
  /** Last FailedScheduling per pod uid, so a pod that fits nowhere is reported once per retry period, not per pass. */
  private readonly failedScheduling = new Map<string, { message: string; at: number }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly random: SeededRandom,
    private readonly options: ControllerOptions,
  ) {
    this.recorder = new EventRecorder(store, options.eventTtlMs, options.maxEvents);
  }

  /** Records an event, except while bootstrapping: the initial fleet's history is older than any event's TTL. */
  private event(regarding: KubeObject, o: EventOptions): void {
    if (this.instant) return;
    this.recorder.record(regarding, o, this.now());
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /**
   * Brings the initial content to a settled state at once, with timestamps
   * `ageMs` in the past, so a fresh simulator looks like a cluster that has
   * been running for a while.
   */
  bootstrap(ageMs: number): void {
    this.clockOffset = -ageMs;
    this.instant = true;
    try {
      for (let i = 0; i < 100; i++) {
        const before = this.store.resourceVersion;
        this.reconcile();
        if (this.store.resourceVersion === before) break;
      }
    } finally {
      this.instant = false;
      this.clockOffset = 0;
      this.lastHpaSync = -Infinity;
    }
  }

  /**
   * The periodic pass: skipped when nothing was written since the last quiet
   * pass and nothing is waiting on a timer, so an idle demo costs no CPU.
   */
  tick(): void {
    const hpaDue = this.now() - this.lastHpaSync >= this.options.hpaSyncMs;
    if (this.store.resourceVersion === this.quietAt && this.now() < this.nextDue && !hpaDue) return;
    const before = this.store.resourceVersion;
    this.reconcile();
    if (this.store.resourceVersion === before) this.quietAt = before;
  }

  private due(at: number): void {
    this.nextDue = Math.min(this.nextDue, at);
  }

  reconcile(): void {
    this.nextDue = Infinity;
    this.collectGarbage();
    this.deployments();
    this.replicaSets();
    this.statefulSets();
    this.daemonSets();
    this.schedule();
    this.kubelet();
    this.workloadStatus();
    this.hpas();
    this.endpoints();
    this.due(this.recorder.expire(this.now()));
  }

  /** Marks a pod for deletion as `kubectl delete pod` does; the kubelet removes it after the grace period. */
  deletePod(pod: Pod): Pod {
    if (isTerminating(pod)) return pod;
    pod.metadata.deletionTimestamp = kubeTime(this.now() + pod.spec.terminationGracePeriodSeconds * 1000);
    pod.metadata.deletionGracePeriodSeconds = pod.spec.terminationGracePeriodSeconds;
    this.runtime.set(pod.metadata.uid, { ...this.runtime.get(pod.metadata.uid), readyAt: undefined, deletingAt: this.now() });
    if (pod.spec.nodeName && pod.status.phase === "Running") {
      for (const c of pod.spec.containers) {
        this.event(pod, { reason: "Killing", note: `Stopping container ${c.name}`, controller: "kubelet", host: pod.spec.nodeName, fieldPath: `spec.containers{${c.name}}` });
      }
    }
    if (pod.spec.nodeName) this.setPodReady(pod, false, "ContainersNotReady");
    return this.store.put(pod);
  }

  /**
   * The garbage collector: objects whose controlling owner is gone go too
   * (pods gracefully), and Endpoints whose Service is gone.
   */
  private collectGarbage(): void {
    const owners = new Set<string>();
    for (const type of [T.deployment, T.replicaSet, T.statefulSet, T.daemonSet, T.service]) {
      for (const o of this.store.list(type)) owners.add(o.metadata.uid);
    }
    const orphaned = (o: KubeObject) => {
      const ref = o.metadata.ownerReferences?.find((r) => r.controller);
      return ref !== undefined && !owners.has(ref.uid);
    };
    for (const rs of this.store.list(T.replicaSet)) if (orphaned(rs)) this.store.delete(T.replicaSet, rs.metadata.namespace, rs.metadata.name);
    for (const slice of this.store.list(T.endpointSlice)) if (orphaned(slice)) this.store.delete(T.endpointSlice, slice.metadata.namespace, slice.metadata.name);
    for (const ep of this.store.list(T.endpoints)) {
      if (!this.store.get(T.service, ep.metadata.namespace, ep.metadata.name)) this.store.delete(T.endpoints, ep.metadata.namespace, ep.metadata.name);
    }
    // Pods of a ReplicaSet deleted just above are orphaned now too.
    const liveRs = new Set(this.store.list(T.replicaSet).map((r) => r.metadata.uid));
    for (const pod of this.store.list<Pod>(T.pod)) {
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
      if (ref && !owners.has(ref.uid) && !liveRs.has(ref.uid)) this.deletePod(pod);
    }
  }

  // --- workload controllers -------------------------------------------------

  private deployments(): void {
    for (const d of this.store.list<DeploymentObject>(T.deployment)) {
      const hash = templateHash(d.spec.template);
      const owned = this.store.list<ReplicaSetObject>(T.replicaSet, d.metadata.namespace).filter((rs) => ownedBy(rs, d));
      let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
      const annotations = {
        "deployment.kubernetes.io/desired-replicas": String(d.spec.replicas),
        "deployment.kubernetes.io/max-replicas": String(d.spec.replicas + Math.ceil(d.spec.replicas * 0.25)),
        "deployment.kubernetes.io/revision": current?.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? String(owned.length + 1),
      };
      const scaledFrom = current?.spec.replicas ?? 0;
      if (!current) {
        const labels = { ...d.spec.template.metadata.labels, "pod-template-hash": hash };
        current = {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: d.metadata.namespace,
            uid: this.random.uid(),
            resourceVersion: "",
            generation: 1,
            creationTimestamp: kubeTime(this.now()),
            labels,
            annotations,
            ownerReferences: [ownerRef(d)],
          },
          spec: {
            replicas: d.spec.replicas,
            selector: { matchLabels: { ...d.spec.selector.matchLabels, "pod-template-hash": hash } },
            template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } },
          },
          status: { replicas: 0 },
        };
      }
      current.spec.replicas = d.spec.replicas;
      current.metadata.annotations = { ...current.metadata.annotations, ...annotations };
      this.store.put(current);
      if (d.spec.replicas !== scaledFrom) this.scalingEvent(d, current.metadata.name, scaledFrom, d.spec.replicas);
      // A changed template gets a new ReplicaSet; the old ones drain (a Recreate-like rollout).
      for (const old of owned) {
        if (old.metadata.uid === current.metadata.uid || old.spec.replicas === 0) continue;
        const from = old.spec.replicas;
        old.spec.replicas = 0;
        this.store.put(old);
        this.scalingEvent(d, old.metadata.name, from, 0);
      }
    }
  }

  /** The deployment controller's words: "Scaled up replica set web-5d8f7c9b4 to 5 from 3". */
  private scalingEvent(d: DeploymentObject, rs: string, from: number, to: number): void {
    const direction = to > from ? "up" : "down";
    const note = `Scaled ${direction} replica set ${rs} to ${to}${from > 0 ? ` from ${from}` : ""}`;
    this.event(d, { reason: "ScalingReplicaSet", note, controller: "deployment-controller" });
  }

  private replicaSets(): void {
    const podsOf = this.podsByOwner();
    for (const rs of this.store.list<ReplicaSetObject>(T.replicaSet)) {
      const pods = podsOf(rs);
      const active = pods.filter((p) => !isTerminating(p));
      const missing = rs.spec.replicas - active.length;
      for (let i = 0; i < missing; i++) {
        const name = `${rs.metadata.name}-${this.random.suffix(5)}`;
        this.createPod(rs, name, rs.spec.template, {}, this.workloadKey(rs));
        this.event(rs, { reason: "SuccessfulCreate", note: `Created pod: ${name}`, controller: "replicaset-controller" });
      }
      if (missing < 0) {
        // The ReplicaSet controller removes the least useful pods first: unscheduled, pending, not ready, newest.
        const rank = (p: Pod) => (!p.spec.nodeName ? 0 : p.status.phase === "Pending" ? 1 : !isReady(p) ? 2 : 3);
        const victims = [...active].sort(
          (a, b) => rank(a) - rank(b) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp) || b.metadata.name.localeCompare(a.metadata.name),
        );
        for (const p of victims.slice(0, -missing)) {
          this.deletePod(p);
          this.event(rs, { reason: "SuccessfulDelete", note: `Deleted pod: ${p.metadata.name}`, controller: "replicaset-controller" });
        }
      }
    }
  }

  private statefulSets(): void {
    const podsOf = this.podsByOwner();
    for (const sts of this.store.list<StatefulSetObject>(T.statefulSet)) {
      const pods = podsOf(sts);
      const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(sts.metadata.name.length + 1)), p]));
      const ordered = sts.spec.podManagementPolicy === "OrderedReady";
      let blocked = false;
      for (let i = 0; i < sts.spec.replicas; i++) {
        const pod = byOrdinal.get(i);
        if (!pod) {
          if (blocked) break;
          this.createPod(sts, `${sts.metadata.name}-${i}`, sts.spec.template, {
            "statefulset.kubernetes.io/pod-name": `${sts.metadata.name}-${i}`,
            "apps.kubernetes.io/pod-index": String(i),
            "controller-revision-hash": `${sts.metadata.name}-${templateHash(sts.spec.template)}`,
          }, this.workloadKey(sts), { hostname: `${sts.metadata.name}-${i}`, subdomain: sts.spec.serviceName }, sts);
          this.event(sts, {
            reason: "SuccessfulCreate",
            note: `create Pod ${sts.metadata.name}-${i} in StatefulSet ${sts.metadata.name} successful`,
            controller: "statefulset-controller",
          });
          if (ordered) blocked = true;
        } else if (ordered && (isTerminating(pod) || !isReady(pod))) {
          blocked = true;
        }
      }
      // Scale down from the highest ordinal, one pod at a time when ordered.
      const excess = pods
        .filter((p) => Number(p.metadata.name.slice(sts.metadata.name.length + 1)) >= sts.spec.replicas)
        .sort((a, b) => b.metadata.name.localeCompare(a.metadata.name, undefined, { numeric: true }));
      if (excess.length > 0 && !(ordered && excess.some(isTerminating))) {
        for (const p of ordered ? excess.slice(0, 1) : excess) {
          this.deletePod(p);
          this.event(sts, {
            reason: "SuccessfulDelete",
            note: `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
            controller: "statefulset-controller",
          });
        }
      }
    }
  }

  private daemonSets(): void {
    const nodes = this.store.list<NodeObject>(T.node);
    const podsOf = this.podsByOwner();
    for (const ds of this.store.list<DaemonSetObject>(T.daemonSet)) {
      const pods = podsOf(ds).filter((p) => !isTerminating(p));
      const eligible = nodes.filter((n) => this.daemonEligible(ds, n));
      for (const node of eligible) {
        if (pods.some((p) => p.spec.nodeName === node.metadata.name)) continue;
        const name = `${ds.metadata.name}-${this.random.suffix(5)}`;
        this.createPod(ds, name, ds.spec.template, {
          "controller-revision-hash": templateHash(ds.spec.template).slice(0, 10),
          "pod-template-generation": String(ds.metadata.generation ?? 1),
        }, this.workloadKey(ds), { nodeName: node.metadata.name });
        this.event(ds, { reason: "SuccessfulCreate", note: `Created pod: ${name}`, controller: "daemonset-controller" });
      }
      for (const p of pods) {
        if (eligible.some((n) => n.metadata.name === p.spec.nodeName)) continue;
        this.deletePod(p);
        this.event(ds, { reason: "SuccessfulDelete", note: `Deleted pod: ${p.metadata.name}`, controller: "daemonset-controller" });
      }
    }
  }

  private daemonEligible(ds: DaemonSetObject, node: NodeObject): boolean {
    const selector = ds.spec.template.spec.nodeSelector ?? {};
    if (!Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) return false;
    return (node.spec.taints ?? []).every((t) => t.effect === "PreferNoSchedule" || tolerates(ds.spec.template.spec.tolerations, t));
  }

  private workloadKey(o: KubeObject): string {
    // Pods of a Deployment's ReplicaSet use the Deployment's profile.
    const owner = o.metadata.ownerReferences?.find((r) => r.controller);
    return `${o.metadata.namespace}/${owner?.kind === "Deployment" ? owner.name : o.metadata.name}`;
  }

  /** Pods grouped by their controller's uid (one store read per controller phase). */
  private podsByOwner(): (owner: KubeObject) => Pod[] {
    const index = new Map<string, Pod[]>();
    for (const p of this.store.list<Pod>(T.pod)) {
      const uid = p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
      if (!uid) continue;
      const list = index.get(uid) ?? [];
      list.push(p);
      index.set(uid, list);
    }
    return (owner) => index.get(owner.metadata.uid) ?? [];
  }

  private createPod(
    owner: KubeObject,
    name: string,
    template: PodTemplate,
    extraLabels: Labels,
    workloadKey: string,
    placement: { nodeName?: string; hostname?: string; subdomain?: string } = {},
    volumeClaimsOf?: StatefulSetObject,
  ): void {
    const now = this.now();
    const spec = structuredClone(template.spec);
    if (placement.hostname) spec.hostname = placement.hostname;
    if (placement.subdomain) spec.subdomain = placement.subdomain;
    if (volumeClaimsOf) {
      spec.volumes = [
        ...(spec.volumes ?? []),
        ...(volumeClaimsOf.spec.volumeClaimTemplates ?? []).map((t) => {
          const claim = (t.metadata as { name: string }).name;
          return { name: claim, persistentVolumeClaim: { claimName: `${claim}-${name}` } };
        }),
      ];
    }
    spec.volumes = [
      ...(spec.volumes ?? []),
      { name: `kube-api-access-${this.random.suffix(5)}`, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }] } },
    ];
    spec.tolerations = [
      ...(spec.tolerations ?? []),
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    ];
    if (placement.nodeName) spec.nodeName = placement.nodeName;
    const requests = podRequests({ spec });
    const limited = spec.containers.every((c) => c.resources.limits?.cpu && c.resources.limits?.memory);
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        uid: this.random.uid(),
        resourceVersion: "",
        creationTimestamp: kubeTime(now),
        generateName: `${owner.metadata.name}-`,
        labels: { ...template.metadata.labels, ...extraLabels },
        ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [ownerRef(owner)],
      },
      spec,
      status: {
        phase: "Pending",
        conditions: placement.nodeName ? [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: kubeTime(now) }] : [],
        qosClass: requests.cpu === 0 && requests.memory === 0 ? "BestEffort" : limited ? "Guaranteed" : "Burstable",
      },
    };
    this.runtime.set(pod.metadata.uid, {
      ...(placement.nodeName ? { scheduledAt: now } : {}),
      ...(this.options.crashLooping.has(workloadKey) ? { crashLoop: true } : {}),
    });
    const restarts = this.options.initialRestarts.get(workloadKey);
    if (restarts && !this.restartsGiven.has(workloadKey)) {
      this.restartsGiven.add(workloadKey);
      this.runtime.get(pod.metadata.uid)!.restarts = restarts;
    }
    const stored = this.store.put(pod);
    if (placement.nodeName) this.scheduledEvent(stored, placement.nodeName);
  }

  private scheduledEvent(pod: Pod, node: string): void {
    this.event(pod, {
      reason: "Scheduled",
      note: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`,
      controller: "default-scheduler",
      newApi: true,
      action: "Binding",
    });
  }

  // --- scheduler ------------------------------------------------------------

  private schedule(): void {
    const nodes = this.store.list<NodeObject>(T.node);
    const pods = this.store.list<Pod>(T.pod);
    const used = new Map<string, { cpu: number; memory: number; count: number; owners: Map<string, number> }>();
    for (const n of nodes) used.set(n.metadata.name, { cpu: 0, memory: 0, count: 0, owners: new Map() });
    const ownerOf = (p: Pod) => p.metadata.ownerReferences?.find((r) => r.controller)?.uid ?? "";
    for (const p of pods) {
      if (!p.spec.nodeName || isTerminated(p)) continue;
      const u = used.get(p.spec.nodeName);
      if (!u) continue;
      const r = podRequests(p);
      u.cpu += r.cpu;
      u.memory += r.memory;
      u.count += 1;
      u.owners.set(ownerOf(p), (u.owners.get(ownerOf(p)) ?? 0) + 1);
    }
    const waiting = pods
      .filter((p) => !p.spec.nodeName && !isTerminating(p))
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name, undefined, { numeric: true }));
    const waitingUids = new Set(waiting.map((p) => p.metadata.uid));
    for (const uid of this.failedScheduling.keys()) if (!waitingUids.has(uid)) this.failedScheduling.delete(uid);
    for (const pod of waiting) {
      const created = Date.parse(pod.metadata.creationTimestamp);
      if (!this.instant && this.now() - created < this.options.timings.scheduleMs) {
        this.due(created + this.options.timings.scheduleMs);
        continue;
      }
      const need = podRequests(pod);
      const reasons = new Map<string, number>();
      const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      let best: { node: NodeObject; score: number } | undefined;
      for (const node of nodes) {
        const selector = pod.spec.nodeSelector ?? {};
        if (!Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) {
          count("node(s) didn't match Pod's node affinity/selector");
          continue;
        }
        if (node.spec.unschedulable) {
          count("node(s) were unschedulable");
          continue;
        }
        const taint = effectiveTaints(node).find((t) => t.effect !== "PreferNoSchedule" && !tolerates(pod.spec.tolerations, t));
        if (taint) {
          count(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
          continue;
        }
        const u = used.get(node.metadata.name)!;
        const alloc = { cpu: cpuMillis(node.status.allocatable.cpu), memory: memoryBytes(node.status.allocatable.memory), pods: Number(node.status.allocatable.pods ?? 110) };
        let fits = true;
        if (u.count + 1 > alloc.pods) {
          count("Too many pods");
          fits = false;
        }
        if (u.cpu + need.cpu > alloc.cpu) {
          count("Insufficient cpu");
          fits = false;
        }
        if (u.memory + need.memory > alloc.memory) {
          count("Insufficient memory");
          fits = false;
        }
        if (!fits) continue;
        // LeastAllocated (most room left) plus the default topology spreading of a workload's replicas.
        const siblings = u.owners.get(ownerOf(pod)) ?? 0;
        const score = (alloc.cpu - u.cpu - need.cpu) / alloc.cpu + (alloc.memory - u.memory - need.memory) / alloc.memory - 0.6 * siblings;
        if (!best || score > best.score) best = { node, score };
      }
      if (best) {
        const u = used.get(best.node.metadata.name)!;
        u.cpu += need.cpu;
        u.memory += need.memory;
        u.count += 1;
        u.owners.set(ownerOf(pod), (u.owners.get(ownerOf(pod)) ?? 0) + 1);
        pod.spec.nodeName = best.node.metadata.name;
        pod.status.conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: kubeTime(this.now()) }];
        this.runtime.set(pod.metadata.uid, { ...this.runtime.get(pod.metadata.uid), scheduledAt: this.now() });
        this.failedScheduling.delete(pod.metadata.uid);
        this.scheduledEvent(this.store.put(pod), best.node.metadata.name);
      } else {
        const parts = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort();
        const message = `0/${nodes.length} nodes are available: ${parts.join(", ")}.`;
        const previous = pod.status.conditions.find((c) => c.type === "PodScheduled");
        pod.status.conditions = [{
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message,
          lastProbeTime: null,
          lastTransitionTime: previous?.status === "False" ? previous.lastTransitionTime : kubeTime(this.now()),
        }];
        this.store.put(pod);
        // The scheduler retries an unschedulable pod when the cluster changes or after 5 minutes; so do its events.
        const last = this.failedScheduling.get(pod.metadata.uid);
        if (!this.instant && (!last || last.message !== message || this.now() - last.at >= 5 * 60_000)) {
          this.failedScheduling.set(pod.metadata.uid, { message, at: this.now() });
          this.event(pod, { type: "Warning", reason: "FailedScheduling", note: message, controller: "default-scheduler", newApi: true, action: "Scheduling" });
        }
      }
    }
  }

  // --- kubelet --------------------------------------------------------------

  private allocatePodIp(node: NodeObject): string {
    const next = (this.nextPodIp.get(node.metadata.name) ?? 1) + 1;
    this.nextPodIp.set(node.metadata.name, next > 254 ? 2 : next);
    const cidr = node.spec.podCIDR ?? "10.244.0.0/24";
    const [a, b, c] = cidr.split("/")[0].split(".");
    return `${a}.${b}.${c}.${next}`;
  }

  private setPodReady(pod: Pod, ready: boolean, reason?: string): void {
    const now = kubeTime(this.now());
    const names = pod.spec.containers.map((c) => c.name).join(" ");
    const cond = (type: string, ok: boolean): Condition => {
      const previous = pod.status.conditions.find((c) => c.type === type);
      const status = ok ? "True" : "False";
      return {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : now,
        ...(ok ? {} : { reason: reason ?? "ContainersNotReady", message: `containers with unready status: [${names}]` }),
      };
    };
    const scheduled = pod.status.conditions.find((c) => c.type === "PodScheduled")!;
    pod.status.conditions = [
      { type: "PodReadyToStartContainers", status: pod.status.podIP ? "True" : "False", lastProbeTime: null, lastTransitionTime: scheduled.lastTransitionTime },
      { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: scheduled.lastTransitionTime },
      cond("Ready", ready),
      cond("ContainersReady", ready),
      scheduled,
    ];
    for (const cs of pod.status.containerStatuses ?? []) cs.ready = ready;
  }

  private kubelet(): void {
    const { startMs, readyMs, terminateMs } = this.options.timings;
    const nodes = new Map(this.store.list<NodeObject>(T.node).map((n) => [n.metadata.name, n]));
    for (const pod of this.store.list<Pod>(T.pod)) {
      const rt = this.runtime.get(pod.metadata.uid) ?? {};
      this.runtime.set(pod.metadata.uid, rt);
      const now = this.now();
      if (isTerminating(pod)) {
        const since = rt.deletingAt ?? Date.parse(pod.metadata.deletionTimestamp!) - pod.spec.terminationGracePeriodSeconds * 1000;
        this.due(since + terminateMs);
        if (this.instant || now - since >= terminateMs || !pod.spec.nodeName) {
          this.store.delete(T.pod, pod.metadata.namespace, pod.metadata.name);
          this.runtime.delete(pod.metadata.uid);
        }
        continue;
      }
      const node = pod.spec.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      if (!node || isTerminated(pod)) continue;
      if (!nodeReady(node)) {
        // The kubelet is gone: nothing progresses there, and the node lifecycle controller marks its pods not ready.
        if (isReady(pod)) {
          this.setPodReady(pod, false, "NodeNotReady");
          this.store.put(pod);
        }
        continue;
      }
      rt.scheduledAt ??= now;
      const image = (name: string) => pod.spec.containers.find((c) => c.name === name)!.image;
      const containerStatus = (name: string, state: ContainerStatus["state"], ready: boolean): ContainerStatus => {
        const restarts = rt.restarts ?? 0;
        return {
          name,
          image: image(name),
          imageID: `${image(name).split(":")[0]}@sha256:${hashString(image(name)).toString(16).padStart(8, "0").repeat(8)}`,
          ...(state.running ? { containerID: `containerd://${hashString(pod.metadata.uid + name).toString(16).padStart(8, "0").repeat(8)}` } : {}),
          ready,
          started: state.running !== undefined,
          restartCount: restarts,
          state,
          lastState: restarts > 0 && state.running
            ? { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: pod.status.startTime, finishedAt: state.running.startedAt } }
            : {},
        };
      };
      pod.status.hostIP = node.status.addresses.find((a) => a.type === "InternalIP")?.address;
      pod.status.hostIPs = pod.status.hostIP ? [{ ip: pod.status.hostIP }] : undefined;
      pod.status.startTime ??= kubeTime(rt.scheduledAt);
      if (pod.status.phase === "Pending" && (this.instant || now - rt.scheduledAt >= startMs)) {
        rt.runningAt = now;
        for (const c of pod.spec.containers) {
          const at = { controller: "kubelet", host: node.metadata.name, fieldPath: `spec.containers{${c.name}}` };
          this.event(pod, { ...at, reason: "Pulled", note: `Container image "${c.image}" already present on machine` });
          this.event(pod, { ...at, reason: "Created", note: `Created container ${c.name}` });
          this.event(pod, { ...at, reason: "Started", note: `Started container ${c.name}` });
        }
        pod.status.phase = "Running";
        pod.status.podIP = this.allocatePodIp(node);
        pod.status.podIPs = [{ ip: pod.status.podIP }];
      }
      if (pod.status.phase === "Pending") {
        this.due(rt.scheduledAt + startMs);
        pod.status.containerStatuses = pod.spec.containers.map((c) => containerStatus(c.name, { waiting: { reason: "ContainerCreating" } }, false));
        this.setPodReady(pod, false);
      } else {
        rt.runningAt ??= now;
        if (rt.crashLoop) {
          this.crashLoop(pod, rt, now);
          this.store.put(pod);
          continue;
        }
        const ready = this.instant || rt.readyAt !== undefined || now - rt.runningAt >= readyMs;
        if (ready) rt.readyAt ??= now;
        else this.due(rt.runningAt + readyMs);
        const existing = pod.status.containerStatuses?.find((c) => c.state.running);
        const startedAt = existing?.state.running?.startedAt ?? kubeTime(rt.runningAt);
        pod.status.containerStatuses = pod.spec.containers.map((c) => containerStatus(c.name, { running: { startedAt } }, ready));
        this.setPodReady(pod, ready);
      }
      this.store.put(pod);
    }
  }

  /** A container that exits with an error shortly after each start: brief runs, then CrashLoopBackOff. */
  private crashLoop(pod: Pod, rt: PodRuntime, now: number): void {
    const { startMs, readyMs } = this.options.timings;
    const period = 15 * (startMs + readyMs);
    const elapsed = Math.max(0, now - rt.runningAt!);
    const cycle = Math.floor(elapsed / period);
    const cycleStart = rt.runningAt! + cycle * period;
    const running = elapsed - cycle * period < period * 0.2;
    this.due(running ? cycleStart + period * 0.2 : cycleStart + period);
    pod.status.containerStatuses = pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(":")[0]}@sha256:${hashString(c.image).toString(16).padStart(8, "0").repeat(8)}`,
      containerID: `containerd://${hashString(`${pod.metadata.uid}${c.name}${cycle}`).toString(16).padStart(8, "0").repeat(8)}`,
      ready: false,
      started: running,
      restartCount: cycle + (rt.restarts ?? 0),
      state: running
        ? { running: { startedAt: kubeTime(cycleStart) } }
        : { waiting: { reason: "CrashLoopBackOff", message: `back-off ${Math.round(period / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
      lastState: cycle > 0 || !running
        ? { terminated: { exitCode: 1, reason: "Error", startedAt: kubeTime(running ? cycleStart - period : cycleStart), finishedAt: kubeTime(running ? cycleStart - period * 0.8 : cycleStart + period * 0.2) } }
        : {},
    }));
    this.setPodReady(pod, false);
  }

  // --- status ---------------------------------------------------------------

  private condition(previous: Condition[] | undefined, type: string, status: boolean, reason: string, message: string, withUpdateTime = true): Condition {
    const old = previous?.find((c) => c.type === type);
    const s = status ? "True" : "False";
    const now = kubeTime(this.now());
    const unchanged = old?.status === s && old.reason === reason;
    return {
      type,
      status: s,
      ...(withUpdateTime ? { lastUpdateTime: unchanged ? old.lastUpdateTime : now } : {}),
      lastTransitionTime: old?.status === s ? old.lastTransitionTime : now,
      reason,
      message,
    };
  }

  private workloadStatus(): void {
    const podsOf = this.podsByOwner();
    const owned = (o: KubeObject) => podsOf(o).filter((p) => !isTerminating(p));
    const rsets = this.store.list<ReplicaSetObject>(T.replicaSet);
    for (const rs of rsets) {
      const mine = owned(rs);
      const ready = mine.filter(isReady).length;
      rs.status = {
        ...omitZero({ replicas: mine.length, fullyLabeledReplicas: mine.length, readyReplicas: ready, availableReplicas: ready }),
        replicas: mine.length,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      this.store.put(rs);
    }
    for (const d of this.store.list<DeploymentObject>(T.deployment)) {
      const hash = templateHash(d.spec.template);
      const mine = rsets.filter((rs) => ownedBy(rs, d));
      const sum = (f: (rs: ReplicaSetObject) => number) => mine.reduce((n, rs) => n + f(rs), 0);
      const replicas = sum((rs) => owned(rs).length);
      const ready = sum((rs) => owned(rs).filter(isReady).length);
      const updated = sum((rs) => (rs.metadata.labels?.["pod-template-hash"] === hash ? owned(rs).length : 0));
      const maxUnavailable = Math.floor(d.spec.replicas * 0.25);
      const available = ready >= d.spec.replicas - maxUnavailable;
      const current = mine.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
      const complete = updated === d.spec.replicas && ready === d.spec.replicas && replicas === d.spec.replicas;
      const prev = (d.status.conditions ?? []) as unknown as Condition[];
      d.status = omitZero({
        observedGeneration: d.metadata.generation ?? 1,
        replicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: Math.max(0, d.spec.replicas - ready),
        conditions: [
          this.condition(prev, "Available", available, available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", available ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
          this.condition(prev, "Progressing", true, complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", complete ? `ReplicaSet "${current?.metadata.name}" has successfully progressed.` : `ReplicaSet "${current?.metadata.name}" is progressing.`),
        ],
      });
      this.store.put(d);
    }
    for (const sts of this.store.list<StatefulSetObject>(T.statefulSet)) {
      const mine = owned(sts);
      const ready = mine.filter(isReady).length;
      const revision = `${sts.metadata.name}-${templateHash(sts.spec.template)}`;
      sts.status = {
        ...omitZero({ readyReplicas: ready, currentReplicas: mine.length, updatedReplicas: mine.length }),
        observedGeneration: sts.metadata.generation ?? 1,
        replicas: mine.length,
        availableReplicas: ready,
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      };
      this.store.put(sts);
    }
    const nodes = this.store.list<NodeObject>(T.node);
    for (const ds of this.store.list<DaemonSetObject>(T.daemonSet)) {
      const mine = owned(ds);
      const ready = mine.filter(isReady).length;
      const desired = nodes.filter((n) => this.daemonEligible(ds, n)).length;
      ds.status = {
        currentNumberScheduled: mine.length,
        desiredNumberScheduled: desired,
        numberMisscheduled: 0,
        numberReady: ready,
        observedGeneration: ds.metadata.generation ?? 1,
        ...omitZero({ updatedNumberScheduled: mine.length, numberAvailable: ready, numberUnavailable: Math.max(0, desired - ready) }),
      };
      this.store.put(ds);
    }
  }

  private hpas(): void {
    const now = this.now();
    const refreshMetrics = this.instant || now - this.lastHpaSync >= this.options.hpaSyncMs;
    if (refreshMetrics) this.lastHpaSync = now;
    for (const hpa of this.store.list<HpaObject>(T.hpa)) {
      const ref = hpa.spec.scaleTargetRef;
      const type = ref.kind === "StatefulSet" ? T.statefulSet : T.deployment;
      const target = this.store.get<DeploymentObject | StatefulSetObject>(type, hpa.metadata.namespace, ref.name);
      const prev = (hpa.status.conditions ?? []) as unknown as Condition[];
      if (!target) {
        hpa.status = {
          currentReplicas: 0,
          desiredReplicas: 0,
          conditions: [this.condition(prev, "AbleToScale", false, "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${type.plural}.apps "${ref.name}" not found`, false)] as unknown as JsonObject[],
        };
        this.store.put(hpa);
        continue;
      }
      const min = hpa.spec.minReplicas ?? 1;
      const desired = Math.min(hpa.spec.maxReplicas, Math.max(min, target.spec.replicas));
      const currentMetrics = refreshMetrics ? this.hpaUtilisation(target) : hpa.status.currentMetrics;
      const limited = target.spec.replicas <= min ? "TooFewReplicas" : target.spec.replicas >= hpa.spec.maxReplicas ? "TooManyReplicas" : null;
      hpa.status = {
        currentReplicas: Number((target.status as { replicas?: number }).replicas ?? 0),
        desiredReplicas: desired,
        ...(currentMetrics ? { currentMetrics } : {}),
        conditions: [
          this.condition(prev, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", false),
          this.condition(prev, "ScalingActive", true, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", false),
          this.condition(prev, "ScalingLimited", limited !== null, limited ?? "DesiredWithinRange", limited ? "the desired replica count is at the edge of the allowed range" : "the desired count is within the acceptable range", false),
        ] as unknown as JsonObject[],
      };
      this.store.put(hpa);
    }
  }

  private hpaUtilisation(target: DeploymentObject | StatefulSetObject): JsonObject[] | undefined {
    const reqs = requirementsOf(target.spec.selector);
    const pods = this.store
      .list<Pod>(T.pod, target.metadata.namespace)
      .filter((p) => p.status.phase === "Running" && !isTerminating(p) && matchesRequirements(p.metadata.labels, reqs));
    if (pods.length === 0) return undefined;
    let used = 0;
    let requested = 0;
    for (const p of pods) {
      used += this.options.podCpuMillis(p);
      requested += podRequests(p).cpu;
    }
    if (requested === 0) return undefined;
    return [{
      type: "Resource",
      resource: { name: "cpu", current: { averageUtilization: Math.round((used / requested) * 100), averageValue: `${Math.round(used / pods.length)}m` } },
    }];
  }

  private endpoints(): void {
    const pods = this.store.list<Pod>(T.pod);
    const slices = this.store.list<KubeObject>(T.endpointSlice);
    for (const svc of this.store.list<ServiceObject>(T.service)) {
      if (!svc.spec.selector) continue;
      const reqs = Object.entries(svc.spec.selector).map(([key, value]) => ({ key, op: "=" as const, value }));
      const members = pods
        .filter((p) => p.metadata.namespace === svc.metadata.namespace && p.status.podIP && !isTerminated(p) && matchesRequirements(p.metadata.labels, reqs))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name, undefined, { numeric: true }));
      const resolvePort = (target: number | string) => {
        if (typeof target === "number") return target;
        for (const p of members) {
          for (const c of p.spec.containers) {
            const found = c.ports?.find((cp) => cp.name === target);
            if (found) return found.containerPort;
          }
        }
        return undefined;
      };
      const ports = svc.spec.ports
        .map((p) => ({ ...(p.name ? { name: p.name } : {}), port: resolvePort(p.targetPort), protocol: p.protocol }))
        .filter((p): p is { name?: string; port: number; protocol: string } => p.port !== undefined);
      const address = (p: Pod) => ({
        ip: p.status.podIP!,
        ...(p.spec.hostname && svc.spec.clusterIP === "None" ? { hostname: p.spec.hostname } : {}),
        nodeName: p.spec.nodeName,
        targetRef: { kind: "Pod", namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
      });
      const ready = members.filter((p) => isReady(p) && !isTerminating(p));
      const notReady = members.filter((p) => !ready.includes(p));
      const existingEndpoints = this.store.get<KubeObject>(T.endpoints, svc.metadata.namespace, svc.metadata.name);
      const subsets = members.length === 0 ? undefined : [{
        ...(ready.length ? { addresses: ready.map(address) } : {}),
        ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
        ports,
      }];
      const nextEndpoints: KubeObject = {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: {
          name: svc.metadata.name,
          namespace: svc.metadata.namespace,
          uid: existingEndpoints?.metadata.uid ?? this.random.uid(),
          resourceVersion: "",
          creationTimestamp: existingEndpoints?.metadata.creationTimestamp ?? kubeTime(this.now()),
          labels: { ...svc.metadata.labels, ...(svc.spec.clusterIP === "None" ? { "service.kubernetes.io/headless": "" } : {}) },
          annotations: { "endpoints.kubernetes.io/last-change-trigger-time": kubeTime(this.now()) },
        },
        ...(subsets ? { subsets } : {}),
      };
      // The trigger time only moves when the endpoints do; otherwise a settled cluster would never go quiet.
      const withoutTime = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: "", annotations: {} } });
      if (existingEndpoints && withoutTime(existingEndpoints) === withoutTime(nextEndpoints)) {
        nextEndpoints.metadata.annotations = existingEndpoints.metadata.annotations;
      }
      this.store.put(nextEndpoints);

      const existingSlice = slices.find((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
      this.store.put({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: existingSlice?.metadata.name ?? `${svc.metadata.name}-${this.random.suffix(5)}`,
          namespace: svc.metadata.namespace,
          uid: existingSlice?.metadata.uid ?? this.random.uid(),
          resourceVersion: "",
          generation: existingSlice?.metadata.generation ?? 1,
          creationTimestamp: existingSlice?.metadata.creationTimestamp ?? kubeTime(this.now()),
          generateName: `${svc.metadata.name}-`,
          labels: {
            ...svc.metadata.labels,
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            "kubernetes.io/service-name": svc.metadata.name,
            ...(svc.spec.clusterIP === "None" ? { "service.kubernetes.io/headless": "" } : {}),
          },
          ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: "IPv4",
        endpoints: members.map((p) => {
          const isReadyMember = ready.includes(p);
          return {
            addresses: [p.status.podIP!],
            conditions: { ready: isReadyMember, serving: isReadyMember || (isTerminating(p) && isReady(p)), terminating: isTerminating(p) },
            ...(p.spec.hostname && svc.spec.clusterIP === "None" ? { hostname: p.spec.hostname } : {}),
            nodeName: p.spec.nodeName,
            targetRef: { kind: "Pod", namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
          };
        }),
        ports: ports.length ? ports : null,
      });
    }
  }

}
