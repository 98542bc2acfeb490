/**
 * Small pure functions about objects that several control-plane components
 * need: readiness, ownership, resource requests, taints and tolerations,
 * template hashes.
 */

import type {
  Condition,
  DaemonSetObject,
  JsonObject,
  KubeObject,
  NodeObject,
  OwnerReference,
  Pod,
  PodTemplate,
  Taint,
  Toleration,
} from "./types";
import type { ObjectStore } from "./store";
import { cpuMillis, memoryBytes } from "./quantity";
import { hashString } from "./random";
import { RESOURCE } from "./control-context";

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

export const isTerminating = (o: KubeObject) => o.metadata.deletionTimestamp !== undefined;
export const isTerminated = (pod: Pod) => pod.status.phase === "Succeeded" || pod.status.phase === "Failed";

export function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller);
}

export function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Pods grouped by their controller's uid (one store read per controller phase). */
export function podsByOwner(store: ObjectStore): (owner: KubeObject) => Pod[] {
  const index = new Map<string, Pod[]>();
  for (const p of store.list<Pod>(RESOURCE.pod)) {
    const uid = p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (!uid) continue;
    const list = index.get(uid) ?? [];
    list.push(p);
    index.set(uid, list);
  }
  return (owner) => index.get(owner.metadata.uid) ?? [];
}

/** The key of a workload's usage profile, restarts and crash-looping ("namespace/name"). */
export function workloadKey(o: KubeObject): string {
  // Pods of a Deployment's ReplicaSet use the Deployment's profile.
  const owner = o.metadata.ownerReferences?.find((r) => r.controller);
  return `${o.metadata.namespace}/${owner?.kind === "Deployment" ? owner.name : o.metadata.name}`;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

export function nodeReady(node: NodeObject): boolean {
  return node.status.conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Taints a node effectively has, including the one the node lifecycle controller adds when it is not ready. */
export function effectiveTaints(node: NodeObject): Taint[] {
  const taints = [...(node.spec.taints ?? [])];
  if (!nodeReady(node)) taints.push({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" });
  return taints;
}

/** Whether a DaemonSet runs a pod on a node (its desired count is the number of such nodes). */
export function daemonEligible(ds: DaemonSetObject, node: NodeObject): boolean {
  const selector = ds.spec.template.spec.nodeSelector ?? {};
  if (!Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) return false;
  return (node.spec.taints ?? []).every((t) => t.effect === "PreferNoSchedule" || tolerates(ds.spec.template.spec.tolerations, t));
}

export function templateHash(template: PodTemplate): string {
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
export function omitZero(status: Record<string, number | string | Condition[] | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === 0 || v === undefined) continue;
    out[k] = v as JsonObject[string];
  }
  return out;
}
