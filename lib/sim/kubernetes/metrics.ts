/**
 * What metrics-server would report: per-container and per-node use computed
 * on request from the clock alone, so the use at any past moment is known too
 * (the server backfills history from it; cAdvisor's counters integrate it).
 *
 * A container's CPU = its profile's share of the request × a daily cycle
 * (business hours in UTC, or nights for batch work) × a few overlapping slow
 * waves phase-shifted by the pod's name × occasional bursts, capped at the CPU
 * limit (CFS throttling). Memory sits near its share of the request, except
 * for leaking workloads: their memory climbs to the limit, where the kernel
 * OOM-kills the container and it starts again from the bottom, on a schedule
 * fixed by the pod's name (oomKillTimes), so the kubelet reports the same
 * kills the usage shows.
 */

import type { Container, NodeObject, Pod, UsageProfile } from "./types";
import { cpuMillis, formatKi, formatNanocores, memoryBytes } from "./quantity";
import { dailyCycle, mixUnit } from "../usage-model";
import { hashString, kubeTime } from "./random";

const DEFAULT_PROFILE: UsageProfile = { cpu: 0.3, memory: 0.55, cpuSwing: 0.35 };
/** Use of a container that requests nothing (BestEffort). */
const BEST_EFFORT = { cpuMillis: 15, memoryBytes: 48 * 1024 * 1024 };
const DEFAULT_DAILY = 0.45;
const DEFAULT_BURSTS = 0.05;
/** Bursts fall in slots of this length: at most one per slot, shaped over the whole slot. */
const BURST_SLOT_MS = 20 * 60_000;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const MIN_MEMORY = 4 << 20;

function wave(seed: number, t: number, periodS: number): number {
  const phase = ((seed % 1000) / 1000) * 2 * Math.PI;
  return Math.sin((2 * Math.PI * t) / (periodS * 1000) + phase);
}

/** A pod's container, with everything its use depends on parsed once. */
export interface ContainerModel {
  name: string;
  seed: number;
  cpuBase: number;
  memBase: number;
  cpuLimit: number;
  memLimit: number;
  swing: number;
  daily: number;
  night: boolean;
  bursts: number;
  /** OOM-kill cycle (ms) and its phase offset, for leaking containers with a memory limit; 0: none. */
  leakPeriodMs: number;
  leakOffsetMs: number;
}

export function containerModel(pod: Pod, c: Container, profile: UsageProfile | undefined): ContainerModel {
  const p = profile ?? DEFAULT_PROFILE;
  const seed = hashString(`${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`);
  const memLimit = memoryBytes(c.resources.limits?.memory);
  const leakPeriodMs = p.leak && memLimit > 0 ? p.leak.minutes * 60_000 * (0.8 + 0.4 * mixUnit(seed, 1)) : 0;
  return {
    name: c.name,
    seed,
    cpuBase: c.resources.requests?.cpu ? cpuMillis(c.resources.requests.cpu) * p.cpu : BEST_EFFORT.cpuMillis,
    memBase: c.resources.requests?.memory ? memoryBytes(c.resources.requests.memory) * p.memory : BEST_EFFORT.memoryBytes,
    cpuLimit: cpuMillis(c.resources.limits?.cpu),
    memLimit,
    swing: p.cpuSwing ?? DEFAULT_PROFILE.cpuSwing!,
    daily: p.daily ?? DEFAULT_DAILY,
    night: p.peak === "night",
    bursts: p.bursts ?? DEFAULT_BURSTS,
    leakPeriodMs,
    leakOffsetMs: leakPeriodMs * mixUnit(seed, 2),
  };
}

export function podModels(pod: Pod, profile: UsageProfile | undefined): ContainerModel[] {
  return pod.spec.containers.map((c) => containerModel(pod, c, profile));
}

/** The moments (ms) in (from, to] at which a leaking container is OOM-killed, oldest first. */
export function oomKillTimes(m: ContainerModel, from: number, to: number): number[] {
  if (!m.leakPeriodMs) return [];
  const out: number[] = [];
  const first = Math.floor((from - m.leakOffsetMs) / m.leakPeriodMs) + 1;
  for (let k = first; ; k++) {
    const at = m.leakOffsetMs + k * m.leakPeriodMs;
    if (at > to) break;
    out.push(at);
  }
  return out;
}

/** The last OOM kill at or before `t` (-Infinity for containers that do not leak). */
export function lastOomKill(m: ContainerModel, t: number): number {
  if (!m.leakPeriodMs) return -Infinity;
  return m.leakOffsetMs + Math.floor((t - m.leakOffsetMs) / m.leakPeriodMs) * m.leakPeriodMs;
}

/** The next OOM kill after `t` (Infinity for containers that do not leak). */
export function nextOomKill(m: ContainerModel, t: number): number {
  return m.leakPeriodMs ? lastOomKill(m, t) + m.leakPeriodMs : Infinity;
}

export function modelCpuMillis(m: ContainerModel, t: number): number {
  const day = m.night ? dailyCycle(t + DAY_MS / 2) : dailyCycle(t);
  const daily = 1 + m.daily * (2 * day - 1);
  const waves = 1 + m.swing * (0.6 * wave(m.seed, t, 300) + 0.3 * wave(m.seed >>> 3, t, 47) + 0.1 * wave(m.seed >>> 7, t, 11));
  const slot = Math.floor(t / BURST_SLOT_MS);
  const r = mixUnit(m.seed, slot);
  let burst = 1;
  if (r < m.bursts) {
    const s = Math.sin((Math.PI * (t - slot * BURST_SLOT_MS)) / BURST_SLOT_MS);
    // 2.5× to 4× the usual use at the slot's middle.
    burst = 1 + (1.5 + (1.5 * r) / m.bursts) * s * s;
  }
  const cpu = Math.max(1, m.cpuBase * daily * waves * burst);
  return m.cpuLimit > 0 ? Math.min(cpu, m.cpuLimit) : cpu;
}

export function modelMemoryBytes(m: ContainerModel, t: number): number {
  const day = m.night ? dailyCycle(t + DAY_MS / 2) : dailyCycle(t);
  const drift = 1 + 0.06 * wave(m.seed >>> 5, t, 900) + 0.02 * wave(m.seed >>> 9, t, 60) + 0.05 * m.daily * (2 * day - 1);
  let memory = m.memBase * drift;
  if (m.leakPeriodMs) {
    // A leak: from the base right after a start up to the limit, where the kill comes.
    const u = (t - lastOomKill(m, t)) / m.leakPeriodMs;
    memory = Math.min(m.memBase, 0.6 * m.memLimit) * drift + (m.memLimit - Math.min(m.memBase, 0.6 * m.memLimit) * drift) * u;
  }
  memory = Math.max(MIN_MEMORY, memory);
  return m.memLimit > 0 ? Math.min(memory, m.memLimit) : memory;
}

export interface ContainerUsage {
  name: string;
  cpuMillis: number;
  memoryBytes: number;
}

export function modelUsage(models: ContainerModel[], now: number): ContainerUsage[] {
  return models.map((m) => ({ name: m.name, cpuMillis: modelCpuMillis(m, now), memoryBytes: modelMemoryBytes(m, now) }));
}

export function containerUsage(pod: Pod, profile: UsageProfile | undefined, now: number): ContainerUsage[] {
  return modelUsage(podModels(pod, profile), now);
}

/** A node, for its use: capacity and the system daemons' share (kubelet, runtime, OS). */
export interface NodeModel {
  name: string;
  seed: number;
  capacityCpu: number;
  capacityMem: number;
}

export function nodeModel(node: NodeObject): NodeModel {
  return {
    name: node.metadata.name,
    seed: hashString(node.metadata.name),
    capacityCpu: cpuMillis(node.status.capacity.cpu),
    capacityMem: memoryBytes(node.status.capacity.memory),
  };
}

/** Node use = its running pods' containers + system daemons, at most its capacity. */
export function nodeUsageAt(node: NodeModel, containers: ContainerModel[], now: number): { cpuMillis: number; memoryBytes: number } {
  let cpu = node.capacityCpu * 0.03 * (1 + 0.3 * wave(node.seed, now, 120));
  let memory = node.capacityMem * 0.08 * (1 + 0.02 * wave(node.seed, now, 600));
  for (const m of containers) {
    cpu += modelCpuMillis(m, now);
    memory += modelMemoryBytes(m, now);
  }
  return { cpuMillis: Math.min(cpu, node.capacityCpu), memoryBytes: Math.min(memory, node.capacityMem) };
}

export function podMetrics(pod: Pod, profile: UsageProfile | undefined, now: number) {
  return {
    kind: "PodMetrics",
    apiVersion: "metrics.k8s.io/v1beta1",
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: kubeTime(now),
      labels: pod.metadata.labels ?? {},
    },
    timestamp: kubeTime(now - 12_000),
    window: "15.012s",
    containers: containerUsage(pod, profile, now).map((u) => ({
      name: u.name,
      usage: { cpu: formatNanocores(u.cpuMillis), memory: formatKi(u.memoryBytes) },
    })),
  };
}

export function nodeMetrics(node: NodeObject, pods: { pod: Pod; profile: UsageProfile | undefined }[], now: number) {
  const usage = nodeUsageAt(
    nodeModel(node),
    pods.flatMap(({ pod, profile }) => podModels(pod, profile)),
    now,
  );
  return {
    kind: "NodeMetrics",
    apiVersion: "metrics.k8s.io/v1beta1",
    metadata: { name: node.metadata.name, creationTimestamp: kubeTime(now), labels: node.metadata.labels ?? {} },
    timestamp: kubeTime(now - 9_000),
    window: "20.047s",
    usage: { cpu: formatNanocores(usage.cpuMillis), memory: formatKi(usage.memoryBytes) },
  };
}
