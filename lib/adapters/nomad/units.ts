/**
 * Nomad's units: CPU in MHz ("shares" of a node's total compute), memory in
 * MiB (Nomad calls them MB: a node's MemoryMB is memory.totalbytes / 2^20) in
 * specs and in bytes in stats. The model wants millicores and bytes.
 */

const MIB = 1024 * 1024;

export function mbToBytes(mb: number | null | undefined): number {
  return Math.max(0, Math.round((mb ?? 0) * MIB));
}

function positive(value: string | number | null | undefined): number | null {
  const n = typeof value === "number" ? value : value == null ? NaN : Number.parseFloat(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * MHz of one core of a node: cpu.totalcompute ÷ cpu.numcores, which is what
 * Nomad itself divides by. Falls back to cpu.frequency, then to the total
 * shares over TotalCpuCores; null when the node tells none of these.
 */
export function mhzPerCore(
  attributes: Record<string, string> | null | undefined,
  totalShares?: number | null,
  totalCores?: number | null,
): number | null {
  const total = positive(attributes?.["cpu.totalcompute"]);
  const cores = positive(attributes?.["cpu.numcores"]);
  if (total && cores) return total / cores;
  const frequency = positive(attributes?.["cpu.frequency"]);
  if (frequency) return frequency;
  const shares = positive(totalShares);
  const coreCount = positive(totalCores);
  if (shares && coreCount) return shares / coreCount;
  return null;
}

/** Nomad CPU (MHz) to millicores on a node whose cores run at `perCore` MHz. */
export function mhzToMillis(mhz: number | null | undefined, perCore: number): number {
  if (!mhz || mhz <= 0 || !(perCore > 0)) return 0;
  return Math.round((mhz / perCore) * 1000);
}

/** Nanoseconds since the epoch (Nomad's CreateTime, SubmitTime) to ISO-8601. */
export function nanosToIso(nanos: number | null | undefined): string | null {
  if (!nanos || nanos <= 0) return null;
  return new Date(Math.floor(nanos / 1e6)).toISOString();
}

/** Go's zero time ("0001-01-01T00:00:00Z") means "never". */
export function goTimeToIso(value: string | null | undefined): string | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
