/**
 * The endpoints and EndpointSlice controllers: for every Service with a
 * selector, one Endpoints object and one EndpointSlice listing the matching
 * pods that have an IP (ready, not ready, terminating), with named target
 * ports resolved against the pods' containers.
 */

import type { KubeObject, Pod, ServiceObject } from "./types";
import { kubeTime } from "./random";
import { matchesRequirements } from "./selectors";
import { RESOURCE, type ControlContext } from "./control-context";
import { isReady, isTerminated, isTerminating } from "./object-helpers";

export class EndpointsController {
  constructor(private readonly ctx: ControlContext) {}

  reconcile(): void {
    const { store, random } = this.ctx;
    const pods = store.list<Pod>(RESOURCE.pod);
    const slices = store.list<KubeObject>(RESOURCE.endpointSlice);
    for (const svc of store.list<ServiceObject>(RESOURCE.service)) {
      if (!svc.spec.selector) continue;
      const reqs = Object.entries(svc.spec.selector).map(([key, value]) => ({ key, op: "=" as const, value }));
      const members = pods
        .filter(
          (p) =>
            p.metadata.namespace === svc.metadata.namespace &&
            p.status.podIP &&
            !isTerminated(p) &&
            matchesRequirements(p.metadata.labels, reqs),
        )
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
      const existingEndpoints = store.get<KubeObject>(RESOURCE.endpoints, svc.metadata.namespace, svc.metadata.name);
      const subsets =
        members.length === 0
          ? undefined
          : [
              {
                ...(ready.length ? { addresses: ready.map(address) } : {}),
                ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
                ports,
              },
            ];
      const nextEndpoints: KubeObject = {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: {
          name: svc.metadata.name,
          namespace: svc.metadata.namespace,
          uid: existingEndpoints?.metadata.uid ?? random.uid(),
          resourceVersion: "",
          creationTimestamp: existingEndpoints?.metadata.creationTimestamp ?? kubeTime(this.ctx.now()),
          labels: { ...svc.metadata.labels, ...(svc.spec.clusterIP === "None" ? { "service.kubernetes.io/headless": "" } : {}) },
          annotations: { "endpoints.kubernetes.io/last-change-trigger-time": kubeTime(this.ctx.now()) },
        },
        ...(subsets ? { subsets } : {}),
      };
      // The trigger time only moves when the endpoints do; otherwise a settled cluster would never go quiet.
      const withoutTime = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: "", annotations: {} } });
      if (existingEndpoints && withoutTime(existingEndpoints) === withoutTime(nextEndpoints)) {
        nextEndpoints.metadata.annotations = existingEndpoints.metadata.annotations;
      }
      store.put(nextEndpoints);

      const existingSlice = slices.find(
        (s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name,
      );
      store.put({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: existingSlice?.metadata.name ?? `${svc.metadata.name}-${random.suffix(5)}`,
          namespace: svc.metadata.namespace,
          uid: existingSlice?.metadata.uid ?? random.uid(),
          resourceVersion: "",
          generation: existingSlice?.metadata.generation ?? 1,
          creationTimestamp: existingSlice?.metadata.creationTimestamp ?? kubeTime(this.ctx.now()),
          generateName: `${svc.metadata.name}-`,
          labels: {
            ...svc.metadata.labels,
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            "kubernetes.io/service-name": svc.metadata.name,
            ...(svc.spec.clusterIP === "None" ? { "service.kubernetes.io/headless": "" } : {}),
          },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Service",
              name: svc.metadata.name,
              uid: svc.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
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
