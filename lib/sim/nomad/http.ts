import type { IncomingMessage, ServerResponse } from "node:http";
import { isLive, type NomadScheduler } from "./scheduler";
import { nodeJson, nodeStub, wire, type NomadWorld, type SimAlloc, type SimDeployment, type SimJob, type Table } from "./state";
import { allocUsage, nodeUsage } from "./usage";

/**
 * Nomad's HTTP API over the simulated world: the paths, PascalCase JSON,
 * X-Nomad-Index blocking queries (?index=&wait=), per_page/next_token paging
 * (X-Nomad-NextToken), ?namespace= (with * for all), ?region=, ACL tokens in
 * X-Nomad-Token, plain-text errors with Nomad's status codes, and the ndjson
 * event stream with heartbeats.
 */

/** What a simulated ACL token may do; a token with `management` may do everything. */
export interface TokenPolicy {
  management?: boolean;
  /** node:read and namespace read-job/list-jobs. */
  read?: boolean;
  /** Read Nomad service registrations. */
  services?: boolean;
  /** Read /v1/event/stream. */
  stream?: boolean;
  /** namespace scale-job. */
  scale?: boolean;
  /** namespace submit-job (DELETE /v1/job/:id). */
  submit?: boolean;
  /** agent:read (for /v1/agent/self). */
  agent?: boolean;
}

export interface HttpContext {
  world: NomadWorld;
  scheduler: NomadScheduler;
  /** Secret ID → policy. When absent, ACLs are off and every request is allowed. */
  tokens?: Record<string, TokenPolicy>;
  heartbeatMs: number;
  /** Called with each open event stream's response so the server can end them on close. */
  trackStream(res: ServerResponse): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// nomad/rpc.go: maxQueryTime and defaultQueryTime are both 300 s; a longer ?wait= is cut to it.
const MAX_WAIT_MS = 300_000;
const DEFAULT_WAIT_MS = 300_000;

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "\u00b5s": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("300ms", "1m30s"; a bare number only when 0), in milliseconds; null when invalid. */
export function parseGoDuration(value: string): number | null {
  if (value === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)/gy;
  let ms = 0;
  let at = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    ms += Number(m[1]) * (GO_UNITS[m[2] as string] as number);
    at = re.lastIndex;
  }
  return at > 0 && at === value.length ? ms : null;
}

function parseWait(value: string | null): number {
  if (!value) return DEFAULT_WAIT_MS;
  const ms = parseGoDuration(value);
  // command/agent/http.go parseWait answers a bad value with 400 and this text.
  if (ms === null) throw new HttpError(400, "Invalid wait time");
  return Math.min(ms, MAX_WAIT_MS) || DEFAULT_WAIT_MS;
}

/** ?index=, as strconv.ParseUint reads it; 0 when absent. */
function parseIndex(value: string | null): number {
  if (value === null || value === "") return 0;
  if (!/^\d+$/.test(value)) throw new HttpError(400, "Invalid index");
  return Number(value);
}

/** How an answer is indexed: a query (setMeta: index, known leader, last contact) or a write (setIndex only). */
type Meta = { index: number; write?: boolean };

function sendJson(res: ServerResponse, status: number, body: unknown, meta?: Meta, extra: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  const index = meta ? { "x-nomad-index": String(Math.max(1, meta.index)) } : {};
  const query = meta && !meta.write ? { "x-nomad-knownleader": "true", "x-nomad-lastcontact": "0" } : {};
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...index,
    ...query,
    ...extra,
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The JSON body of a write, with command/agent/http.go decodeBody's errors (answered as 400 by the handlers). */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) throw new HttpError(400, "Request body is empty");
  try {
    return JSON.parse(text);
  } catch (err) {
    // encoding/json's words for the commonest case, a body that is not JSON at all; JavaScript's otherwise.
    const first = text.trim()[0] ?? "";
    if (!/[{["\d\-tfn]/.test(first)) throw new HttpError(400, `invalid character '${first}' looking for beginning of value`);
    throw new HttpError(400, (err as Error).message);
  }
}

export function createHandler(ctx: HttpContext) {
  const { world, scheduler } = ctx;

  function tableIndex(tables: Table[]): number {
    return Math.max(...tables.map((t) => world.tableIndex[t]));
  }

  /** Holds a blocking query until the tables move past ?index= or ?wait= elapses. */
  async function block(req: IncomingMessage, q: URLSearchParams, tables: Table[]): Promise<void> {
    const index = parseIndex(q.get("index"));
    const waitMs = parseWait(q.get("wait"));
    if (!(index > 0) || tableIndex(tables) > index) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        req.off("close", done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      const unsubscribe = world.subscribe(() => {
        if (tableIndex(tables) > index) done();
      });
      req.on("close", done);
    });
  }

  /**
   * One page of a list, as nomad/state/paginator cuts it: the items in the
   * endpoint's order, each item's token the fields its tokenizer uses joined
   * with "." (nodes: ID; jobs and service registrations: Namespace.ID;
   * allocations: CreateIndex.ID), and the first item of the next page as
   * X-Nomad-NextToken. Without per_page the list is not paged.
   */
  function page<T>(q: URLSearchParams, items: T[], order: (item: T) => (string | number)[]): { items: T[]; next: string | null } {
    const cmp = (x: (string | number)[], y: (string | number)[]) => {
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const a = x[i] ?? "";
        const b = y[i] ?? "";
        if (a === b) continue;
        return typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1;
      }
      return 0;
    };
    const sorted = [...items].sort((a, b) => cmp(order(a), order(b)));
    const tokenOf = (item: T) => order(item).join(".");
    const token = q.get("next_token");
    let from = 0;
    if (token) {
      from = sorted.findIndex((item) => tokenOf(item) === token);
      if (from < 0 && sorted[0]) {
        // The item the token names is gone: start at the first one after where it was. Only the last field (an ID) may hold a ".".
        const shape = order(sorted[0]);
        const parts = token.split(".");
        const wanted = shape.map((field, i) => {
          const raw = i === shape.length - 1 ? parts.slice(i).join(".") : (parts[i] ?? "");
          return typeof field === "number" ? Number(raw) : raw;
        });
        from = sorted.findIndex((item) => cmp(order(item), wanted) >= 0);
      }
      if (from < 0) from = sorted.length;
    }
    const perPage = Number(q.get("per_page") ?? 0);
    if (!(perPage > 0)) return { items: sorted.slice(from), next: null };
    const slice = sorted.slice(from, from + perPage);
    const following = sorted[from + perPage];
    return { items: slice, next: following ? tokenOf(following) : null };
  }

  function sendPage<T>(
    res: ServerResponse,
    q: URLSearchParams,
    items: T[],
    order: (item: T) => (string | number)[],
    index: number,
    render: (item: T) => unknown,
  ) {
    const p = page(q, items, order);
    sendJson(res, 200, p.items.map(render), { index }, p.next ? { "x-nomad-nexttoken": p.next } : {});
  }

  function inNamespace(q: URLSearchParams, namespace: string): boolean {
    const ns = q.get("namespace") || "default";
    return ns === "*" || ns === namespace;
  }

  function authorize(req: IncomingMessage, ...need: (keyof TokenPolicy)[]) {
    if (!ctx.tokens || need.length === 0) return;
    const secret = req.headers["x-nomad-token"];
    const token = typeof secret === "string" && secret ? secret : null;
    // No token is the anonymous token, which has no policy here.
    if (!token) throw new HttpError(403, "Permission denied");
    const policy = ctx.tokens[token];
    if (!policy) throw new HttpError(403, "ACL token not found");
    if (!policy.management && !need.some((n) => policy[n])) throw new HttpError(403, "Permission denied");
  }

  function deploymentsOf(job: SimJob): SimDeployment[] {
    return [...world.deployments.values()].filter(
      (d) => d.JobID === job.ID && d.Namespace === job.Namespace && d.JobCreateIndex === job.CreateIndex,
    );
  }

  function jobOr404(q: URLSearchParams, id: string): SimJob {
    const job = world.job(q.get("namespace") || "default", id);
    if (!job) throw new HttpError(404, "job not found");
    return job;
  }

  /** An allocation as the lists answer it (structs.AllocListStub): AllocatedResources only with ?resources=true, TaskStates unless ?task_states=false. */
  function allocStub(a: SimAlloc, q: URLSearchParams) {
    return {
      ID: a.ID,
      EvalID: a.EvalID,
      Name: a.Name,
      Namespace: a.Namespace,
      NodeID: a.NodeID,
      NodeName: a.NodeName,
      JobID: a.JobID,
      JobType: a.JobType,
      JobVersion: a.JobVersion,
      TaskGroup: a.TaskGroup,
      ...(q.get("resources") === "true" ? { AllocatedResources: a.AllocatedResources } : {}),
      DesiredStatus: a.DesiredStatus,
      DesiredDescription: a.DesiredDescription,
      ClientStatus: a.ClientStatus,
      ClientDescription: a.ClientDescription,
      DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      TaskStates: q.get("task_states") === "false" ? null : a.TaskStates,
      DeploymentStatus: a.DeploymentStatus,
      FollowupEvalID: "",
      NextAllocation: a.NextAllocation,
      RescheduleTracker: a.RescheduleTracker,
      PreemptedAllocations: null,
      PreemptedByAllocation: "",
      CreateIndex: a.CreateIndex,
      ModifyIndex: a.ModifyIndex,
      CreateTime: a.CreateTime,
      ModifyTime: a.ModifyTime,
    };
  }

  /**
   * An allocation as GET /v1/allocation/:id answers it (structs.Allocation):
   * everything the stub has and more, with the job as it was when the
   * allocation was placed (alloc.Job), which outlives a purge of the job.
   */
  function allocJson(a: SimAlloc) {
    return {
      ...wire(a),
      Job: a.sim.job,
      DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      FollowupEvalID: "",
      PreemptedAllocations: null,
      PreemptedByAllocation: "",
    };
  }

  function jobSummary(job: SimJob) {
    return {
      JobID: job.ID,
      Namespace: job.Namespace,
      Summary: scheduler.summary(job),
      Children: { Pending: 0, Running: 0, Dead: 0, Desired: 0 },
      CreateIndex: job.CreateIndex,
      ModifyIndex: world.tableIndex.job_summary,
    };
  }

  /** A job as GET /v1/jobs lists it (structs.JobListStub): Meta only with ?meta=true. */
  function jobStub(job: SimJob, q: URLSearchParams) {
    return {
      ID: job.ID,
      ParentID: job.ParentID,
      Name: job.Name,
      Namespace: job.Namespace,
      Datacenters: job.Datacenters,
      NodePool: job.NodePool,
      Multiregion: null,
      Type: job.Type,
      Priority: job.Priority,
      Periodic: job.Periodic !== null,
      ParameterizedJob: job.ParameterizedJob !== null,
      Stop: job.Stop,
      Status: job.Status,
      StatusDescription: job.StatusDescription,
      JobSummary: jobSummary(job),
      CreateIndex: job.CreateIndex,
      ModifyIndex: job.ModifyIndex,
      JobModifyIndex: job.JobModifyIndex,
      SubmitTime: job.SubmitTime,
      ...(q.get("meta") === "true" && job.Meta ? { Meta: job.Meta } : {}),
    };
  }

  /**
   * POST /v1/job/:id/scale, in the order command/agent/job_endpoint.go
   * jobScaleAction and nomad/job_endpoint.go Job.Scale check things: the
   * body, JobScaleRequest.Validate, the job, a system job's count, the group,
   * the group's scaling policy bounds.
   */
  async function scale(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, jobId: string) {
    const body = await readBody(req);
    const b = (body ?? {}) as { Count?: unknown; Target?: unknown; Message?: unknown; Meta?: unknown; Error?: unknown };
    if (b.Count !== undefined && b.Count !== null && (typeof b.Count !== "number" || !Number.isInteger(b.Count))) {
      // encoding/json's message for a non-integer Count (api.ScalingRequest.Count is *int64).
      throw new HttpError(
        400,
        `json: cannot unmarshal ${typeof b.Count === "number" ? `number ${b.Count}` : typeof b.Count} into Go struct field ScalingRequest.Count of type int64`,
      );
    }
    const target = (b.Target && typeof b.Target === "object" ? b.Target : {}) as Record<string, unknown>;
    if (typeof target.Job === "string" && target.Job !== "" && target.Job !== jobId)
      throw new HttpError(400, "job ID in payload did not match URL");
    authorize(req, "scale", "submit");
    const namespace = q.get("namespace") || "default";
    if (typeof target.Namespace === "string" && target.Namespace !== "" && target.Namespace !== namespace) {
      throw new HttpError(400, "namespace in payload did not match header");
    }
    const groupName = typeof target.Group === "string" ? target.Group : "";
    if (!groupName) throw new HttpError(400, "missing task group name for scaling action");
    const count = typeof b.Count === "number" ? b.Count : null;
    if (count !== null && count < 0) throw new HttpError(400, "scaling action count can't be negative");
    if (count !== null && b.Error === true) throw new HttpError(400, "scaling action should not contain count if error is true");
    const job = world.job(namespace, jobId);
    // The scale RPC names the job in its 404, unlike GET /v1/job/:id.
    if (!job) throw new HttpError(404, `job "${jobId}" not found`);
    if (job.Type === "system" && count !== null && count > 1)
      throw new HttpError(400, `jobs of type "system" can only be scaled to 1 or 0`);
    const group = job.TaskGroups.find((g) => g.Name === groupName);
    if (!group) throw new HttpError(400, `task group "${groupName}" specified for scaling does not exist in job`);
    const message = typeof b.Message === "string" ? b.Message : "";
    let answer: { EvalID: string; EvalCreateIndex: number; JobModifyIndex: number; Index: number };
    if (count === null) {
      // Only a scaling event is recorded.
      const index = world.commit([]);
      answer = { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: job.ModifyIndex, Index: index };
    } else {
      if (group.Scaling) {
        if (count < group.Scaling.Min)
          throw new HttpError(400, `group count was less than scaling policy minimum: ${count} < ${group.Scaling.Min}`);
        if (group.Scaling.Max < count)
          throw new HttpError(400, `group count was greater than scaling policy maximum: ${count} > ${group.Scaling.Max}`);
      }
      const done = scheduler.scale(job, group, count);
      answer = { EvalID: done.evalId, EvalCreateIndex: done.evalCreateIndex, JobModifyIndex: done.jobModifyIndex, Index: done.index };
    }
    scaleEvents.push({
      job: `${job.Namespace}/${job.ID}`,
      group: group.Name,
      count,
      message,
      meta: b.Meta ?? null,
      evalId: answer.EvalID || null,
      time: Date.now(),
    });
    // structs.JobRegisterResponse with its QueryMeta; the header is setIndex(Index).
    sendJson(res, 200, { ...answer, Warnings: "", LastContact: 0, KnownLeader: true, NextToken: "" }, { index: answer.Index, write: true });
  }

  const scaleEvents: {
    job: string;
    group: string;
    count: number | null;
    message: string;
    meta: unknown;
    evalId: string | null;
    time: number;
  }[] = [];

  /** command/agent/event_endpoint.go parseEventTopics: "Topic" or "Topic:key"; none means every topic. */
  function parseTopics(q: URLSearchParams): Map<string, Set<string>> {
    const topics = new Map<string, Set<string>>();
    for (const t of q.getAll("topic")) {
      const parts = t.split(":");
      if (parts.length > 2)
        throw new HttpError(400, `Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: ${t}`);
      const [topic = "", key = "*"] = parts;
      const keys = topics.get(topic) ?? new Set<string>();
      keys.add(key);
      topics.set(topic, keys);
    }
    if (topics.size === 0) topics.set("*", new Set(["*"]));
    return topics;
  }

  function eventStream(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    const topics = parseTopics(q);
    const start = q.get("index") ?? "0";
    if (!/^-?\d+$/.test(start)) throw new HttpError(400, `Unable to parse index: strconv.Atoi: parsing "${start}": invalid syntax`);
    const namespace = q.get("namespace") || "default";
    const matches = (e: (typeof world.events)[number]["Events"][number]) => {
      const keys = topics.get(e.Topic) ?? topics.get("*");
      if (!keys) return false;
      if (!keys.has("*") && !keys.has(e.Key) && !(e.FilterKeys ?? []).some((k) => keys.has(k))) return false;
      return e.Namespace === "" || namespace === "*" || e.Namespace === namespace;
    };
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
    ctx.trackStream(res);
    // nomad/stream/ndjson.go NewJsonStream sends a heartbeat at once, then one every interval (30 s in Event.Stream).
    res.write("{}\n");
    let sent = Math.max(0, Number(start) - 1);
    const flush = () => {
      for (const batch of world.events) {
        if (batch.Index <= sent) continue;
        sent = batch.Index;
        const events = batch.Events.filter(matches);
        if (events.length) res.write(JSON.stringify({ Index: batch.Index, Events: events }) + "\n");
      }
    };
    flush();
    const unsubscribe = world.subscribe(flush);
    const heartbeat = setInterval(() => res.write("{}\n"), ctx.heartbeatMs);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    req.on("close", stop);
    res.on("close", stop);
  }

  /** GET /v1/client/stats through a server: command/agent/stats_endpoint.go and nomad/client_stats_endpoint.go. */
  function clientStats(res: ServerResponse, q: URLSearchParams) {
    const nodeId = q.get("node_id") ?? "";
    // A server agent without a local client needs node_id.
    if (!nodeId) throw new HttpError(400, "No local Node and node_id not provided");
    const node = world.nodes.get(nodeId);
    if (!node) throw new HttpError(404, `Unknown node "${nodeId}"`);
    // Only a connected client answers; the server has no path to one that is down.
    if (node.Status === "down" || node.Status === "disconnected") throw new HttpError(404, "No path to node");
    const now = Date.now();
    const use = nodeUsage(node, world.allocs.values(), now);
    const total = node.sim.memoryMB * 1024 * 1024;
    const busy = use.cpuMhz / (node.sim.cores * node.sim.mhzPerCore);
    return sendJson(res, 200, {
      CPU: Array.from({ length: node.sim.cores }, (_, i) => ({
        CPU: `cpu${i}`,
        Idle: 100 - busy * 100,
        System: busy * 25,
        User: busy * 75,
        Total: busy * 100,
      })),
      CPUTicksConsumed: use.cpuMhz,
      Memory: { Total: total, Available: total - use.memoryBytes, Used: use.memoryBytes, Free: total - use.memoryBytes },
      DiskStats: [],
      AllocDirStats: null,
      DeviceStats: [],
      Timestamp: now * 1_000_000,
      Uptime: Math.floor((now - Date.parse(node.sim.registeredAt)) / 1000),
    });
  }

  /** GET /v1/client/allocation/:id/stats through a server (ClientAllocations.Stats). */
  function allocStats(res: ServerResponse, id: string) {
    const alloc = world.allocs.get(id);
    if (!alloc) throw new HttpError(404, `Unknown allocation "${id}"`);
    const node = world.nodes.get(alloc.NodeID);
    if (!node || node.Status === "down" || node.Status === "disconnected") throw new HttpError(404, "No path to node");
    // Simplification: the client is taken to have collected a terminal allocation, so it no longer knows it.
    if (!isLive(alloc)) throw new HttpError(404, `Unknown allocation "${id}"`);
    const now = Date.now();
    const use = allocUsage(alloc, now);
    const usage = (cpuMhz: number, memoryBytes: number) => ({
      CpuStats: {
        Measured: ["Throttled Periods", "Throttled Time", "Percent"],
        Percent: 0,
        SystemMode: 0,
        UserMode: 0,
        ThrottledPeriods: 0,
        ThrottledTime: 0,
        TotalTicks: cpuMhz,
      },
      MemoryStats: {
        Measured: ["RSS", "Cache", "Swap", "Usage", "Max Usage"],
        RSS: memoryBytes,
        Cache: Math.round(memoryBytes * 0.1),
        Swap: 0,
        MappedFile: 0,
        Usage: Math.round(memoryBytes * 1.1),
        MaxUsage: Math.round(memoryBytes * 1.3),
        KernelUsage: 0,
        KernelMaxUsage: 0,
      },
      DeviceStats: null,
    });
    return sendJson(res, 200, {
      ResourceUsage: usage(use.cpuMhz, use.memoryBytes),
      Tasks: Object.fromEntries(
        Object.entries(use.byTask).map(([name, t]) => [
          name,
          { ResourceUsage: usage(t.cpuMhz, t.memoryBytes), Timestamp: now * 1_000_000, Pids: null },
        ]),
      ),
      Timestamp: now * 1_000_000,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://nomad.invalid");
    const q = url.searchParams;
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const region = q.get("region");
    if (region && region !== world.region) throw new HttpError(500, "No path to region");
    const seg = path.split("/").slice(1).map(decodeURIComponent);
    // Go's ServeMux answers a path no handler is registered for with this.
    if (seg[0] !== "v1") throw new HttpError(404, "404 page not found");
    const [, a, b, c, d] = seg;

    if (a === "job" && b && c === "scale" && !d && (method === "POST" || method === "PUT")) return scale(req, res, q, b);
    if (method === "DELETE" && a === "job" && b && !c) {
      authorize(req, "submit");
      const { evalId, index } = scheduler.deregister(jobOr404(q, b), q.get("purge") === "true");
      return sendJson(res, 200, { EvalID: evalId, EvalCreateIndex: index, JobModifyIndex: index, Index: index }, { index, write: true });
    }
    if (method !== "GET") throw new HttpError(405, "Invalid method");

    if (a === "status" && b === "leader") return sendJson(res, 200, "127.0.0.1:4647");
    if (a === "status" && b === "peers") return sendJson(res, 200, ["127.0.0.1:4647"]);
    if (a === "regions") return sendJson(res, 200, [world.region]);
    if (a === "agent" && b === "self") {
      authorize(req, "agent");
      return sendJson(res, 200, {
        config: {
          Region: world.region,
          Datacenter: "dc1",
          Version: { Revision: "simulated", Version: world.version, VersionMetadata: "", VersionPrerelease: "" },
        },
        member: {
          Name: "nomad-server-1.global",
          Addr: "127.0.0.1",
          Port: 4648,
          Status: "alive",
          Tags: { build: world.version, region: world.region, role: "nomad", dc: "dc1" },
        },
        stats: {},
      });
    }
    if (a === "event" && b === "stream") {
      authorize(req, "stream");
      return eventStream(req, res, q);
    }
    if (a === "services" || a === "service") {
      authorize(req, "services");
      if (a === "services") {
        await block(req, q, ["services"]);
        const byNs = new Map<string, Map<string, Set<string>>>();
        for (const r of world.services.values()) {
          if (!inNamespace(q, r.Namespace)) continue;
          const names = byNs.get(r.Namespace) ?? new Map<string, Set<string>>();
          const tags = names.get(r.ServiceName) ?? new Set<string>();
          for (const t of r.Tags) tags.add(t);
          names.set(r.ServiceName, tags);
          byNs.set(r.Namespace, names);
        }
        const body = [...byNs.entries()]
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([Namespace, names]) => ({
            Namespace,
            Services: [...names.entries()]
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([ServiceName, tags]) => ({ ServiceName, Tags: [...tags].sort() })),
          }));
        return sendJson(res, 200, body, { index: world.tableIndex.services });
      }
      if (!b) throw new HttpError(400, "missing service name");
      await block(req, q, ["services"]);
      const regs = [...world.services.values()].filter((r) => r.ServiceName === b && inNamespace(q, r.Namespace));
      return sendPage(
        res,
        q,
        regs,
        (r) => [r.Namespace, r.ID],
        world.tableIndex.services,
        (r) => r,
      );
    }

    authorize(req, "read");
    if (a === "namespaces") {
      return sendJson(
        res,
        200,
        [...world.namespaces].sort().map((Name) => ({ Name, Description: "", CreateIndex: 1, ModifyIndex: 1 })),
        { index: 1 },
      );
    }
    if (a === "nodes") {
      await block(req, q, ["nodes"]);
      const prefix = q.get("prefix") ?? "";
      const nodes = [...world.nodes.values()].filter((n) => n.ID.startsWith(prefix));
      const fields = { resources: q.get("resources") === "true", os: q.get("os") === "true" };
      return sendPage(
        res,
        q,
        nodes,
        (n) => [n.ID],
        world.tableIndex.nodes,
        (n) => nodeStub(n, fields),
      );
    }
    if (a === "node" && b) {
      const node = world.nodes.get(b);
      if (!node) throw new HttpError(404, "node not found");
      if (!c) {
        await block(req, q, ["nodes"]);
        return sendJson(res, 200, nodeJson(node), { index: node.ModifyIndex });
      }
      if (c === "allocations") {
        await block(req, q, ["allocs"]);
        return sendJson(
          res,
          200,
          [...world.allocs.values()].filter((x) => x.NodeID === b).map((x) => allocStub(x, q)),
          { index: world.tableIndex.allocs },
        );
      }
    }
    if (a === "jobs") {
      await block(req, q, ["jobs", "job_summary"]);
      const prefix = q.get("prefix") ?? "";
      const jobs = [...world.jobs.values()].filter((j) => inNamespace(q, j.Namespace) && j.ID.startsWith(prefix));
      return sendPage(
        res,
        q,
        jobs,
        (j) => [j.Namespace, j.ID],
        tableIndex(["jobs", "job_summary"]),
        (j) => jobStub(j, q),
      );
    }
    if (a === "job" && b) {
      const job = jobOr404(q, b);
      if (!c) {
        await block(req, q, ["jobs"]);
        return sendJson(res, 200, wire(job), { index: job.ModifyIndex });
      }
      if (c === "summary") {
        await block(req, q, ["job_summary"]);
        return sendJson(res, 200, jobSummary(job), { index: world.tableIndex.job_summary });
      }
      if (c === "allocations") {
        await block(req, q, ["allocs"]);
        return sendJson(
          res,
          200,
          scheduler.allocsOf(job).map((x) => allocStub(x, q)),
          { index: world.tableIndex.allocs },
        );
      }
      if (c === "evaluations") {
        await block(req, q, ["evals"]);
        const evals = [...world.evals.values()].filter((e) => e.JobID === job.ID && e.Namespace === job.Namespace);
        return sendJson(res, 200, evals, { index: world.tableIndex.evals });
      }
      if (c === "deployments" || c === "deployment") {
        await block(req, q, ["deployments"]);
        // Newest first; the singular path answers the latest one, or null when the job has none.
        const deployments = deploymentsOf(job).sort((x, y) => y.CreateIndex - x.CreateIndex);
        return sendJson(res, 200, c === "deployments" ? deployments : (deployments[0] ?? null), { index: world.tableIndex.deployments });
      }
      if (c === "scale") {
        const allocs = scheduler.allocsOf(job);
        const groups = Object.fromEntries(
          job.TaskGroups.map((g) => {
            const mine = allocs.filter((x) => x.TaskGroup === g.Name && x.DesiredStatus === "run");
            const events = scaleEvents
              .filter((e) => e.job === `${job.Namespace}/${job.ID}` && e.group === g.Name)
              .map((e) => ({ Count: e.count, Message: e.message, Meta: e.meta, EvalID: e.evalId, Time: e.time * 1_000_000, Error: false }))
              .reverse();
            return [
              g.Name,
              {
                Desired: g.Count,
                Placed: mine.filter(isLive).length,
                Running: mine.filter((x) => x.ClientStatus === "running").length,
                Healthy: 0,
                Unhealthy: 0,
                Events: events,
              },
            ];
          }),
        );
        return sendJson(
          res,
          200,
          {
            JobID: job.ID,
            Namespace: job.Namespace,
            JobCreateIndex: job.CreateIndex,
            JobModifyIndex: job.JobModifyIndex,
            JobStopped: job.Stop,
            TaskGroups: groups,
          },
          { index: job.ModifyIndex },
        );
      }
    }
    if (a === "allocations") {
      await block(req, q, ["allocs"]);
      const prefix = q.get("prefix") ?? "";
      const allocs = [...world.allocs.values()].filter((x) => inNamespace(q, x.Namespace) && x.ID.startsWith(prefix));
      // nomad/alloc_endpoint.go: by CreateIndex then ID, except a prefix search, which goes by ID.
      const order = prefix ? (x: SimAlloc) => [x.ID] : (x: SimAlloc) => [x.CreateIndex, x.ID];
      return sendPage(res, q, allocs, order, world.tableIndex.allocs, (x) => allocStub(x, q));
    }
    if (a === "deployments") {
      await block(req, q, ["deployments"]);
      const prefix = q.get("prefix") ?? "";
      const deployments = [...world.deployments.values()].filter((d) => inNamespace(q, d.Namespace) && d.ID.startsWith(prefix));
      // nomad/deployment_endpoint.go: by CreateIndex then ID (tokens CreateIndex.ID), except a prefix search, which goes by ID.
      const order = prefix ? (d: SimDeployment) => [d.ID] : (d: SimDeployment) => [d.CreateIndex, d.ID];
      return sendPage(res, q, deployments, order, world.tableIndex.deployments, (d) => d);
    }
    if (a === "deployment" && b && !c) {
      const deployment = world.deployments.get(b);
      if (!deployment) throw new HttpError(404, "deployment not found");
      return sendJson(res, 200, deployment, { index: deployment.ModifyIndex });
    }
    if (a === "allocation" && b && !c) {
      // Alloc.GetAlloc looks the ID up in every namespace (the token must read the one it is in); a blocking query waits on the table.
      await block(req, q, ["allocs"]);
      const alloc = world.allocs.get(b);
      if (!alloc) throw new HttpError(404, "alloc not found");
      return sendJson(res, 200, allocJson(alloc), { index: alloc.ModifyIndex });
    }
    if (a === "client" && b === "stats") return clientStats(res, q);
    if (a === "client" && b === "allocation" && c && d === "stats") return allocStats(res, c);
    throw new HttpError(404, "404 page not found");
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return sendText(res, err.status, err.message);
      sendText(res, 500, (err as Error)?.message ?? "internal error");
    });
  };
}
