import type { KubeConfig } from "@kubernetes/client-node";
import type { z } from "zod";
import { splitId } from "@/lib/model/ids";
import type { TaskDetail, WorkloadCore } from "@/lib/model/types";
import type { Logger } from "@/lib/log";
import { Backoff } from "@/lib/model/backoff";
import { mapBounded } from "../concurrency";
import { sleep } from "../sleep";
import { AdapterError, asAdapterError, retryDelay } from "../errors";
import { ConnectionHealth, cutsOff, statusForFailure } from "../health";
import { lines } from "../lines";
import type { AdapterContext } from "../module";
import type { SecretSet } from "../secrets";
import { DEFAULT_ADAPTER_TIMINGS, withTimeout, withTimings, type AdapterTimings } from "../timings";
import {
  emptyUsageSample,
  type ClusterAdapter,
  type ConnectionState,
  type Requester,
  type Scalable,
  type SnapshotSink,
  type TaskDescriber,
  type UsageSample,
  type UsageSource,
} from "../types";
import { FileStamps, watchFiles } from "../watched-files";
import { buildKubeConfig, credentialFiles, type Env, type KubeConnection } from "./kube-config";
import { KubeApiError, KubeHttp, errorFromResponse, statusMessage } from "./kube-http";
import { DAEMONSET_NOT_SCALABLE, REPLICASET_NOT_SCALABLE, mapDeployment, mapNodeMetrics, mapPodMetrics, mapStatefulSet } from "./mappers";
import { WATCHED_RESOURCES, type ParsedObject, type WatchedResource } from "./resources";
import {
  KubeBookmarkSchema,
  KubeDeploymentSchema,
  KubeEventSchema,
  KubeListSchema,
  KubeNodeMetricsSchema,
  KubePodMetricsSchema,
  KubePodSchema,
  KubeStatefulSetSchema,
  KubeStatusSchema,
  KubeVersionSchema,
  KubeWatchEventSchema,
} from "./raw";
import { ClusterState } from "./state";
import { mapPodDetail } from "./task-detail";

export interface KubeTimings extends AdapterTimings {
  /** Restart a watch that delivered nothing, not even a bookmark, for this long. */
  watchdogMs: number;
  /** Items per list page (limit/continue). */
  pageSize: number;
}

const DEFAULT_KUBE_TIMINGS: KubeTimings = {
  ...DEFAULT_ADAPTER_TIMINGS,
  // A page of 500 objects from a busy apiserver may take longer than one small request.
  requestTimeoutMs: 30_000,
  // Watches carry every change; the relist only repairs what a watch could have missed.
  resyncMs: 10 * 60_000,
  watchdogMs: 90_000,
  pageSize: 500,
};

type WatchEnd =
  | { kind: "closed"; resourceVersion: string; events: number }
  /** Nothing arrived for the watchdog's time; `heard`: something had arrived before. */
  | { kind: "stalled"; resourceVersion: string; heard: boolean }
  | { kind: "resync" }
  | { kind: "gone" };

/** metrics.k8s.io's two lists, each read into [model id, use] pairs; a usage sample reads both. */
const METRICS = [
  {
    side: "nodes",
    path: "/apis/metrics.k8s.io/v1beta1/nodes",
    what: "node metrics",
    read: (body: unknown) => parseItems(body, "node metrics", KubeNodeMetricsSchema).map(mapNodeMetrics),
  },
  {
    side: "tasks",
    path: "/apis/metrics.k8s.io/v1beta1/pods",
    what: "pod metrics",
    read: (body: unknown) => parseItems(body, "pod metrics", KubePodMetricsSchema).map(mapPodMetrics),
  },
] as const;

/** No metrics-server: the API group is not served (404), or registered but its backend is down (503). */
function noMetricsApi(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 404 || err.status === 503);
}

/** A ClusterAdapter for one Kubernetes cluster: list+watch into the snapshot, scale, metrics. */
export class KubeAdapter implements ClusterAdapter, Scalable, UsageSource, TaskDescriber {
  readonly orchestrator = "kubernetes" as const;
  private readonly timings: KubeTimings;
  private readonly log: Logger;
  private readonly secrets: SecretSet;
  private readonly env: Env;
  private client: { kc: KubeConfig; http: KubeHttp; files: FileStamps } | null = null;
  /** The open watches' restarts, called when the credential files change: they reconnect with the new ones. */
  private readonly onCredentialsChanged = new Set<() => void>();
  /** The joined state of the current run(), for the autoscaler of a scaled workload and the ids usage names. */
  private state: ClusterState | null = null;

  /** `resources`: the WATCHED_RESOURCES to follow, all of them but in tests. */
  constructor(
    private readonly connection: KubeConnection,
    context: AdapterContext,
    timings: Partial<KubeTimings> = {},
    private readonly resources: readonly WatchedResource[] = WATCHED_RESOURCES,
  ) {
    this.timings = withTimings(DEFAULT_KUBE_TIMINGS, timings);
    this.env = context.env;
    this.log = context.log.child("kubernetes");
    this.secrets = context.secrets;
    try {
      // Loading the kubeconfig registers its credentials in `secrets` before anything is sent.
      this.connect();
    } catch {
      // A broken kubeconfig is reported by run(), which tries again.
    }
  }

  /**
   * The client of the kubeconfig, read again whenever a file it came from
   * changed (kubectl reads its kubeconfig on every call; tokens and
   * certificates rotate). A broken kubeconfig throws here and is reported by
   * run(), which tries again; it is never thrown at creation.
   */
  private connect() {
    if (this.client?.files.changed()) {
      this.log.info("the kubeconfig or a credential file changed; reconnecting with it");
      this.client = null;
      for (const restart of this.onCredentialsChanged) restart();
    }
    if (!this.client) {
      const kc = buildKubeConfig(this.connection, this.env);
      this.client = { kc, http: new KubeHttp(kc, this.secrets), files: new FileStamps(credentialFiles(this.connection, this.env, kc)) };
    }
    return this.client;
  }

  /**
   * Credentials refused: read them again on the next request, even from
   * unchanged files, since a new KubeConfig runs its exec plugin or OIDC
   * refresh again rather than reuse a token the cluster has revoked.
   */
  private reauthenticate(): void {
    this.client = null;
  }

  private timeout(signal?: AbortSignal): AbortSignal {
    return withTimeout(this.timings.requestTimeoutMs, signal);
  }

  // ------------------------------------------------------------ run

  async run(sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    const state = new ClusterState(
      (changes) => sink.apply(changes),
      this.resources.map((r) => r.name),
    );
    this.state = state;
    // run() must not reject: a sink that throws is the store's bug, not a reason to stop following.
    const setConnection = (s: ConnectionState) => {
      try {
        sink.setConnection(s);
      } catch (err) {
        this.log.error("the sink refused a connection state", { error: String(err) });
      }
    };
    const health = new ConnectionHealth(
      this.resources.map((r) => r.name),
      setConnection,
      // The apiserver may have been upgraded while it could not be reached.
      {
        onRecovered: () =>
          void this.fetchVersion(signal).then(
            (v) => v && health.setVersion(v),
            () => undefined,
          ),
      },
    );

    watchFiles(credentialFiles(this.connection, this.env, this.client?.kc ?? null), () => this.checkCredentialFiles(), signal);

    // Until the apiserver answers /version there is nothing to list.
    const backoff = new Backoff(this.timings.backoff);
    while (!signal.aborted) {
      try {
        health.setVersion(await this.fetchVersion(signal));
        break;
      } catch (err) {
        if (signal.aborted) break;
        const e = asAdapterError(err, "GET /version");
        // The apiserver answers, only not /version (a 403): follow it without a version.
        if (this.client && !cutsOff(e)) break;
        // Cut off, or no usable kubeconfig (then nothing can be sent at all).
        this.log.warn("cluster not reachable", { reason: e.message });
        if (e.code === "unauthorized") this.reauthenticate();
        setConnection({ status: statusForFailure(e), reason: e.message, version: null });
        await sleep(backoff.next(), signal);
      }
    }
    // One list+watch loop per resource, for as long as run() lasts: a fixed set, not upstream items.
    await Promise.all(this.resources.map((r) => this.follow(r, state, health, signal)));
    if (this.state === state) this.state = null;
  }

  /** A credential file changed on disk: reconnect now rather than at the next request (an idle watch sends none). */
  private checkCredentialFiles(): void {
    try {
      this.connect();
    } catch (err) {
      // A kubeconfig caught half-written, or broken: the next request reports it.
      this.log.warn("the kubeconfig could not be read again", { reason: asAdapterError(err, "kubeconfig").message });
    }
  }

  private async fetchVersion(signal: AbortSignal): Promise<string | null> {
    const { http } = this.connect();
    const body = await http.getJson("/version", "GET /version", this.timeout(signal));
    const parsed = KubeVersionSchema.safeParse(body);
    return parsed.success ? parsed.data.gitVersion : null;
  }

  /** List, then watch from the list's resourceVersion, forever; relist after errors, 410 and every resync period. */
  private async follow(resource: WatchedResource, state: ClusterState, health: ConnectionHealth, signal: AbortSignal) {
    const backoff = new Backoff(this.timings.backoff);
    let resourceVersion: string | null = null;
    let listedAt = 0;
    /** An optional resource was refused and that was logged. */
    let quiet = false;
    /** A refusal of the credentials was retried at once with them read again. */
    let reauthenticated = false;
    /** Watches in a row that went silent without a byte: a wedged connection or server, not a quiet resource. */
    let silentWatches = 0;
    while (!signal.aborted) {
      try {
        if (resourceVersion === null) {
          resourceVersion = await this.list(resource, state, signal);
          listedAt = Date.now();
          if (quiet) this.log.info("following an optional resource again", { resource: resource.name });
          quiet = false;
          reauthenticated = false;
          health.ok(resource.name);
          backoff.reset();
        }
        const untilResync = listedAt + this.timings.resyncMs - Date.now();
        if (untilResync <= 0) {
          resourceVersion = null;
          continue;
        }
        const startedAt = Date.now();
        const heard = () => {
          if (silentWatches < 2) return;
          silentWatches = 0;
          health.ok(resource.name);
        };
        const end = await this.watch(resource, resourceVersion, untilResync, state, heard, signal);
        if (end.kind === "gone") {
          this.log.info("watch history expired (410); relisting", { resource: resource.name });
          resourceVersion = null;
        } else if (end.kind === "resync") {
          resourceVersion = null;
        } else if (end.kind === "stalled") {
          this.log.warn("watch delivered nothing within the watchdog time; restarting it", { resource: resource.name });
          resourceVersion = end.resourceVersion;
          silentWatches = end.heard ? 0 : silentWatches + 1;
          // Once is a lost connection; twice, and the data shown may be old: say so until the stream speaks again.
          // The server did answer (a request it never answers times out as such), so it is not cut off: "upstream".
          if (silentWatches >= 2) {
            const silentFor = Math.round((silentWatches * this.timings.watchdogMs) / 1000);
            health.failed(
              resource.name,
              new AdapterError("upstream", `watch ${resource.name}: the stream has sent nothing for ${silentFor} s`),
            );
          }
        } else {
          resourceVersion = end.resourceVersion;
          // A server that ends every watch at once would otherwise make this loop spin.
          if (end.events === 0 && Date.now() - startedAt < 1000) await sleep(backoff.next(), signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof KubeApiError && err.status === 410) {
          // A paged list whose continue token expired: start the list over, nothing is wrong.
          this.log.info("list expired while paging; relisting", { resource: resource.name });
          resourceVersion = null;
          await sleep(backoff.next(), signal);
          continue;
        }
        const e = asAdapterError(err, `watch ${resource.name}`);
        if (e.code === "unauthorized") {
          this.reauthenticate();
          if (!reauthenticated) {
            // Rotated credentials are the likely cause: one retry with them read again before saying "unauthorized".
            reauthenticated = true;
            resourceVersion = null;
            continue;
          }
        }
        if (resource.optional && (e.code === "forbidden" || e.code === "not-found")) {
          // Nice to have (events): without access the cluster is still fully usable, so it stays ok.
          if (!quiet) this.log.info("not following an optional resource", { resource: resource.name, code: e.code, reason: e.message });
          quiet = true;
          state.sourceUnavailable(resource.name);
          health.ok(resource.name);
          resourceVersion = null;
          await sleep(this.timings.resyncMs, signal);
          continue;
        }
        this.log.warn("list/watch failed; retrying", { resource: resource.name, code: e.code, reason: e.message });
        health.failed(resource.name, e);
        // Forbidden or not served: list the rest without it rather than show nothing.
        if (e.code === "forbidden" || e.code === "not-found") state.sourceUnavailable(resource.name);
        resourceVersion = null;
        await sleep(retryDelay(backoff, e), signal);
      }
    }
  }

  /** Lists page by page, emits "replace", answers the resourceVersion to watch from. */
  private async list(resource: WatchedResource, state: ClusterState, signal: AbortSignal): Promise<string> {
    const { http } = this.connect();
    const what = `list ${resource.name}`;
    const items: ParsedObject[] = [];
    let invalid = 0;
    let resourceVersion: string | null = null;
    let continueToken: string | null | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.timings.pageSize) });
      if (continueToken) query.set("continue", continueToken);
      const body = await http.getJson(`${resource.path}?${query}`, what, this.timeout(signal));
      const page = KubeListSchema.safeParse(body);
      if (!page.success) throw new AdapterError("upstream", `${what}: the answer is not a Kubernetes list`);
      for (const raw of page.data.items ?? []) {
        const item = resource.parse(raw);
        if (item) items.push(item);
        else invalid++;
      }
      // A paged list is one consistent snapshot at the first page's resourceVersion.
      resourceVersion ??= page.data.metadata?.resourceVersion ?? "";
      continueToken = page.data.metadata?.continue;
    } while (continueToken);
    if (invalid) this.log.warn("skipped objects that do not look like the API's", { resource: resource.name, invalid });
    state.markListed(resource.name);
    resource.replace(state, items);
    return resourceVersion;
  }

  private async watch(
    resource: WatchedResource,
    fromVersion: string,
    maxMs: number,
    state: ClusterState,
    onHeard: () => void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    const { http } = this.connect();
    const what = `watch ${resource.name}`;
    let resourceVersion = fromVersion;
    let events = 0;
    let answered = false;
    let heard = false;
    let ended: "stalled" | "resync" | null = null;
    const controller = new AbortController();
    const stop = (why: "stalled" | "resync") => {
      ended ??= why;
      controller.abort();
    };
    const onAbort = () => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const resyncTimer = setTimeout(() => stop("resync"), maxMs);
    // New credentials may name another cluster: relist rather than resume.
    const restart = () => stop("resync");
    this.onCredentialsChanged.add(restart);
    const watchdog = setTimeout(() => stop("stalled"), this.timings.watchdogMs);
    const pet = () => {
      watchdog.refresh();
      if (!heard) onHeard();
      heard = true;
    };

    try {
      const query = new URLSearchParams({
        watch: "1",
        resourceVersion: fromVersion,
        allowWatchBookmarks: "true",
        // Let the server end the watch cleanly a little after we would anyway.
        timeoutSeconds: String(Math.max(1, Math.ceil(maxMs / 1000) + 5)),
      });
      const res = await http.request(`${resource.path}?${query}`, what, { signal: controller.signal });
      if (res.status === 410) {
        await res.body?.cancel();
        return { kind: "gone" };
      }
      if (!res.ok || !res.body) throw await errorFromResponse(res, what);
      answered = true;
      watchdog.refresh();
      for await (const line of lines(res.body, { onChunk: pet, yieldUnterminated: true })) {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          throw new AdapterError("upstream", `${what}: the stream sent a line that is not JSON`);
        }
        const event = KubeWatchEventSchema.safeParse(json);
        if (!event.success) throw new AdapterError("upstream", `${what}: the stream sent something that is not a watch event`);
        const { type, object } = event.data;
        if (type === "ERROR") {
          const status = KubeStatusSchema.safeParse(object);
          const code = status.success ? (status.data.code ?? 500) : 500;
          if (code === 410) return { kind: "gone" };
          throw new KubeApiError(code, `${what}: ${statusMessage(object, code)}`);
        }
        if (type === "BOOKMARK") {
          // A bookmark carries only a newer resourceVersion to resume from.
          const bookmark = KubeBookmarkSchema.safeParse(object);
          if (bookmark.success && bookmark.data.metadata.resourceVersion) {
            resourceVersion = bookmark.data.metadata.resourceVersion;
          }
          continue;
        }
        const item = resource.parse(object);
        if (!item) {
          this.log.warn("skipped a watch event whose object does not look like the API's", { resource: resource.name, type });
          continue;
        }
        if (type === "ADDED" || type === "MODIFIED") resource.upsert(state, item);
        else resource.remove(state, item);
        events++;
        // Opaque: only ever handed back to the server, never compared by size.
        if (item.metadata.resourceVersion) resourceVersion = item.metadata.resourceVersion;
      }
      return ended === "stalled" ? { kind: "stalled", resourceVersion, heard } : { kind: "closed", resourceVersion, events };
    } catch (err) {
      // A server that accepts a watch and never answers it is as good as unreachable.
      if (ended === "stalled" && !answered) {
        throw new AdapterError("timeout", `${what}: no answer within ${Math.round(this.timings.watchdogMs / 1000)} s`);
      }
      if (ended === "stalled") return { kind: "stalled", resourceVersion, heard };
      if (ended === "resync") return { kind: "resync" };
      if (signal.aborted) return { kind: "closed", resourceVersion, events };
      throw asAdapterError(err, what);
    } finally {
      clearTimeout(watchdog);
      clearTimeout(resyncTimer);
      this.onCredentialsChanged.delete(restart);
      signal.removeEventListener("abort", onAbort);
      controller.abort();
    }
  }

  // ------------------------------------------------------------ scale

  /**
   * Patches the /scale subresource (a merge patch needs only the scale
   * permission), then reads the workload back with Fleetdeck's own
   * credentials. With `impersonate` set on the connection, the patch is sent
   * as `requester` (see impersonationHeaders) and the cluster's RBAC decides.
   */
  async scale(workloadId: string, replicas: number, signal?: AbortSignal, requester?: Requester): Promise<WorkloadCore> {
    const parts = splitId(workloadId);
    const [kind, namespace, name] = parts;
    if (parts.length !== 3 || !namespace || !name) throw new AdapterError("not-found", `no workload ${workloadId}`);
    if (kind === "daemonset") throw new AdapterError("invalid", DAEMONSET_NOT_SCALABLE);
    if (kind === "replicaset") throw new AdapterError("invalid", REPLICASET_NOT_SCALABLE);
    if (kind !== "deployment" && kind !== "statefulset") throw new AdapterError("not-found", `no workload ${workloadId}`);
    const impersonation = this.connection.impersonate ? impersonationHeaders(requester) : {};

    const what = `scale ${kind} ${namespace}/${name}`;
    const { http } = this.connect();
    const bounded = this.timeout(signal);
    const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${kind}s/${encodeURIComponent(name)}`;
    const autoscaler = this.state?.autoscalerFor(workloadId) ?? null;
    try {
      const res = await http.send(`${path}/scale`, what, {
        method: "PATCH",
        headers: { "Content-Type": "application/merge-patch+json", ...impersonation },
        body: JSON.stringify({ spec: { replicas } }),
        signal: bounded,
      });
      // The apiserver's own words: a 403 names the user, the verb and the resource.
      if (res.status < 200 || res.status >= 300) throw new KubeApiError(res.status, statusMessage(res.text, res.status));
      const body = await http.getJson(path, `read ${kind} ${namespace}/${name}`, bounded);
      const claims = this.state?.knownClaims ?? null;
      if (kind === "deployment") return mapDeployment(KubeDeploymentSchema.parse(body), autoscaler, claims);
      return mapStatefulSet(KubeStatefulSetSchema.parse(body), autoscaler, claims);
    } catch (err) {
      throw asAdapterError(err, what);
    }
  }

  // ------------------------------------------------------------ describe

  /** GET the pod, then its events by uid (a pod of the same name before it had others). */
  async describeTask(taskId: string, signal?: AbortSignal): Promise<TaskDetail> {
    const parts = splitId(taskId);
    const [namespace, name] = parts;
    if (parts.length !== 2 || !namespace || !name) throw new AdapterError("not-found", `no pod ${taskId}`);
    const what = `read pod ${namespace}/${name}`;
    const { http } = this.connect();
    const bounded = this.timeout(signal);
    try {
      const ns = encodeURIComponent(namespace);
      const pod = KubePodSchema.parse(await http.getJson(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(name)}`, what, bounded));
      const selector = encodeURIComponent(`regarding.kind=Pod,regarding.uid=${pod.metadata.uid ?? ""}`);
      const eventsWhat = `events of pod ${namespace}/${name}`;
      // Events are optional, as in run(): without them (forbidden, say) the pod is still described, and says so.
      const events = await http
        .getJson(`/apis/events.k8s.io/v1/namespaces/${ns}/events?fieldSelector=${selector}`, eventsWhat, bounded)
        .then((body) => parseItems(body, "events", KubeEventSchema))
        .catch((err: unknown) => {
          if (bounded.aborted) throw err;
          return asAdapterError(err, eventsWhat);
        });
      return mapPodDetail(pod, events, new Date().toISOString());
    } catch (err) {
      throw asAdapterError(err, what);
    }
  }

  // ------------------------------------------------------------ usage

  /**
   * Reads node and pod metrics together. Null without metrics-server. When
   * one of the two lists fails, the sample has the other, and names every
   * node (or task) the adapter follows as unavailable with the failure; when
   * both fail, this throws.
   */
  async sampleUsage(signal?: AbortSignal): Promise<UsageSample | null> {
    const { http } = this.connect();
    const reads = await mapBounded(METRICS, METRICS.length, async (m) => m.read(await http.getJson(m.path, m.what, this.timeout(signal))));
    const failures = reads.flatMap((r) => ("error" in r ? [r.error] : []));
    if (failures.length === reads.length) {
      // No metrics-server (the API group is missing, or registered but down): no usage, never zeros.
      if (failures.some(noMetricsApi)) return null;
      throw asAdapterError(failures[0], "metrics.k8s.io");
    }
    const sample = emptyUsageSample();
    for (const read of reads) {
      const { item } = read;
      if (!("error" in read)) {
        for (const [id, use] of read.value) sample[item.side].set(id, use);
        continue;
      }
      const reason = asAdapterError(read.error, item.what).message;
      // Only what this run() follows can be named; without a run() there is nothing to name.
      const known = item.side === "nodes" ? this.state?.nodeIds : this.state?.taskIds;
      for (const id of known ?? []) sample.unavailable[item.side].set(id, reason);
    }
    return sample;
  }
}

/** The items of a list answer that pass `schema`; the others are skipped. */
function parseItems<T>(body: unknown, what: string, schema: z.ZodType<T>): T[] {
  const list = KubeListSchema.safeParse(body);
  if (!list.success) throw new AdapterError("upstream", `${what}: the answer is not a list`);
  return (list.data.items ?? []).flatMap((raw) => {
    const r = schema.safeParse(raw);
    return r.success ? [r.data] : [];
  });
}

export const ANONYMOUS_USER = "system:anonymous";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";

/**
 * The Impersonate-* headers that make the apiserver act as `requester`: the
 * user, and one Impersonate-Group line per group (the apiserver adds
 * system:authenticated itself). An anonymous requester is system:anonymous in
 * system:unauthenticated. Without a requester, or with a blank name, this
 * refuses (forbidden) rather than let the change go out as Fleetdeck itself.
 * Values are sent as their UTF-8 bytes, as client-go does; control characters
 * cannot be sent at all.
 */
export function impersonationHeaders(requester: Requester | undefined): Record<string, string | string[]> {
  if (!requester) {
    throw new AdapterError("forbidden", "this cluster acts as the user who asks (impersonate: true), and this change names no user");
  }
  const user = requester.anonymous ? ANONYMOUS_USER : requester.name.trim();
  if (!user) throw new AdapterError("forbidden", "this cluster acts as the user who asks (impersonate: true), and this user has no name");
  const groups = requester.anonymous ? [UNAUTHENTICATED_GROUP] : [...new Set(requester.groups.map((g) => g.trim()).filter(Boolean))];
  const headers: Record<string, string | string[]> = { "Impersonate-User": headerValue(user, "user name") };
  if (groups.length) headers["Impersonate-Group"] = groups.map((g) => headerValue(g, "group"));
  return headers;
}

function headerValue(value: string, what: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new AdapterError("invalid", `the ${what} ${JSON.stringify(value)} cannot be sent to Kubernetes`);
  // HTTP header strings are written byte per character (latin1): hand over the UTF-8 bytes.
  return Buffer.from(value, "utf8").toString("latin1");
}
