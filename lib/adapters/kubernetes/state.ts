import { splitId } from "@/lib/model/ids";
import type { Service, TaskCore, WorkloadCore } from "@/lib/model/types";
import type { CoreKind, SnapshotChange } from "../types";
import {
  combineEndpointCounts,
  endpointSliceCounts,
  eventObjectKey,
  joinVolumes,
  mapClaim,
  mapDaemonSet,
  mapEvent,
  mapDeployment,
  mapHorizontalPodAutoscaler,
  mapNode,
  mapPod,
  mapReplicaSet,
  mapService,
  mapStatefulSet,
  namespacedId,
  podReplicaSet,
  replicaSetOwner,
  workloadId,
  workloadIdForReplicaSet,
  workloadVolumeSpecs,
  type Autoscaler,
  type ClaimLookup,
  type EndpointCounts,
  type ReplicaSetOwner,
  type SlimClaim,
  type VolumeSpec,
} from "./mappers";
import { EventIndex, type EventLimits, DEFAULT_EVENT_LIMITS } from "./events";
import type {
  KubeDaemonSet,
  KubeDeployment,
  KubeEndpointSlice,
  KubeEvent,
  KubeHorizontalPodAutoscaler,
  KubeNode,
  KubePersistentVolumeClaim,
  KubePod,
  KubeReplicaSet,
  KubeService,
  KubeStatefulSet,
} from "./raw";

type WorkloadSource = "deployments" | "statefulsets" | "daemonsets" | "replicasets";
/** A mapped workload and the volumes its spec declares, whose claims are joined in as they change. */
type Mapped = { core: WorkloadCore; volumes: VolumeSpec[] };
const mapped = (core: WorkloadCore, raw: Parameters<typeof workloadVolumeSpecs>[0]): Mapped => ({
  core,
  volumes: workloadVolumeSpecs(raw),
});
type SliceCounts = ReturnType<typeof endpointSliceCounts>;

/** The upstream lists (WATCHED_RESOURCES names) each neutral resource is built from. */
const FEEDS: Record<CoreKind, readonly string[]> = {
  nodes: ["nodes"],
  tasks: ["pods"],
  workloads: ["replicasets", "deployments", "statefulsets", "daemonsets", "horizontalpodautoscalers", "events", "persistentvolumeclaims"],
  services: ["services", "endpointslices"],
};

/**
 * The adapter's view of one cluster between watch events: only the small
 * joined facts needed to map objects as they arrive (ReplicaSet owners,
 * autoscaler targets, endpoint counts, slim claims, the mapped workloads with
 * their volume specs and the slim service specs they are re-derived from). Every method turns one list or
 * watch event into SnapshotChanges for the sink.
 */
export class ClusterState {
  private readonly replicaSetOwners = new Map<string, ReplicaSetOwner>();
  /** Tasks mapped before their ReplicaSet was known, by "namespace/replicaset". */
  private readonly unresolvedTasks = new Map<string, Map<string, TaskCore>>();
  private readonly unresolvedKeyOfTask = new Map<string, string>();
  /** Workloads without their autoscaler, events and claims; they are joined in when emitted. */
  private readonly workloads = new Map<string, { source: WorkloadSource; core: WorkloadCore; volumes: VolumeSpec[] }>();
  /** PersistentVolumeClaims by "namespace/name"; null until listed, or when they cannot be (their status is then unknown). */
  private claims: Map<string, SlimClaim> | null = null;
  private readonly claimLookup: ClaimLookup = (namespace, name) => this.claims?.get(`${namespace}/${name}`);
  /** Autoscalers by target workload id, then by HPA id. */
  private readonly autoscalers = new Map<string, Map<string, Autoscaler>>();
  private readonly autoscalerTargets = new Map<string, string>();
  private readonly services = new Map<string, KubeService>();
  private readonly slices = new Map<string, SliceCounts>();
  private readonly slicesByService = new Map<string, Set<string>>();

  private readonly listedSources = new Set<string>();
  /** Ids of the nodes and tasks last emitted: a usage sample names these when their metrics cannot be read. */
  private readonly nodes = new Set<string>();
  private readonly tasks = new Set<string>();

  /** Workload of every pod ("Pod/namespace/name" → id), and of deleted pods while events still name them. */
  private readonly podWorkloads = new Map<string, string | null>();
  /** Deleted pods and ReplicaSets ("Kind/namespace/name") whose owner join is kept for their events. */
  private readonly deletedObjects = new Set<string>();
  private readonly events: EventIndex;
  private lastEventSweep = 0;

  /**
   * `expectedSources` names the upstream lists this state will be fed (see
   * FEEDS). A "replace" of a neutral resource is held back until every
   * expected source feeding it has been listed once: the store treats a
   * replace as the complete list.
   */
  constructor(
    private readonly sink: (changes: SnapshotChange[]) => void,
    private readonly expectedSources: readonly string[] = [],
    private readonly now: () => number = Date.now,
    eventLimits: EventLimits = DEFAULT_EVENT_LIMITS,
  ) {
    this.events = new EventIndex(
      (o) => this.workloadOfObject(o),
      eventLimits,
      (o) => {
        if (!this.deletedObjects.delete(o)) return;
        const [kind, namespace, name] = o.split("/");
        if (kind === "Pod") this.podWorkloads.delete(o);
        else if (kind === "ReplicaSet") this.replicaSetOwners.delete(`${namespace}/${name}`);
      },
    );
  }

  private emit(changes: SnapshotChange[]): void {
    const complete = (kind: CoreKind) =>
      FEEDS[kind].every((source) => !this.expectedSources.includes(source) || this.listedSources.has(source));
    const ready = changes.filter((c) => c.type !== "replace" || complete(c.resource));
    if (ready.length) this.sink(ready);
  }

  /** Called before a source's list is replaced. */
  markListed(source: string): void {
    this.listedSources.add(source);
  }

  /**
   * A source that cannot be listed (403, or 404 for an API the cluster does
   * not serve) counts as empty, so its neutral list completes from the others.
   */
  sourceUnavailable(source: string): void {
    if (this.listedSources.has(source)) return;
    this.listedSources.add(source);
    const kind = (Object.keys(FEEDS) as CoreKind[]).find((k) => FEEDS[k].includes(source));
    if (kind === "workloads") {
      this.emit([{ type: "replace", resource: "workloads", items: this.allWorkloads() }]);
    } else if (kind === "services") {
      this.emit([{ type: "replace", resource: "services", items: [...this.services.values()].map((s) => this.mapServiceWithCounts(s)) }]);
    } else if (kind === "nodes" || kind === "tasks") {
      (kind === "nodes" ? this.nodes : this.tasks).clear();
      this.emit([{ type: "replace", resource: kind, items: [] }]);
    }
  }

  get nodeIds(): string[] {
    return [...this.nodes];
  }

  get taskIds(): string[] {
    return [...this.tasks];
  }

  // ------------------------------------------------------------ nodes

  replaceNodes(nodes: KubeNode[]): void {
    const items = nodes.map(mapNode);
    this.nodes.clear();
    for (const n of items) this.nodes.add(n.id);
    this.emit([{ type: "replace", resource: "nodes", items }]);
  }
  upsertNode(node: KubeNode): void {
    const item = mapNode(node);
    this.nodes.add(item.id);
    this.emit([{ type: "upsert", resource: "nodes", item }]);
  }
  deleteNode(node: KubeNode): void {
    this.nodes.delete(node.metadata.name);
    this.emit([{ type: "delete", resource: "nodes", id: node.metadata.name }]);
  }

  // ------------------------------------------------------------ pods

  private readonly lookupOwner = (namespace: string, replicaSet: string) => this.replicaSetOwners.get(`${namespace}/${replicaSet}`);

  private mapTask(pod: KubePod): TaskCore {
    const task = mapPod(pod, this.lookupOwner);
    const objectKey = eventObjectKey("Pod", pod.metadata.namespace, pod.metadata.name);
    this.podWorkloads.set(objectKey, task.workloadId);
    this.deletedObjects.delete(objectKey);
    const rs = podReplicaSet(pod);
    const key = `${pod.metadata.namespace ?? ""}/${rs}`;
    this.forgetUnresolved(task.id);
    if (rs && !this.replicaSetOwners.has(key)) {
      const waiting = this.unresolvedTasks.get(key) ?? new Map<string, TaskCore>();
      waiting.set(task.id, task);
      this.unresolvedTasks.set(key, waiting);
      this.unresolvedKeyOfTask.set(task.id, key);
    }
    return task;
  }

  private forgetUnresolved(taskId: string): void {
    const key = this.unresolvedKeyOfTask.get(taskId);
    if (key === undefined) return;
    this.unresolvedKeyOfTask.delete(taskId);
    const waiting = this.unresolvedTasks.get(key);
    if (waiting?.delete(taskId) && waiting.size === 0) this.unresolvedTasks.delete(key);
  }

  replacePods(pods: KubePod[]): void {
    this.unresolvedTasks.clear();
    this.unresolvedKeyOfTask.clear();
    const items = pods.map((p) => this.mapTask(p));
    this.tasks.clear();
    for (const t of items) this.tasks.add(t.id);
    const listed = new Set(pods.map((p) => eventObjectKey("Pod", p.metadata.namespace, p.metadata.name)));
    for (const key of [...this.podWorkloads.keys()]) {
      if (!listed.has(key) && !this.deletedObjects.has(key)) this.forgetPod(key);
    }
    this.emit([{ type: "replace", resource: "tasks", items }, ...this.workloadChanges(this.events.rebind())]);
  }
  upsertPod(pod: KubePod): void {
    const task = this.mapTask(pod);
    this.tasks.add(task.id);
    const rebound = this.events.rebind([eventObjectKey("Pod", pod.metadata.namespace, pod.metadata.name)]);
    this.emit([{ type: "upsert", resource: "tasks", item: task }, ...this.workloadChanges(rebound)]);
  }
  deletePod(pod: KubePod): void {
    const id = namespacedId(pod.metadata.namespace, pod.metadata.name);
    this.tasks.delete(id);
    this.forgetUnresolved(id);
    this.forgetPod(eventObjectKey("Pod", pod.metadata.namespace, pod.metadata.name));
    this.emit([{ type: "delete", resource: "tasks", id }]);
  }

  /** A pod is gone; its workload is remembered while events still name it ("Killing" outlives the pod). */
  private forgetPod(objectKey: string): void {
    if (this.events.hasEvents(objectKey)) this.deletedObjects.add(objectKey);
    else this.podWorkloads.delete(objectKey);
  }

  /** Tasks that waited for these ReplicaSets, re-pointed at their workload now that the owner is known. */
  private resolveTasks(keys: Iterable<string>): SnapshotChange[] {
    const changes: SnapshotChange[] = [];
    for (const key of keys) {
      const waiting = this.unresolvedTasks.get(key);
      const owner = this.replicaSetOwners.get(key);
      if (!waiting || owner === undefined) continue;
      this.unresolvedTasks.delete(key);
      for (const id of waiting.keys()) this.unresolvedKeyOfTask.delete(id);
      const [namespace, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
      const workloadId = workloadIdForReplicaSet(namespace, name, owner);
      for (const task of waiting.values()) {
        if (task.workloadId !== workloadId) changes.push({ type: "upsert", resource: "tasks", item: { ...task, workloadId } });
        const [podNamespace, podName] = splitId(task.id);
        this.podWorkloads.set(eventObjectKey("Pod", podNamespace, podName), workloadId);
      }
    }
    return changes;
  }

  // ------------------------------------------------------------ workloads

  /** The workload as emitted: its autoscaler, its recent events and its volumes' claims joined in. */
  private decorate(w: { core: WorkloadCore; volumes: VolumeSpec[] }): WorkloadCore {
    const { core } = w;
    const first = this.autoscalers.get(core.id)?.values().next().value;
    const events = this.events.eventsFor(core.id);
    const volumes = joinVolumes(core.namespace, w.volumes, this.claims && this.claimLookup, core.ready > 0);
    return { ...core, ...(first ? { autoscaler: first } : {}), events, volumes };
  }

  /** The claims as the adapter last saw them (null: not listed, or not readable); scale() maps its answer with them. */
  get knownClaims(): ClaimLookup | null {
    return this.claims && this.claimLookup;
  }

  /** The workload with its autoscaler, as the adapter last saw it; scale() uses the autoscaler. */
  autoscalerFor(workloadId: string): Autoscaler | null {
    return this.autoscalers.get(workloadId)?.values().next().value ?? null;
  }

  private allWorkloads(): WorkloadCore[] {
    return [...this.workloads.values()].map((w) => this.decorate(w));
  }

  private replaceSource(source: WorkloadSource, mapped: Mapped[], extra: SnapshotChange[] = []): void {
    for (const [id, w] of this.workloads) if (w.source === source) this.workloads.delete(id);
    for (const m of mapped) this.workloads.set(m.core.id, { source, ...m });
    this.emit([{ type: "replace", resource: "workloads", items: this.allWorkloads() }, ...extra]);
  }

  private upsertWorkload(source: WorkloadSource, mapped: Mapped, extra: SnapshotChange[] = []): void {
    const w = { source, ...mapped };
    this.workloads.set(mapped.core.id, w);
    this.emit([{ type: "upsert", resource: "workloads", item: this.decorate(w) }, ...extra]);
  }

  private deleteWorkload(id: string, extra: SnapshotChange[] = []): void {
    const existed = this.workloads.delete(id);
    const changes: SnapshotChange[] = existed ? [{ type: "delete", resource: "workloads", id }] : [];
    if (changes.length || extra.length) this.emit([...changes, ...extra]);
  }

  replaceDeployments(items: KubeDeployment[]): void {
    this.replaceSource(
      "deployments",
      items.map((d) => mapped(mapDeployment(d), d)),
    );
  }
  upsertDeployment(d: KubeDeployment): void {
    this.upsertWorkload("deployments", mapped(mapDeployment(d), d));
  }
  deleteDeployment(d: KubeDeployment): void {
    this.deleteWorkload(mapDeployment(d).id);
  }

  replaceStatefulSets(items: KubeStatefulSet[]): void {
    this.replaceSource(
      "statefulsets",
      items.map((s) => mapped(mapStatefulSet(s), s)),
    );
  }
  upsertStatefulSet(s: KubeStatefulSet): void {
    this.upsertWorkload("statefulsets", mapped(mapStatefulSet(s), s));
  }
  deleteStatefulSet(s: KubeStatefulSet): void {
    this.deleteWorkload(mapStatefulSet(s).id);
  }

  replaceDaemonSets(items: KubeDaemonSet[]): void {
    this.replaceSource(
      "daemonsets",
      items.map((ds) => mapped(mapDaemonSet(ds), ds)),
    );
  }
  upsertDaemonSet(ds: KubeDaemonSet): void {
    this.upsertWorkload("daemonsets", mapped(mapDaemonSet(ds), ds));
  }
  deleteDaemonSet(ds: KubeDaemonSet): void {
    this.deleteWorkload(mapDaemonSet(ds).id);
  }

  private static rsKey(rs: KubeReplicaSet): string {
    return `${rs.metadata.namespace ?? ""}/${rs.metadata.name}`;
  }

  /** ReplicaSets of a Deployment only feed the owner map; bare ones are workloads of their own. */
  replaceReplicaSets(items: KubeReplicaSet[]): void {
    this.replicaSetOwners.clear();
    for (const rs of items) this.replicaSetOwners.set(ClusterState.rsKey(rs), replicaSetOwner(rs));
    const bare = items.filter((rs) => replicaSetOwner(rs) === null).map((rs) => mapped(mapReplicaSet(rs), rs));
    const resolved = this.resolveTasks([...this.unresolvedTasks.keys()]);
    this.events.rebind();
    this.replaceSource("replicasets", bare, resolved);
  }
  upsertReplicaSet(rs: KubeReplicaSet): void {
    const key = ClusterState.rsKey(rs);
    const owner = replicaSetOwner(rs);
    this.replicaSetOwners.set(key, owner);
    this.deletedObjects.delete(eventObjectKey("ReplicaSet", rs.metadata.namespace, rs.metadata.name));
    const resolved = [...this.resolveTasks([key]), ...this.workloadChanges(this.events.rebind())];
    const core = mapReplicaSet(rs);
    if (owner === null) this.upsertWorkload("replicasets", mapped(core, rs), resolved);
    else this.deleteWorkload(core.id, resolved); // adopted by a Deployment since
  }
  deleteReplicaSet(rs: KubeReplicaSet): void {
    // The owner stays known while events still name the ReplicaSet ("Scaled down" outlives an old one).
    const objectKey = eventObjectKey("ReplicaSet", rs.metadata.namespace, rs.metadata.name);
    if (this.events.hasEvents(objectKey)) this.deletedObjects.add(objectKey);
    else this.replicaSetOwners.delete(ClusterState.rsKey(rs));
    this.deleteWorkload(mapReplicaSet(rs).id);
  }

  // ------------------------------------------------------------ autoscalers

  private setAutoscaler(hpaId: string, target: string | null, autoscaler: Autoscaler | null): Set<string> {
    const touched = new Set<string>();
    const previous = this.autoscalerTargets.get(hpaId);
    if (previous !== undefined) {
      const byHpa = this.autoscalers.get(previous);
      byHpa?.delete(hpaId);
      if (byHpa?.size === 0) this.autoscalers.delete(previous);
      this.autoscalerTargets.delete(hpaId);
      touched.add(previous);
    }
    if (target && autoscaler) {
      const byHpa = this.autoscalers.get(target) ?? new Map<string, Autoscaler>();
      byHpa.set(hpaId, autoscaler);
      this.autoscalers.set(target, byHpa);
      this.autoscalerTargets.set(hpaId, target);
      touched.add(target);
    }
    return touched;
  }

  private static hpaId(hpa: KubeHorizontalPodAutoscaler): string {
    return namespacedId(hpa.metadata.namespace, hpa.metadata.name);
  }

  replaceAutoscalers(items: KubeHorizontalPodAutoscaler[]): void {
    this.autoscalers.clear();
    this.autoscalerTargets.clear();
    for (const hpa of items) {
      const { target, autoscaler } = mapHorizontalPodAutoscaler(hpa);
      this.setAutoscaler(ClusterState.hpaId(hpa), target, autoscaler);
    }
    this.events.rebind();
    this.emit([{ type: "replace", resource: "workloads", items: this.allWorkloads() }]);
  }
  upsertAutoscaler(hpa: KubeHorizontalPodAutoscaler): void {
    const id = ClusterState.hpaId(hpa);
    const { target, autoscaler } = mapHorizontalPodAutoscaler(hpa);
    const touched = this.setAutoscaler(id, target, autoscaler);
    const rebound = this.events.rebind([eventObjectKey("HorizontalPodAutoscaler", hpa.metadata.namespace, hpa.metadata.name)]);
    // HPA status changes every few seconds; the store drops the upserts that change nothing it shows.
    this.emitWorkloads([...touched, ...rebound]);
  }
  deleteAutoscaler(hpa: KubeHorizontalPodAutoscaler): void {
    const touched = this.setAutoscaler(ClusterState.hpaId(hpa), null, null);
    const rebound = this.events.rebind([eventObjectKey("HorizontalPodAutoscaler", hpa.metadata.namespace, hpa.metadata.name)]);
    this.emitWorkloads([...touched, ...rebound]);
  }

  private workloadChanges(ids: Iterable<string>): SnapshotChange[] {
    const changes: SnapshotChange[] = [];
    for (const id of new Set(ids)) {
      const w = this.workloads.get(id);
      if (w) changes.push({ type: "upsert", resource: "workloads", item: this.decorate(w) });
    }
    return changes;
  }

  private emitWorkloads(ids: Iterable<string>): void {
    const changes = this.workloadChanges(ids);
    if (changes.length) this.emit(changes);
  }

  // ------------------------------------------------------------ events

  /**
   * The workload an involved object belongs to, through the owners this
   * state tracks: the workload itself, one of its pods, one of a
   * Deployment's ReplicaSets, or the autoscaler targeting it.
   */
  private workloadOfObject(objectKey: string): string | null {
    const [kind, namespace, name] = objectKey.split("/");
    if (name === undefined) return null;
    switch (kind) {
      case "Pod":
        return this.podWorkloads.get(objectKey) ?? null;
      case "ReplicaSet": {
        const owner = this.replicaSetOwners.get(`${namespace}/${name}`);
        return owner === undefined ? null : workloadIdForReplicaSet(namespace, name, owner);
      }
      case "Deployment":
      case "StatefulSet":
      case "DaemonSet":
        return workloadId(kind, namespace, name);
      case "HorizontalPodAutoscaler":
        return this.autoscalerTargets.get(namespacedId(namespace, name)) ?? null;
      default:
        return null;
    }
  }

  replaceEvents(items: KubeEvent[]): void {
    this.events.replace(
      items.flatMap((e) => mapEvent(e) ?? []),
      this.now(),
    );
    this.lastEventSweep = this.now();
    this.emit([{ type: "replace", resource: "workloads", items: this.allWorkloads() }]);
  }
  upsertEvent(e: KubeEvent): void {
    const slim = mapEvent(e);
    if (!slim) return;
    const now = this.now();
    const touched = this.events.upsert(slim, now);
    // Events age out as time passes, not only as events arrive; a sweep a minute is plenty.
    if (now - this.lastEventSweep >= 60_000) {
      this.lastEventSweep = now;
      for (const id of this.events.sweep(now)) touched.add(id);
    }
    this.emitWorkloads(touched);
  }
  deleteEvent(e: KubeEvent): void {
    this.emitWorkloads(this.events.remove(namespacedId(e.metadata.namespace, e.metadata.name)));
  }

  /** How many slim events are kept (for tests and logs). */
  get eventCount(): number {
    return this.events.count;
  }

  // ------------------------------------------------------------ claims

  private static claimKey(pvc: KubePersistentVolumeClaim): string {
    return `${pvc.metadata.namespace ?? ""}/${pvc.metadata.name}`;
  }

  /** Workloads of the claim's namespace whose volumes name it, or whose claim template it was drawn from. */
  private workloadsUsingClaim(namespace: string, name: string): string[] {
    return [...this.workloads.values()]
      .filter((w) => (w.core.namespace ?? "") === namespace)
      .filter((w) =>
        w.volumes.some(
          (v) => v.claim && ("name" in v.claim ? v.claim.name === name : name.startsWith(`${v.claim.template}-${v.claim.set}-`)),
        ),
      )
      .map((w) => w.core.id);
  }

  replaceClaims(items: KubePersistentVolumeClaim[]): void {
    this.claims = new Map(items.map((pvc) => [ClusterState.claimKey(pvc), mapClaim(pvc)]));
    this.emit([{ type: "replace", resource: "workloads", items: this.allWorkloads() }]);
  }
  upsertClaim(pvc: KubePersistentVolumeClaim): void {
    (this.claims ??= new Map()).set(ClusterState.claimKey(pvc), mapClaim(pvc));
    this.emitWorkloads(this.workloadsUsingClaim(pvc.metadata.namespace ?? "", pvc.metadata.name));
  }
  deleteClaim(pvc: KubePersistentVolumeClaim): void {
    this.claims?.delete(ClusterState.claimKey(pvc));
    this.emitWorkloads(this.workloadsUsingClaim(pvc.metadata.namespace ?? "", pvc.metadata.name));
  }

  // ------------------------------------------------------------ services

  private countsFor(serviceId: string): EndpointCounts | null {
    const names = this.slicesByService.get(serviceId);
    if (!names?.size) return null;
    return combineEndpointCounts([...names].map((n) => this.slices.get(n)!).filter(Boolean));
  }

  private mapServiceWithCounts(svc: KubeService): Service {
    return mapService(svc, this.countsFor(namespacedId(svc.metadata.namespace, svc.metadata.name)));
  }

  replaceServices(items: KubeService[]): void {
    this.services.clear();
    for (const svc of items) this.services.set(namespacedId(svc.metadata.namespace, svc.metadata.name), svc);
    this.emit([{ type: "replace", resource: "services", items: items.map((s) => this.mapServiceWithCounts(s)) }]);
  }
  upsertService(svc: KubeService): void {
    this.services.set(namespacedId(svc.metadata.namespace, svc.metadata.name), svc);
    this.emit([{ type: "upsert", resource: "services", item: this.mapServiceWithCounts(svc) }]);
  }
  deleteService(svc: KubeService): void {
    const id = namespacedId(svc.metadata.namespace, svc.metadata.name);
    this.services.delete(id);
    this.emit([{ type: "delete", resource: "services", id }]);
  }

  private static sliceId(slice: KubeEndpointSlice): string {
    return namespacedId(slice.metadata.namespace, slice.metadata.name);
  }

  private setSlice(sliceId: string, counts: SliceCounts | null): Set<string> {
    const touched = new Set<string>();
    const previous = this.slices.get(sliceId);
    if (previous?.serviceId) {
      this.slicesByService.get(previous.serviceId)?.delete(sliceId);
      if (this.slicesByService.get(previous.serviceId)?.size === 0) this.slicesByService.delete(previous.serviceId);
      touched.add(previous.serviceId);
    }
    this.slices.delete(sliceId);
    if (counts) {
      this.slices.set(sliceId, counts);
      if (counts.serviceId) {
        const set = this.slicesByService.get(counts.serviceId) ?? new Set<string>();
        set.add(sliceId);
        this.slicesByService.set(counts.serviceId, set);
        touched.add(counts.serviceId);
      }
    }
    return touched;
  }

  private emitServices(ids: Iterable<string>): void {
    const changes: SnapshotChange[] = [];
    for (const id of ids) {
      const svc = this.services.get(id);
      if (svc) changes.push({ type: "upsert", resource: "services", item: this.mapServiceWithCounts(svc) });
    }
    if (changes.length) this.emit(changes);
  }

  replaceEndpointSlices(items: KubeEndpointSlice[]): void {
    this.slices.clear();
    this.slicesByService.clear();
    for (const slice of items) this.setSlice(ClusterState.sliceId(slice), endpointSliceCounts(slice));
    const services = [...this.services.values()].map((s) => this.mapServiceWithCounts(s));
    this.emit([{ type: "replace", resource: "services", items: services }]);
  }
  upsertEndpointSlice(slice: KubeEndpointSlice): void {
    // Most slice updates move addresses, not counts; the store drops the upserts that change nothing.
    this.emitServices(this.setSlice(ClusterState.sliceId(slice), endpointSliceCounts(slice)));
  }
  deleteEndpointSlice(slice: KubeEndpointSlice): void {
    this.emitServices(this.setSlice(ClusterState.sliceId(slice), null));
  }
}
