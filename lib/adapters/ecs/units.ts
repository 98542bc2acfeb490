/**
 * ECS units: 1024 CPU units = 1 vCPU, memory in MiB. Task-level `cpu` and
 * `memory` are strings: DescribeTasks answers plain numbers ("512"), while
 * task definitions also accept "0.5 vCPU" and "2 GB" (GB meaning GiB there).
 */

const MIB = 1024 * 1024;

export function cpuUnitsToMillis(units: number): number {
  return Math.round((units * 1000) / 1024);
}

export function mibToBytes(mib: number): number {
  return Math.round(mib * MIB);
}

/** Parses a task or container `cpu` string to CPU units; null when absent or malformed. */
export function parseCpuUnits(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  return match[2] ? n * 1024 : n;
}

/** Parses a task or container `memory` string to MiB; null when absent or malformed. */
export function parseMemoryMiB(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  return match[2] && match[2].toLowerCase().startsWith("g") ? n * 1024 : n;
}
