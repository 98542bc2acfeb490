/**
 * The default scheduler: binds each waiting pod to the node with the most room
 * left that matches its selector, tolerates the node's taints and fits its
 * requests and whose zone its bound volumes are in, spreading a workload's
 * replicas; a pod that fits nowhere (or whose claims are missing or unbound)
 * gets PodScheduled=False (Unschedulable) and a FailedScheduling event. Claims
 * waiting for their first consumer learn the node picked (storage.ts).
 */

import type { NodeObject, Pod } from "./types";
import { kubeTime } from "./random";
import { cpuMillis, memoryBytes } from "./quantity";
import { RESOURCE, type ControlContext } from "./control-context";
import type { PodActions } from "./pod-actions";
import { effectiveTaints, isTerminated, isTerminating, podRequests, tolerates } from "./object-helpers";
import { checkClaims, selectNode } from "./storage";

/** How long an unschedulable pod waits for a retry (and another FailedScheduling) when nothing changes. */
const RETRY_MS = 5 * 60_000;

export class Scheduler {
  /** Last FailedScheduling per pod uid, so a pod that fits nowhere is reported once per retry period, not per pass. */
  private readonly failedScheduling = new Map<string, { message: string; at: number }>();

  constructor(
    private readonly ctx: ControlContext,
    private readonly pods: PodActions,
  ) {}

  reconcile(): void {
    const { store, options } = this.ctx;
    const nodes = store.list<NodeObject>(RESOURCE.node);
    const pods = store.list<Pod>(RESOURCE.pod);
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
      .sort(
        (a, b) =>
          a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
          a.metadata.name.localeCompare(b.metadata.name, undefined, { numeric: true }),
      );
    const waitingUids = new Set(waiting.map((p) => p.metadata.uid));
    for (const uid of this.failedScheduling.keys()) if (!waitingUids.has(uid)) this.failedScheduling.delete(uid);
    for (const pod of waiting) {
      const created = Date.parse(pod.metadata.creationTimestamp);
      if (!this.ctx.bootstrapping() && this.ctx.now() - created < options.timings.scheduleMs) {
        this.ctx.due(created + options.timings.scheduleMs);
        continue;
      }
      const claims = checkClaims(this.ctx, pod);
      if ("unschedulable" in claims) {
        this.reportUnschedulable(pod, `0/${nodes.length} nodes are available: ${claims.unschedulable}.`);
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
        if (!claims.allows(node)) {
          count("node(s) had volume node affinity conflict");
          continue;
        }
        const u = used.get(node.metadata.name)!;
        const alloc = {
          cpu: cpuMillis(node.status.allocatable.cpu),
          memory: memoryBytes(node.status.allocatable.memory),
          pods: Number(node.status.allocatable.pods ?? 110),
        };
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
        selectNode(this.ctx, claims.waiting, best.node.metadata.name);
        this.bind(pod, best.node);
      } else {
        const parts = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort();
        this.reportUnschedulable(pod, `0/${nodes.length} nodes are available: ${parts.join(", ")}.`);
      }
    }
  }

  private bind(pod: Pod, node: NodeObject): void {
    pod.spec.nodeName = node.metadata.name;
    pod.status.conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: kubeTime(this.ctx.now()) }];
    this.ctx.runtime.set(pod.metadata.uid, { ...this.ctx.runtime.get(pod.metadata.uid), scheduledAt: this.ctx.now() });
    this.failedScheduling.delete(pod.metadata.uid);
    this.pods.scheduledEvent(this.ctx.store.put(pod), node.metadata.name);
  }

  private reportUnschedulable(pod: Pod, message: string): void {
    const previous = pod.status.conditions.find((c) => c.type === "PodScheduled");
    pod.status.conditions = [
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message,
        lastProbeTime: null,
        lastTransitionTime: previous?.status === "False" ? previous.lastTransitionTime : kubeTime(this.ctx.now()),
      },
    ];
    this.ctx.store.put(pod);
    // The scheduler retries an unschedulable pod when the cluster changes or after 5 minutes; so do its events.
    const last = this.failedScheduling.get(pod.metadata.uid);
    if (!this.ctx.bootstrapping() && (!last || last.message !== message || this.ctx.now() - last.at >= RETRY_MS)) {
      this.failedScheduling.set(pod.metadata.uid, { message, at: this.ctx.now() });
      this.ctx.event(pod, {
        type: "Warning",
        reason: "FailedScheduling",
        note: message,
        controller: "default-scheduler",
        newApi: true,
        action: "Scheduling",
      });
    }
  }
}
