/**
 * The garbage collector: objects whose controlling owner is gone go too
 * (pods gracefully), and Endpoints whose Service is gone.
 */

import type { KubeObject, Pod } from "./types";
import { RESOURCE, type ControlContext } from "./control-context";
import type { PodActions } from "./pod-actions";

export class GarbageCollector {
  constructor(
    private readonly ctx: ControlContext,
    private readonly pods: PodActions,
  ) {}

  reconcile(): void {
    const { store } = this.ctx;
    const owners = new Set<string>();
    for (const type of [RESOURCE.deployment, RESOURCE.replicaSet, RESOURCE.statefulSet, RESOURCE.daemonSet, RESOURCE.service]) {
      for (const o of store.list(type)) owners.add(o.metadata.uid);
    }
    const orphaned = (o: KubeObject) => {
      const ref = o.metadata.ownerReferences?.find((r) => r.controller);
      return ref !== undefined && !owners.has(ref.uid);
    };
    for (const rs of store.list(RESOURCE.replicaSet))
      if (orphaned(rs)) store.delete(RESOURCE.replicaSet, rs.metadata.namespace, rs.metadata.name);
    for (const slice of store.list(RESOURCE.endpointSlice))
      if (orphaned(slice)) store.delete(RESOURCE.endpointSlice, slice.metadata.namespace, slice.metadata.name);
    for (const ep of store.list(RESOURCE.endpoints)) {
      if (!store.get(RESOURCE.service, ep.metadata.namespace, ep.metadata.name))
        store.delete(RESOURCE.endpoints, ep.metadata.namespace, ep.metadata.name);
    }
    // Pods of a ReplicaSet deleted just above are orphaned now too.
    const liveRs = new Set(store.list(RESOURCE.replicaSet).map((r) => r.metadata.uid));
    for (const pod of store.list<Pod>(RESOURCE.pod)) {
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
      if (ref && !owners.has(ref.uid) && !liveRs.has(ref.uid)) this.pods.delete(pod);
    }
  }
}
