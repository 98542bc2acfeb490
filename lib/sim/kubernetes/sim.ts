/** One simulated Kubernetes cluster: store + controllers + apiserver, with a programmatic handle for tests. */

import type { FaultInjector } from "../faults";
import { ClusterController } from "./controllers";
import { ContentBuilder, presetContent, type ContentPreset } from "./content";
import { prepareCreate } from "./defaults";
import { containerUsage } from "./metrics";
import { UsageModel } from "./usage-model";
import type { DemoUsage } from "@/lib/model/demo";
import { SeededRandom } from "./random";
import { resourceTypeByKind, type ResourceType } from "./resources";
import { BOOTSTRAP_RBAC, storeRbac, type RbacManifest } from "./rbac";
import { KubeApiServer, type ApiContext, type TokenSpec } from "./server";
import { ObjectStore } from "./store";
import {
  DEMO_TIMINGS,
  FAST_TIMINGS,
  type DeploymentObject,
  type KubeObject,
  type NodeObject,
  type Pod,
  type SimTimings,
  type UsageProfile,
} from "./types";

export type { TokenSpec } from "./server";
export type { RbacManifest } from "./rbac";

export interface KubeSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** A preset, or a function that adds objects with the content builder. Default "demo-east". */
  content?: ContentPreset | ((builder: ContentBuilder) => void);
  /** Seeds generated names and uids. */
  seed?: number;
  /**
   * Bearer tokens; when absent every request is allowed unauthenticated (as
   * system:admin in system:masters). A token's `groups` (e.g.
   * ["system:masters"]) and user are what RBAC bindings match when it
   * impersonates.
   */
  tokens?: TokenSpec[];
  /**
   * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings to start with,
   * as YAML manifests read (validated like a create), besides the bootstrap
   * ones every cluster has: cluster-admin bound to group system:masters,
   * system:discovery and system:public-info-viewer. They authorize
   * impersonation and impersonated requests; see rbac.ts.
   */
  rbac?: RbacManifest[];
  /**
   * With tokens set: what requests without any credentials may do ("none": 401).
   * A wrong token is a 401 either way, as on a real apiserver with anonymous auth on.
   */
  anonymous?: "none" | "read-only" | "admin";
  /** Serve metrics.k8s.io (as if metrics-server ran). Default true. */
  metrics?: boolean;
  /** "demo" (seconds; default) or "fast" (tens of ms), or overrides of either. */
  timings?: "demo" | "fast" | Partial<SimTimings>;
  /** BOOKMARK period on watches that ask for them. Default 30 s. */
  bookmarkIntervalMs?: number;
  /** Change events retained for watches; older resourceVersions get 410 Expired. Default 2000. */
  historySize?: number;
  /** HPA status refresh period. Default 15 s. */
  hpaSyncMs?: number;
  /** How long ago the initial content was created. Default 3 days. */
  ageMs?: number;
  /** Default "v1.31.4-fleetdeck-sim". */
  gitVersion?: string;
}

export interface KubeSimHandle {
  url: string;
  host: string;
  port: number;
  /** Stops the apiserver and the controllers. */
  close(): Promise<void>;
  /** Stops and restarts the apiserver on the same port, cutting every connection; state survives (as with etcd). */
  restart(): Promise<void>;
  /** Stops listening (connections refused, every open one cut) until start(); state survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Failures to inject into every request (see lib/sim/faults.ts). */
  readonly faults: FaultInjector;
  /** Replaces the accepted bearer tokens: a rotated or revoked token is refused from the next request. */
  setTokens(tokens: TokenSpec[]): void;
  /** Drops the event history: every resourceVersion handed out so far gets 410 Expired; open watches are closed. */
  compact(): void;
  /** Open watches go silent and stay open (no events, no bookmarks) until clients give up on them. */
  pauseWatches(): void;
  /** Watches opened from now on deliver again (the wedged ones stay wedged). */
  resumeWatches(): void;
  /** Ends every open watch (a clean server-side close). */
  closeWatches(): void;
  readonly activeWatches: number;
  /** Requests answered 401 so far. */
  readonly refusedCredentials: number;
  setMetricsEnabled(enabled: boolean): void;
  readonly resourceVersion: string;
  /**
   * What metrics.k8s.io would answer at `t` (epoch ms, past ones too) for the
   * pods running now: pods by `demoTaskKey(namespace, name)`, nodes by name.
   */
  usageAt(t: number): DemoUsage;

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): T[];
  /** Writes an object as a client would (generation bumps on spec change) and reconciles. */
  put<T extends KubeObject>(object: T): T;
  /** Reads, changes and writes an object; throws when it does not exist. */
  mutate<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string, change: (o: T) => void): T;
  scale(kind: "Deployment" | "StatefulSet", namespace: string, name: string, replicas: number): void;
  /** Creates RBAC objects at runtime, validated as on create (remove() deletes them). */
  addRbac(manifests: RbacManifest[]): void;
  /** Adds objects at runtime with the content builder (e.g. a new Deployment), then reconciles. */
  add(fill: (builder: ContentBuilder) => void): void;
  /** Deletes an object; what it owns is garbage-collected (pods terminate gracefully). */
  remove(kind: string, namespace: string | undefined, name: string): void;
  deletePod(namespace: string, name: string): void;
  setNodeReady(name: string, ready: boolean): void;
  setNodeSchedulable(name: string, schedulable: boolean): void;
  /** Runs the controllers once now. */
  reconcile(): void;
  /** Polls `check` until it is true (reconciling in between) or throws after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
}

function resolveTimings(t: KubeSimOptions["timings"]): SimTimings {
  if (t === "fast") return FAST_TIMINGS;
  if (t === undefined || t === "demo") return DEMO_TIMINGS;
  return { ...DEMO_TIMINGS, ...t };
}

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSimHandle> {
  const host = options.host ?? "127.0.0.1";
  const timings = resolveTimings(options.timings);
  const random = new SeededRandom(options.seed ?? 42);
  const store = new ObjectStore(options.historySize ?? 2000);
  const ageMs = options.ageMs ?? 3 * 24 * 3600_000;

  const builder = new ContentBuilder(random, Date.now(), ageMs);
  const fill = typeof options.content === "function" ? options.content : presetContent(options.content ?? "demo-east");
  fill(builder);
  const content = builder.build();

  let metricsEnabled = options.metrics ?? true;
  let paused = false;

  const profileOf = (pod: Pod): UsageProfile | undefined => {
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!owner) return undefined;
    let name = owner.name;
    if (owner.kind === "ReplicaSet") {
      const rs = store.get(resourceTypeByKind("ReplicaSet"), pod.metadata.namespace, owner.name);
      const deployment = rs?.metadata.ownerReferences?.find((r) => r.controller && r.kind === "Deployment");
      if (deployment) name = deployment.name;
    }
    return content.profiles.get(`${pod.metadata.namespace}/${name}`);
  };

  const controller = new ClusterController(store, random, {
    timings,
    hpaSyncMs: options.hpaSyncMs ?? 15_000,
    profiles: content.profiles,
    initialRestarts: content.restarts,
    crashLooping: content.crashLooping,
    profileOf,
    podCpuMillis: (pod) => containerUsage(pod, profileOf(pod), Date.now()).reduce((n, c) => n + c.cpuMillis, 0),
  });
  for (const o of content.objects) store.put(o);
  controller.bootstrap(Math.min(ageMs, 3600_000));
  // Bootstrap settles the fleet an hour back; this pass brings what time alone changed since (OOM kills) up to now.
  controller.reconcile();

  // RBAC objects draw their uids from their own sequence, so the content's names stay what they were.
  const rbacRandom = new SeededRandom((options.seed ?? 42) + 1);
  const addRbac = (manifests: RbacManifest[], now: number) => {
    for (const m of manifests) {
      const type = resourceTypeByKind(m.kind);
      const namespace = type.namespaced ? m.metadata.namespace : undefined;
      if (type.namespaced && (!namespace || !store.get(resourceTypeByKind("Namespace"), undefined, namespace))) {
        throw new Error(`${m.kind} ${m.metadata.name}: namespace "${namespace ?? ""}" does not exist`);
      }
      if (store.get(type, namespace, m.metadata.name))
        throw new Error(`${m.kind} ${namespace ? `${namespace}/` : ""}${m.metadata.name} already exists`);
      store.put(prepareCreate(type, namespace, m, { random: rbacRandom, now, services: [] }));
    }
  };
  addRbac([...BOOTSTRAP_RBAC, ...(options.rbac ?? [])], Date.now() - ageMs);

  const usage = new UsageModel(store, profileOf, Date.now() - Math.min(ageMs, 3600_000));

  const context: ApiContext = {
    store,
    controller,
    gitVersion: options.gitVersion ?? "v1.31.4-fleetdeck-sim",
    tokens: options.tokens ?? null,
    anonymous:
      options.anonymous === "admin"
        ? { token: "", user: "system:anonymous" }
        : options.anonymous === "read-only"
          ? { token: "", user: "system:anonymous", readOnly: true }
          : null,
    rbac: storeRbac(store),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 30_000,
    metricsEnabled: () => metricsEnabled,
    watchesPaused: () => paused,
    profileOf,
    cadvisorMetrics: (node) => usage.cadvisor(node, Date.now()),
    kubeStateMetrics: () => usage.kubeStateMetrics(Date.now()),
    random,
  };
  const api = new KubeApiServer(context);
  const port = await api.listen(host, options.port ?? 0);

  let closed = false;
  const ticker = setInterval(() => controller.tick(), timings.tickMs);
  ticker.unref();

  const type = (kind: string): ResourceType => resourceTypeByKind(kind);
  const handle: KubeSimHandle = {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      await api.close();
    },
    async restart() {
      await api.close();
      await api.listen(host, port);
    },
    stop: () => api.close(),
    start: async () => void (await api.listen(host, port)),
    faults: api.faults,
    setTokens(tokens) {
      context.tokens = tokens;
    },
    compact() {
      store.compact();
      api.closeWatches();
    },
    pauseWatches() {
      paused = true;
      api.stallWatches();
    },
    resumeWatches() {
      paused = false;
    },
    closeWatches: () => api.closeWatches(),
    get activeWatches() {
      return api.activeWatches;
    },
    get refusedCredentials() {
      return api.refusedCredentials;
    },
    setMetricsEnabled(enabled) {
      metricsEnabled = enabled;
    },
    get resourceVersion() {
      return String(store.resourceVersion);
    },
    usageAt: (t) => usage.usageAt(t),
    get: (kind, namespace, name) => store.get(type(kind), namespace, name),
    list: (kind, namespace) => store.list(type(kind), namespace),
    put(object) {
      const stored = store.put(object);
      controller.reconcile();
      return stored;
    },
    mutate(kind, namespace, name, change) {
      const o = store.get(type(kind), namespace, name);
      if (!o) throw new Error(`${kind} ${namespace ?? ""}/${name} does not exist`);
      change(o as never);
      return handle.put(o) as never;
    },
    scale(kind, namespace, name, replicas) {
      handle.mutate<DeploymentObject>(kind, namespace, name, (o) => {
        o.spec.replicas = replicas;
      });
    },
    addRbac(manifests) {
      addRbac(manifests, Date.now());
    },
    add(fill) {
      const extra = new ContentBuilder(random, Date.now(), 0);
      fill(extra);
      const built = extra.build();
      for (const [k, v] of built.profiles) content.profiles.set(k, v);
      for (const [k, v] of built.restarts) content.restarts.set(k, v);
      for (const k of built.crashLooping) content.crashLooping.add(k);
      for (const o of built.objects) store.put(o);
      controller.reconcile();
    },
    remove(kind, namespace, name) {
      if (kind === "Pod") return handle.deletePod(namespace ?? "default", name);
      if (!store.delete(type(kind), namespace, name)) throw new Error(`${kind} ${namespace ?? ""}/${name} does not exist`);
      controller.reconcile();
    },
    deletePod(namespace, name) {
      const pod = store.get<Pod>(type("Pod"), namespace, name);
      if (!pod) throw new Error(`pod ${namespace}/${name} does not exist`);
      controller.deletePod(pod);
      controller.reconcile();
    },
    setNodeReady(name, ready) {
      handle.mutate<NodeObject>("Node", undefined, name, (n) => {
        n.status.conditions = builder.nodeConditions(ready).map((c) => {
          const old = n.status.conditions.find((x) => x.type === c.type);
          return old && old.status === c.status ? old : c;
        });
      });
    },
    setNodeSchedulable(name, schedulable) {
      handle.mutate<NodeObject>("Node", undefined, name, (n) => {
        if (schedulable) delete n.spec.unschedulable;
        else n.spec.unschedulable = true;
      });
    },
    reconcile: () => controller.reconcile(),
    async waitFor(check, timeoutMs = 10_000, what = "condition") {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        controller.reconcile();
        if (check()) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, Math.max(5, Math.min(50, timings.tickMs))));
      }
    },
  };
  return handle;
}
