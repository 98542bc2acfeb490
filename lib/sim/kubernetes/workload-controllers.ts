/**
 * The workload controllers of the controller-manager: Deployment →
 * ReplicaSet, ReplicaSet → Pods, StatefulSet → ordered Pods, DaemonSet → one
 * Pod per eligible node. They create and delete pods; binding them and
 * running them is the scheduler's and the kubelet's business.
 */

import type { DaemonSetObject, DeploymentObject, NodeObject, Pod, ReplicaSetObject, StatefulSetObject } from "./types";
import { kubeTime } from "./random";
import { RESOURCE, type ControlContext } from "./control-context";
import type { PodActions } from "./pod-actions";
import { daemonEligible, isReady, isTerminating, ownedBy, ownerRef, podsByOwner, templateHash } from "./object-helpers";
import { StatefulSetClaims } from "./storage";

export class DeploymentController {
  constructor(private readonly ctx: ControlContext) {}

  reconcile(): void {
    const { store, random } = this.ctx;
    for (const d of store.list<DeploymentObject>(RESOURCE.deployment)) {
      const hash = templateHash(d.spec.template);
      const owned = store.list<ReplicaSetObject>(RESOURCE.replicaSet, d.metadata.namespace).filter((rs) => ownedBy(rs, d));
      let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
      const annotations = {
        "deployment.kubernetes.io/desired-replicas": String(d.spec.replicas),
        "deployment.kubernetes.io/max-replicas": String(d.spec.replicas + Math.ceil(d.spec.replicas * 0.25)),
        "deployment.kubernetes.io/revision":
          current?.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? String(owned.length + 1),
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
            uid: random.uid(),
            resourceVersion: "",
            generation: 1,
            creationTimestamp: kubeTime(this.ctx.now()),
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
      store.put(current);
      if (d.spec.replicas !== scaledFrom) this.scalingEvent(d, current.metadata.name, scaledFrom, d.spec.replicas);
      // A changed template gets a new ReplicaSet; the old ones drain (a Recreate-like rollout).
      for (const old of owned) {
        if (old.metadata.uid === current.metadata.uid || old.spec.replicas === 0) continue;
        const from = old.spec.replicas;
        old.spec.replicas = 0;
        store.put(old);
        this.scalingEvent(d, old.metadata.name, from, 0);
      }
    }
  }

  /** The deployment controller's words: "Scaled up replica set web-5d8f7c9b4 to 5 from 3". */
  private scalingEvent(d: DeploymentObject, rs: string, from: number, to: number): void {
    const direction = to > from ? "up" : "down";
    const note = `Scaled ${direction} replica set ${rs} to ${to}${from > 0 ? ` from ${from}` : ""}`;
    this.ctx.event(d, { reason: "ScalingReplicaSet", note, controller: "deployment-controller" });
  }
}

export class ReplicaSetController {
  constructor(
    private readonly ctx: ControlContext,
    private readonly pods: PodActions,
  ) {}

  reconcile(): void {
    const { store, random } = this.ctx;
    const podsOf = podsByOwner(store);
    for (const rs of store.list<ReplicaSetObject>(RESOURCE.replicaSet)) {
      const pods = podsOf(rs);
      const active = pods.filter((p) => !isTerminating(p));
      const missing = rs.spec.replicas - active.length;
      for (let i = 0; i < missing; i++) {
        const name = `${rs.metadata.name}-${random.suffix(5)}`;
        this.pods.create(rs, name, rs.spec.template, {});
        this.ctx.event(rs, { reason: "SuccessfulCreate", note: `Created pod: ${name}`, controller: "replicaset-controller" });
      }
      if (missing < 0) {
        // The ReplicaSet controller removes the least useful pods first: unscheduled, pending, not ready, newest.
        const rank = (p: Pod) => (!p.spec.nodeName ? 0 : p.status.phase === "Pending" ? 1 : !isReady(p) ? 2 : 3);
        const victims = [...active].sort(
          (a, b) =>
            rank(a) - rank(b) ||
            b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp) ||
            b.metadata.name.localeCompare(a.metadata.name),
        );
        for (const p of victims.slice(0, -missing)) {
          this.pods.delete(p);
          this.ctx.event(rs, { reason: "SuccessfulDelete", note: `Deleted pod: ${p.metadata.name}`, controller: "replicaset-controller" });
        }
      }
    }
  }
}

export class StatefulSetController {
  private readonly claims: StatefulSetClaims;

  constructor(
    private readonly ctx: ControlContext,
    private readonly pods: PodActions,
  ) {
    this.claims = new StatefulSetClaims(ctx);
  }

  reconcile(): void {
    const { store } = this.ctx;
    const podsOf = podsByOwner(store);
    for (const sts of store.list<StatefulSetObject>(RESOURCE.statefulSet)) {
      const pods = podsOf(sts);
      const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(sts.metadata.name.length + 1)), p]));
      const ordered = sts.spec.podManagementPolicy === "OrderedReady";
      let blocked = false;
      for (let i = 0; i < sts.spec.replicas; i++) {
        const pod = byOrdinal.get(i);
        if (!pod) {
          if (blocked) break;
          // Claims come first and stay when the set scales down (persistentVolumeClaimRetentionPolicy Retain, the default).
          this.claims.ensure(sts, `${sts.metadata.name}-${i}`);
          this.pods.create(
            sts,
            `${sts.metadata.name}-${i}`,
            sts.spec.template,
            {
              "statefulset.kubernetes.io/pod-name": `${sts.metadata.name}-${i}`,
              "apps.kubernetes.io/pod-index": String(i),
              "controller-revision-hash": `${sts.metadata.name}-${templateHash(sts.spec.template)}`,
            },
            { hostname: `${sts.metadata.name}-${i}`, subdomain: sts.spec.serviceName },
            sts,
          );
          this.ctx.event(sts, {
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
          this.pods.delete(p);
          this.ctx.event(sts, {
            reason: "SuccessfulDelete",
            note: `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
            controller: "statefulset-controller",
          });
        }
      }
    }
  }
}

export class DaemonSetController {
  constructor(
    private readonly ctx: ControlContext,
    private readonly pods: PodActions,
  ) {}

  reconcile(): void {
    const { store, random } = this.ctx;
    const nodes = store.list<NodeObject>(RESOURCE.node);
    const podsOf = podsByOwner(store);
    for (const ds of store.list<DaemonSetObject>(RESOURCE.daemonSet)) {
      const pods = podsOf(ds).filter((p) => !isTerminating(p));
      const eligible = nodes.filter((n) => daemonEligible(ds, n));
      for (const node of eligible) {
        if (pods.some((p) => p.spec.nodeName === node.metadata.name)) continue;
        const name = `${ds.metadata.name}-${random.suffix(5)}`;
        this.pods.create(
          ds,
          name,
          ds.spec.template,
          {
            "controller-revision-hash": templateHash(ds.spec.template).slice(0, 10),
            "pod-template-generation": String(ds.metadata.generation ?? 1),
          },
          { nodeName: node.metadata.name },
        );
        this.ctx.event(ds, { reason: "SuccessfulCreate", note: `Created pod: ${name}`, controller: "daemonset-controller" });
      }
      for (const p of pods) {
        if (eligible.some((n) => n.metadata.name === p.spec.nodeName)) continue;
        this.pods.delete(p);
        this.ctx.event(ds, { reason: "SuccessfulDelete", note: `Deleted pod: ${p.metadata.name}`, controller: "daemonset-controller" });
      }
    }
  }
}
