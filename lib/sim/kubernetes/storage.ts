/**
 * Persistent storage as a cluster with a CSI driver behind its default
 * StorageClass has it: the StatefulSet controller's claims (one per claim
 * template and ordinal, kept when the set scales down), what the scheduler
 * checks of a pod's claims, and the persistent volume controller with the
 * external provisioner. A claim of a WaitForFirstConsumer class waits until
 * the scheduler picks its pod's node; then a volume is provisioned in that
 * node's zone (whole GiB, as EBS provisions them) and bound to it. A volume
 * whose claim is gone is deleted (reclaimPolicy Delete) or kept Released.
 *
 * Claims and volumes take their uids from their names and creation times,
 * not from the seeded sequence, so the rest of the fleet keeps its names.
 */

import type {
  Labels,
  NodeObject,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  Pod,
  StatefulSetObject,
  StorageClassObject,
} from "./types";
import { hashString, kubeTime, uidFrom } from "./random";
import { parseQuantity } from "./quantity";
import { RESOURCE, type ControlContext } from "./control-context";

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
const ZONE_LABEL = "topology.kubernetes.io/zone";
const GiB = 1024 ** 3;

/** The class the DefaultStorageClass admission plugin gives claims that name none (the newest default wins, as there). */
export function defaultStorageClass(classes: StorageClassObject[]): string | undefined {
  return classes
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")
    .sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))[0]?.metadata.name;
}

/** The claim a StatefulSet's pod gets from one of its templates: `<template>-<set>-<ordinal>`. */
export function claimName(template: string, podName: string): string {
  return `${template}-${podName}`;
}

/** The claims a pod's volumes name. */
export function podClaimNames(pod: Pod): string[] {
  return (pod.spec.volumes ?? []).flatMap((v) => {
    const claim = (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
    return claim ? [claim] : [];
  });
}

/**
 * The StatefulSet controller's half: before it creates a pod, the claims of
 * the pod's ordinal exist (created from the templates, labelled with the
 * set's selector, with the default class), as the real controller does.
 */
export class StatefulSetClaims {
  constructor(private readonly ctx: ControlContext) {}

  ensure(sts: StatefulSetObject, podName: string): void {
    const { store } = this.ctx;
    for (const template of sts.spec.volumeClaimTemplates ?? []) {
      const meta = (template.metadata ?? {}) as { name: string; labels?: Labels; annotations?: Labels };
      const name = claimName(meta.name, podName);
      if (store.get(RESOURCE.persistentVolumeClaim, sts.metadata.namespace, name)) continue;
      const spec = (template.spec ?? {}) as Partial<PersistentVolumeClaimObject["spec"]>;
      const now = this.ctx.now();
      const claim: PersistentVolumeClaimObject = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name,
          namespace: sts.metadata.namespace,
          uid: uidFrom(`PersistentVolumeClaim/${sts.metadata.namespace}/${name}@${now}`),
          resourceVersion: "",
          creationTimestamp: kubeTime(now),
          labels: { ...meta.labels, ...sts.spec.selector.matchLabels },
          ...(meta.annotations ? { annotations: meta.annotations } : {}),
        },
        spec: {
          accessModes: spec.accessModes ?? ["ReadWriteOnce"],
          resources: spec.resources ?? { requests: { storage: "1Gi" } },
          storageClassName: spec.storageClassName ?? defaultStorageClass(store.list<StorageClassObject>(RESOURCE.storageClass)),
          volumeMode: spec.volumeMode ?? "Filesystem",
        },
        status: { phase: "Pending" },
      };
      if (claim.spec.storageClassName === undefined) delete claim.spec.storageClassName;
      store.put(claim);
      this.ctx.event(sts, {
        reason: "SuccessfulCreate",
        note: `create Claim ${name} Pod ${podName} in StatefulSet ${sts.metadata.name} success`,
        controller: "statefulset-controller",
      });
    }
  }
}

/** What the scheduler makes of a pod's claims: a reason it cannot be placed at all, or which nodes its volumes allow. */
export type ClaimCheck =
  | { unschedulable: string }
  | {
      /** Nodes the pod's bound volumes can be attached on (their zone). */
      allows(node: NodeObject): boolean;
      /** Claims waiting for their first consumer: the scheduler names the node it picks on them. */
      waiting: PersistentVolumeClaimObject[];
    };

export function checkClaims(ctx: ControlContext, pod: Pod): ClaimCheck {
  const { store } = ctx;
  const waiting: PersistentVolumeClaimObject[] = [];
  const volumes: PersistentVolumeObject[] = [];
  for (const name of podClaimNames(pod)) {
    const claim = store.get<PersistentVolumeClaimObject>(RESOURCE.persistentVolumeClaim, pod.metadata.namespace, name);
    if (!claim) return { unschedulable: `persistentvolumeclaim "${name}" not found` };
    if (claim.status.phase === "Bound" && claim.spec.volumeName) {
      const volume = store.get<PersistentVolumeObject>(RESOURCE.persistentVolume, undefined, claim.spec.volumeName);
      if (volume) volumes.push(volume);
      continue;
    }
    const cls = claim.spec.storageClassName
      ? store.get<StorageClassObject>(RESOURCE.storageClass, undefined, claim.spec.storageClassName)
      : undefined;
    if (cls?.volumeBindingMode !== "WaitForFirstConsumer") return { unschedulable: "pod has unbound immediate PersistentVolumeClaims" };
    waiting.push(claim);
  }
  return { allows: (node) => volumes.every((v) => volumeAllows(v, node)), waiting };
}

function volumeAllows(volume: PersistentVolumeObject, node: NodeObject): boolean {
  const terms = volume.spec.nodeAffinity?.required.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) => t.matchExpressions.every((e) => e.values.includes(node.metadata.labels?.[e.key] ?? "")));
}

/** Round up to whole GiB, as block storage is provisioned ("1Gi" stays "1Gi", "500Mi" becomes "1Gi"). */
function provisionedSize(request: string): string {
  return `${Math.max(1, Math.ceil(parseQuantity(request) / GiB))}Gi`;
}

/**
 * The persistent volume controller and the external provisioner: binds
 * claims that can be bound, provisions their volumes, marks claims whose
 * volume vanished Lost, and reclaims volumes whose claim is gone.
 */
export class VolumeController {
  /** Claims (uid) already told they wait for a consumer or a class, so the event is written once, as the controller's resync would fold it. */
  private readonly reportedWaiting = new Set<string>();

  constructor(private readonly ctx: ControlContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const classes = new Map(store.list<StorageClassObject>(RESOURCE.storageClass).map((c) => [c.metadata.name, c]));
    const volumes = new Map(store.list<PersistentVolumeObject>(RESOURCE.persistentVolume).map((v) => [v.metadata.name, v]));
    const claims = store.list<PersistentVolumeClaimObject>(RESOURCE.persistentVolumeClaim);
    for (const claim of claims) {
      if (claim.spec.volumeName) {
        if (claim.status.phase === "Bound" && !volumes.has(claim.spec.volumeName)) {
          claim.status = { ...claim.status, phase: "Lost" };
          store.put(claim);
          this.ctx.event(claim, {
            type: "Warning",
            reason: "ClaimLost",
            note: "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
            controller: "persistentvolume-controller",
          });
        }
        continue;
      }
      const cls = claim.spec.storageClassName ? classes.get(claim.spec.storageClassName) : undefined;
      const node = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
      if (!cls) {
        this.waitingEvent(claim, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
      } else if (cls.volumeBindingMode === "WaitForFirstConsumer" && !node) {
        this.waitingEvent(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      } else {
        const zone = node ? store.get<NodeObject>(RESOURCE.node, undefined, node)?.metadata.labels?.[ZONE_LABEL] : undefined;
        volumes.set(...this.provision(claim, cls, zone));
      }
    }
    const live = new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.metadata.uid]));
    for (const volume of volumes.values()) {
      const ref = volume.spec.claimRef;
      if (!ref || volume.status.phase !== "Bound" || live.get(`${ref.namespace}/${ref.name}`) === ref.uid) continue;
      // The claim is gone: the provisioner deletes the disk, or the volume waits Released for an administrator.
      if (volume.spec.persistentVolumeReclaimPolicy === "Delete") store.delete(RESOURCE.persistentVolume, undefined, volume.metadata.name);
      else store.put({ ...volume, status: { phase: "Released", lastPhaseTransitionTime: kubeTime(this.ctx.now()) } });
    }
    for (const uid of this.reportedWaiting) if (!claims.some((c) => c.metadata.uid === uid)) this.reportedWaiting.delete(uid);
  }

  private waitingEvent(claim: PersistentVolumeClaimObject, reason: string, note: string): void {
    if (this.reportedWaiting.has(claim.metadata.uid)) return;
    this.reportedWaiting.add(claim.metadata.uid);
    this.ctx.event(claim, {
      reason,
      note,
      controller: "persistentvolume-controller",
      ...(reason === "FailedBinding" ? { type: "Warning" } : {}),
    });
  }

  /** Creates the claim's volume (its zone's, when a node was picked) and binds both. */
  private provision(
    claim: PersistentVolumeClaimObject,
    cls: StorageClassObject,
    zone: string | undefined,
  ): [string, PersistentVolumeObject] {
    const { store } = this.ctx;
    const now = this.ctx.now();
    const name = `pvc-${claim.metadata.uid}`;
    const size = provisionedSize(claim.spec.resources.requests.storage);
    const claimRef = `${claim.metadata.namespace}/${claim.metadata.name}`;
    this.ctx.event(claim, {
      reason: "Provisioning",
      note: `External provisioner is provisioning volume for claim "${claimRef}"`,
      controller: cls.provisioner,
    });
    const volume: PersistentVolumeObject = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name,
        uid: uidFrom(`PersistentVolume/${name}@${now}`),
        resourceVersion: "",
        creationTimestamp: kubeTime(now),
        annotations: { "pv.kubernetes.io/provisioned-by": cls.provisioner },
      },
      spec: {
        capacity: { storage: size },
        accessModes: claim.spec.accessModes,
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? "Delete",
        storageClassName: cls.metadata.name,
        volumeMode: claim.spec.volumeMode,
        claimRef: {
          kind: "PersistentVolumeClaim",
          apiVersion: "v1",
          namespace: claim.metadata.namespace!,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
        },
        csi: {
          driver: cls.provisioner,
          volumeHandle: `vol-0${hashString(name).toString(16).padStart(8, "0")}${hashString(`${name}#`).toString(16).padStart(8, "0")}`,
          fsType: cls.parameters?.fsType ?? "ext4",
        },
        ...(zone
          ? {
              nodeAffinity: {
                required: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: "In" as const, values: [zone] }] }] },
              },
            }
          : {}),
      },
      status: { phase: "Bound", lastPhaseTransitionTime: kubeTime(now) },
    };
    const stored = store.put(volume);
    claim.metadata.annotations = {
      ...claim.metadata.annotations,
      "pv.kubernetes.io/bind-completed": "yes",
      "pv.kubernetes.io/bound-by-controller": "yes",
      "volume.beta.kubernetes.io/storage-provisioner": cls.provisioner,
      "volume.kubernetes.io/storage-provisioner": cls.provisioner,
    };
    claim.spec.volumeName = name;
    claim.status = { phase: "Bound", accessModes: claim.spec.accessModes, capacity: { storage: size } };
    store.put(claim);
    this.ctx.event(claim, {
      reason: "ProvisioningSucceeded",
      note: `Successfully provisioned volume ${name}`,
      controller: cls.provisioner,
    });
    return [name, stored];
  }
}

/** The scheduler's note on a claim waiting for its first consumer: the node it picked for the pod. */
export function selectNode(ctx: ControlContext, claims: PersistentVolumeClaimObject[], node: string): void {
  for (const claim of claims) {
    claim.metadata.annotations = { ...claim.metadata.annotations, [SELECTED_NODE_ANNOTATION]: node };
    ctx.store.put(claim);
  }
}
