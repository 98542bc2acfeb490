/**
 * Workload status as the controllers report it: replica counts of
 * ReplicaSets, Deployments (with Available/Progressing conditions),
 * StatefulSets and DaemonSets, counted from the pods they own.
 */

import type { Condition, DaemonSetObject, DeploymentObject, KubeObject, NodeObject, ReplicaSetObject, StatefulSetObject } from "./types";
import { kubeTime } from "./random";
import { RESOURCE, type ControlContext } from "./control-context";
import { daemonEligible, isReady, isTerminating, omitZero, ownedBy, podsByOwner, templateHash } from "./object-helpers";

/** A status condition that keeps its transition (and update) time while it stays the same. */
export function condition(
  now: number,
  previous: Condition[] | undefined,
  type: string,
  status: boolean,
  reason: string,
  message: string,
  withUpdateTime = true,
): Condition {
  const old = previous?.find((c) => c.type === type);
  const s = status ? "True" : "False";
  const time = kubeTime(now);
  const unchanged = old?.status === s && old.reason === reason;
  return {
    type,
    status: s,
    ...(withUpdateTime ? { lastUpdateTime: unchanged ? old.lastUpdateTime : time } : {}),
    lastTransitionTime: old?.status === s ? old.lastTransitionTime : time,
    reason,
    message,
  };
}

export class WorkloadStatusController {
  constructor(private readonly ctx: ControlContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const podsOf = podsByOwner(store);
    const owned = (o: KubeObject) => podsOf(o).filter((p) => !isTerminating(p));
    const rsets = store.list<ReplicaSetObject>(RESOURCE.replicaSet);
    for (const rs of rsets) {
      const mine = owned(rs);
      const ready = mine.filter(isReady).length;
      rs.status = {
        ...omitZero({ replicas: mine.length, fullyLabeledReplicas: mine.length, readyReplicas: ready, availableReplicas: ready }),
        replicas: mine.length,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      store.put(rs);
    }
    for (const d of store.list<DeploymentObject>(RESOURCE.deployment)) {
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
          condition(
            this.ctx.now(),
            prev,
            "Available",
            available,
            available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
          ),
          condition(
            this.ctx.now(),
            prev,
            "Progressing",
            true,
            complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            complete
              ? `ReplicaSet "${current?.metadata.name}" has successfully progressed.`
              : `ReplicaSet "${current?.metadata.name}" is progressing.`,
          ),
        ],
      });
      store.put(d);
    }
    for (const sts of store.list<StatefulSetObject>(RESOURCE.statefulSet)) {
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
      store.put(sts);
    }
    const nodes = store.list<NodeObject>(RESOURCE.node);
    for (const ds of store.list<DaemonSetObject>(RESOURCE.daemonSet)) {
      const mine = owned(ds);
      const ready = mine.filter(isReady).length;
      const desired = nodes.filter((n) => daemonEligible(ds, n)).length;
      ds.status = {
        currentNumberScheduled: mine.length,
        desiredNumberScheduled: desired,
        numberMisscheduled: 0,
        numberReady: ready,
        observedGeneration: ds.metadata.generation ?? 1,
        ...omitZero({ updatedNumberScheduled: mine.length, numberAvailable: ready, numberUnavailable: Math.max(0, desired - ready) }),
      };
      store.put(ds);
    }
  }
}
