import type http from "node:http";
import { z } from "zod";
import type { SimController } from "./controller";
import { planOf } from "./controller";
import { readBody, router, sendJson, sendText, type BasicCredentials, type Route } from "./http";
import { TERMINAL_STATES, type MarathonEvent, type SimApp, type SimTask, type SimWorld } from "./world";

/**
 * Marathon's REST API (/v2/apps, /v2/queue, /v2/deployments, /v2/info) and
 * its SSE event bus (/v2/events), in Marathon 1.x JSON shapes.
 */

const REJECT_REASONS = [
  "UnfulfilledRole",
  "UnfulfilledConstraint",
  "NoCorrespondingReservationFound",
  "AgentMaintenance",
  "InsufficientCpus",
  "InsufficientMemory",
  "InsufficientDisk",
  "InsufficientGpus",
  "InsufficientPorts",
];

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function marathonTaskJson(world: SimWorld, task: SimTask, app: SimApp) {
  const agent = world.agents.get(task.agentId);
  return {
    id: task.id,
    appId: app.id,
    slaveId: task.agentId,
    host: agent?.hostname ?? "",
    state: task.state,
    stagedAt: iso(task.stagedAt),
    startedAt: iso(task.startedAt),
    version: task.appVersion,
    ports: task.hostPorts,
    servicePorts: app.portMappings.length ? app.portMappings.map((pm) => pm.servicePort) : app.portDefinitions.map((pd) => pd.port),
    ipAddresses: agent ? [{ ipAddress: agent.ip, protocol: "IPv4" }] : [],
    localVolumes: [],
    healthCheckResults: task.health
      ? [
          {
            alive: task.health.alive,
            consecutiveFailures: task.health.consecutiveFailures,
            firstSuccess: task.health.firstSuccess,
            lastFailure: task.health.lastFailure,
            lastSuccess: task.health.lastSuccess,
            lastFailureCause: task.health.lastFailureCause,
            instanceId: { idString: task.id.replace(/\._app\.\d+$/, "") },
          },
        ]
      : [],
  };
}

export function appJson(world: SimWorld, app: SimApp, embedTasks: boolean) {
  const tasks = world.tasksOf(app.id).filter((t) => !TERMINAL_STATES.has(t.state));
  const running = tasks.filter((t) => t.state === "TASK_RUNNING");
  return {
    id: app.id,
    cmd: app.cmd,
    args: null,
    user: null,
    env: {},
    instances: app.instances,
    cpus: app.cpus,
    mem: app.mem,
    disk: app.disk,
    gpus: 0,
    executor: "",
    constraints: app.constraints.map((c) => c.filter((part) => part !== undefined)),
    uris: [],
    fetch: [],
    storeUrls: [],
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 300,
    container: app.image
      ? {
          type: "DOCKER",
          docker: { image: app.image, forcePullImage: false, privileged: false, parameters: [] },
          volumes: [],
          ...(app.portMappings.length ? { portMappings: app.portMappings.map((pm) => ({ ...pm, labels: {} })) } : {}),
        }
      : null,
    networks: app.portMappings.length ? [{ mode: "container/bridge" }] : [{ mode: "host" }],
    portDefinitions: app.portDefinitions.map((pd) => ({ ...pd, labels: {} })),
    requirePorts: app.requirePorts,
    healthChecks: app.healthCheck ? [{ ...app.healthCheck, delaySeconds: 15, ipProtocol: "IPv4" }] : [],
    readinessChecks: [],
    dependencies: [],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    labels: app.labels,
    acceptedResourceRoles: app.role === "*" ? null : [app.role, "*"],
    role: app.role,
    version: app.version,
    versionInfo: { lastScalingAt: app.lastScalingAt, lastConfigChangeAt: app.lastConfigChangeAt },
    killSelection: "YOUNGEST_FIRST",
    unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
    tasksStaged: tasks.filter((t) => t.state === "TASK_STAGING" || t.state === "TASK_STARTING").length,
    tasksRunning: running.length,
    tasksHealthy: app.healthCheck ? running.filter((t) => t.health?.alive === true).length : 0,
    tasksUnhealthy: app.healthCheck ? running.filter((t) => t.health?.alive === false).length : 0,
    deployments: world.deploymentsOf(app.id).map((d) => ({ id: d.id })),
    ...(embedTasks ? { tasks: tasks.map((t) => marathonTaskJson(world, t, app)) } : {}),
  };
}

function queueJson(world: SimWorld) {
  return {
    queue: [...world.queue.values()].flatMap((entry) => {
      const app = world.apps.get(entry.appId);
      if (!app) return [];
      const offers = [...entry.rejects.values()].reduce((a, b) => a + b, 0);
      const summary = REJECT_REASONS.map((reason) => ({ reason, declined: entry.rejects.get(reason) ?? 0, processed: offers }));
      return [
        {
          app: appJson(world, app, false),
          count: entry.count,
          delay: { timeLeftSeconds: 0, overdue: true },
          since: entry.since,
          processedOffersSummary: {
            processedOffersCount: entry.processedOffers,
            unusedOffersCount: entry.processedOffers,
            lastUnusedOfferAt: entry.lastUnusedOfferAt,
            lastUsedOfferAt: null,
            rejectSummaryLastOffers: summary,
            rejectSummaryLaunchAttempt: summary,
          },
          lastUnusedOffers: [],
        },
      ];
    }),
  };
}

function deploymentsJson(world: SimWorld) {
  return [...world.deployments.values()].map((d) => ({
    ...planOf(d),
    affectedApps: [d.appId],
    affectedPods: [],
    currentActions: [{ action: "ScaleApplication", app: d.appId, readinessCheckResults: [] }],
    currentStep: 1,
    totalSteps: 1,
  }));
}

/**
 * What the `embed` parameters ask for. Marathon strips any of the prefixes
 * "group.apps.", "apps." and "app." (or none), and `tasks` and the deprecated
 * `failures` bring the deployments along (api/v2/InfoEmbedResolver.scala).
 */
function resolveEmbeds(values: string[]): Set<"tasks" | "deployments" | "lastTaskFailure" | "counts" | "readiness"> {
  const out = new Set<"tasks" | "deployments" | "lastTaskFailure" | "counts" | "readiness">();
  for (const value of values) {
    const name = value.replace(/^(?:group\.apps\.|apps\.|app\.)/, "");
    if (name === "tasks") out.add("tasks").add("deployments");
    else if (name === "failures") out.add("tasks").add("lastTaskFailure").add("deployments");
    else if (name === "deployments" || name === "lastTaskFailure" || name === "counts" || name === "readiness") out.add(name);
  }
  return out;
}

const AppUpdateSchema = z.object({ instances: z.unknown().optional() }).passthrough();

const notFound = (res: http.ServerResponse, appId: string) => sendJson(res, 404, { message: `App '${appId}' does not exist` });

export interface MarathonApi {
  listener: http.RequestListener;
  /** Ends every open event stream (a fault hook for tests). */
  dropEventStreams(): void;
  /** Open event streams go silent, keep-alives included, without closing (a fault hook for tests). */
  stallEventStreams(): void;
  /** How many event streams were opened so far. */
  eventStreamsOpened(): number;
}

/** Jetty's EventSourceServlet ends lines with CRLF. */
const CRLF = "\r\n";

export function marathonApi(
  world: SimWorld,
  controller: SimController,
  self: () => string,
  credentials?: BasicCredentials,
  viewer?: BasicCredentials,
): MarathonApi {
  const streams = new Map<http.ServerResponse, { stall(): void }>();
  let opened = 0;
  const appIdOf = (match: RegExpExecArray) => "/" + decodeURIComponent(match[1]).replace(/^\/+|\/+$/g, "");
  const embeds = (url: URL) => resolveEmbeds(url.searchParams.getAll("embed"));

  const routes: Route[] = [
    { method: "GET", path: /^\/ping$/, handle: ({ res }) => sendText(res, 200, "pong") },
    {
      method: "GET",
      path: /^\/v2\/info$/,
      handle: ({ res }) =>
        sendJson(res, 200, {
          name: "marathon",
          version: world.marathonVersion,
          buildref: "unknown",
          elected: true,
          leader: self(),
          frameworkId: world.marathonFrameworkId,
          marathon_config: { master: "zk://zk-1:2181/mesos", mesos_role: "*", failover_timeout: 604800 },
          http_config: { http_port: Number(self().split(":").at(-1)) },
        }),
    },
    { method: "GET", path: /^\/v2\/leader$/, handle: ({ res }) => sendJson(res, 200, { leader: self() }) },
    {
      method: "GET",
      path: /^\/v2\/apps\/?$/,
      handle: ({ res, url }) => {
        // `id` matches any app whose id contains it, ignoring case; counts and deployments are always embedded.
        const filter = url.searchParams.get("id")?.toLowerCase();
        const withTasks = embeds(url).has("tasks");
        const apps = [...world.apps.values()].filter((a) => !filter || a.id.toLowerCase().includes(filter));
        sendJson(res, 200, { apps: apps.map((a) => appJson(world, a, withTasks)) });
      },
    },
    {
      method: "GET",
      path: /^\/v2\/apps(\/.+)\/tasks$/,
      handle: ({ res, match }) => {
        const app = world.apps.get(appIdOf(match));
        if (!app) return notFound(res, appIdOf(match));
        sendJson(res, 200, { tasks: appJson(world, app, true).tasks });
      },
    },
    {
      method: "GET",
      path: /^\/v2\/apps(\/.+)$/,
      handle: ({ res, match }) => {
        const app = world.apps.get(appIdOf(match));
        if (!app) return notFound(res, appIdOf(match));
        // A single app always embeds its counts, tasks, deployments and last task failure, whatever `embed` says.
        sendJson(res, 200, { app: appJson(world, app, true) });
      },
    },
    {
      method: "PUT",
      path: /^\/v2\/apps(\/.+)$/,
      handle: async ({ req, res, url, match }) => {
        const appId = appIdOf(match);
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return sendJson(res, 400, { message: "Invalid JSON", details: [{ path: "/", errors: ["error.expected.jsobject"] }] });
        }
        const update = AppUpdateSchema.safeParse(body);
        if (!update.success)
          return sendJson(res, 400, { message: "Invalid JSON", details: [{ path: "/", errors: ["error.expected.jsobject"] }] });
        const instances = update.data.instances;
        if (instances !== undefined && (typeof instances !== "number" || !Number.isInteger(instances) || instances < 0)) {
          return sendJson(res, 422, {
            message: "Object is not valid",
            details: [
              { path: "/instances", errors: [typeof instances === "number" && instances < 0 ? "error.min" : "error.expected.jsnumber"] },
            ],
          });
        }
        let app = world.apps.get(appId);
        let created = false;
        if (!app) {
          // Marathon's PUT creates a missing app from the fields given; a real client checks first.
          const now = new Date().toISOString();
          app = {
            id: appId,
            instances: 0,
            cpus: 1,
            mem: 128,
            disk: 0,
            cmd: "sleep 3600",
            image: null,
            portMappings: [],
            portDefinitions: [],
            requirePorts: false,
            labels: {},
            healthCheck: null,
            unhealthyInstances: 0,
            constraints: [],
            role: "*",
            load: 0.2,
            version: now,
            lastConfigChangeAt: now,
            lastScalingAt: now,
          };
          world.apps.set(appId, app);
          created = true;
        }
        const force = url.searchParams.get("force") === "true";
        const result = controller.scale(app, (instances as number | undefined) ?? (created ? 1 : app.instances), force);
        if ("lockedBy" in result) {
          return sendJson(res, 409, {
            message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.`,
            deployments: result.lockedBy.map((id) => ({ id })),
          });
        }
        sendJson(res, created ? 201 : 200, result, { "marathon-deployment-id": result.deploymentId });
      },
    },
    {
      method: "DELETE",
      path: /^\/v2\/apps(\/.+)$/,
      handle: ({ res, match }) => {
        const app = world.apps.get(appIdOf(match));
        if (!app) return notFound(res, appIdOf(match));
        sendJson(res, 200, controller.remove(app));
      },
    },
    { method: "GET", path: /^\/v2\/deployments\/?$/, handle: ({ res }) => sendJson(res, 200, deploymentsJson(world)) },
    { method: "GET", path: /^\/v2\/queue\/?$/, handle: ({ res }) => sendJson(res, 200, queueJson(world)) },
    {
      method: "GET",
      path: /^\/v2\/tasks\/?$/,
      handle: ({ res }) => {
        const tasks = [...world.tasks.values()].flatMap((t) => {
          const app = t.appId ? world.apps.get(t.appId) : undefined;
          return app ? [marathonTaskJson(world, t, app)] : [];
        });
        sendJson(res, 200, { tasks });
      },
    },
    {
      method: "GET",
      path: /^\/v2\/events$/,
      handle: ({ req, res, url }) => {
        // Jetty's EventSourceServlet streams only when one Accept header is exactly text/event-stream; else HttpServlet's 405.
        const accepts = req.headersDistinct.accept ?? [];
        if (!accepts.includes("text/event-stream")) {
          const html = `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n<title>Error 405 </title>\n</head>\n<body>\n<h2>HTTP ERROR: 405</h2>\n<p>Problem accessing /v2/events. Reason:\n<pre>    HTTP method GET is not supported by this URL</pre></p>\n</body>\n</html>\n`;
          return sendText(res, 405, html, { "content-type": "text/html;charset=iso-8859-1" });
        }
        opened += 1;
        // Subscribed types: every type when none is given (Marathon 1.3.7+ HttpEventSSEHandle).
        const types = new Set(url.searchParams.getAll("event_type"));
        // Jetty answers with Connection: close and writes the stream unframed until it closes.
        res.useChunkedEncodingByDefault = false;
        res.writeHead(200, { "content-type": "text/event-stream;charset=utf-8", connection: "close" });
        let silent = false;
        // The keep-alive is "\r", flushed, then "\n" (EventSourceEmitter.run, under the emitter's lock), so a client
        // may see the empty line in two pieces, but never an event in between.
        let pendingLf = false;
        const finishKeepAlive = () => {
          if (!pendingLf) return;
          pendingLf = false;
          if (!silent && !res.writableEnded) res.write("\n");
        };
        const write = (event: MarathonEvent) => {
          if (silent || (types.size && !types.has(event.eventType))) return;
          finishKeepAlive();
          res.write(`event: ${event.eventType}${CRLF}data: ${JSON.stringify(event)}${CRLF}${CRLF}`);
        };
        write({ eventType: "event_stream_attached", timestamp: new Date().toISOString(), remoteAddress: req.socket.remoteAddress ?? "" });
        world.bus.on("event", write);
        const heartbeat = setInterval(() => {
          if (silent || res.writableEnded) return;
          res.write("\r");
          pendingLf = true;
          setImmediate(finishKeepAlive);
        }, world.timings.sseHeartbeatMs);
        heartbeat.unref();
        streams.set(res, { stall: () => (silent = true) });
        const detach = () => {
          clearInterval(heartbeat);
          world.bus.off("event", write);
          streams.delete(res);
        };
        req.on("close", detach);
        res.on("close", detach);
      },
    },
  ];

  return {
    listener: router(routes, {
      credentials,
      viewer,
      // docs/docs/rest-api/public/api/traits.raml, trait `secured`.
      unauthorized: (res) =>
        sendJson(res, 401, { message: "Invalid username or password." }, { "www-authenticate": 'Basic realm="Mesosphere"' }),
      forbidden: (res) => sendJson(res, 403, { message: "Not Authorized to perform this action!" }),
      notFound: (res) => sendJson(res, 404, { message: "Not Found" }),
    }),
    dropEventStreams: () => {
      for (const res of [...streams.keys()]) res.destroy();
    },
    stallEventStreams: () => {
      for (const stream of streams.values()) stream.stall();
    },
    eventStreamsOpened: () => opened,
  };
}
