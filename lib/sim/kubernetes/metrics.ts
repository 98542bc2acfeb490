/**
 * What metrics-server would report: per-container and per-node use that moves
 * smoothly over time (a few overlapping slow waves per pod, phase-shifted by
 * the pod's name so replicas differ), computed on request from the clock.
 */

import type { NodeObject, Pod, UsageProfile } from "./types";
import { cpuMillis, formatKi, formatNanocores, memoryBytes } from "./quantity";
import { hashString, kubeTime } from "./random";

const DEFAULT_PROFILE: UsageProfile = { cpu: 0.3, memory: 0.55, cpuSwing: 0.35 };
/** Use of a container that requests nothing (BestEffort). */
const BEST_EFFORT = { cpuMillis: 15, memoryBytes: 48 * 1024 * 1024 };

function wave(seed: number, t: number, periodS: number): number {
  const phase = ((seed % 1000) / 1000) * 2 * Math.PI;
  return Math.sin((2 * Math.PI * t) / (periodS * 1000) + phase);
}

export interface ContainerUsage {
  name: string;
  cpuMillis: number;
  memoryBytes: number;
}

export function containerUsage(pod: Pod, profile: UsageProfile | undefined, now: number): ContainerUsage[] {
  const p = profile ?? DEFAULT_PROFILE;
  const swing = p.cpuSwing ?? DEFAULT_PROFILE.cpuSwing!;
  return pod.spec.containers.map((c) => {
    const seed = hashString(`${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`);
    const cpuBase = c.resources.requests?.cpu ? cpuMillis(c.resources.requests.cpu) * p.cpu : BEST_EFFORT.cpuMillis;
    const memBase = c.resources.requests?.memory ? memoryBytes(c.resources.requests.memory) * p.memory : BEST_EFFORT.memoryBytes;
    const cpuFactor = 1 + swing * (0.6 * wave(seed, now, 300) + 0.3 * wave(seed >>> 3, now, 47) + 0.1 * wave(seed >>> 7, now, 11));
    const memFactor = 1 + 0.08 * wave(seed >>> 5, now, 900) + 0.02 * wave(seed >>> 9, now, 60);
    return { name: c.name, cpuMillis: Math.max(1, cpuBase * cpuFactor), memoryBytes: Math.max(4 << 20, memBase * memFactor) };
  });
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

/** Node use = its running pods + system daemons (kubelet, runtime, OS). */
export function nodeMetrics(node: NodeObject, pods: { pod: Pod; profile: UsageProfile | undefined }[], now: number) {
  const seed = hashString(node.metadata.name);
  const capacityCpu = cpuMillis(node.status.capacity.cpu);
  const capacityMem = memoryBytes(node.status.capacity.memory);
  let cpu = capacityCpu * 0.03 * (1 + 0.3 * wave(seed, now, 120));
  let memory = capacityMem * 0.08 * (1 + 0.02 * wave(seed, now, 600));
  for (const { pod, profile } of pods) {
    for (const u of containerUsage(pod, profile, now)) {
      cpu += u.cpuMillis;
      memory += u.memoryBytes;
    }
  }
  return {
    kind: "NodeMetrics",
    apiVersion: "metrics.k8s.io/v1beta1",
    metadata: { name: node.metadata.name, creationTimestamp: kubeTime(now), labels: node.metadata.labels ?? {} },
    timestamp: kubeTime(now - 9_000),
    window: "20.047s",
    usage: { cpu: formatNanocores(Math.min(cpu, capacityCpu)), memory: formatKi(Math.min(memory, capacityMem)) },
  };
}
