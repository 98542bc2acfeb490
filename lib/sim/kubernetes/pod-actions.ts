/**
 * Creating pods from a workload's template and deleting them gracefully: what
 * the workload controllers, the garbage collector and `kubectl delete pod`
 * have in common, so each of them writes pods the same way.
 */

import type { Condition, KubeObject, Labels, Pod, PodTemplate, StatefulSetObject } from "./types";
import { kubeTime } from "./random";
import type { ControlContext } from "./control-context";
import { isTerminating, ownerRef, podRequests, workloadKey } from "./object-helpers";

/** Sets a pod's Ready/ContainersReady conditions (and the conditions around them), keeping transition times that did not change. */
export function setPodReady(pod: Pod, ready: boolean, nowMs: number, reason?: string): void {
  const now = kubeTime(nowMs);
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
    {
      type: "PodReadyToStartContainers",
      status: pod.status.podIP ? "True" : "False",
      lastProbeTime: null,
      lastTransitionTime: scheduled.lastTransitionTime,
    },
    { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: scheduled.lastTransitionTime },
    cond("Ready", ready),
    cond("ContainersReady", ready),
    scheduled,
  ];
  for (const cs of pod.status.containerStatuses ?? []) cs.ready = ready;
}

export interface PodPlacement {
  /** Bound at creation (DaemonSet pods skip the scheduler). */
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
}

export class PodActions {
  /** Workloads whose initial restart count has been handed out: only their first pod shows it. */
  private readonly restartsGiven = new Set<string>();

  constructor(private readonly ctx: ControlContext) {}

  create(
    owner: KubeObject,
    name: string,
    template: PodTemplate,
    extraLabels: Labels,
    placement: PodPlacement = {},
    volumeClaimsOf?: StatefulSetObject,
  ): void {
    const { random, options } = this.ctx;
    const workload = workloadKey(owner);
    const now = this.ctx.now();
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
      {
        name: `kube-api-access-${random.suffix(5)}`,
        projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }] },
      },
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
        uid: random.uid(),
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
        conditions: placement.nodeName
          ? [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: kubeTime(now) }]
          : [],
        qosClass: requests.cpu === 0 && requests.memory === 0 ? "BestEffort" : limited ? "Guaranteed" : "Burstable",
      },
    };
    this.ctx.runtime.set(pod.metadata.uid, {
      ...(placement.nodeName ? { scheduledAt: now } : {}),
      ...(options.crashLooping.has(workload) ? { crashLoop: true } : {}),
    });
    const restarts = options.initialRestarts.get(workload);
    if (restarts && !this.restartsGiven.has(workload)) {
      this.restartsGiven.add(workload);
      this.ctx.runtime.get(pod.metadata.uid)!.restarts = restarts;
    }
    const stored = this.ctx.store.put(pod);
    if (placement.nodeName) this.scheduledEvent(stored, placement.nodeName);
  }

  /** Marks a pod for deletion as `kubectl delete pod` does; the kubelet removes it after the grace period. */
  delete(pod: Pod): Pod {
    if (isTerminating(pod)) return pod;
    const { runtime } = this.ctx;
    pod.metadata.deletionTimestamp = kubeTime(this.ctx.now() + pod.spec.terminationGracePeriodSeconds * 1000);
    pod.metadata.deletionGracePeriodSeconds = pod.spec.terminationGracePeriodSeconds;
    runtime.set(pod.metadata.uid, { ...runtime.get(pod.metadata.uid), readyAt: undefined, deletingAt: this.ctx.now() });
    if (pod.spec.nodeName && pod.status.phase === "Running") {
      for (const c of pod.spec.containers) {
        this.ctx.event(pod, {
          reason: "Killing",
          note: `Stopping container ${c.name}`,
          controller: "kubelet",
          host: pod.spec.nodeName,
          fieldPath: `spec.containers{${c.name}}`,
        });
      }
    }
    if (pod.spec.nodeName) setPodReady(pod, false, this.ctx.now(), "ContainersNotReady");
    return this.ctx.store.put(pod);
  }

  /** The scheduler's record of a binding, also written for pods bound at creation. */
  scheduledEvent(pod: Pod, node: string): void {
    this.ctx.event(pod, {
      reason: "Scheduled",
      note: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`,
      controller: "default-scheduler",
      newApi: true,
      action: "Binding",
    });
  }
}
