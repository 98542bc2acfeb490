import { facts } from "@/lib/model/events";
import { problem, withProblems, type Problem } from "@/lib/model/health";
import { joinId, slugify } from "@/lib/model/ids";
import type { Limits, NodeCore, Service, TaskCore, TaskState, Volume, WorkloadCore } from "@/lib/model/types";
import { mountModes, mountStatus } from "../volumes";
import type { RawContainerInspect, RawContainerSummary, RawInfo } from "./raw";
import {
  capOrNull,
  CRASH_LOOP_FAILURES,
  displayImage,
  engineTime,
  SERVICE_NAME_LABEL,
  STACK_LABEL,
  STEADY_RUN_MS,
  TASK_ID_LABEL,
} from "./swarm-mappers";

/**
 * Pure mappers for a standalone engine's host and for plain containers,
 * Compose services and lone ones, on a standalone engine and beside a swarm
 * manager's services.
 */

export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
export const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";
export const COMPOSE_ONEOFF_LABEL = "com.docker.compose.oneoff";
const COMPOSE_WORKING_DIR_LABEL = "com.docker.compose.project.working_dir";
const COMPOSE_CONFIG_FILES_LABEL = "com.docker.compose.project.config_files";

export const COMPOSE_NOT_SCALABLE = "Compose services scale with `docker compose up --scale`; the engine API has no replica count.";
export const CONTAINER_NOT_SCALABLE = "A lone container has no replica count; start more with `docker run`.";
export const SWARM_WORKER_NOT_SCALABLE = "This engine is a swarm worker; scale the service through a swarm manager.";

export function hostNodeId(info: RawInfo): string {
  return slugify(info.Name);
}

export function mapHostNode(info: RawInfo): NodeCore {
  const capacity = { cpuMillis: info.NCPU * 1000, memoryBytes: info.MemTotal };
  const labels: Record<string, string> = {};
  for (const entry of info.Labels ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) labels[entry.slice(0, eq)] = entry.slice(eq + 1);
    else labels[entry] = "";
  }
  const details: Record<string, string> = { engineVersion: info.ServerVersion };
  if (info.OperatingSystem) details.os = info.OperatingSystem;
  if (info.KernelVersion) details.kernel = info.KernelVersion;
  if (info.Architecture) details.architecture = info.Architecture;
  if (info.CgroupVersion) details.cgroupVersion = info.CgroupVersion;
  const swarmState = info.Swarm?.LocalNodeState;
  if (swarmState && swarmState !== "inactive") details.swarm = swarmState;
  return {
    id: hostNodeId(info),
    name: info.Name,
    status: "ready",
    statusReason: null,
    schedulable: true,
    roles: ["host"],
    labels,
    capacity,
    allocatable: capacity,
    createdAt: null,
    info: details,
  };
}

export function containerName(c: RawContainerSummary): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, "");
}

type Group = { kind: "ComposeService" | "SwarmService" | "Container"; id: string; name: string; namespace: string | null };

/** Which workload a container belongs to. */
export function groupOf(c: RawContainerSummary): Group {
  const project = c.Labels[COMPOSE_PROJECT_LABEL];
  const service = c.Labels[COMPOSE_SERVICE_LABEL];
  // `docker compose run` containers are one-offs, not members of the service's scale.
  if (project && service && c.Labels[COMPOSE_ONEOFF_LABEL] !== "True") {
    return { kind: "ComposeService", id: joinId("compose", project, service), name: service, namespace: project };
  }
  const swarmService = c.Labels[SERVICE_NAME_LABEL];
  if (swarmService) {
    const stack = c.Labels[STACK_LABEL] ?? null;
    return { kind: "SwarmService", id: joinId("swarm", swarmService), name: swarmService, namespace: stack };
  }
  const name = containerName(c);
  return { kind: "Container", id: joinId("container", name), name, namespace: project ?? null };
}

export function mapContainerState(c: RawContainerSummary, inspect?: RawContainerInspect): { state: TaskState; reason: string | null } {
  const exitCode = inspect?.State?.ExitCode;
  switch (c.State) {
    case "created":
      return { state: "pending", reason: "created" };
    case "restarting":
      return { state: "pending", reason: "restarting" };
    case "running":
      return { state: "running", reason: inspect?.State?.Health?.Status === "unhealthy" ? "unhealthy" : null };
    case "paused":
      return { state: "running", reason: "paused" };
    case "exited": {
      const error = inspect?.State?.Error || (inspect?.State?.OOMKilled ? "OOMKilled" : "");
      if (exitCode === 0) return { state: "succeeded", reason: c.Status ?? "exited (0)" };
      return { state: "failed", reason: [c.Status ?? `exited (${exitCode ?? "?"})`, error].filter(Boolean).join(": ") };
    }
    case "dead":
      return { state: "failed", reason: inspect?.State?.Error || "dead" };
    default:
      return { state: "unknown", reason: c.State };
  }
}

function containerIp(c: RawContainerSummary): string | null {
  for (const network of Object.values(c.NetworkSettings?.Networks ?? {})) if (network.IPAddress) return network.IPAddress;
  return null;
}

/** HostConfig's hard caps: Memory, and CPU as NanoCpus (--cpus) or CpuQuota per CpuPeriod (--cpu-quota; the period defaults to 100 ms). */
export function containerLimits(inspect: RawContainerInspect): Limits {
  const h = inspect.HostConfig;
  const quota = capOrNull(h?.CpuQuota);
  const cpuMillis = capOrNull(h?.NanoCpus, 1e-6) ?? (quota !== null ? (quota / (capOrNull(h?.CpuPeriod) ?? 100_000)) * 1000 : null);
  return { cpuMillis, memoryBytes: capOrNull(h?.Memory) };
}

/** A health check's output as evidence: one line, not too long. */
function probeOutput(output: string | undefined): string {
  const line = (output ?? "").replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** A running container whose health check fails, with the last probe's output; since the first failing probe the log still has. */
function healthProblem(health: NonNullable<NonNullable<RawContainerInspect["State"]>["Health"]>): Problem {
  const log = health.Log ?? [];
  let first = log.length;
  while (first > 0 && (log[first - 1].ExitCode ?? 0) !== 0) first--;
  const last = log.at(-1);
  const streak = health.FailingStreak ?? log.length - first;
  const said = [
    `health check failed ${streak} time${streak === 1 ? "" : "s"} in a row`,
    last?.ExitCode !== undefined ? ` (exit code ${last.ExitCode})` : "",
    probeOutput(last?.Output) ? `: ${probeOutput(last?.Output)}` : "",
  ].join("");
  return problem("critical", "Failing health check", said, engineTime(log[first]?.Start));
}

/**
 * What is wrong with a container, from its inspect: a failing health check
 * (critical while it runs); a crash loop, CRASH_LOOP_FAILURES restarts by its
 * policy and restarting again or not yet up for STEADY_RUN_MS (critical); an
 * OOM kill and an exit with an error, past events of its last run's end.
 */
export function containerProblems(c: RawContainerSummary, inspect: RawContainerInspect | undefined, now = Date.now()): Problem[] {
  const state = inspect?.State;
  if (!state) return [];
  const problems: Problem[] = [];
  if (c.State === "running" && state.Health?.Status === "unhealthy") problems.push(healthProblem(state.Health));
  const restarts = inspect.RestartCount ?? 0;
  const finishedAt = engineTime(state.FinishedAt);
  // A restarting or stopped container shows its last exit code; a running one shows 0.
  const exitCode = c.State === "running" ? null : (state.ExitCode ?? null);
  const ended = `exited with code ${exitCode ?? "unknown"}${state.Error ? `: ${state.Error}` : ""}`;
  if (state.OOMKilled && finishedAt) {
    const limit = capOrNull(inspect.HostConfig?.Memory);
    const said = `OOMKilled${limit !== null ? ` at its memory limit of ${Math.round(limit / 2 ** 20)} MiB` : ""}`;
    problems.push(problem("warning", "Out of memory", exitCode !== null ? `${said} (exit code ${exitCode})` : said, finishedAt, false));
  }
  const restarting = c.State === "restarting";
  // A start the engine does not give (NaN) is not known to be long ago.
  const upBriefly = c.State === "running" && !(now - Date.parse(state.StartedAt ?? "") >= STEADY_RUN_MS);
  if (restarts >= CRASH_LOOP_FAILURES && (restarting || upBriefly)) {
    const said = restarting ? `${ended}, restarting` : `up again for less than ${STEADY_RUN_MS / 1000} s`;
    problems.push(problem("critical", "Crash loop", `${said} (${restarts} restarts)`, null));
  } else if (exitCode && !state.OOMKilled && finishedAt) {
    const after = restarts ? ` (${restarts} restart${restarts === 1 ? "" : "s"})` : "";
    problems.push(problem("warning", "Container failed", `${ended}${after}`, finishedAt, false));
  }
  return problems;
}

export function mapContainerTask(c: RawContainerSummary, nodeId: string, inspect?: RawContainerInspect, now = Date.now()): TaskCore {
  const group = groupOf(c);
  const { state, reason } = mapContainerState(c, inspect);
  const health = inspect?.State?.Health?.Status;
  const startedAt = inspect?.State?.StartedAt;
  return {
    id: c.Id,
    name: containerName(c),
    namespace: group.namespace,
    workloadId: group.id,
    node: nodeId,
    state,
    stateReason: reason,
    ready: state === "running" && c.State === "running" && (health === undefined || health === "healthy"),
    restarts: inspect?.RestartCount ?? 0,
    labels: c.Labels,
    // Plain Docker has no CPU reservation; a memory soft limit is the nearest to a request.
    requests: { cpuMillis: 0, memoryBytes: inspect?.HostConfig?.MemoryReservation ?? 0 },
    // Without an inspect the caps are unknown, not absent.
    ...(inspect ? { limits: containerLimits(inspect) } : {}),
    startedAt: startedAt && !startedAt.startsWith("0001-") && state === "running" ? startedAt : null,
    createdAt: c.Created ? new Date(c.Created * 1000).toISOString() : null,
    ip: containerIp(c),
    ...withProblems(containerProblems(c, inspect, now)),
  };
}

export function mapStandaloneWorkloads(containers: readonly RawContainerSummary[]): WorkloadCore[] {
  const groups = new Map<string, { group: Group; members: RawContainerSummary[] }>();
  for (const c of containers) {
    const group = groupOf(c);
    const entry = groups.get(group.id);
    if (entry) entry.members.push(c);
    else groups.set(group.id, { group, members: [c] });
  }
  return [...groups.values()].map(({ group, members }) => {
    const images = [...new Set(members.map((m) => displayImage(m.Image)).filter((i): i is string => Boolean(i)))];
    const first = members[0];
    const labels =
      group.kind === "ComposeService"
        ? { [COMPOSE_PROJECT_LABEL]: group.namespace ?? "", [COMPOSE_SERVICE_LABEL]: group.name }
        : group.kind === "SwarmService"
          ? { [SERVICE_NAME_LABEL]: group.name }
          : first.Labels;
    const created = Math.min(...members.map((m) => m.Created ?? Infinity));
    const running = members.filter((m) => m.State === "running").length;
    const info = facts([
      ["Compose project", group.kind === "ComposeService" ? group.namespace : null],
      ["Compose service", group.kind === "ComposeService" ? group.name : null],
      ["Compose files", group.kind === "ComposeService" ? first.Labels[COMPOSE_CONFIG_FILES_LABEL] : null],
      ["Working directory", group.kind === "ComposeService" ? first.Labels[COMPOSE_WORKING_DIR_LABEL] : null],
      ["Swarm service", group.kind === "SwarmService" ? group.name : null],
      // Not the engine's "Up 8 seconds" status: it changes on every list and would churn the snapshot.
      ["Containers", `${members.length} (${running} running)`],
    ]);
    return {
      id: group.id,
      name: group.name,
      namespace: group.namespace,
      kind: group.kind,
      labels,
      images,
      desired: members.length,
      ready: running,
      scalable: false,
      notScalableReason:
        group.kind === "ComposeService"
          ? COMPOSE_NOT_SCALABLE
          : group.kind === "SwarmService"
            ? SWARM_WORKER_NOT_SCALABLE
            : CONTAINER_NOT_SCALABLE,
      autoscaler: null,
      createdAt: Number.isFinite(created) ? new Date(created * 1000).toISOString() : null,
      selector:
        group.kind === "Container"
          ? null
          : Object.entries(labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(","),
      info,
      // The engine's /events stream is followed for changes, not kept as history.
      events: [],
      volumes: containerVolumes(members),
    };
  });
}

/**
 * The mounts of a workload's containers, one per place they are mounted (in
 * path order: the engine lists them in no fixed order). What holds the data
 * is the volume or bound host path they share; containers that each have
 * their own (anonymous volumes of a scaled Compose service) share none.
 */
export function containerVolumes(members: readonly RawContainerSummary[]): Volume[] {
  const byPath = new Map<string, { type: string; sources: Set<string>; readOnly: boolean[]; running: boolean }>();
  for (const c of members) {
    for (const m of c.Mounts ?? []) {
      const entry = byPath.get(m.Destination) ?? { type: m.Type ?? "volume", sources: new Set(), readOnly: [], running: false };
      const source = m.Type === "volume" ? m.Name : m.Type === "bind" ? m.Source : undefined;
      entry.sources.add(source ?? "");
      entry.readOnly.push(m.RW === false);
      entry.running ||= c.State === "running";
      byPath.set(m.Destination, entry);
    }
  }
  return [...byPath]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, e]) => {
      const [source] = e.sources;
      return {
        name: path,
        type: e.type,
        claim: e.sources.size === 1 && source ? source : null,
        capacityBytes: null,
        accessModes: mountModes(e.readOnly),
        status: mountStatus(e.running),
      };
    });
}

/** On a swarm manager, the containers that are not a swarm task's (a task shows as itself): Compose services' and lone ones. */
export function plainContainers(containers: readonly RawContainerSummary[]): RawContainerSummary[] {
  return containers.filter((c) => !c.Labels[TASK_ID_LABEL]);
}

/** What plain containers (Compose services and lone containers) show, on `nodeId`, with the inspects known of them. */
export function mapContainers(
  containers: readonly RawContainerSummary[],
  nodeId: string,
  inspects: ReadonlyMap<string, RawContainerInspect>,
  now = Date.now(),
): { workloads: WorkloadCore[]; tasks: TaskCore[]; services: Service[] } {
  return {
    workloads: mapStandaloneWorkloads(containers),
    tasks: containers.map((c) => mapContainerTask(c, nodeId, inspects.get(c.Id), now)),
    services: mapStandaloneServices(containers),
  };
}

/** Host-published ports, one service per workload that publishes any. */
export function mapStandaloneServices(containers: readonly RawContainerSummary[]): Service[] {
  const byGroup = new Map<string, { group: Group; ports: Service["ports"]; members: RawContainerSummary[] }>();
  for (const c of containers) {
    const published = (c.Ports ?? []).filter((p) => p.PublicPort);
    if (!published.length) continue;
    const group = groupOf(c);
    const entry = byGroup.get(group.id) ?? { group, ports: [], members: [] };
    entry.members.push(c);
    for (const p of published) {
      const port = {
        name: null,
        port: p.PublicPort!,
        targetPort: String(p.PrivatePort),
        protocol: (p.Type ?? "tcp").toUpperCase(),
        nodePort: p.PublicPort!,
      };
      // IPv4 and IPv6 bindings of one port are listed twice by the engine.
      if (!entry.ports.some((q) => q.port === port.port && q.protocol === port.protocol)) entry.ports.push(port);
    }
    byGroup.set(group.id, entry);
  }
  return [...byGroup.values()].map(({ group, ports, members }): Service => ({
    id: group.id,
    name: group.name,
    namespace: group.namespace,
    type: "HostPort",
    clusterIp: null,
    headless: false,
    ports,
    selector:
      group.kind === "ComposeService"
        ? { [COMPOSE_PROJECT_LABEL]: group.namespace ?? "", [COMPOSE_SERVICE_LABEL]: group.name }
        : ({} as Record<string, string>),
    labels: {},
    readyEndpoints: members.filter((m) => m.State === "running").length,
    totalEndpoints: members.length,
    createdAt: null,
  }));
}
