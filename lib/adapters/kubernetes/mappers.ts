import { facts } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import { joinId } from "@/lib/model/ids";
import {
  ZERO_RESOURCES,
  type Limits,
  type NodeCore,
  type Resources,
  type Service,
  type TaskCore,
  type TaskState,
  type Volume,
  type WorkloadCore,
  type WorkloadEvent,
} from "@/lib/model/types";
import { mountStatus, ordinalRange } from "../volumes";
import { cpuMillis, memoryBytes } from "./quantity";
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEndpointSlice,
  KubeEvent,
  KubeHorizontalPodAutoscaler,
  KubeLabelSelector,
  KubeNode,
  KubeNodeMetrics,
  KubePersistentVolumeClaim,
  KubePod,
  KubePodMetrics,
  KubePodVolume,
  KubeReplicaSet,
  KubeService,
  KubeStatefulSet,
  KubeUpdateStrategy,
} from "./raw";

/**
 * Pure mappers from Kubernetes API objects (already validated by ./raw)
 * to the neutral model. No I/O and no state: joined facts (who owns a
 * ReplicaSet, which HPA targets a workload, endpoint counts, the claims a
 * workload's volumes name) come in as arguments.
 */

export const DAEMONSET_NOT_SCALABLE = "A DaemonSet runs one pod per eligible node; its size follows the nodes, not a replica count.";
export const REPLICASET_NOT_SCALABLE = "Fleetdeck scales Deployments and StatefulSets; this ReplicaSet has no Deployment to scale.";

type Quantities = { [name: string]: string | number | null | undefined } | null | undefined;

function resourcesOf(q: Quantities): Resources {
  return { cpuMillis: Math.max(0, cpuMillis(q?.cpu) ?? 0), memoryBytes: Math.max(0, memoryBytes(q?.memory) ?? 0) };
}

function add(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}

function max(a: Resources, b: Resources): Resources {
  return { cpuMillis: Math.max(a.cpuMillis, b.cpuMillis), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) };
}

/** Workload ids name the kind so scale() knows which API to call: "deployment~shop~web". */
export function workloadId(kind: "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet", namespace: string, name: string) {
  return joinId(kind.toLowerCase(), namespace, name);
}

export function namespacedId(namespace: string | null | undefined, name: string): string {
  return joinId(namespace ?? "", name);
}

// ---------------------------------------------------------------- selectors

/** A LabelSelector in kubectl syntax: "app=web,tier in (a,b),!legacy". Null when absent. */
export function renderSelector(selector: KubeLabelSelector): string | null {
  if (!selector) return null;
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const list = (values ?? []).join(",");
    if (operator === "In") parts.push(`${key} in (${list})`);
    else if (operator === "NotIn") parts.push(`${key} notin (${list})`);
    else if (operator === "Exists") parts.push(key);
    else if (operator === "DoesNotExist") parts.push(`!${key}`);
  }
  return parts.join(",");
}

// ---------------------------------------------------------------- nodes

const ROLE_LABEL = "node-role.kubernetes.io/";

export function mapNode(node: KubeNode): NodeCore {
  const labels = node.metadata.labels ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const status = ready?.status === "True" ? "ready" : ready?.status === "False" ? "not-ready" : "unknown";
  const statusReason = status === "ready" ? null : ready ? joinReason(ready.reason, ready.message) : "The node reports no Ready condition.";

  const roles = new Set<string>();
  for (const key of Object.keys(labels)) {
    if (key.startsWith(ROLE_LABEL) && key.length > ROLE_LABEL.length) roles.add(key.slice(ROLE_LABEL.length));
  }
  // Older clusters mark the role with a value rather than a key.
  if (labels["kubernetes.io/role"]) roles.add(labels["kubernetes.io/role"]);

  const info: Record<string, string> = {};
  const nodeInfo = node.status?.nodeInfo;
  const put = (key: string, value: string | null | undefined) => {
    if (value) info[key] = value;
  };
  put("kubeletVersion", nodeInfo?.kubeletVersion);
  put("osImage", nodeInfo?.osImage);
  put("kernelVersion", nodeInfo?.kernelVersion);
  put("containerRuntime", nodeInfo?.containerRuntimeVersion);
  put("architecture", nodeInfo?.architecture);
  put("internalIP", node.status?.addresses?.find((a) => a.type === "InternalIP")?.address);
  put("externalIP", node.status?.addresses?.find((a) => a.type === "ExternalIP")?.address);
  put("taints", (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", "));

  return {
    id: node.metadata.name,
    name: node.metadata.name,
    status,
    statusReason,
    schedulable: !node.spec?.unschedulable,
    roles: [...roles].sort(),
    labels,
    capacity: resourcesOf(node.status?.capacity),
    allocatable: resourcesOf(node.status?.allocatable ?? node.status?.capacity),
    createdAt: node.metadata.creationTimestamp,
    info,
    ...withProblems(nodeProblems(node)),
  };
}

const NODE_PRESSURES: Record<string, string> = {
  MemoryPressure: "Memory pressure",
  DiskPressure: "Disk pressure",
  PIDPressure: "Process-ID pressure",
};

/** The kubelet's pressure conditions: the node still runs pods, but evicts them and takes no more of that kind. */
export function nodeProblems(node: KubeNode): Problem[] {
  return (node.status?.conditions ?? [])
    .filter((c) => c.status === "True" && c.type in NODE_PRESSURES)
    .map((c) => problem("warning", NODE_PRESSURES[c.type], joinReason(c.reason, c.message) ?? c.type, c.lastTransitionTime ?? null));
}

// ---------------------------------------------------------------- pods

type Container = NonNullable<NonNullable<KubePod["spec"]>["containers"]>[number];

/**
 * What the scheduler reserves for a pod: the app containers plus sidecars
 * (init containers with restartPolicy Always), or the largest init container
 * step if that is more, plus the pod overhead. Per resource.
 */
export function podRequests(pod: KubePod): Resources {
  const requestsOf = (c: Container) => resourcesOf(c.resources?.requests);
  let sidecars = ZERO_RESOURCES;
  let initPeak = ZERO_RESOURCES;
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === "Always") {
      sidecars = add(sidecars, requestsOf(c));
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(sidecars, requestsOf(c)));
    }
  }
  const app = (pod.spec?.containers ?? []).reduce((sum, c) => add(sum, requestsOf(c)), sidecars);
  return add(max(app, initPeak), resourcesOf(pod.spec?.overhead));
}

/**
 * A pod's hard caps, computed as the kubelet sizes the pod's cgroup: the app
 * containers plus sidecars, or the largest init container step if that is
 * more, plus the overhead. A resource is capped only if every app container
 * and sidecar caps it (one uncapped container leaves the pod uncapped); a
 * malformed quantity counts as no cap.
 */
export function podLimits(pod: KubePod): Limits {
  const one = (parse: (q: string | number | null | undefined) => number | null, name: "cpu" | "memory"): number | null => {
    const limitOf = (c: Container) => {
      const v = parse(c.resources?.limits?.[name]);
      // The kubelet reads a zero limit as none declared.
      return v === null || v <= 0 ? null : v;
    };
    let sidecars = 0;
    let initPeak = 0;
    for (const c of pod.spec?.initContainers ?? []) {
      const v = limitOf(c);
      if (c.restartPolicy === "Always") {
        if (v === null) return null;
        sidecars += v;
        initPeak = Math.max(initPeak, sidecars);
      } else if (v !== null) {
        initPeak = Math.max(initPeak, sidecars + v);
      }
    }
    const containers = pod.spec?.containers ?? [];
    if (!containers.length) return null;
    let app = sidecars;
    for (const c of containers) {
      const v = limitOf(c);
      if (v === null) return null;
      app += v;
    }
    return Math.max(app, initPeak) + Math.max(0, parse(pod.spec?.overhead?.[name]) ?? 0);
  };
  return { cpuMillis: one(cpuMillis, "cpu"), memoryBytes: one(memoryBytes, "memory") };
}

const PHASES: Record<string, TaskState> = {
  Pending: "pending",
  Running: "running",
  Succeeded: "succeeded",
  Failed: "failed",
  Unknown: "unknown",
};

function joinReason(reason: string | null | undefined, message: string | null | undefined): string | null {
  if (reason && message) return `${reason}: ${message}`;
  return reason || message || null;
}

// Waiting reasons that only say "normal start-up"; a sibling's error is more useful.
const ROUTINE_WAITING = new Set(["ContainerCreating", "PodInitializing"]);

/** The single most useful reason a pod is in its state, roughly what `kubectl get pods` shows. */
export function podStateReason(pod: KubePod): string | null {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  const status = pod.status;
  if (status?.reason) return joinReason(status.reason, status.message);

  const scheduled = status?.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") return joinReason(scheduled.reason ?? "Unschedulable", scheduled.message);

  for (const c of status?.initContainerStatuses ?? []) {
    const waiting = c.state?.waiting?.reason;
    if (waiting && waiting !== "PodInitializing") return `Init:${waiting}`;
    const terminated = c.state?.terminated;
    if (terminated && terminated.exitCode !== 0) return `Init:${terminated.reason ?? "Error"}`;
  }

  const containers = status?.containerStatuses ?? [];
  const waiting = containers.map((c) => c.state?.waiting?.reason).filter((r): r is string => !!r);
  const notable = waiting.find((r) => !ROUTINE_WAITING.has(r)) ?? waiting[0];
  if (notable) return notable;

  const terminated = containers.map((c) => c.state?.terminated).filter((t) => !!t);
  const failed = terminated.find((t) => t.exitCode !== 0);
  if (failed) return failed.reason ?? `Exit code ${failed.exitCode}`;
  // A container that finished fine explains a finished pod, not a running one.
  const finished = status?.phase === "Succeeded" || status?.phase === "Failed";
  if (finished && terminated[0]) return terminated[0].reason ?? "Completed";
  return null;
}

/** The controller of a ReplicaSet (normally a Deployment), or null when it stands alone. */
export type ReplicaSetOwner = { kind: string; name: string } | null;
/** Answers undefined when the ReplicaSet is not known (yet). */
export type ReplicaSetOwnerLookup = (namespace: string, replicaSet: string) => ReplicaSetOwner | undefined;

function controllerOf(meta: { ownerReferences?: { kind: string; name: string; controller?: boolean | null }[] | null }) {
  const refs = meta.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0] ?? null;
}

export function replicaSetOwner(rs: KubeReplicaSet): ReplicaSetOwner {
  const ref = controllerOf(rs.metadata);
  return ref ? { kind: ref.kind, name: ref.name } : null;
}

/** The ReplicaSet a pod belongs to, if any; the client tracks these to re-resolve late owners. */
export function podReplicaSet(pod: KubePod): string | null {
  const ref = controllerOf(pod.metadata);
  return ref?.kind === "ReplicaSet" ? ref.name : null;
}

/** The workload behind a ReplicaSet: its Deployment, itself when bare, none for other controllers. */
export function workloadIdForReplicaSet(namespace: string, replicaSet: string, owner: ReplicaSetOwner): string | null {
  if (owner === null) return workloadId("ReplicaSet", namespace, replicaSet);
  return owner.kind === "Deployment" ? workloadId("Deployment", namespace, owner.name) : null;
}

/**
 * The workload a pod belongs to. A ReplicaSet owned by a Deployment resolves
 * to the Deployment; when the ReplicaSet is not known yet, the Deployment is
 * inferred from the pod-template-hash naming convention.
 */
export function podWorkloadId(pod: KubePod, lookup: ReplicaSetOwnerLookup): string | null {
  const ref = controllerOf(pod.metadata);
  const namespace = pod.metadata.namespace ?? "";
  if (!ref) return null;
  if (ref.kind === "StatefulSet" || ref.kind === "DaemonSet") return workloadId(ref.kind, namespace, ref.name);
  if (ref.kind !== "ReplicaSet") return null;

  const owner = lookup(namespace, ref.name);
  if (owner !== undefined) return workloadIdForReplicaSet(namespace, ref.name, owner);
  const hash = pod.metadata.labels?.["pod-template-hash"];
  if (hash && ref.name.endsWith(`-${hash}`)) {
    return workloadId("Deployment", namespace, ref.name.slice(0, -hash.length - 1));
  }
  return null;
}

export function mapPod(pod: KubePod, lookup: ReplicaSetOwnerLookup): TaskCore {
  const { metadata, status } = pod;
  const containers = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])];
  const runningSince = (status?.containerStatuses ?? [])
    .map((c) => c.state?.running?.startedAt)
    .filter((t): t is string => !!t)
    .sort()[0];
  return {
    id: namespacedId(metadata.namespace, metadata.name),
    name: metadata.name,
    namespace: metadata.namespace ?? null,
    workloadId: podWorkloadId(pod, lookup),
    node: pod.spec?.nodeName || null,
    state: PHASES[status?.phase ?? "Unknown"] ?? "unknown",
    stateReason: podStateReason(pod),
    ready: status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    restarts: containers.reduce((sum, c) => sum + Math.max(0, c.restartCount ?? 0), 0),
    labels: metadata.labels ?? {},
    requests: podRequests(pod),
    limits: podLimits(pod),
    startedAt: runningSince ?? status?.startTime ?? null,
    createdAt: metadata.creationTimestamp,
    ip: status?.podIP || null,
    ...withProblems(podProblems(pod)),
  };
}

/** Restarts after which a failing container that is briefly up again still counts as crash-looping. */
const CRASH_LOOP_RESTARTS = 3;

/** Waiting reasons that will not clear by themselves, in plain words. */
const FAILING_WAITING: Record<string, string> = {
  CrashLoopBackOff: "Crash loop",
  ImagePullBackOff: "Image cannot be pulled",
  ErrImagePull: "Image cannot be pulled",
  ErrImageNeverPull: "Image cannot be pulled",
  InvalidImageName: "Image cannot be pulled",
  CreateContainerConfigError: "Container cannot start",
  CreateContainerError: "Container cannot start",
  RunContainerError: "Container cannot start",
};

/**
 * What is wrong with a pod, from its status alone: a container waiting for
 * a reason that will not clear (critical, since the pod stopped being
 * ready), a run that ended in an OOM kill or an error (a warning for an
 * hour after it ended), a pod no node can take (critical).
 */
export function podProblems(pod: KubePod): Problem[] {
  if (pod.metadata.deletionTimestamp) return [];
  const status = pod.status;
  const condition = (type: string) => status?.conditions?.find((c) => c.type === type);
  const out: Problem[] = [];

  const scheduled = condition("PodScheduled");
  if (scheduled?.status === "False") {
    const evidence = joinReason(scheduled.reason ?? "Unschedulable", scheduled.message) ?? "Unschedulable";
    out.push(problem("critical", "Cannot be placed", evidence, scheduled.lastTransitionTime ?? null));
  }

  const notReadySince = condition("Ready")?.status === "False" ? (condition("Ready")?.lastTransitionTime ?? null) : null;
  const statuses = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    const failing = waiting?.reason ? FAILING_WAITING[waiting.reason] : undefined;
    const restarts = c.restartCount ? ` (${c.restartCount} restart${c.restartCount === 1 ? "" : "s"})` : "";
    if (failing) {
      const said = waiting!.message ? `${waiting!.reason}: ${waiting!.message}` : waiting!.reason!;
      out.push(problem("critical", failing, `container ${c.name}: ${said}${restarts}`, notReadySince));
      continue;
    }
    // The previous run's end, or for a finished container its own.
    const last = c.lastState?.terminated ?? c.state?.terminated;
    if (!last?.finishedAt || (last.reason !== "OOMKilled" && (last.exitCode ?? 0) === 0)) continue;
    const oom = last.reason === "OOMKilled";
    const ended = `${oom ? "was OOMKilled" : `exited with ${last.reason ?? "an error"}`} (exit code ${last.exitCode ?? "unknown"})`;
    // Between back-offs a crash-looping container runs briefly: still a crash loop, not a recovery.
    if (!oom && !c.ready && (c.restartCount ?? 0) >= CRASH_LOOP_RESTARTS) {
      out.push(problem("critical", "Crash loop", `container ${c.name} ${ended}${restarts}, restarting`, notReadySince));
    } else {
      out.push(
        problem("warning", oom ? "Out of memory" : "Container failed", `container ${c.name} ${ended}${restarts}`, last.finishedAt, false),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- workloads

export type Autoscaler = NonNullable<WorkloadCore["autoscaler"]>;

/** An HPA and the id of the workload its scaleTargetRef names (same namespace, by kind and name). */
export function mapHorizontalPodAutoscaler(hpa: KubeHorizontalPodAutoscaler): { target: string; autoscaler: Autoscaler } {
  const { scaleTargetRef, minReplicas, maxReplicas } = hpa.spec;
  return {
    target: joinId(scaleTargetRef.kind.toLowerCase(), hpa.metadata.namespace ?? "", scaleTargetRef.name),
    autoscaler: { name: hpa.metadata.name, minReplicas: minReplicas ?? null, maxReplicas },
  };
}

type TemplateSpec = { spec?: { containers?: Container[] | null; volumes?: KubePodVolume[] | null } | null } | null | undefined;

function imagesOf(template: TemplateSpec): string[] {
  const images = (template?.spec?.containers ?? []).map((c) => c.image).filter((i): i is string => !!i);
  return [...new Set(images)];
}

function baseWorkload(
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet",
  obj: { metadata: KubePod["metadata"]; spec?: { selector?: KubeLabelSelector; template?: TemplateSpec } | null },
  autoscaler: Autoscaler | null,
) {
  const namespace = obj.metadata.namespace ?? "";
  return {
    id: workloadId(kind, namespace, obj.metadata.name),
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? null,
    kind,
    labels: obj.metadata.labels ?? {},
    images: imagesOf(obj.spec?.template),
    autoscaler,
    createdAt: obj.metadata.creationTimestamp,
    selector: renderSelector(obj.spec?.selector),
  };
}

const count = (n: number | null | undefined) => Math.max(0, n ?? 0);

/**
 * "RollingUpdate (max surge 25%, max unavailable 25%)", "Recreate", "OnDelete":
 * how a rollout replaces pods. A StatefulSet's partition shows when it holds
 * pods back (above 0).
 */
export function describeUpdateStrategy(strategy: KubeUpdateStrategy): string | null {
  if (!strategy?.type) return null;
  const r = strategy.rollingUpdate;
  const bounds = [
    r?.maxSurge != null ? `max surge ${r.maxSurge}` : null,
    r?.maxUnavailable != null ? `max unavailable ${r.maxUnavailable}` : null,
    r?.partition ? `partition ${r.partition}` : null,
  ].filter(Boolean);
  return bounds.length ? `${strategy.type} (${bounds.join(", ")})` : strategy.type;
}

// Workloads are mapped with no events; ClusterState joins them in from the Events API (see mapEvent).
// Their volumes' claims come in as a lookup; without one (null) a claim's status is "unknown".

export function mapDeployment(d: KubeDeployment, autoscaler: Autoscaler | null = null, claims: ClaimLookup | null = null): WorkloadCore {
  const ready = count(d.status?.readyReplicas);
  return {
    ...baseWorkload("Deployment", d, autoscaler),
    desired: count(d.spec?.replicas ?? 1),
    ready,
    scalable: true,
    notScalableReason: null,
    info: facts([
      ["Update strategy", describeUpdateStrategy(d.spec?.strategy)],
      ["Min ready", d.spec?.minReadySeconds ? `${d.spec.minReadySeconds} s` : null],
      ["Paused", d.spec?.paused ? "yes: rollouts wait until it is resumed" : null],
      ["Up to date", d.status ? count(d.status.updatedReplicas) : null],
      ["Available", d.status ? count(d.status.availableReplicas) : null],
    ]),
    events: [],
    volumes: joinVolumes(d.metadata.namespace, workloadVolumeSpecs(d), claims, ready > 0),
    ...withProblems(deploymentProblems(d)),
  };
}

/** A rollout past its progress deadline, and replicas the controller could not create (quota, admission). */
export function deploymentProblems(d: KubeDeployment): Problem[] {
  return (d.status?.conditions ?? []).flatMap((c) => {
    const evidence = joinReason(c.reason, c.message) ?? c.type;
    if (c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded")
      return [problem("critical", "Rollout stuck", evidence, c.lastTransitionTime ?? null)];
    if (c.type === "ReplicaFailure" && c.status === "True")
      return [problem("critical", "Replicas cannot be created", evidence, c.lastTransitionTime ?? null)];
    return [];
  });
}

export function mapStatefulSet(s: KubeStatefulSet, autoscaler: Autoscaler | null = null, claims: ClaimLookup | null = null): WorkloadCore {
  const ready = count(s.status?.readyReplicas);
  return {
    ...baseWorkload("StatefulSet", s, autoscaler),
    desired: count(s.spec?.replicas ?? 1),
    ready,
    scalable: true,
    notScalableReason: null,
    info: facts([
      ["Service", s.spec?.serviceName],
      ["Pod management", s.spec?.podManagementPolicy],
      ["Update strategy", describeUpdateStrategy(s.spec?.updateStrategy)],
      ["Up to date", s.status?.updatedReplicas != null ? count(s.status.updatedReplicas) : null],
    ]),
    events: [],
    volumes: joinVolumes(s.metadata.namespace, workloadVolumeSpecs(s), claims, ready > 0),
  };
}

export function mapDaemonSet(ds: KubeDaemonSet, claims: ClaimLookup | null = null): WorkloadCore {
  const ready = count(ds.status?.numberReady);
  return {
    ...baseWorkload("DaemonSet", ds, null),
    desired: count(ds.status?.desiredNumberScheduled),
    ready,
    scalable: false,
    notScalableReason: DAEMONSET_NOT_SCALABLE,
    info: facts([
      ["Update strategy", describeUpdateStrategy(ds.spec?.updateStrategy)],
      ["Up to date", ds.status?.updatedNumberScheduled != null ? count(ds.status.updatedNumberScheduled) : null],
      ["Available", ds.status?.numberAvailable != null ? count(ds.status.numberAvailable) : null],
    ]),
    events: [],
    volumes: joinVolumes(ds.metadata.namespace, workloadVolumeSpecs(ds), claims, ready > 0),
  };
}

/** Only for ReplicaSets without an owner; those of a Deployment are folded into it. */
export function mapReplicaSet(rs: KubeReplicaSet, autoscaler: Autoscaler | null = null, claims: ClaimLookup | null = null): WorkloadCore {
  const ready = count(rs.status?.readyReplicas);
  return {
    ...baseWorkload("ReplicaSet", rs, autoscaler),
    desired: count(rs.spec?.replicas ?? 1),
    ready,
    scalable: false,
    notScalableReason: REPLICASET_NOT_SCALABLE,
    info: {},
    events: [],
    volumes: joinVolumes(rs.metadata.namespace, workloadVolumeSpecs(rs), claims, ready > 0),
  };
}

// ---------------------------------------------------------------- volumes

/** A PersistentVolumeClaim as the adapter keeps it between watch events. */
export interface SlimClaim {
  /** Pending, Bound or Lost. */
  phase: string;
  /** What it asked for (spec.resources.requests.storage). */
  requestBytes: number | null;
  /** What it got once bound (status.capacity.storage). */
  capacityBytes: number | null;
  accessModes: string[];
}

/** The claims the adapter knows, by namespace and name; undefined: there is no such claim. */
export type ClaimLookup = (namespace: string, name: string) => SlimClaim | undefined;

export function mapClaim(pvc: KubePersistentVolumeClaim): SlimClaim {
  const bound = pvc.status?.phase === "Bound";
  return {
    phase: pvc.status?.phase ?? "Pending",
    requestBytes: memoryBytes(pvc.spec?.resources?.requests?.storage),
    capacityBytes: bound ? memoryBytes(pvc.status?.capacity?.storage) : null,
    accessModes: (bound ? pvc.status?.accessModes : null) ?? pvc.spec?.accessModes ?? [],
  };
}

/** A workload's volume as its spec declares it, before the claims are joined in. */
export interface VolumeSpec {
  name: string;
  /** The pod volume's source key, "persistentVolumeClaim" for a claim template. */
  type: string;
  /** The claim a pod volume names, or a StatefulSet's claim template and how many replicas draw a claim from it. */
  claim: { name: string } | { template: string; set: string; replicas: number } | null;
  /** Where the data lives without a claim: a hostPath's path, an nfs export. */
  location: string | null;
  /** A template's request, an emptyDir's size limit. */
  sizeBytes: number | null;
  /** A template's access modes. */
  accessModes: string[];
}

function podVolumeSpec(v: KubePodVolume): VolumeSpec {
  const claimTemplate = v.ephemeral?.volumeClaimTemplate?.spec;
  return {
    name: v.name,
    type: v.source ?? "unknown",
    claim: v.persistentVolumeClaim ? { name: v.persistentVolumeClaim.claimName } : null,
    location: v.hostPath?.path ?? (v.nfs ? `${v.nfs.server}:${v.nfs.path}` : null),
    sizeBytes: memoryBytes(v.emptyDir?.sizeLimit ?? claimTemplate?.resources?.requests?.storage),
    accessModes: claimTemplate?.accessModes ?? [],
  };
}

/** The pod template's volumes, then (a StatefulSet's) claim templates, in the order its pods list them. */
export function workloadVolumeSpecs(obj: KubeDeployment | KubeStatefulSet | KubeDaemonSet | KubeReplicaSet): VolumeSpec[] {
  const specs = (obj.spec?.template?.spec?.volumes ?? []).map(podVolumeSpec);
  // Only a StatefulSet has claim templates; each of its replicas draws a claim from each.
  const templates = obj.spec && "volumeClaimTemplates" in obj.spec ? (obj.spec.volumeClaimTemplates ?? []) : [];
  const replicas = obj.spec && "replicas" in obj.spec ? count(obj.spec.replicas ?? 1) : 0;
  for (const t of templates) {
    specs.push({
      name: t.metadata.name,
      type: "persistentVolumeClaim",
      claim: { template: t.metadata.name, set: obj.metadata.name, replicas },
      location: null,
      sizeBytes: memoryBytes(t.spec?.resources?.requests?.storage),
      accessModes: t.spec?.accessModes ?? [],
    });
  }
  return specs;
}

/** The claims of several replicas say one word: Lost if one is, else Pending until all are Bound. */
function claimsPhase(phases: string[]): string {
  if (phases.includes("Lost")) return "Lost";
  return phases.every((p) => p === "Bound") ? "Bound" : "Pending";
}

/**
 * The volumes of a workload in `namespace`, its claims joined from `claims`
 * (null: they cannot be read). `running`: some replica is ready, which is
 * what "mounted" means for volumes without a claim.
 */
export function joinVolumes(
  namespace: string | null | undefined,
  specs: VolumeSpec[],
  claims: ClaimLookup | null,
  running: boolean,
): Volume[] {
  const ns = namespace ?? "";
  return specs.map((v): Volume => {
    const base = { name: v.name, type: v.type };
    if (v.claim && "name" in v.claim) {
      const claim = claims?.(ns, v.claim.name);
      return {
        ...base,
        claim: v.claim.name,
        capacityBytes: claim ? (claim.capacityBytes ?? claim.requestBytes) : null,
        accessModes: claim?.accessModes ?? [],
        status: !claims ? "unknown" : (claim?.phase ?? "Missing"),
      };
    }
    if (v.claim) {
      // One claim per replica, `<template>-<set>-<ordinal>`; those of replicas scaled away are kept but not counted.
      const { template, set, replicas } = v.claim;
      const range = ordinalRange(replicas);
      const own = Array.from({ length: replicas }, (_, i) => claims?.(ns, `${template}-${set}-${i}`));
      const bound = own.flatMap((c) => (c?.phase === "Bound" && c.capacityBytes !== null ? [c.capacityBytes] : []));
      return {
        ...base,
        claim: range === null ? null : `${template}-${set}-${range}`,
        capacityBytes: bound.length ? Math.min(...bound) : v.sizeBytes,
        accessModes: v.accessModes,
        status: range === null ? "unused" : !claims ? "unknown" : claimsPhase(own.map((c) => c?.phase ?? "Pending")),
      };
    }
    return { ...base, claim: v.location, capacityBytes: v.sizeBytes, accessModes: v.accessModes, status: mountStatus(running) };
  });
}

// ---------------------------------------------------------------- services

export interface EndpointCounts {
  ready: number;
  total: number;
}

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** The service an EndpointSlice belongs to and what it counts, per address family. */
export function endpointSliceCounts(slice: KubeEndpointSlice): {
  serviceId: string | null;
  addressType: string;
  counts: EndpointCounts;
} {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  const endpoints = slice.endpoints ?? [];
  return {
    serviceId: service ? namespacedId(slice.metadata.namespace, service) : null,
    addressType: slice.addressType ?? "IPv4",
    // The API says a missing ready condition means ready.
    counts: { ready: endpoints.filter((e) => e.conditions?.ready !== false).length, total: endpoints.length },
  };
}

/**
 * A service's endpoints over its slices. Dual-stack services have one set of
 * slices per address family for the same pods, so families are not added up.
 */
export function combineEndpointCounts(slices: Iterable<{ addressType: string; counts: EndpointCounts }>): EndpointCounts {
  const byFamily = new Map<string, EndpointCounts>();
  for (const { addressType, counts } of slices) {
    const sum = byFamily.get(addressType) ?? { ready: 0, total: 0 };
    byFamily.set(addressType, { ready: sum.ready + counts.ready, total: sum.total + counts.total });
  }
  let best: EndpointCounts = { ready: 0, total: 0 };
  for (const c of byFamily.values()) if (c.total > best.total) best = c;
  return best;
}

/** `endpoints` null means no slices are known for the service. */
export function mapService(svc: KubeService, endpoints: EndpointCounts | null): Service {
  const type = svc.spec?.type || "ClusterIP";
  const rawIp = svc.spec?.clusterIP;
  const headless = rawIp === "None";
  const selector = svc.spec?.selector ?? {};
  // Without a selector nobody manages endpoints unless someone wrote slices by hand.
  const counts = type === "ExternalName" ? null : (endpoints ?? (Object.keys(selector).length > 0 ? { ready: 0, total: 0 } : null));
  return {
    id: namespacedId(svc.metadata.namespace, svc.metadata.name),
    name: svc.metadata.name,
    namespace: svc.metadata.namespace ?? null,
    type,
    clusterIp: headless || !rawIp ? null : rawIp,
    headless,
    ports: (svc.spec?.ports ?? []).map((p) => ({
      name: p.name || null,
      port: p.port,
      targetPort: p.targetPort == null ? null : String(p.targetPort),
      protocol: p.protocol || "TCP",
      nodePort: p.nodePort ?? null,
    })),
    selector,
    labels: svc.metadata.labels ?? {},
    readyEndpoints: counts?.ready ?? null,
    totalEndpoints: counts?.total ?? null,
    createdAt: svc.metadata.creationTimestamp,
  };
}

// ---------------------------------------------------------------- metrics.k8s.io

/** metrics-server: CPU in nanocores, memory in Ki; both parse as quantities. */
export function mapNodeMetrics(m: KubeNodeMetrics): [string, Resources] {
  return [m.metadata.name, resourcesOf(m.usage)];
}

export function mapPodMetrics(m: KubePodMetrics): [string, Resources] {
  const usage = (m.containers ?? []).reduce((sum, c) => add(sum, resourcesOf(c.usage)), ZERO_RESOURCES);
  return [namespacedId(m.metadata.namespace, m.metadata.name), usage];
}

// ---------------------------------------------------------------- events

/** The few facts Fleetdeck keeps of one Kubernetes Event (never the object itself). */
export interface SlimEvent {
  /** "namespace/name" of the Event object. */
  key: string;
  /** "Kind/namespace/name" of the object the event is about. */
  regarding: string;
  regardingUid: string | null;
  reason: string;
  note: string;
  warning: boolean;
  /** When it last happened (ISO-8601), or null when the event carries no time at all. */
  at: string | null;
  /** How often it happened (1 unless the recorder folded repeats into one event). */
  count: number;
}

export function eventObjectKey(kind: string, namespace: string | null | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

/**
 * One events.k8s.io/v1 Event → its slim record; null when it says nothing
 * about a named object. The time is the last occurrence: series.lastObservedTime
 * (new recorders, repeated), deprecatedLastTimestamp (core/v1 recorders),
 * eventTime (new recorders, once), the object's creation as a last resort.
 */
export function mapEvent(e: KubeEvent): SlimEvent | null {
  const r = e.regarding;
  if (!r?.kind || !r.name) return null;
  const count = Math.max(1, e.series?.count ?? e.deprecatedCount ?? 1);
  return {
    key: namespacedId(e.metadata.namespace, e.metadata.name),
    regarding: eventObjectKey(r.kind, r.namespace ?? e.metadata.namespace, r.name),
    regardingUid: r.uid || null,
    reason: e.reason?.trim() ?? "",
    note: (e.note ?? "").trim(),
    warning: e.type === "Warning",
    at: e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? null,
    count,
  };
}

/**
 * As `kubectl describe` puts it: "Reason: note", with " (×count)" for folded
 * repeats. A workload shows its pods' events too, and "Started container web"
 * of three pods would read (and dedupe) as one, so an event about a pod whose
 * note does not name it ends with " — pod <name>".
 */
export function workloadEvent(e: SlimEvent): WorkloadEvent {
  const text = e.reason && e.note ? `${e.reason}: ${e.note}` : e.reason || e.note || "(no message)";
  const [kind, , name] = e.regarding.split("/");
  const pod = kind === "Pod" && name && !e.note.includes(name) ? ` — pod ${name}` : "";
  return {
    at: e.at,
    level: e.warning ? "warning" : "normal",
    message: `${text}${e.count > 1 ? ` (×${e.count})` : ""}${pod}`,
  };
}
