import type { IncomingMessage, ServerResponse } from "node:http";
import { isLive, type NomadScheduler } from "./scheduler";
import { nodeJson, nodeStub, wire, type NomadWorld, type SimAlloc, type SimJob, type Table } from "./state";
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

const MAX_WAIT_MS = 10 * 60_000;
const DEFAULT_WAIT_MS = 5 * 60_000;

function parseWait(value: string | null): number {
  if (!value) return DEFAULT_WAIT_MS;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new HttpError(400, `Invalid wait time: ${value}`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const ms = unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000;
  return Math.min(ms, MAX_WAIT_MS);
}

function sendJson(res: ServerResponse, status: number, body: unknown, index?: number, extra: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(index !== undefined ? { "x-nomad-index": String(Math.max(1, index)), "x-nomad-knownleader": "true", "x-nomad-lastcontact": "0" } : {}),
    ...extra,
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Failed to decode request body: invalid character");
  }
}

export function createHandler(ctx: HttpContext) {
  const { world, scheduler } = ctx;

  function tableIndex(tables: Table[]): number {
    return Math.max(...tables.map((t) => world.tableIndex[t]));
  }

  /** Holds a blocking query until the tables move past ?index= or ?wait= elapses. */
  async function block(req: IncomingMessage, q: URLSearchParams, tables: Table[]): Promise<void> {
    const index = Number(q.get("index") ?? 0);
    if (!(index > 0) || tableIndex(tables) > index) return;
    const waitMs = parseWait(q.get("wait"));
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

  function page<T>(q: URLSearchParams, items: T[], key: (item: T) => string): { items: T[]; next: string | null } {
    const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const token = q.get("next_token");
    const start = token ? sorted.findIndex((item) => key(item) >= token) : 0;
    const from = start < 0 ? sorted.length : start;
    const perPage = Number(q.get("per_page") ?? 0);
    if (!(perPage > 0)) return { items: sorted.slice(from), next: null };
    const slice = sorted.slice(from, from + perPage);
    const following = sorted[from + perPage];
    return { items: slice, next: following ? key(following) : null };
  }

  function sendPage<T>(res: ServerResponse, q: URLSearchParams, items: T[], key: (item: T) => string, index: number, render: (item: T) => unknown) {
    const p = page(q, items, key);
    sendJson(res, 200, p.items.map(render), index, p.next ? { "x-nomad-nexttoken": p.next } : {});
  }

  function inNamespace(q: URLSearchParams, namespace: string): boolean {
    const ns = q.get("namespace") || "default";
    return ns === "*" || ns === namespace;
  }

  function authorize(req: IncomingMessage, need: keyof TokenPolicy | null) {
    if (!ctx.tokens || need === null) return;
    const secret = req.headers["x-nomad-token"];
    const token = typeof secret === "string" && secret ? secret : null;
    // No token is the anonymous token, which has no policy here.
    if (!token) throw new HttpError(403, "Permission denied");
    const policy = ctx.tokens[token];
    if (!policy) throw new HttpError(403, "ACL token not found");
    if (!policy.management && !policy[need]) throw new HttpError(403, "Permission denied");
  }

  function jobOr404(q: URLSearchParams, id: string): SimJob {
    const job = world.job(q.get("namespace") || "default", id);
    if (!job) throw new HttpError(404, "job not found");
    return job;
  }

  function allocStub(a: SimAlloc, q: URLSearchParams) {
    const { AllocatedResources, TaskStates, ...rest } = wire(a);
    return {
      ...rest,
      ...(q.get("task_states") === "false" ? {} : { TaskStates }),
      ...(q.get("resources") === "true" ? { AllocatedResources } : {}),
      DeploymentStatus: null,
      FollowupEvalID: "",
      RescheduleTracker: null,
      PreemptedAllocations: null,
      PreemptedByAllocation: "",
    };
  }

  function jobSummary(job: SimJob) {
    return {
      JobID: job.ID,
      Namespace: job.Namespace,
      Summary: scheduler.summary(job),
      Children: { Pending: 0, Running: 0, Dead: 0 },
      CreateIndex: job.CreateIndex,
      ModifyIndex: world.tableIndex.job_summary,
    };
  }

  function jobStub(job: SimJob) {
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
      Periodic: false,
      ParameterizedJob: false,
      Stop: job.Stop,
      Status: job.Status,
      StatusDescription: job.StatusDescription,
      JobSummary: jobSummary(job),
      CreateIndex: job.CreateIndex,
      ModifyIndex: job.ModifyIndex,
      JobModifyIndex: job.JobModifyIndex,
      SubmitTime: job.SubmitTime,
      Meta: job.Meta,
    };
  }

  function scale(job: SimJob, body: unknown, res: ServerResponse) {
    const b = (body ?? {}) as { Count?: unknown; Target?: Record<string, unknown>; Message?: unknown; Meta?: unknown };
    const groupName = typeof b.Target?.Group === "string" ? b.Target.Group : "";
    if (!groupName) throw new HttpError(400, "missing task group name for scaling action");
    if (b.Count !== undefined && b.Count !== null && (typeof b.Count !== "number" || !Number.isInteger(b.Count))) {
      throw new HttpError(400, "Failed to decode request body: Count must be an integer");
    }
    const count = typeof b.Count === "number" ? b.Count : null;
    if (count !== null && count < 0) throw new HttpError(400, "scaling action count can't be negative");
    if (job.Type === "system" && count !== null && count > 1) throw new HttpError(400, `jobs of type "system" can only be scaled to 1 or 0`);
    const group = job.TaskGroups.find((g) => g.Name === groupName);
    if (!group) throw new HttpError(400, `task group "${groupName}" specified for scaling does not exist in job`);
    if (count === null) return sendJson(res, 200, { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: job.ModifyIndex, Index: world.index, Warnings: "" }, world.index);
    if (group.Scaling) {
      if (count < group.Scaling.Min) throw new HttpError(400, `group count was less than scaling policy minimum: ${count} < ${group.Scaling.Min}`);
      if (group.Scaling.Max < count) throw new HttpError(400, `group count was greater than scaling policy maximum: ${count} > ${group.Scaling.Max}`);
    }
    const { evalId, index } = scheduler.scale(job, group, count);
    scaleEvents.push({ job: `${job.Namespace}/${job.ID}`, group: group.Name, count, message: typeof b.Message === "string" ? b.Message : "", meta: b.Meta ?? null, time: Date.now() });
    sendJson(res, 200, { EvalID: evalId, EvalCreateIndex: index, JobModifyIndex: index, Index: index, KnownLeader: false, LastContact: 0, Warnings: "" }, index);
  }

  const scaleEvents: { job: string; group: string; count: number; message: string; meta: unknown; time: number }[] = [];

  function eventStream(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    const topics = new Map<string, Set<string>>();
    for (const t of q.getAll("topic")) {
      const [topic, key = "*"] = t.split(":");
      if (!topic) continue;
      const keys = topics.get(topic) ?? new Set<string>();
      keys.add(key || "*");
      topics.set(topic, keys);
    }
    if (topics.size === 0) topics.set("*", new Set(["*"]));
    const namespace = q.get("namespace") || "default";
    const matches = (e: (typeof world.events)[number]["Events"][number]) => {
      const keys = topics.get(e.Topic) ?? topics.get("*");
      if (!keys) return false;
      if (!keys.has("*") && !keys.has(e.Key) && !(e.FilterKeys ?? []).some((k) => keys.has(k))) return false;
      return e.Namespace === "" || namespace === "*" || e.Namespace === namespace;
    };
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
    res.flushHeaders();
    ctx.trackStream(res);
    let sent = Math.max(0, Number(q.get("index") ?? 0) - 1);
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

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://nomad.invalid");
    const q = url.searchParams;
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const region = q.get("region");
    if (region && region !== world.region) throw new HttpError(500, "No path to region");
    const seg = path.split("/").slice(1).map(decodeURIComponent);
    if (seg[0] !== "v1") throw new HttpError(404, "Invalid URL");
    const [, a, b, c, d] = seg;

    if (method === "POST") {
      if (a === "job" && b && c === "scale" && !d) {
        authorize(req, "scale");
        const body = await readBody(req);
        // The scale RPC names the job in its 404, unlike GET /v1/job/:id.
        const job = world.job(q.get("namespace") || "default", b);
        if (!job) throw new HttpError(404, `job "${b}" not found`);
        return scale(job, body, res);
      }
      throw new HttpError(405, "Invalid method");
    }
    if (method === "DELETE" && a === "job" && b && !c) {
      authorize(req, "submit");
      const { evalId, index } = scheduler.deregister(jobOr404(q, b), q.get("purge") === "true");
      return sendJson(res, 200, { EvalID: evalId, EvalCreateIndex: index, JobModifyIndex: index, Index: index }, index);
    }
    if (method !== "GET") throw new HttpError(405, "Invalid method");

    if (a === "status" && b === "leader") return sendJson(res, 200, "127.0.0.1:4647");
    if (a === "status" && b === "peers") return sendJson(res, 200, ["127.0.0.1:4647"]);
    if (a === "regions") return sendJson(res, 200, [world.region]);
    if (a === "agent" && b === "self") {
      authorize(req, "agent");
      return sendJson(res, 200, {
        config: { Region: world.region, Datacenter: "dc1", Version: { Revision: "simulated", Version: world.version, VersionMetadata: "", VersionPrerelease: "" } },
        member: { Name: "nomad-server-1.global", Addr: "127.0.0.1", Port: 4648, Status: "alive", Tags: { build: world.version, region: world.region, role: "nomad", dc: "dc1" } },
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
            Services: [...names.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([ServiceName, tags]) => ({ ServiceName, Tags: [...tags].sort() })),
          }));
        return sendJson(res, 200, body, world.tableIndex.services);
      }
      if (!b) throw new HttpError(404, "Invalid URL");
      await block(req, q, ["services"]);
      const regs = [...world.services.values()].filter((r) => r.ServiceName === b && inNamespace(q, r.Namespace));
      return sendPage(res, q, regs, (r) => r.ID, world.tableIndex.services, (r) => r);
    }

    authorize(req, "read");
    if (a === "namespaces") {
      return sendJson(res, 200, [...world.namespaces].sort().map((Name) => ({ Name, Description: "", CreateIndex: 1, ModifyIndex: 1 })), 1);
    }
    if (a === "nodes") {
      await block(req, q, ["nodes"]);
      const prefix = q.get("prefix") ?? "";
      const nodes = [...world.nodes.values()].filter((n) => n.ID.startsWith(prefix));
      return sendPage(res, q, nodes, (n) => n.ID, world.tableIndex.nodes, (n) => nodeStub(n, q.get("resources") === "true"));
    }
    if (a === "node" && b) {
      const node = world.nodes.get(b);
      if (!node) throw new HttpError(404, "node not found");
      if (!c) {
        await block(req, q, ["nodes"]);
        return sendJson(res, 200, nodeJson(node), node.ModifyIndex);
      }
      if (c === "allocations") {
        await block(req, q, ["allocs"]);
        return sendJson(res, 200, [...world.allocs.values()].filter((x) => x.NodeID === b).map((x) => allocStub(x, q)), world.tableIndex.allocs);
      }
    }
    if (a === "jobs") {
      await block(req, q, ["jobs", "job_summary"]);
      const prefix = q.get("prefix") ?? "";
      const jobs = [...world.jobs.values()].filter((j) => inNamespace(q, j.Namespace) && j.ID.startsWith(prefix));
      return sendPage(res, q, jobs, (j) => `${j.Namespace}.${j.ID}`, tableIndex(["jobs", "job_summary"]), jobStub);
    }
    if (a === "job" && b) {
      const job = jobOr404(q, b);
      if (!c) {
        await block(req, q, ["jobs"]);
        return sendJson(res, 200, wire(job), job.ModifyIndex);
      }
      if (c === "summary") {
        await block(req, q, ["job_summary"]);
        return sendJson(res, 200, jobSummary(job), world.tableIndex.job_summary);
      }
      if (c === "allocations") {
        await block(req, q, ["allocs"]);
        return sendJson(res, 200, scheduler.allocsOf(job).map((x) => allocStub(x, q)), world.tableIndex.allocs);
      }
      if (c === "evaluations") {
        await block(req, q, ["evals"]);
        const evals = [...world.evals.values()].filter((e) => e.JobID === job.ID && e.Namespace === job.Namespace);
        return sendJson(res, 200, evals, world.tableIndex.evals);
      }
      if (c === "scale") {
        const allocs = scheduler.allocsOf(job);
        const groups = Object.fromEntries(
          job.TaskGroups.map((g) => {
            const mine = allocs.filter((x) => x.TaskGroup === g.Name && x.DesiredStatus === "run");
            const events = scaleEvents
              .filter((e) => e.job === `${job.Namespace}/${job.ID}` && e.group === g.Name)
              .map((e) => ({ Count: e.count, Message: e.message, Meta: e.meta, Time: e.time * 1_000_000, Error: false }))
              .reverse();
            return [
              g.Name,
              { Desired: g.Count, Placed: mine.filter(isLive).length, Running: mine.filter((x) => x.ClientStatus === "running").length, Healthy: 0, Unhealthy: 0, Events: events },
            ];
          }),
        );
        return sendJson(res, 200, { JobID: job.ID, Namespace: job.Namespace, JobCreateIndex: job.CreateIndex, JobModifyIndex: job.JobModifyIndex, JobStopped: job.Stop, TaskGroups: groups }, job.ModifyIndex);
      }
    }
    if (a === "allocations") {
      await block(req, q, ["allocs"]);
      const prefix = q.get("prefix") ?? "";
      const allocs = [...world.allocs.values()].filter((x) => inNamespace(q, x.Namespace) && x.ID.startsWith(prefix));
      return sendPage(res, q, allocs, (x) => x.ID, world.tableIndex.allocs, (x) => allocStub(x, q));
    }
    if (a === "allocation" && b) {
      const alloc = world.allocs.get(b);
      if (!alloc) throw new HttpError(404, "alloc not found");
      return sendJson(res, 200, { ...wire(alloc), Job: wire(world.job(alloc.Namespace, alloc.JobID) ?? ({} as SimJob)) }, alloc.ModifyIndex);
    }
    if (a === "client" && b === "stats") {
      const node = world.nodes.get(q.get("node_id") ?? "") ?? (world.nodes.size === 1 ? [...world.nodes.values()][0] : undefined);
      if (!node) throw new HttpError(400, "missing node_id: which client to ask");
      if (node.Status !== "ready") throw new HttpError(500, "Unknown node");
      const now = Date.now();
      const use = nodeUsage(node, world.allocs.values(), now);
      const total = node.sim.memoryMB * 1024 * 1024;
      const busy = use.cpuMhz / (node.sim.cores * node.sim.mhzPerCore);
      return sendJson(res, 200, {
        CPU: Array.from({ length: node.sim.cores }, (_, i) => ({ CPU: `cpu${i}`, Idle: 100 - busy * 100, System: busy * 25, User: busy * 75, Total: busy * 100 })),
        CPUTicksConsumed: use.cpuMhz,
        Memory: { Total: total, Available: total - use.memoryBytes, Used: use.memoryBytes, Free: total - use.memoryBytes },
        DiskStats: [],
        AllocDirStats: null,
        DeviceStats: [],
        Timestamp: now * 1_000_000,
        Uptime: Math.floor((now - Date.parse(node.sim.registeredAt)) / 1000),
      });
    }
    if (a === "client" && b === "allocation" && c && d === "stats") {
      const alloc = world.allocs.get(c);
      if (!alloc || !isLive(alloc)) throw new HttpError(404, `Unknown allocation "${c}"`);
      const now = Date.now();
      const use = allocUsage(alloc, now);
      const usage = (cpuMhz: number, memoryBytes: number) => ({
        CpuStats: { Measured: ["Throttled Periods", "Throttled Time", "Percent"], Percent: 0, SystemMode: 0, UserMode: 0, ThrottledPeriods: 0, ThrottledTime: 0, TotalTicks: cpuMhz },
        MemoryStats: { Measured: ["RSS", "Cache", "Swap", "Usage", "Max Usage"], RSS: memoryBytes, Cache: Math.round(memoryBytes * 0.1), Swap: 0, Usage: Math.round(memoryBytes * 1.1), MaxUsage: Math.round(memoryBytes * 1.3), KernelUsage: 0, KernelMaxUsage: 0 },
        DeviceStats: null,
      });
      return sendJson(res, 200, {
        ResourceUsage: usage(use.cpuMhz, use.memoryBytes),
        Tasks: Object.fromEntries(Object.entries(use.byTask).map(([name, t]) => [name, { ResourceUsage: usage(t.cpuMhz, t.memoryBytes), Timestamp: now * 1_000_000, Pids: null }])),
        Timestamp: now * 1_000_000,
      });
    }
    throw new HttpError(404, "Invalid URL");
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return sendText(res, err.status, err.message);
      sendText(res, 500, (err as Error)?.message ?? "internal error");
    });
  };
}
