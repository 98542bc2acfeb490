import { z } from "zod";

/**
 * Zod schemas of the Kubernetes API objects the adapter reads. They name only
 * the fields the mappers use, so parsing both validates the upstream JSON and
 * drops everything else (objects are never kept whole). Timestamps accept the
 * raw JSON string or the Date the client library's deserializer makes.
 * Exported names start with Kube, so none reads as lib/model's (NodeSchema,
 * ServiceSchema there are the neutral model's).
 */

const Str = z.string().nullish();
const Int = z.number().int().nullish();
const Bool = z.boolean().nullish();
const StringMap = z.record(z.string(), z.string()).nullish();
const Quantity = z.union([z.string(), z.number()]);
const QuantityMap = z.record(z.string(), Quantity).nullish();
const IntOrString = z.union([z.string(), z.number()]).nullish();

const Timestamp = z
  .union([z.string(), z.date()])
  .nullish()
  .transform((v) => (v == null ? null : typeof v === "string" ? v : v.toISOString()));

const OwnerReferenceSchema = z.object({
  kind: z.string(),
  name: z.string(),
  uid: Str,
  controller: Bool,
});

const ObjectMetaSchema = z.object({
  name: z.string(),
  namespace: Str,
  uid: Str,
  resourceVersion: Str,
  labels: StringMap,
  ownerReferences: z.array(OwnerReferenceSchema).nullish(),
  creationTimestamp: Timestamp,
  deletionTimestamp: Timestamp,
});

const ConditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: Str,
  message: Str,
  lastTransitionTime: Timestamp,
});

// ---------------------------------------------------------------- nodes

export const KubeNodeSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z
    .object({
      unschedulable: Bool,
      taints: z.array(z.object({ key: z.string(), value: Str, effect: z.string() })).nullish(),
    })
    .nullish(),
  status: z
    .object({
      capacity: QuantityMap,
      allocatable: QuantityMap,
      conditions: z.array(ConditionSchema).nullish(),
      addresses: z.array(z.object({ type: z.string(), address: z.string() })).nullish(),
      nodeInfo: z
        .object({
          kubeletVersion: Str,
          osImage: Str,
          kernelVersion: Str,
          containerRuntimeVersion: Str,
          architecture: Str,
          operatingSystem: Str,
        })
        .nullish(),
    })
    .nullish(),
});
export type KubeNode = z.infer<typeof KubeNodeSchema>;

// ---------------------------------------------------------------- pods

const ResourceRequirementsSchema = z.object({ requests: QuantityMap, limits: QuantityMap }).nullish();

const ContainerSchema = z.object({
  name: z.string(),
  image: Str,
  resources: ResourceRequirementsSchema,
  /** "Always" on an init container makes it a sidecar that runs beside the app. */
  restartPolicy: Str,
});

const ContainerStateSchema = z
  .object({
    waiting: z.object({ reason: Str, message: Str }).nullish(),
    running: z.object({ startedAt: Timestamp }).nullish(),
    terminated: z.object({ reason: Str, message: Str, exitCode: Int, startedAt: Timestamp, finishedAt: Timestamp }).nullish(),
  })
  .nullish();

const ContainerStatusSchema = z.object({
  name: z.string(),
  image: Str,
  ready: Bool,
  restartCount: Int,
  state: ContainerStateSchema,
  /** The previous run's end: an OOM kill or a crash shows here once the container has restarted. */
  lastState: ContainerStateSchema,
});

export const KubePodSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z
    .object({
      nodeName: Str,
      containers: z.array(ContainerSchema).nullish(),
      initContainers: z.array(ContainerSchema).nullish(),
      overhead: QuantityMap,
    })
    .nullish(),
  status: z
    .object({
      phase: Str,
      reason: Str,
      message: Str,
      conditions: z.array(ConditionSchema).nullish(),
      containerStatuses: z.array(ContainerStatusSchema).nullish(),
      initContainerStatuses: z.array(ContainerStatusSchema).nullish(),
      podIP: Str,
      startTime: Timestamp,
    })
    .nullish(),
});
export type KubePod = z.infer<typeof KubePodSchema>;

// ---------------------------------------------------------------- workloads

const LabelSelectorSchema = z
  .object({
    matchLabels: StringMap,
    matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).nullish() })).nullish(),
  })
  .nullish();
export type KubeLabelSelector = z.infer<typeof LabelSelectorSchema>;

/** What a claim asks for: in a PersistentVolumeClaim, a StatefulSet's claim template and an ephemeral volume's. */
const ClaimSpecSchema = z
  .object({
    accessModes: z.array(z.string()).nullish(),
    resources: z.object({ requests: QuantityMap }).nullish(),
    storageClassName: Str,
    volumeName: Str,
  })
  .nullish();

/**
 * One pod volume: its name, the sources the mappers read, and `source`, the
 * key of whichever source it has ("persistentVolumeClaim", "configMap",
 * "secret", ...), which says what kind of volume it is; the rest is dropped.
 */
const PodVolumeSchema = z
  .looseObject({
    name: z.string(),
    persistentVolumeClaim: z.object({ claimName: z.string(), readOnly: Bool }).nullish(),
    emptyDir: z.object({ medium: Str, sizeLimit: Quantity.nullish() }).nullish(),
    hostPath: z.object({ path: z.string() }).nullish(),
    nfs: z.object({ server: z.string(), path: z.string() }).nullish(),
    ephemeral: z.object({ volumeClaimTemplate: z.object({ spec: ClaimSpecSchema }).nullish() }).nullish(),
  })
  .transform(({ name, persistentVolumeClaim, emptyDir, hostPath, nfs, ephemeral, ...others }) => {
    const read = { persistentVolumeClaim, emptyDir, hostPath, nfs, ephemeral };
    const present = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] != null);
    return { name, ...read, source: [...present(read), ...present(others)][0] ?? null };
  });
export type KubePodVolume = z.infer<typeof PodVolumeSchema>;

const PodTemplateSchema = z
  .object({
    spec: z.object({ containers: z.array(ContainerSchema).nullish(), volumes: z.array(PodVolumeSchema).nullish() }).nullish(),
  })
  .nullish();

const ReplicatedFields = { replicas: Int, selector: LabelSelectorSchema, template: PodTemplateSchema };
const ReplicatedSpec = z.object(ReplicatedFields).nullish();

/** A rollout strategy: `type` and, for RollingUpdate, its bounds (counts or percentages). */
const UpdateStrategySchema = z
  .object({
    type: Str,
    rollingUpdate: z.object({ maxSurge: IntOrString, maxUnavailable: IntOrString, partition: Int }).nullish(),
  })
  .nullish();
export type KubeUpdateStrategy = z.infer<typeof UpdateStrategySchema>;

export const KubeDeploymentSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({ ...ReplicatedFields, strategy: UpdateStrategySchema, paused: Bool, minReadySeconds: Int }).nullish(),
  status: z
    .object({
      replicas: Int,
      readyReplicas: Int,
      availableReplicas: Int,
      updatedReplicas: Int,
      conditions: z.array(ConditionSchema).nullish(),
    })
    .nullish(),
});
export type KubeDeployment = z.infer<typeof KubeDeploymentSchema>;

export const KubeStatefulSetSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z
    .object({
      ...ReplicatedFields,
      serviceName: Str,
      podManagementPolicy: Str,
      updateStrategy: UpdateStrategySchema,
      volumeClaimTemplates: z.array(z.object({ metadata: z.object({ name: z.string() }), spec: ClaimSpecSchema })).nullish(),
    })
    .nullish(),
  status: z.object({ replicas: Int, readyReplicas: Int, updatedReplicas: Int }).nullish(),
});
export type KubeStatefulSet = z.infer<typeof KubeStatefulSetSchema>;

export const KubeReplicaSetSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: ReplicatedSpec,
  status: z.object({ replicas: Int, readyReplicas: Int }).nullish(),
});
export type KubeReplicaSet = z.infer<typeof KubeReplicaSetSchema>;

export const KubeDaemonSetSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({ selector: LabelSelectorSchema, template: PodTemplateSchema, updateStrategy: UpdateStrategySchema }).nullish(),
  status: z
    .object({
      desiredNumberScheduled: Int,
      numberReady: Int,
      currentNumberScheduled: Int,
      updatedNumberScheduled: Int,
      numberAvailable: Int,
    })
    .nullish(),
});
export type KubeDaemonSet = z.infer<typeof KubeDaemonSetSchema>;

export const KubeHorizontalPodAutoscalerSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({
    scaleTargetRef: z.object({ kind: z.string(), name: z.string(), apiVersion: Str }),
    minReplicas: Int,
    maxReplicas: z.number().int(),
  }),
});
export type KubeHorizontalPodAutoscaler = z.infer<typeof KubeHorizontalPodAutoscalerSchema>;

// ---------------------------------------------------------------- storage

export const KubePersistentVolumeClaimSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: ClaimSpecSchema,
  status: z.object({ phase: Str, accessModes: z.array(z.string()).nullish(), capacity: QuantityMap }).nullish(),
});
export type KubePersistentVolumeClaim = z.infer<typeof KubePersistentVolumeClaimSchema>;

// ---------------------------------------------------------------- services

export const KubeServiceSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z
    .object({
      type: Str,
      clusterIP: Str,
      selector: StringMap,
      ports: z
        .array(
          z.object({
            name: Str,
            port: z.number().int(),
            targetPort: IntOrString,
            protocol: Str,
            nodePort: Int,
          }),
        )
        .nullish(),
    })
    .nullish(),
});
export type KubeService = z.infer<typeof KubeServiceSchema>;

export const KubeEndpointSliceSchema = z.object({
  metadata: ObjectMetaSchema,
  addressType: Str,
  endpoints: z
    .array(
      z.object({
        addresses: z.array(z.string()).nullish(),
        conditions: z.object({ ready: Bool, serving: Bool, terminating: Bool }).nullish(),
      }),
    )
    .nullish(),
});
export type KubeEndpointSlice = z.infer<typeof KubeEndpointSliceSchema>;

// ---------------------------------------------------------------- metrics.k8s.io

const UsageSchema = z.object({ cpu: Quantity.nullish(), memory: Quantity.nullish() });

export const KubeNodeMetricsSchema = z.object({ metadata: ObjectMetaSchema, usage: UsageSchema });
export type KubeNodeMetrics = z.infer<typeof KubeNodeMetricsSchema>;

export const KubePodMetricsSchema = z.object({
  metadata: ObjectMetaSchema,
  containers: z.array(z.object({ name: z.string(), usage: UsageSchema })).nullish(),
});
export type KubePodMetrics = z.infer<typeof KubePodMetricsSchema>;

// ---------------------------------------------------------------- events

/**
 * events.k8s.io/v1 Event. Events written by the older core/v1 recorders (the
 * kubelet, most controllers) come back through this API with eventTime null
 * and their times and count in the deprecated* fields; the newer recorders
 * (the scheduler) set eventTime and, when repeated, series.
 */
export const KubeEventSchema = z.object({
  metadata: ObjectMetaSchema,
  /** fieldPath names the container an event is about: "spec.containers{web}". */
  regarding: z.object({ kind: Str, namespace: Str, name: Str, uid: Str, fieldPath: Str }).nullish(),
  reason: Str,
  note: Str,
  type: Str,
  eventTime: Timestamp,
  deprecatedLastTimestamp: Timestamp,
  deprecatedFirstTimestamp: Timestamp,
  deprecatedCount: Int,
  series: z.object({ count: Int, lastObservedTime: Timestamp }).nullish(),
});
export type KubeEvent = z.infer<typeof KubeEventSchema>;

// ---------------------------------------------------------------- lists, watch events, errors

export const KubeListSchema = z.object({
  metadata: z.object({ resourceVersion: Str, continue: Str }).nullish(),
  items: z.array(z.unknown()).nullish(),
});

export const KubeWatchEventSchema = z.object({
  type: z.enum(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]),
  object: z.unknown(),
});

export const KubeBookmarkSchema = z.object({ metadata: z.object({ resourceVersion: Str }) });

/** metav1.Status, as the apiserver sends it with errors and in watch ERROR events. */
export const KubeStatusSchema = z.object({
  kind: Str,
  status: Str,
  message: Str,
  reason: Str,
  code: Int,
});

export const KubeVersionSchema = z.object({ gitVersion: z.string() });
