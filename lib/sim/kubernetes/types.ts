/**
 * Wire shapes of the Kubernetes objects the simulator serves. Only the fields
 * the simulator writes are typed; everything is plain JSON as the real
 * apiserver sends it (timestamps are RFC 3339 strings with second precision).
 */

export type Labels = Record<string, string>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  generateName?: string;
  labels?: Labels;
  annotations?: Labels;
  ownerReferences?: OwnerReference[];
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };
export type JsonObject = { [key: string]: Json | undefined };

export interface Quantities {
  cpu?: string;
  memory?: string;
  [name: string]: string | undefined;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
  resources: { requests?: Quantities; limits?: Quantities };
  imagePullPolicy?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  restartPolicy: string;
  schedulerName: string;
  serviceAccountName: string;
  terminationGracePeriodSeconds: number;
  dnsPolicy: string;
  tolerations?: Toleration[];
  nodeSelector?: Labels;
  hostname?: string;
  subdomain?: string;
  volumes?: JsonObject[];
  priority?: number;
  enableServiceLinks?: boolean;
}

export interface PodTemplate {
  metadata: { labels: Labels; annotations?: Labels };
  spec: PodSpec;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; startedAt?: string; finishedAt?: string; containerID?: string };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export interface PodStatus {
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions: Condition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  qosClass: string;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  kind: "Pod";
  spec: PodSpec;
  status: PodStatus;
}

export interface NodeObject extends KubeObject {
  kind: "Node";
  spec: { podCIDR?: string; podCIDRs?: string[]; providerID?: string; taints?: Taint[]; unschedulable?: boolean };
  status: {
    capacity: Quantities;
    allocatable: Quantities;
    conditions: Condition[];
    addresses: { type: string; address: string }[];
    nodeInfo: Record<string, string>;
    daemonEndpoints?: JsonObject;
    images?: JsonObject[];
  };
}

export interface DeploymentObject extends KubeObject {
  kind: "Deployment";
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    strategy: JsonObject;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
  };
  status: JsonObject;
}

export interface ReplicaSetObject extends KubeObject {
  kind: "ReplicaSet";
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: JsonObject;
}

export interface StatefulSetObject extends KubeObject {
  kind: "StatefulSet";
  spec: {
    replicas: number;
    selector: LabelSelector;
    serviceName: string;
    template: PodTemplate;
    podManagementPolicy: "OrderedReady" | "Parallel";
    updateStrategy: JsonObject;
    volumeClaimTemplates?: JsonObject[];
    revisionHistoryLimit: number;
  };
  status: JsonObject;
}

export interface DaemonSetObject extends KubeObject {
  kind: "DaemonSet";
  spec: { selector: LabelSelector; template: PodTemplate; updateStrategy: JsonObject; revisionHistoryLimit: number };
  status: JsonObject;
}

export interface ServicePort {
  name?: string;
  protocol: string;
  port: number;
  targetPort: number | string;
  nodePort?: number;
}

export interface ServiceObject extends KubeObject {
  kind: "Service";
  spec: {
    type: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
    clusterIP: string;
    clusterIPs?: string[];
    ports: ServicePort[];
    selector?: Labels;
    sessionAffinity: string;
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    internalTrafficPolicy?: string;
    externalTrafficPolicy?: string;
  };
  status: JsonObject;
}

export interface HpaObject extends KubeObject {
  kind: "HorizontalPodAutoscaler";
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: JsonObject[];
  };
  status: JsonObject;
}

export type AccessMode = "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";

/** core/v1 PersistentVolumeClaim: a request for storage, bound to one PersistentVolume. */
export interface PersistentVolumeClaimObject extends KubeObject {
  kind: "PersistentVolumeClaim";
  spec: {
    accessModes: AccessMode[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
    volumeMode: "Filesystem" | "Block";
    /** The PersistentVolume it is bound to (set when bound). */
    volumeName?: string;
  };
  status: {
    phase: "Pending" | "Bound" | "Lost";
    accessModes?: AccessMode[];
    capacity?: { storage: string };
  };
}

/** core/v1 PersistentVolume, as a CSI provisioner creates one for a claim. */
export interface PersistentVolumeObject extends KubeObject {
  kind: "PersistentVolume";
  spec: {
    capacity: { storage: string };
    accessModes: AccessMode[];
    persistentVolumeReclaimPolicy: "Delete" | "Retain";
    storageClassName?: string;
    volumeMode: "Filesystem" | "Block";
    claimRef?: { kind: "PersistentVolumeClaim"; apiVersion: "v1"; namespace: string; name: string; uid: string; resourceVersion?: string };
    csi?: { driver: string; volumeHandle: string; fsType?: string; volumeAttributes?: Record<string, string> };
    nodeAffinity?: { required: { nodeSelectorTerms: { matchExpressions: { key: string; operator: "In"; values: string[] }[] }[] } };
  };
  status: { phase: "Pending" | "Available" | "Bound" | "Released" | "Failed"; lastPhaseTransitionTime?: string };
}

/** storage.k8s.io/v1 StorageClass: no spec, its fields are top-level. */
export interface StorageClassObject extends KubeObject {
  kind: "StorageClass";
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: "Delete" | "Retain";
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
  allowVolumeExpansion?: boolean;
}

/** core/v1 Event: the older view of the same stored events (see eventsV1ToCore in events.ts). */
export interface CoreEventObject extends KubeObject {
  kind: "Event";
  involvedObject: EventObject["regarding"];
  reason: string;
  message: string;
  type: "Normal" | "Warning";
  source: { component?: string; host?: string };
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  count?: number;
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string };
  action?: string;
  reportingComponent: string;
  reportingInstance: string;
}

/** events.k8s.io/v1 Event as the simulated recorders write it. */
export interface EventObject extends KubeObject {
  kind: "Event";
  regarding: { kind: string; namespace?: string; name: string; uid: string; apiVersion: string; fieldPath?: string };
  reason: string;
  note: string;
  type: "Normal" | "Warning";
  action?: string;
  reportingController: string;
  reportingInstance: string;
  /** MicroTime; null for events the older core/v1 recorders (kubelet, controller-manager) wrote. */
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string };
  deprecatedSource?: { component: string; host?: string };
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
}

/** Live-use shape of a workload's containers, as fractions of their requests. */
export interface UsageProfile {
  /** Mean CPU use as a fraction of the CPU request (or millicores when there is no request). */
  cpu: number;
  /** Mean memory use as a fraction of the memory request. */
  memory: number;
  /** How much CPU swings around the mean (0..1). */
  cpuSwing?: number;
  /** Amplitude of the daily cycle (0: flat; default 0.45): busier in business hours (UTC), quieter at night. */
  daily?: number;
  /** "night" for batch work that peaks while the offices sleep. Default "day". */
  peak?: "day" | "night";
  /** Chance per 20-minute slot of a CPU burst (2.5–4× for a few minutes). Default 0.05. */
  bursts?: number;
  /** Memory leaks: climbs to the memory limit in about this many minutes, is OOMKilled there and restarts. Needs a memory limit. */
  leak?: { minutes: number };
}

/** How long the simulated kubelet and controllers take; tests use a few tens of ms. */
export interface SimTimings {
  /** Reconcile loop period. */
  tickMs: number;
  /** Creation → scheduled on a node. */
  scheduleMs: number;
  /** Scheduled (ContainerCreating) → Running. */
  startMs: number;
  /** Running → Ready. */
  readyMs: number;
  /** deletionTimestamp → gone. */
  terminateMs: number;
}

export const DEMO_TIMINGS: SimTimings = { tickMs: 500, scheduleMs: 400, startMs: 2500, readyMs: 1500, terminateMs: 2000 };
export const FAST_TIMINGS: SimTimings = { tickMs: 10, scheduleMs: 10, startMs: 30, readyMs: 30, terminateMs: 30 };
