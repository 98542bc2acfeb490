/**
 * Builds the objects a simulated cluster starts with, in the shapes the real
 * apiserver would hold them, plus each workload's usage profile. Presets are
 * the two demo clusters; tests can build custom content with the same builder.
 */

import type {
  Container,
  ContainerPort,
  DaemonSetObject,
  DeploymentObject,
  HpaObject,
  KubeObject,
  Labels,
  NodeObject,
  PodTemplate,
  Quantities,
  ServiceObject,
  ServicePort,
  StatefulSetObject,
  StorageClassObject,
  Taint,
  Toleration,
  UsageProfile,
} from "./types";
import { kubeTime, SeededRandom, uidFrom } from "./random";
import { DEFAULT_CLASS_ANNOTATION } from "./storage";
import { cpuMillis, memoryBytes } from "./quantity";

export interface SimContent {
  objects: KubeObject[];
  /** Per workload "namespace/name". */
  profiles: Map<string, UsageProfile>;
  /** Per workload "namespace/name": restart count its first pod shows. */
  restarts: Map<string, number>;
  /** Workloads "namespace/name" whose containers crash-loop. */
  crashLooping: Set<string>;
}

export interface NodeSpec {
  name: string;
  cpu: string;
  memory: string;
  roles?: string[];
  taints?: Taint[];
  zone?: string;
  instanceType?: string;
  unschedulable?: boolean;
  labels?: Labels;
}

export interface WorkloadSpec {
  namespace: string;
  name: string;
  image: string;
  /** Labels of the workload and its pods; the selector is `app=<labels.app>` (or all labels without app). */
  labels: Labels;
  /** The `team` label of the workload and its pods (not part of the selector); the consumption view groups by it. */
  team?: string;
  replicas?: number;
  ports?: ContainerPort[];
  requests?: Quantities;
  limits?: Quantities;
  tolerations?: Toleration[];
  nodeSelector?: Labels;
  args?: string[];
  env?: { name: string; value: string }[];
  usage?: UsageProfile;
  /** Restart count the first pod shows (realism: a pod that was once OOMKilled). */
  restarts?: number;
  /** Its containers keep crashing (CrashLoopBackOff). */
  crashLoop?: boolean;
  /** Minutes ago the workload was created (defaults to the cluster's age). */
  ageMinutes?: number;
}

export interface StatefulSetSpec extends WorkloadSpec {
  serviceName: string;
  volumeClaims?: { name: string; storage: string; mountPath: string }[];
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  type?: ServiceObject["spec"]["type"];
  headless?: boolean;
  selector?: Labels;
  labels?: Labels;
  ports: ServicePort[];
  clusterIP?: string;
  loadBalancerIngress?: string;
}

export class ContentBuilder {
  private readonly objects: KubeObject[] = [];
  private readonly profiles = new Map<string, UsageProfile>();
  private readonly restarts = new Map<string, number>();
  private readonly crashLooping = new Set<string>();
  private nodeIndex = 0;
  private serviceIp = 10;

  /** `now` and `ageMs` place creation timestamps: the cluster was created ageMs before now. */
  constructor(
    readonly random: SeededRandom,
    private readonly now: number,
    private readonly ageMs: number,
  ) {}

  private meta(name: string, namespace: string | undefined, labels: Labels | undefined, ageMinutes?: number, generation = false) {
    const created = ageMinutes !== undefined ? this.now - ageMinutes * 60_000 : this.now - this.ageMs;
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: this.random.uid(),
      resourceVersion: "",
      ...(generation ? { generation: 1 } : {}),
      creationTimestamp: kubeTime(created),
      ...(labels && Object.keys(labels).length ? { labels } : {}),
    };
  }

  namespace(name: string, labels: Labels = {}): this {
    this.objects.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: this.meta(name, undefined, { "kubernetes.io/metadata.name": name, ...labels }),
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
    return this;
  }

  node(spec: NodeSpec): this {
    const index = this.nodeIndex++;
    const ip = `10.0.${1 + (index % 3)}.${20 + index * 7}`;
    const capCpu = cpuMillis(spec.cpu);
    const capMem = memoryBytes(spec.memory);
    // Like a managed node group: the kubelet reserves a little CPU and memory for the system.
    const allocCpu = capCpu - Math.min(200, 60 + capCpu / 100);
    const allocMem = Math.floor(capMem * 0.92);
    const roles = spec.roles ?? [];
    const node: NodeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        ...this.meta(spec.name, undefined, {
          "beta.kubernetes.io/arch": "amd64",
          "beta.kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "kubernetes.io/hostname": spec.name,
          "kubernetes.io/os": "linux",
          "node.kubernetes.io/instance-type": spec.instanceType ?? "m6i.xlarge",
          "topology.kubernetes.io/region": "eu-west-1",
          "topology.kubernetes.io/zone": spec.zone ?? `eu-west-1${"abc"[index % 3]}`,
          ...Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, ""])),
          ...spec.labels,
        }),
        annotations: {
          "node.alpha.kubernetes.io/ttl": "0",
          "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
      },
      spec: {
        podCIDR: `10.244.${index}.0/24`,
        podCIDRs: [`10.244.${index}.0/24`],
        ...(spec.taints?.length ? { taints: spec.taints } : {}),
        ...(spec.unschedulable ? { unschedulable: true } : {}),
      },
      status: {
        capacity: {
          cpu: spec.cpu,
          "ephemeral-storage": "101430960Ki",
          "hugepages-1Gi": "0",
          "hugepages-2Mi": "0",
          memory: `${Math.round(capMem / 1024)}Ki`,
          pods: "110",
        },
        allocatable: {
          cpu: `${allocCpu}m`,
          "ephemeral-storage": "93478772582",
          "hugepages-1Gi": "0",
          "hugepages-2Mi": "0",
          memory: `${Math.round(allocMem / 1024)}Ki`,
          pods: "110",
        },
        conditions: this.nodeConditions(true),
        addresses: [
          { type: "InternalIP", address: ip },
          { type: "Hostname", address: spec.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: "amd64",
          bootID: this.random.uid(),
          containerRuntimeVersion: "containerd://1.7.22",
          kernelVersion: "6.1.112-124.190.amzn2023.x86_64",
          kubeProxyVersion: "v1.31.4",
          kubeletVersion: "v1.31.4",
          machineID: this.random.uid().replace(/-/g, ""),
          operatingSystem: "linux",
          osImage: "Amazon Linux 2023.6.20241121",
          systemUUID: this.random.uid(),
        },
      },
    };
    this.objects.push(node);
    return this;
  }

  nodeConditions(ready: boolean) {
    const at = kubeTime(this.now - this.ageMs);
    const heartbeat = kubeTime(this.now);
    const c = (type: string, status: "True" | "False", reason: string, message: string) => ({
      type,
      status,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: at,
      reason,
      message,
    });
    return [
      c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      ready
        ? c("Ready", "True", "KubeletReady", "kubelet is posting ready status")
        : {
            type: "Ready",
            status: "Unknown" as const,
            lastHeartbeatTime: heartbeat,
            lastTransitionTime: heartbeat,
            reason: "NodeStatusUnknown",
            message: "Kubelet stopped posting node status.",
          },
    ];
  }

  private labelsOf(spec: WorkloadSpec): Labels {
    return spec.team ? { ...spec.labels, team: spec.team } : spec.labels;
  }

  private template(spec: WorkloadSpec): PodTemplate {
    const container: Container = {
      name: spec.name,
      image: spec.image,
      ...(spec.args ? { args: spec.args } : {}),
      ...(spec.env ? { env: spec.env } : {}),
      ...(spec.ports?.length ? { ports: spec.ports } : {}),
      resources: {
        ...(spec.limits ? { limits: spec.limits } : {}),
        ...(spec.requests ? { requests: spec.requests } : {}),
      },
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    };
    return {
      metadata: { labels: this.labelsOf(spec) },
      spec: {
        containers: [container],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        serviceAccountName: "default",
        schedulerName: "default-scheduler",
        enableServiceLinks: true,
        ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
        ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
      },
    };
  }

  private selector(labels: Labels) {
    return { matchLabels: labels.app ? { app: labels.app } : { ...labels } };
  }

  private remember(spec: WorkloadSpec): void {
    const key = `${spec.namespace}/${spec.name}`;
    if (spec.usage) this.profiles.set(key, spec.usage);
    if (spec.restarts) this.restarts.set(key, spec.restarts);
    if (spec.crashLoop) this.crashLooping.add(key);
  }

  deployment(spec: WorkloadSpec): this {
    this.remember(spec);
    const d: DeploymentObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        ...this.meta(spec.name, spec.namespace, this.labelsOf(spec), spec.ageMinutes, true),
        annotations: { "deployment.kubernetes.io/revision": "1" },
      },
      spec: {
        replicas: spec.replicas ?? 1,
        selector: this.selector(spec.labels),
        template: this.template(spec),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    };
    this.objects.push(d);
    return this;
  }

  statefulSet(spec: StatefulSetSpec): this {
    this.remember(spec);
    const template = this.template(spec);
    if (spec.volumeClaims?.length) {
      template.spec.containers[0].volumeMounts = spec.volumeClaims.map((v) => ({ name: v.name, mountPath: v.mountPath }));
    }
    const sts: StatefulSetObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: this.meta(spec.name, spec.namespace, this.labelsOf(spec), spec.ageMinutes, true),
      spec: {
        replicas: spec.replicas ?? 1,
        selector: this.selector(spec.labels),
        serviceName: spec.serviceName,
        template,
        podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        ...(spec.volumeClaims?.length
          ? {
              volumeClaimTemplates: spec.volumeClaims.map((v) => ({
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: v.name },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: v.storage } }, volumeMode: "Filesystem" },
                status: { phase: "Pending" },
              })),
            }
          : {}),
      },
      status: {},
    };
    this.objects.push(sts);
    return this;
  }

  daemonSet(spec: WorkloadSpec): this {
    this.remember(spec);
    const ds: DaemonSetObject = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: {
        ...this.meta(spec.name, spec.namespace, this.labelsOf(spec), spec.ageMinutes, true),
        annotations: { "deprecated.daemonset.template.generation": "1" },
      },
      spec: {
        selector: this.selector(spec.labels),
        template: this.template(spec),
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
      },
      status: {},
    };
    this.objects.push(ds);
    return this;
  }

  service(spec: ServiceSpec): this {
    const type = spec.type ?? "ClusterIP";
    const clusterIP = spec.headless
      ? "None"
      : (spec.clusterIP ?? `10.96.${Math.floor(this.serviceIp / 250)}.${(this.serviceIp++ % 250) + 2}`);
    let nodePort = 30000 + ((this.serviceIp * 37) % 2000);
    const svc: ServiceObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: this.meta(spec.name, spec.namespace, spec.labels),
      spec: {
        type,
        clusterIP,
        clusterIPs: [clusterIP],
        ports: spec.ports.map((p) => ({
          ...p,
          ...(type === "NodePort" || type === "LoadBalancer" ? { nodePort: p.nodePort ?? nodePort++ } : {}),
        })),
        ...(spec.selector ? { selector: spec.selector } : {}),
        sessionAffinity: "None",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
        ...(type === "NodePort" || type === "LoadBalancer" ? { externalTrafficPolicy: "Cluster" } : {}),
      },
      status: { loadBalancer: spec.loadBalancerIngress ? { ingress: [{ ip: spec.loadBalancerIngress, ipMode: "VIP" }] } : {} },
    };
    this.objects.push(svc);
    return this;
  }

  hpa(spec: {
    namespace: string;
    name: string;
    target: { kind: "Deployment" | "StatefulSet"; name: string };
    min: number;
    max: number;
    cpuUtilization: number;
  }): this {
    const hpa: HpaObject = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: this.meta(spec.name, spec.namespace, undefined, undefined, false),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: spec.target.kind, name: spec.target.name },
        minReplicas: spec.min,
        maxReplicas: spec.max,
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.cpuUtilization } } },
        ],
      },
      status: {},
    };
    this.objects.push(hpa);
    return this;
  }

  /**
   * A StorageClass, by default the cluster's default one: gp3 volumes of the
   * EBS CSI driver, provisioned once a pod using the claim has a node, in that
   * node's zone. Its uid comes from its name, not the seeded sequence, so
   * adding it left every other generated name as it was.
   */
  storageClass(name = "gp3", { provisioner = "ebs.csi.aws.com", isDefault = true } = {}): this {
    const created = this.now - this.ageMs;
    const sc: StorageClassObject = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name,
        uid: uidFrom(`StorageClass/${name}@${created}`),
        resourceVersion: "",
        creationTimestamp: kubeTime(created),
        ...(isDefault ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } } : {}),
      },
      provisioner,
      parameters: { type: name, fsType: "ext4" },
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    };
    this.objects.push(sc);
    return this;
  }

  /** The namespaces, add-ons and default StorageClass every cluster has. */
  basics(): this {
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) this.namespace(ns);
    this.storageClass();
    this.service({
      namespace: "default",
      name: "kubernetes",
      clusterIP: "10.96.0.1",
      labels: { component: "apiserver", provider: "kubernetes" },
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
    });
    this.deployment({
      namespace: "kube-system",
      name: "coredns",
      image: "registry.k8s.io/coredns/coredns:v1.11.3",
      replicas: 2,
      labels: { "k8s-app": "kube-dns" },
      team: "platform",
      ports: [
        { name: "dns", containerPort: 53, protocol: "UDP" },
        { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
        { name: "metrics", containerPort: 9153, protocol: "TCP" },
      ],
      requests: { cpu: "100m", memory: "70Mi" },
      limits: { memory: "170Mi" },
      tolerations: [
        { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
        { key: "CriticalAddonsOnly", operator: "Exists" },
      ],
      usage: { cpu: 0.08, memory: 0.45, cpuSwing: 0.2 },
    });
    this.service({
      namespace: "kube-system",
      name: "kube-dns",
      clusterIP: "10.96.0.10",
      labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" },
      selector: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    });
    this.daemonSet({
      namespace: "kube-system",
      name: "node-exporter",
      image: "quay.io/prometheus/node-exporter:v1.8.2",
      labels: { app: "node-exporter", "app.kubernetes.io/name": "node-exporter" },
      team: "platform",
      ports: [{ name: "metrics", containerPort: 9100, protocol: "TCP" }],
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { memory: "128Mi" },
      tolerations: [{ operator: "Exists" }],
      usage: { cpu: 0.15, memory: 0.5, cpuSwing: 0.2 },
    });
    this.deployment({
      namespace: "kube-system",
      name: "metrics-server",
      image: "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
      labels: { "k8s-app": "metrics-server" },
      team: "platform",
      ports: [{ name: "https", containerPort: 10250, protocol: "TCP" }],
      requests: { cpu: "100m", memory: "200Mi" },
      usage: { cpu: 0.05, memory: 0.2 },
    });
    return this;
  }

  build(): SimContent {
    return { objects: this.objects, profiles: this.profiles, restarts: this.restarts, crashLooping: this.crashLooping };
  }
}

export type ContentPreset = "demo-east" | "demo-west" | "empty";

export function demoEast(b: ContentBuilder): void {
  b.basics();
  b.node({
    name: "east-control-plane",
    cpu: "2",
    memory: "8Gi",
    roles: ["control-plane"],
    taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    instanceType: "m6i.large",
  });
  b.node({ name: "east-worker-a", cpu: "8", memory: "32Gi", instanceType: "m6i.2xlarge" });
  b.node({ name: "east-worker-b", cpu: "8", memory: "32Gi", instanceType: "m6i.2xlarge" });
  // The over-committed one: the data team's ETL job is pinned to it, taking it past 90% of allocatable CPU (limits above it).
  b.node({ name: "east-worker-c", cpu: "4", memory: "16Gi", instanceType: "m6i.xlarge" });

  // The StatefulSet of the Kubernetes docs' "Run a Replicated Stateful Application" tutorial.
  b.statefulSet({
    namespace: "default",
    name: "mysql",
    image: "mysql:5.7",
    replicas: 3,
    serviceName: "mysql",
    labels: { app: "mysql", "app.kubernetes.io/name": "mysql" },
    team: "data",
    ports: [{ name: "mysql", containerPort: 3306, protocol: "TCP" }],
    env: [{ name: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "1" }],
    requests: { cpu: "500m", memory: "1Gi" },
    volumeClaims: [{ name: "mysql-persistent-volume", storage: "1Gi", mountPath: "/var/lib/mysql" }],
    usage: { cpu: 0.4, memory: 0.7, cpuSwing: 0.4 },
  });
  b.service({
    namespace: "default",
    name: "mysql",
    headless: true,
    labels: { app: "mysql", "app.kubernetes.io/name": "mysql" },
    selector: { app: "mysql" },
    ports: [{ name: "mysql", port: 3306, protocol: "TCP", targetPort: 3306 }],
  });
  b.service({
    namespace: "default",
    name: "mysql-read",
    labels: { app: "mysql", "app.kubernetes.io/name": "mysql", readonly: "true" },
    selector: { app: "mysql" },
    ports: [{ name: "mysql", port: 3306, protocol: "TCP", targetPort: 3306 }],
  });

  b.deployment({
    namespace: "default",
    name: "web",
    image: "nginx:1.27.3",
    replicas: 3,
    labels: { app: "web", tier: "frontend", canary: "false" },
    team: "payments",
    ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
    usage: { cpu: 0.55, memory: 0.5, cpuSwing: 0.5 },
  });
  b.hpa({ namespace: "default", name: "web", target: { kind: "Deployment", name: "web" }, min: 2, max: 10, cpuUtilization: 70 });
  b.service({
    namespace: "default",
    name: "web",
    type: "LoadBalancer",
    labels: { app: "web" },
    selector: { app: "web" },
    loadBalancerIngress: "203.0.113.24",
    ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "http" }],
  });

  b.deployment({
    namespace: "default",
    name: "api",
    image: "ghcr.io/fleetdeck-demo/api:2.4.1",
    replicas: 4,
    labels: { app: "api", tier: "backend", canary: "false" },
    team: "payments",
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { memory: "512Mi" },
    usage: { cpu: 0.45, memory: 0.65 },
  });
  b.deployment({
    namespace: "default",
    name: "api-canary",
    image: "ghcr.io/fleetdeck-demo/api:2.5.0-rc.1",
    replicas: 1,
    labels: { app: "api-canary", tier: "backend", canary: "true" },
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { memory: "512Mi" },
    usage: { cpu: 0.6, memory: 0.75 },
    ageMinutes: 95,
  });
  b.service({
    namespace: "default",
    name: "api",
    labels: { app: "api" },
    selector: { app: "api" },
    ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }],
  });

  b.deployment({
    namespace: "default",
    name: "worker",
    image: "ghcr.io/fleetdeck-demo/worker:2.4.1",
    replicas: 2,
    labels: { app: "worker", tier: "backend", canary: "false" },
    team: "payments",
    args: ["--queue=orders", "--concurrency=8"],
    requests: { cpu: "1", memory: "1Gi" },
    limits: { cpu: "2", memory: "2Gi" },
    // Starved: a leak takes its memory to the 2Gi limit every 40 minutes or so, where it is OOMKilled.
    usage: { cpu: 0.7, memory: 0.6, cpuSwing: 0.6, leak: { minutes: 40 } },
    restarts: 2,
  });
  // Clearly idle: reserved for a monthly report nobody runs any more.
  b.deployment({
    namespace: "default",
    name: "reports",
    image: "ghcr.io/fleetdeck-demo/reports:1.2.0",
    replicas: 2,
    labels: { app: "reports", tier: "backend" },
    team: "data",
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "1", memory: "1Gi" },
    usage: { cpu: 0.05, memory: 0.05, cpuSwing: 0.2, daily: 0.1, bursts: 0 },
  });
  b.deployment({
    namespace: "default",
    name: "etl",
    image: "ghcr.io/fleetdeck-demo/etl:2024.12",
    replicas: 2,
    labels: { app: "etl", tier: "batch" },
    team: "data",
    args: ["--source=orders", "--sink=warehouse"],
    requests: { cpu: "1700m", memory: "5Gi" },
    limits: { cpu: "3", memory: "8Gi" },
    nodeSelector: { "kubernetes.io/hostname": "east-worker-c" },
    usage: { cpu: 0.55, memory: 0.7, cpuSwing: 0.4, daily: 0.7, peak: "night", bursts: 0.12 },
  });
  b.service({
    namespace: "default",
    name: "worker-metrics",
    type: "NodePort",
    labels: { app: "worker" },
    selector: { app: "worker" },
    ports: [{ name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090, nodePort: 30090 }],
  });
}

export function demoWest(b: ContentBuilder): void {
  b.basics();
  b.namespace("shop", { team: "payments" });
  b.node({
    name: "west-control-plane",
    cpu: "2",
    memory: "4Gi",
    roles: ["control-plane"],
    taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    instanceType: "t3.medium",
    zone: "us-west-2a",
  });
  b.node({ name: "west-worker-a", cpu: "4", memory: "16Gi", instanceType: "m6i.xlarge", zone: "us-west-2a" });
  b.node({ name: "west-worker-b", cpu: "4", memory: "16Gi", instanceType: "m6i.xlarge", zone: "us-west-2b" });

  const shop = (
    name: string,
    image: string,
    replicas: number,
    cpu: string,
    memory: string,
    port: number,
    tier: string,
    usage: UsageProfile,
    team: string,
    limits?: { cpu?: string; memory?: string },
  ) => {
    b.deployment({
      namespace: "shop",
      name,
      image,
      replicas,
      labels: { app: name, tier, "app.kubernetes.io/part-of": "shop" },
      team,
      ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
      requests: { cpu, memory },
      ...(limits ? { limits } : {}),
      usage,
    });
    b.service({
      namespace: "shop",
      name,
      labels: { app: name },
      selector: { app: name },
      ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "http" }],
    });
  };
  shop(
    "storefront",
    "ghcr.io/fleetdeck-demo/storefront:1.9.0",
    3,
    "200m",
    "256Mi",
    3000,
    "frontend",
    {
      cpu: 0.5,
      memory: 0.6,
      cpuSwing: 0.5,
    },
    "payments",
    { cpu: "1", memory: "512Mi" },
  );
  shop("cart", "ghcr.io/fleetdeck-demo/cart:1.4.2", 2, "150m", "192Mi", 8080, "backend", { cpu: 0.35, memory: 0.5 }, "payments");
  shop("checkout", "ghcr.io/fleetdeck-demo/checkout:1.4.2", 2, "200m", "256Mi", 8080, "backend", { cpu: 0.3, memory: 0.55 }, "payments", {
    memory: "512Mi",
  });
  // Starved: the search index cache outgrows its 512Mi limit about every half hour and is OOMKilled.
  shop(
    "catalog",
    "ghcr.io/fleetdeck-demo/catalog:3.0.1",
    2,
    "150m",
    "384Mi",
    8080,
    "backend",
    {
      cpu: 0.25,
      memory: 0.7,
      leak: { minutes: 30 },
    },
    "search",
    { cpu: "500m", memory: "512Mi" },
  );
  // Clearly idle: a flag service sized for a launch that came and went.
  b.deployment({
    namespace: "shop",
    name: "feature-flags",
    image: "ghcr.io/fleetdeck-demo/feature-flags:0.4.0",
    replicas: 2,
    labels: { app: "feature-flags", tier: "backend", "app.kubernetes.io/part-of": "shop" },
    team: "platform",
    requests: { cpu: "250m", memory: "512Mi" },
    limits: { memory: "512Mi" },
    usage: { cpu: 0.04, memory: 0.06, cpuSwing: 0.2, daily: 0.1, bursts: 0 },
  });
  b.hpa({ namespace: "shop", name: "storefront", target: { kind: "Deployment", name: "storefront" }, min: 3, max: 8, cpuUtilization: 60 });
  b.statefulSet({
    namespace: "shop",
    name: "redis",
    image: "redis:7.4-alpine",
    replicas: 1,
    serviceName: "redis",
    labels: { app: "redis", tier: "cache", "app.kubernetes.io/part-of": "shop" },
    team: "platform",
    ports: [{ name: "redis", containerPort: 6379, protocol: "TCP" }],
    requests: { cpu: "250m", memory: "512Mi" },
    limits: { memory: "1Gi" },
    volumeClaims: [{ name: "data", storage: "2Gi", mountPath: "/data" }],
    usage: { cpu: 0.2, memory: 0.6 },
  });
  b.service({
    namespace: "shop",
    name: "redis",
    headless: true,
    labels: { app: "redis" },
    selector: { app: "redis" },
    ports: [{ name: "redis", port: 6379, protocol: "TCP", targetPort: 6379 }],
  });
  // Two things an operator should notice: a crash-looping service and a job that fits on no node.
  b.deployment({
    namespace: "shop",
    name: "recommendations",
    image: "ghcr.io/fleetdeck-demo/recommendations:0.9.0",
    replicas: 1,
    labels: { app: "recommendations", tier: "backend", "app.kubernetes.io/part-of": "shop" },
    team: "search",
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    env: [{ name: "CATALOG_URL", value: "http://catalog.shop.svc:80" }],
    requests: { cpu: "100m", memory: "256Mi" },
    crashLoop: true,
    ageMinutes: 40,
  });
  b.deployment({
    namespace: "shop",
    name: "ml-batch",
    image: "ghcr.io/fleetdeck-demo/ml-batch:2024.11",
    replicas: 1,
    labels: { app: "ml-batch", tier: "batch", "app.kubernetes.io/part-of": "shop" },
    requests: { cpu: "6", memory: "24Gi" },
    ageMinutes: 25,
  });
  b.service({
    namespace: "shop",
    name: "shop-ingress",
    type: "LoadBalancer",
    labels: { app: "storefront" },
    selector: { app: "storefront" },
    loadBalancerIngress: "198.51.100.40",
    ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "http" }],
  });
}

export function presetContent(preset: ContentPreset): (b: ContentBuilder) => void {
  if (preset === "demo-east") return demoEast;
  if (preset === "demo-west") return demoWest;
  return (b) => {
    b.basics();
    b.node({ name: "node-1", cpu: "4", memory: "16Gi" });
  };
}
