import type http from "node:http";
import { router, sendJson, sendText, type BasicCredentials, type Route } from "./http";
import { TERMINAL_STATES, formatPortRanges, type SimAgent, type SimTask, type SimWorld } from "./world";

/**
 * The Mesos master's HTTP endpoints (/master/state and friends) and the
 * agents' (/monitor/statistics, /state), in Mesos's JSON shapes and units.
 */

function portRanges(ports: number[]): string {
  if (ports.length === 0) return "";
  const sorted = [...ports].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let prev = sorted[0];
  for (const p of sorted.slice(1).concat(Number.NaN)) {
    if (p === prev + 1) {
      prev = p;
      continue;
    }
    ranges.push(`${start}-${prev}`);
    start = prev = p;
  }
  return `[${ranges.join(", ")}]`;
}

function sum(tasks: SimTask[]) {
  return tasks.reduce(
    (acc, t) => ({ cpus: acc.cpus + t.cpus, mem: acc.mem + t.memMb, disk: acc.disk + t.diskMb, ports: [...acc.ports, ...t.hostPorts] }),
    { cpus: 0, mem: 0, disk: 0, ports: [] as number[] },
  );
}

/**
 * Mesos's summary of a resource set (src/common/http.cpp `json(Resources)`):
 * cpus, gpus, mem and disk always, ranges such as ports only when there are
 * some, as "[31000-31099, 31101-32000]".
 */
function resources(r: { cpus: number; mem: number; disk: number; ports: number[] | string }) {
  const ports = typeof r.ports === "string" ? r.ports : portRanges(r.ports);
  return {
    disk: round(r.disk),
    mem: round(r.mem),
    gpus: 0,
    cpus: round(r.cpus),
    ...(ports && ports !== "[]" ? { ports } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function agentJson(world: SimWorld, agent: SimAgent) {
  const tasks = world.tasksOn(agent.id).filter((t) => !TERMINAL_STATES.has(t.state));
  const used = sum(tasks);
  const reserved = Object.fromEntries(
    Object.entries(agent.reserved).map(([role, r]) => [role, resources({ cpus: r.cpus, mem: r.memMb, disk: 0, ports: [] })]),
  );
  const reservedCpus = Object.values(agent.reserved).reduce((s, r) => s + r.cpus, 0);
  const reservedMem = Object.values(agent.reserved).reduce((s, r) => s + r.memMb, 0);
  return {
    id: agent.id,
    // The pid carries the address the agent's HTTP server listens on (in the simulator: the sim host, not the fake IP).
    pid: `slave(1)@${agent.listenHost}:${agent.port}`,
    hostname: agent.hostname,
    port: agent.port,
    registered_time: agent.registeredAt / 1000,
    resources: resources({ cpus: agent.cpus, mem: agent.memMb, disk: agent.diskMb, ports: formatPortRanges(agent.portRanges) }),
    used_resources: resources(used),
    offered_resources: resources({ cpus: 0, mem: 0, disk: 0, ports: [] }),
    reserved_resources: reserved,
    unreserved_resources: resources({
      cpus: agent.cpus - reservedCpus,
      mem: agent.memMb - reservedMem,
      disk: agent.diskMb,
      ports: formatPortRanges(agent.portRanges),
    }),
    attributes: agent.attributes,
    // `active` is the connection to the master; `deactivated` an operator's deactivation or drain (master/readonly_handler.cpp SlaveWriter).
    active: agent.active,
    deactivated: agent.deactivated || agent.drain !== null,
    version: world.version,
    capabilities: [
      "MULTI_ROLE",
      "HIERARCHICAL_ROLE",
      "RESERVATION_REFINEMENT",
      "RESOURCE_PROVIDER",
      "RESIZE_VOLUME",
      "AGENT_OPERATION_FEEDBACK",
    ],
    ...(agent.drain ? { drain_info: { state: agent.drain, config: { mark_gone: false } } } : {}),
  };
}

export function taskJson(world: SimWorld, task: SimTask) {
  const agent = world.agents.get(task.agentId);
  return {
    id: task.id,
    name: task.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId,
    slave_id: task.agentId,
    state: task.state,
    resources: resources({ cpus: task.cpus, mem: task.memMb, disk: task.diskMb, ports: task.hostPorts }),
    role: task.role,
    statuses: task.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      ...(task.health && s.state === "TASK_RUNNING" ? { healthy: task.health.alive } : {}),
      container_status: {
        container_id: { value: task.id.slice(-36) },
        network_infos: [{ ip_addresses: [{ protocol: "IPv4", ip_address: agent?.ip ?? "0.0.0.0" }] }],
      },
    })),
    ...(task.image ? { container: { type: "DOCKER", docker: { image: task.image, network: "BRIDGE" } } } : {}),
    discovery: task.appId ? { visibility: "FRAMEWORK", name: task.name } : undefined,
  };
}

export function masterState(world: SimWorld, hostPort: string) {
  const agents = [...world.agents.values()];
  return {
    version: world.version,
    git_tag: world.version,
    build_date: "2021-03-29 18:31:46",
    build_time: 1617042706,
    build_user: "mesos",
    start_time: world.startedAt / 1000,
    elected_time: world.startedAt / 1000 + 0.01,
    id: world.masterId,
    pid: `master@${hostPort}`,
    hostname: "mesos-master-1",
    activated_slaves: agents.filter((a) => a.active).length,
    deactivated_slaves: agents.filter((a) => !a.active).length,
    unreachable_slaves: 0,
    cluster: world.cluster,
    leader: `master@${hostPort}`,
    leader_info: { id: world.masterId, pid: `master@${hostPort}`, port: Number(hostPort.split(":").at(-1)), hostname: "mesos-master-1" },
    flags: { authenticate_http_readonly: "false", port: hostPort.split(":").at(-1) },
    slaves: agents.map((a) => agentJson(world, a)),
    frameworks: [...world.frameworks.values()].map((fw) => {
      const tasks = [...world.tasks.values()].filter((t) => t.frameworkId === fw.id);
      const used = sum(tasks.filter((t) => !TERMINAL_STATES.has(t.state)));
      return {
        id: fw.id,
        name: fw.name,
        pid: `scheduler-${fw.id.slice(-4)}@127.0.0.1:0`,
        used_resources: resources(used),
        offered_resources: resources({ cpus: 0, mem: 0, disk: 0, ports: [] }),
        capabilities: ["MULTI_ROLE", "PARTITION_AWARE"],
        hostname: fw.name === "marathon" ? "marathon-1" : `${fw.name}-scheduler`,
        webui_url: fw.webuiUrl ?? "",
        active: true,
        connected: true,
        recovered: false,
        user: "root",
        failover_timeout: 604800,
        checkpoint: true,
        registered_time: fw.registeredAt / 1000,
        unregistered_time: 0,
        // A MULTI_ROLE framework has `roles` only; `role` is for the others (master/readonly_handler.cpp FullFrameworkWriter).
        roles: [fw.role],
        tasks: tasks.map((t) => taskJson(world, t)),
        unreachable_tasks: [],
        completed_tasks: world.completedTasks.filter((t) => t.frameworkId === fw.id).map((t) => taskJson(world, t)),
        offers: [],
        executors: [],
      };
    }),
    completed_frameworks: [],
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

export function masterListener(world: SimWorld, self: () => string, credentials?: BasicCredentials): http.RequestListener {
  const state: Route["handle"] = ({ res }) => sendJson(res, 200, masterState(world, self()));
  const routes: Route[] = [
    { method: "GET", path: /^\/(?:master\/)?state(?:\.json)?$/, handle: state },
    {
      method: "GET",
      path: /^\/(?:master\/)?slaves$/,
      handle: ({ res }) => sendJson(res, 200, { slaves: masterState(world, self()).slaves, recovered_slaves: [] }),
    },
    {
      method: "GET",
      path: /^\/(?:master\/)?frameworks$/,
      handle: ({ res }) =>
        sendJson(res, 200, { frameworks: masterState(world, self()).frameworks, completed_frameworks: [], unregistered_frameworks: [] }),
    },
    {
      method: "GET",
      path: /^\/version$/,
      handle: ({ res }) =>
        sendJson(res, 200, { version: world.version, build_date: "2021-03-29 18:31:46", build_user: "mesos", build_time: 1617042706 }),
    },
    { method: "GET", path: /^\/(?:master\/)?health$/, handle: ({ res }) => sendText(res, 200, "") },
  ];
  return router(routes, {
    credentials,
    // libprocess's basic authenticator challenges with the realm of the endpoint (src/master/constants.hpp).
    unauthorized: (res) => sendText(res, 401, "", { "www-authenticate": 'Basic realm="mesos-master-readonly"' }),
    notFound: (res) => sendText(res, 404, ""),
  });
}

/** One agent's endpoints; Mesos agents use the same HTTP credentials as the master in this simulator. */
export function agentListener(world: SimWorld, agentId: string, credentials?: BasicCredentials): http.RequestListener {
  const statistics: Route["handle"] = ({ res }) => {
    const now = Date.now();
    const tasks = world.tasksOn(agentId).filter((t) => t.state === "TASK_RUNNING" || t.state === "TASK_KILLING");
    sendJson(
      res,
      200,
      tasks.map((task) => {
        world.advanceUsage(task, now);
        const cpu = task.usage.cpuSeconds;
        return {
          executor_id: task.executorId || task.id,
          executor_name: task.executorId ? `${task.name} executor` : `Command Executor (Task: ${task.id}) (Command: sh -c '...')`,
          framework_id: task.frameworkId,
          source: task.id,
          statistics: {
            timestamp: now / 1000,
            cpus_user_time_secs: round(cpu * 0.8),
            cpus_system_time_secs: round(cpu * 0.2),
            // The executor adds its own 0.1 cpus and 32 MB to the task's.
            cpus_limit: round(task.cpus + 0.1),
            mem_rss_bytes: world.memRssBytes(task, now),
            mem_limit_bytes: Math.round((task.memMb + 32) * 1024 * 1024),
          },
        };
      }),
    );
  };
  const routes: Route[] = [
    { method: "GET", path: /^\/monitor\/statistics(?:\.json)?$/, handle: statistics },
    {
      method: "GET",
      path: /^\/(?:slave\(1\)\/)?state(?:\.json)?$/,
      handle: ({ res }) => {
        const agent = world.agents.get(agentId)!;
        sendJson(res, 200, {
          version: world.version,
          id: agent.id,
          hostname: agent.hostname,
          attributes: agent.attributes,
          resources: { cpus: agent.cpus, mem: agent.memMb, disk: agent.diskMb, ports: formatPortRanges(agent.portRanges) },
          master_hostname: "mesos-master-1",
        });
      },
    },
    { method: "GET", path: /^\/health$/, handle: ({ res }) => sendText(res, 200, "") },
  ];
  return router(routes, {
    credentials,
    unauthorized: (res) => sendText(res, 401, "", { "www-authenticate": 'Basic realm="mesos-agent-readonly"' }),
    notFound: (res) => sendText(res, 404, ""),
  });
}
