/**
 * The simulated apiserver's HTTP surface (node:http, no framework): discovery,
 * list/get with label and field selectors, chunked watches with bookmarks and
 * 410 Expired, the scale subresource, merge/strategic/JSON patches, pod
 * deletion, metrics.k8s.io, bearer-token authentication with per-token rights,
 * and impersonation authorized by RBAC (rbac.ts).
 */

import http from "node:http";
import { FaultInjector, type FaultProtocol } from "../faults";
import type { AddressInfo, Socket } from "node:net";
import type { ClusterController } from "./controllers";
import { ExpiredError, type ObjectStore, type StoredEvent } from "./store";
import {
  apiGroups,
  apiResourceList,
  findResourceType,
  groupVersion,
  METRICS_RESOURCE_TYPES,
  qualifiedName,
  RBAC_GROUP,
  storedType,
  type ResourceType,
} from "./resources";
import {
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  selectorString,
  type FieldRequirement,
  type Requirement,
} from "./selectors";
import {
  ApiError,
  badRequest,
  conflict,
  fail,
  forbiddenRequest,
  invalid,
  isPathRequest,
  notFound,
  pathNotFound,
  status,
  type Attributes,
} from "./status";
import type { DeploymentObject, EventObject, KubeObject, NodeObject, Pod, StatefulSetObject, UsageProfile } from "./types";
import { coreEvent } from "./events";
import { defaultStorageClass } from "./storage";
import { nodeMetrics, podMetrics } from "./metrics";
import { decodeProtobufBody, isProtobuf } from "./protobuf";
import { toTable, wantsTable } from "./table";
import { alreadyExists, prepareCreate } from "./defaults";
import type { SeededRandom } from "./random";
import {
  ANONYMOUS,
  AUTHENTICATED,
  authorizeOrThrow,
  impersonate,
  MASTERS,
  prepareRbac,
  UNAUTHENTICATED,
  type RbacObjects,
  type UserInfo,
} from "./rbac";

/**
 * A bearer token and who it authenticates. The token's own requests are
 * decided by readOnly and deny alone (everything else is allowed); RBAC
 * decides whether it may impersonate (Impersonate-* headers), for its user
 * and groups, as on a real cluster: the admin kubeconfig's user is in
 * system:masters, bound to cluster-admin.
 */
export interface TokenSpec {
  token: string;
  /** The user name the apiserver reports in 403 messages and RBAC subjects match. */
  user: string;
  /** Groups RBAC subjects match (system:authenticated is added), e.g. ["system:masters"]. */
  groups?: string[];
  /** Only get, list and watch are allowed. */
  readOnly?: boolean;
  /** Resource plurals (e.g. "endpointslices") this token may not touch at all. */
  deny?: string[];
}

/** Who sent a request: the token's rights for its own requests, and its identity for RBAC. */
interface Caller {
  spec: TokenSpec;
  user: UserInfo;
}

export interface ApiContext {
  store: ObjectStore;
  controller: ClusterController;
  gitVersion: string;
  /** null: no authentication (every request is an admin). */
  tokens: TokenSpec[] | null;
  /** Rights of requests without credentials when tokens are set (null: 401, like --anonymous-auth=false). */
  anonymous: TokenSpec | null;
  /** Roles and bindings, for impersonation and impersonated requests. */
  rbac: RbacObjects;
  bookmarkIntervalMs: number;
  metricsEnabled(): boolean;
  watchesPaused(): boolean;
  profileOf(pod: Pod): UsageProfile | undefined;
  /** cAdvisor's Prometheus text for a node (undefined: no such node), served through the node proxy. */
  cadvisorMetrics(node: string): string | undefined;
  /** kube-state-metrics' Prometheus text, served through its service proxy. */
  kubeStateMetrics(): string;
  random: SeededRandom;
}

const READ_VERBS = new Set(["get", "list", "watch"]);
const MAX_BODY = 1 << 20;

interface ActiveWatch {
  response: http.ServerResponse;
  /** Set once delivery was paused: a wedged stream never recovers, like a half-dead TCP connection. */
  stalled: boolean;
  close(): void;
}

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

/** Where kube-state-metrics answers: its Service's proxy, as `kubectl get --raw` and Prometheus reach it through the apiserver. */
export const KUBE_STATE_METRICS_PATH = "/api/v1/namespaces/kube-system/services/kube-state-metrics:8080/proxy/metrics";

function sendPrometheus(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** An object as a resource serves it: stored objects as they are, a view's converted (core/v1 events). */
function served(type: ResourceType, o: KubeObject): KubeObject {
  return type.viewOf ? coreEvent(o as EventObject) : o;
}

/** List items carry no kind/apiVersion on the wire; only the list does. */
function listItem(o: KubeObject): Omit<KubeObject, "kind" | "apiVersion"> {
  const { kind, apiVersion, ...rest } = o;
  void kind;
  void apiVersion;
  return rest;
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(fail(413, "RequestEntityTooLarge", "the request body is too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString("utf8");
      if (!text.trim()) return reject(badRequest("the request body is empty"));
      try {
        resolve(isProtobuf(req.headers["content-type"]) ? decodeProtobufBody(raw) : JSON.parse(text));
      } catch (e) {
        reject(e instanceof ApiError ? e : badRequest(`error decoding the request body: ${(e as Error).message}`));
      }
    });
    req.on("error", reject);
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch (strategic merge treated alike: the fields patched here have no list semantics). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch over add/replace/remove/test with object paths and array indices. */
function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("the JSON patch must be an array of operations");
  const doc = structuredClone(target);
  for (const op of ops) {
    if (!isPlainObject(op) || typeof op.op !== "string" || typeof op.path !== "string") throw badRequest("invalid JSON patch operation");
    const parts = op.path
      .split("/")
      .slice(1)
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (parts.length === 0) throw badRequest(`invalid JSON patch path "${op.path}"`);
    let parent: unknown = doc;
    for (const p of parts.slice(0, -1)) {
      parent = (parent as Record<string, unknown>)?.[p];
      if (typeof parent !== "object" || parent === null) {
        throw fail(422, "Invalid", `the server rejected our request due to an error in our request: doc is missing path: "${op.path}"`);
      }
    }
    const last = parts[parts.length - 1];
    const container = parent as Record<string, unknown>;
    switch (op.op) {
      case "add":
      case "replace":
        if (Array.isArray(container) && last === "-") container.push(op.value);
        else container[last] = op.value;
        break;
      case "remove":
        delete container[last];
        break;
      case "test":
        if (JSON.stringify(container[last]) !== JSON.stringify(op.value)) {
          throw fail(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${op.path} failed`);
        }
        break;
      default:
        throw badRequest(`unsupported JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

function applyPatch(contentType: string, target: unknown, body: unknown): unknown {
  const ct = contentType.split(";")[0].trim().toLowerCase();
  if (ct === "application/merge-patch+json" || ct === "application/strategic-merge-patch+json") return mergePatch(target, body);
  if (ct === "application/json-patch+json") return jsonPatch(target, body);
  throw fail(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
  );
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Injected failures answer as the apiserver's own do: a metav1.Status. */
const KUBE_FAULT_PROTOCOL: FaultProtocol = {
  contentType: "application/json",
  errorAnswer: (code, message) => {
    const reason = code === 429 ? "TooManyRequests" : code === 503 ? "ServiceUnavailable" : "InternalError";
    return { contentType: "application/json", body: JSON.stringify(status(code, reason, message)) };
  },
};

export class KubeApiServer {
  private readonly server: http.Server;
  readonly faults = new FaultInjector();
  private readonly watches = new Set<ActiveWatch>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly ctx: ApiContext) {
    const listener: http.RequestListener = (req, res) => {
      this.handle(req, res).catch((e) => {
        const body = e instanceof ApiError ? e.body : status(500, "InternalError", `Internal error occurred: ${(e as Error).message}`);
        if (!res.headersSent) sendJson(res, body.code, body);
        else res.end();
      });
    };
    this.server = http.createServer(this.faults.wrap(listener, KUBE_FAULT_PROTOCOL));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  /** Listens on `port`; while already listening, answers the port it has. */
  listen(host: string, port: number): Promise<number> {
    if (this.server.listening) return Promise.resolve((this.server.address() as AddressInfo).port);
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops listening and cuts every connection, watches included. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.closeWatches();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  get activeWatches(): number {
    return this.watches.size;
  }

  closeWatches(): void {
    for (const w of [...this.watches]) w.close();
  }

  /** Marks every open watch stalled: it stays open and silent for good. */
  stallWatches(): void {
    for (const w of this.watches) w.stalled = true;
  }

  /** Requests answered 401: how often a client sent credentials this server no longer accepts. */
  refusedCredentials = 0;

  private authenticate(req: http.IncomingMessage): Caller {
    if (!this.ctx.tokens)
      return { spec: { token: "", user: "system:admin" }, user: { name: "system:admin", groups: [MASTERS, AUTHENTICATED] } };
    const header = req.headers.authorization ?? "";
    if (!header && this.ctx.anonymous) return { spec: this.ctx.anonymous, user: { name: ANONYMOUS, groups: [UNAUTHENTICATED] } };
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const found = m ? this.ctx.tokens.find((t) => t.token === m[1].trim()) : undefined;
    if (!found) {
      this.refusedCredentials += 1;
      throw fail(401, "Unauthorized", "Unauthorized");
    }
    return { spec: found, user: { name: found.user, groups: [...new Set([...(found.groups ?? []), AUTHENTICATED])] } };
  }

  /**
   * Authorizes one request: as the impersonated user by RBAC when the request
   * impersonates, else by the token's own rights (readOnly, deny), which allow
   * every path.
   */
  private authorizer(caller: Caller, req: http.IncomingMessage): (a: Attributes) => void {
    const acting = impersonate(this.ctx.rbac, caller.user, req.headersDistinct);
    if (acting) return (a) => authorizeOrThrow(this.ctx.rbac, acting, a);
    const { spec } = caller;
    return (a) => {
      if (isPathRequest(a)) return;
      const denied =
        a.apiGroup === "metrics.k8s.io" ? spec.deny?.includes(`metrics.k8s.io/${a.resource}`) : spec.deny?.includes(a.resource);
      if ((spec.readOnly && !READ_VERBS.has(a.verb)) || denied) throw forbiddenRequest(spec.user, a);
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (path === "/version") {
      const [major, minor] = this.ctx.gitVersion.replace(/^v/, "").split(".");
      return sendJson(res, 200, {
        major,
        minor,
        gitVersion: this.ctx.gitVersion,
        gitCommit: "fleetdeck-simulator",
        gitTreeState: "clean",
        buildDate: "2024-12-10T11:36:04Z",
        goVersion: "go1.22.9",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }

    const check = this.authorizer(this.authenticate(req), req);
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    const discovery = (segs[0] === "api" && segs.length <= 2) || (segs[0] === "apis" && segs.length <= 3);
    if (discovery || (segs[0] !== "api" && segs[0] !== "apis")) check({ verb: method.toLowerCase(), path });

    // Discovery.
    if (segs[0] === "api" && segs.length === 1) {
      const host = req.headers.host ?? "";
      return sendJson(res, 200, {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
      });
    }
    if (segs[0] === "apis" && segs.length === 1) {
      return sendJson(res, 200, {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: apiGroups(this.ctx.metricsEnabled()).map((g) => this.apiGroup(g.name, g.versions)),
      });
    }
    if (segs[0] === "apis" && segs.length === 2) {
      const g = apiGroups(this.ctx.metricsEnabled()).find((x) => x.name === segs[1]);
      if (!g) throw pathNotFound();
      return sendJson(res, 200, { kind: "APIGroup", apiVersion: "v1", ...this.apiGroup(g.name, g.versions) });
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === "api" && segs[1] === "v1") [group, version, rest] = ["", "v1", segs.slice(2)];
    else if (segs[0] === "apis" && segs.length >= 3) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
    else throw pathNotFound();

    if (rest.length === 0) {
      const list = apiResourceList(group, version, this.ctx.metricsEnabled());
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }

    // The kubelet's cAdvisor endpoint through the node proxy, and kube-state-metrics through its service proxy, as Prometheus scrapes them.
    if (group === "" && rest[0] === "nodes" && rest[2] === "proxy" && rest.slice(3).join("/") === "metrics/cadvisor") {
      check({
        verb: method.toLowerCase() === "get" ? "get" : "create",
        apiGroup: "",
        resource: "nodes",
        subresource: "proxy",
        name: rest[1],
      });
      const text = this.ctx.cadvisorMetrics(rest[1]);
      if (text === undefined) throw notFound(findResourceType("", "v1", "nodes")!, rest[1]);
      return sendPrometheus(res, text);
    }
    if (group === "" && path === KUBE_STATE_METRICS_PATH) {
      check({
        verb: method.toLowerCase() === "get" ? "get" : "create",
        apiGroup: "",
        resource: "services",
        subresource: "proxy",
        namespace: "kube-system",
        name: "kube-state-metrics:8080",
      });
      return sendPrometheus(res, this.ctx.kubeStateMetrics());
    }

    if (group === "metrics.k8s.io") {
      if (!this.ctx.metricsEnabled() || version !== "v1beta1") throw pathNotFound();
      if (method !== "GET") throw fail(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
      return this.metrics(res, rest, check);
    }

    const route = this.route(group, version, rest);
    const watching = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    const verb =
      method === "GET"
        ? watching
          ? "watch"
          : route.name
            ? "get"
            : "list"
        : method === "PATCH"
          ? "patch"
          : method === "PUT"
            ? "update"
            : method === "DELETE"
              ? route.name
                ? "delete"
                : "deletecollection"
              : method === "POST"
                ? "create"
                : method.toLowerCase();
    check({
      verb,
      apiGroup: route.type.group,
      resource: route.type.plural,
      subresource: route.sub,
      namespace: route.namespace,
      name: route.name,
    });

    if (route.sub !== undefined) {
      if (route.sub !== "scale" || !route.type.subresources?.includes("scale")) throw pathNotFound();
      return this.scale(req, res, route, method);
    }
    if (route.type.viewOf && method !== "GET") {
      throw fail(
        405,
        "MethodNotAllowed",
        `the simulator serves ${qualifiedName(route.type)} read-only; write ${route.type.viewOf.plural}.${route.type.viewOf.group}`,
      );
    }
    if (method === "GET") {
      if (watching) return this.watch(req, res, route, url.searchParams);
      if (route.name) {
        const stored = this.ctx.store.get(storedType(route.type), route.namespace, route.name);
        if (!stored) throw notFound(route.type, route.name);
        const o = served(route.type, stored);
        if (wantsTable(req.headers.accept)) {
          return sendJson(
            res,
            200,
            toTable(route.type.kind, [o], { includeObject: url.searchParams.get("includeObject"), withColumns: true }),
          );
        }
        return sendJson(res, 200, o);
      }
      return this.list(req, res, route, url.searchParams);
    }
    if ((method === "PATCH" || method === "PUT") && route.name) return this.update(req, res, route, method);
    if (method === "POST" && !route.name) return this.create(req, res, route);
    if (method === "DELETE" && route.name) {
      if (route.type.kind === "Pod") {
        const pod = this.ctx.store.get<Pod>(route.type, route.namespace, route.name);
        if (!pod) throw notFound(route.type, route.name);
        return sendJson(res, 200, this.ctx.controller.deletePod(pod));
      }
      if (route.type.kind === "Node" || route.type.kind === "Namespace") {
        throw fail(405, "MethodNotAllowed", `the simulator does not delete ${route.type.plural}`);
      }
      // Foreground-free deletion: the object goes now, the garbage collector takes what it owned.
      const deleted = this.ctx.store.delete(route.type, route.namespace, route.name);
      if (!deleted) throw notFound(route.type, route.name);
      this.ctx.controller.reconcile();
      return sendJson(res, 200, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: {
          name: route.name,
          ...(route.type.group ? { group: route.type.group } : {}),
          kind: route.type.plural,
          uid: deleted.metadata.uid,
        },
      });
    }
    throw fail(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method} ${route.type.plural})`);
  }

  private apiGroup(name: string, versions: string[]) {
    const v = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: v, preferredVersion: v[0] };
  }

  private route(group: string, version: string, rest: string[]): Route {
    const { namespace, parts } = splitNamespace(rest);
    const [plural, name, sub, ...extra] = parts;
    const type = findResourceType(group, version, plural);
    if (!type || extra.length > 0) throw pathNotFound();
    if (namespace !== undefined && !type.namespaced) throw pathNotFound();
    return { type, namespace, name, sub };
  }

  private selectors(route: Route, q: URLSearchParams): { labels: Requirement[]; fields: FieldRequirement[] } {
    try {
      const fields = parseFieldSelector(q.get("fieldSelector"), route.type.kind, route.type.group);
      if (route.name) fields.push({ field: "metadata.name", op: "=", value: route.name });
      return { labels: parseLabelSelector(q.get("labelSelector")), fields };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  private list(req: http.IncomingMessage, res: http.ServerResponse, route: Route, q: URLSearchParams): void {
    const { labels, fields } = this.selectors(route, q);
    const items = this.ctx.store
      .list(storedType(route.type), route.namespace)
      .map((o) => served(route.type, o))
      .filter((o) => matchesRequirements(o.metadata.labels, labels) && matchesFields(o, fields));
    if (wantsTable(req.headers.accept)) {
      const resourceVersion = String(this.ctx.store.resourceVersion);
      return sendJson(
        res,
        200,
        toTable(route.type.kind, items, { resourceVersion, includeObject: q.get("includeObject"), withColumns: true }),
      );
    }
    sendJson(res, 200, {
      kind: `${route.type.kind}List`,
      apiVersion: groupVersion(route.type),
      metadata: { resourceVersion: String(this.ctx.store.resourceVersion) },
      items: items.map(listItem),
    });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, route: Route, q: URLSearchParams): void {
    const { labels, fields } = this.selectors({ ...route, name: undefined }, q);
    if (route.name) fields.push({ field: "metadata.name", op: "=", value: route.name });
    const rvParam = q.get("resourceVersion") ?? "";
    const fromStart = rvParam === "" || rvParam === "0";
    const fromRv = fromStart ? this.ctx.store.resourceVersion : Number(rvParam);
    if (!Number.isInteger(fromRv) || fromRv < 0) throw badRequest(`invalid resource version: ${rvParam}`);
    const bookmarks = q.get("allowWatchBookmarks") === "true" || q.get("allowWatchBookmarks") === "1";
    const timeoutS = Number(q.get("timeoutSeconds") ?? "") || 1800;

    const matches = (o: KubeObject | undefined) =>
      o !== undefined &&
      (route.namespace === undefined || o.metadata.namespace === route.namespace) &&
      matchesRequirements(o.metadata.labels, labels) &&
      matchesFields(o, fields);

    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.flushHeaders();

    const asTable = wantsTable(req.headers.accept);
    let columnsSent = false;
    const write = (type: string, object: unknown) => {
      if (this.ctx.watchesPaused()) watch.stalled = true;
      if (watch.stalled || res.writableEnded || res.destroyed) return;
      let payload = object;
      if (asTable && type !== "BOOKMARK" && type !== "ERROR") {
        // kubectl get -w: each event carries a one-row Table; column definitions only in the first.
        payload = toTable(route.type.kind, [object as KubeObject], { includeObject: q.get("includeObject"), withColumns: !columnsSent });
        columnsSent = true;
      }
      res.write(JSON.stringify({ type, object: payload }) + "\n");
    };

    let unsubscribe = () => {};
    const timers: { bookmark?: NodeJS.Timeout; timeout?: NodeJS.Timeout } = {};
    const watch: ActiveWatch = {
      response: res,
      stalled: false,
      close: () => {
        unsubscribe();
        clearInterval(timers.bookmark);
        clearTimeout(timers.timeout);
        this.watches.delete(watch);
        if (!res.writableEnded) res.end();
      },
    };

    let backlog: StoredEvent[];
    try {
      backlog = fromStart ? [] : this.ctx.store.eventsSince(fromRv);
    } catch (e) {
      if (!(e instanceof ExpiredError)) throw e;
      res.end(JSON.stringify({ type: "ERROR", object: status(410, "Expired", e.message) }) + "\n");
      return;
    }

    this.watches.add(watch);
    // The response's close is the client going away (or the stream ending); the request's fires when its body is read.
    res.on("close", () => watch.close());
    res.on("error", () => watch.close());

    const source = storedType(route.type);
    const deliver = (e: StoredEvent) => {
      if (e.resource !== source) return;
      const object = served(route.type, e.object);
      const now = matches(object);
      if (e.type === "MODIFIED") {
        const before = matches(e.previous && served(route.type, e.previous));
        if (now && before) write("MODIFIED", object);
        else if (now) write("ADDED", object);
        else if (before) write("DELETED", object);
      } else if (now) write(e.type, object);
    };

    if (fromStart) {
      for (const o of this.ctx.store.list(source, route.namespace)) {
        const object = served(route.type, o);
        if (matches(object)) write("ADDED", object);
      }
    }
    for (const e of backlog) deliver(e);
    unsubscribe = this.ctx.store.subscribe(deliver);

    if (bookmarks) {
      timers.bookmark = setInterval(() => {
        write("BOOKMARK", {
          kind: route.type.kind,
          apiVersion: groupVersion(route.type),
          metadata: { resourceVersion: String(this.ctx.store.resourceVersion) },
        });
      }, this.ctx.bookmarkIntervalMs);
    }
    timers.timeout = setTimeout(() => watch.close(), timeoutS * 1000);
  }

  private async create(req: http.IncomingMessage, res: http.ServerResponse, route: Route): Promise<void> {
    const { store, controller } = this.ctx;
    const body = await readBody(req);
    if (route.type.namespaced) {
      if (!route.namespace) throw pathNotFound();
      if (!store.get(findResourceType("", "v1", "namespaces")!, undefined, route.namespace)) {
        throw fail(404, "NotFound", `namespaces "${route.namespace}" not found`, { name: route.namespace, kind: "namespaces" });
      }
    }
    const object = prepareCreate(route.type, route.namespace, body, {
      random: this.ctx.random,
      now: Date.now(),
      services: store.list(findResourceType("", "v1", "services")!) as never,
      defaultStorageClass: defaultStorageClass(store.list(findResourceType("storage.k8s.io", "v1", "storageclasses")!) as never),
    });
    if (store.get(route.type, route.namespace, object.metadata.name)) throw alreadyExists(route.type, object.metadata.name);
    if (new URL(req.url ?? "/", "http://sim.invalid").searchParams.get("dryRun") === "All") return sendJson(res, 201, object);
    const stored = store.put(object);
    controller.reconcile();
    sendJson(res, 201, stored);
  }

  private scaleOf(route: Route, o: DeploymentObject | StatefulSetObject | KubeObject) {
    const w = o as DeploymentObject;
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: w.spec.replicas },
      status: { replicas: Number((w.status as { replicas?: number }).replicas ?? 0), selector: selectorString(w.spec.selector) },
    };
  }

  private async scale(req: http.IncomingMessage, res: http.ServerResponse, route: Route, method: string): Promise<void> {
    const { store, controller } = this.ctx;
    const o = store.get<DeploymentObject>(route.type, route.namespace, route.name!);
    if (!o) throw notFound(route.type, route.name!);
    if (method === "GET") return sendJson(res, 200, this.scaleOf(route, o));
    if (method !== "PATCH" && method !== "PUT")
      throw fail(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    const body = await readBody(req);
    let replicas: unknown;
    if (method === "PUT") {
      if (!isPlainObject(body)) throw badRequest("the body must be a Scale object");
      const rv = isPlainObject(body.metadata) ? body.metadata.resourceVersion : undefined;
      if (rv !== undefined && rv !== "" && rv !== o.metadata.resourceVersion) throw conflict(route.type, o.metadata.name);
      replicas = isPlainObject(body.spec) ? body.spec.replicas : undefined;
    } else {
      const patched = applyPatch(req.headers["content-type"] ?? "", this.scaleOf(route, o), body);
      replicas = isPlainObject(patched) && isPlainObject(patched.spec) ? patched.spec.replicas : undefined;
    }
    if (replicas === undefined || replicas === null) replicas = 0;
    if (typeof replicas !== "number") {
      throw badRequest(`json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
    }
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw invalid("Scale", "autoscaling", o.metadata.name, "spec.replicas", replicas, "must be greater than or equal to 0");
    }
    o.spec.replicas = replicas;
    store.put(o);
    controller.reconcile();
    sendJson(res, 200, this.scaleOf(route, store.get(route.type, route.namespace, route.name!)!));
  }

  /** PATCH or PUT of a whole object: labels, annotations and spec are writable; the rest is the server's. */
  private async update(req: http.IncomingMessage, res: http.ServerResponse, route: Route, method: string): Promise<void> {
    const { store, controller } = this.ctx;
    const current = store.get(route.type, route.namespace, route.name!);
    if (!current) throw notFound(route.type, route.name!);
    const body = await readBody(req);
    let next: unknown;
    if (method === "PUT") {
      if (!isPlainObject(body) || !isPlainObject(body.metadata)) throw badRequest(`the body must be a ${route.type.kind}`);
      const rv = body.metadata.resourceVersion;
      if (rv !== undefined && rv !== "" && rv !== current.metadata.resourceVersion) throw conflict(route.type, current.metadata.name);
      next = body;
    } else {
      next = applyPatch(req.headers["content-type"] ?? "", current, body);
    }
    if (!isPlainObject(next)) throw badRequest("the patched object is not an object");
    const patchedMeta = isPlainObject(next.metadata) ? next.metadata : {};
    const merged: KubeObject = {
      ...current,
      metadata: {
        ...current.metadata,
        labels: (patchedMeta.labels as Record<string, string> | undefined) ?? undefined,
        annotations: (patchedMeta.annotations as Record<string, string> | undefined) ?? undefined,
      },
      ...(next.spec !== undefined ? { spec: next.spec } : {}),
    };
    if (route.type.fields) {
      // Kinds without spec: their declared fields are the patched object's (absent: gone).
      delete merged.spec;
      for (const field of route.type.fields) {
        if (next[field] === undefined || next[field] === null) delete merged[field];
        else merged[field] = next[field];
      }
      if (route.type.group === RBAC_GROUP) prepareRbac(route.type, merged, current);
    }
    if ("replicas" in ((merged.spec as object) ?? {})) {
      const r = (merged.spec as { replicas: unknown }).replicas;
      if (typeof r !== "number" || !Number.isInteger(r) || r < 0) {
        throw invalid(route.type.kind, route.type.group, current.metadata.name, "spec.replicas", r, "must be greater than or equal to 0");
      }
    }
    store.put(merged);
    controller.reconcile();
    sendJson(res, 200, store.get(route.type, route.namespace, route.name!));
  }

  private metrics(res: http.ServerResponse, rest: string[], check: (a: Attributes) => void): void {
    const { namespace, parts } = splitNamespace(rest);
    const [plural, name, ...extra] = parts;
    const type = METRICS_RESOURCE_TYPES.find((t) => t.plural === plural);
    if (!type || extra.length > 0 || (namespace !== undefined && !type.namespaced)) throw pathNotFound();
    check({ verb: name ? "get" : "list", apiGroup: type.group, resource: type.plural, namespace, name });
    const now = Date.now();
    const { store } = this.ctx;
    const podType = findResourceType("", "v1", "pods")!;
    const running = store.list<Pod>(podType).filter((p) => p.status.phase === "Running" && p.metadata.deletionTimestamp === undefined);
    let items: { metadata: { name: string; namespace?: string } }[];
    if (type.kind === "NodeMetrics") {
      const nodeType = findResourceType("", "v1", "nodes")!;
      items = store.list<NodeObject>(nodeType).map((n) =>
        nodeMetrics(
          n,
          running.filter((p) => p.spec.nodeName === n.metadata.name).map((pod) => ({ pod, profile: this.ctx.profileOf(pod) })),
          now,
        ),
      );
    } else {
      items = running
        .filter((p) => namespace === undefined || p.metadata.namespace === namespace)
        .map((p) => podMetrics(p, this.ctx.profileOf(p), now));
    }
    if (name) {
      const found = items.find((i) => i.metadata.name === name);
      if (!found)
        throw fail(404, "NotFound", `${type.plural}.metrics.k8s.io "${name}" not found`, {
          name,
          group: "metrics.k8s.io",
          kind: type.plural,
        });
      return sendJson(res, 200, found);
    }
    sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items });
  }
}

/** Splits "namespaces/<ns>/<plural>/..." off a path: the namespace, and what follows it. */
function splitNamespace(rest: string[]): { namespace: string | undefined; parts: string[] } {
  if (rest[0] === "namespaces" && rest.length >= 3) return { namespace: rest[1], parts: rest.slice(2) };
  return { namespace: undefined, parts: rest };
}
