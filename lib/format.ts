/**
 * Human formats for the figures the UI shows. Every figure carries its unit;
 * a missing value is an em dash, never a zero.
 */

export const MISSING = "—";

type Maybe = number | null | undefined;

function isNumber(value: Maybe): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Rounds to a few significant digits for display and drops trailing zeros: 1.50 → "1.5". */
function compact(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(decimals)));
}

/** CPU from millicores, rounded as `kubectl top` does: 250 → "250m", 7.11 → "7m", 1500 → "1.5 cores". */
export function formatCpu(millis: Maybe): string {
  if (!isNumber(millis)) return MISSING;
  const abs = Math.abs(millis);
  // Sub-millicore use exists (measured in nanocores upstream) and is not nothing.
  if (abs > 0 && abs < 0.95) return abs < 0.05 ? "<0.1m" : `${millis.toFixed(1)}m`;
  if (Math.round(abs) < 1000) return `${Math.round(millis)}m`;
  const cores = compact(millis / 1000);
  return `${cores} ${cores === "1" ? "core" : "cores"}`;
}

/** CPU in cores only, for chart axes where a mix of "m" and "cores" would confuse. */
export function formatCores(millis: Maybe): string {
  if (!isNumber(millis)) return MISSING;
  return String(Number((millis / 1000).toFixed(millis < 1000 ? 2 : 1)));
}

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/** Bytes in binary units: 1536 → "1.5 KiB", 1073741824 → "1 GiB". */
export function formatBytes(bytes: Maybe): string {
  if (!isNumber(bytes)) return MISSING;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Rounding may carry up to 1024 ("1023.99 MiB" → "1024 MiB"); show the next unit instead.
  if (unit < BINARY_UNITS.length - 1 && Math.abs(Number(compact(value))) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : compact(value)} ${BINARY_UNITS[unit]}`;
}

/** A share of a whole as a percentage: (1, 4) → "25%"; tiny non-zero shares show as "<1%". */
export function formatPercent(part: Maybe, whole: Maybe): string {
  if (!isNumber(part) || !isNumber(whole) || whole <= 0) return MISSING;
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 1) return "<1%";
  return `${Math.round(pct)}%`;
}

/** A ratio in [0, 1] for bars, clamped; null when it cannot be known. */
export function ratio(part: Maybe, whole: Maybe): number | null {
  if (!isNumber(part) || !isNumber(whole) || whole <= 0) return null;
  return Math.min(1, Math.max(0, part / whole));
}

function toMillis(time: string | number | Date | null | undefined): number | null {
  if (time === null || time === undefined) return null;
  const ms = time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time);
  return Number.isFinite(ms) ? ms : null;
}

/** Age as kubectl prints it, in the largest whole unit: "45s", "3m", "2h", "5d", "2y". */
export function formatAge(since: string | number | Date | null | undefined, now: number = Date.now()): string {
  const start = toMillis(since);
  if (start === null) return MISSING;
  const seconds = Math.max(0, Math.floor((now - start) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 365) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

/** Wall-clock time of a chart sample: "14:05". */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * A time axis's tick labels for a span: with seconds under five minutes (so
 * ticks do not all read the same minute), the clock up to a day, the weekday
 * and the clock beyond.
 */
export function timeTickFormatter(spanMs: number): (ms: number) => string {
  if (spanMs < 5 * 60_000) return (ms) => `${formatClock(ms)}:${String(new Date(ms).getSeconds()).padStart(2, "0")}`;
  if (spanMs <= 86_400_000) return formatClock;
  return (ms) => `${new Date(ms).toLocaleDateString("en-GB", { weekday: "short" })} ${formatClock(ms)}`;
}

/** "3 nodes", "1 node". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

const NICE = [1, 2, 2.5, 5];

/**
 * Round axis ticks from 0 to just above `max`, at most `count` steps: decimal
 * steps for millicores (250m, 500m, 1 core…), binary ones for bytes
 * (512 MiB, 1 GiB…) so the labels read as whole units.
 */
export function niceTicks(max: number, kind: "cpu" | "memory", count = 4): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0];
  const candidates: number[] = [];
  if (kind === "cpu") {
    for (let exp = -2; exp <= 7; exp++) for (const n of NICE) candidates.push(n * 10 ** exp);
  } else {
    for (let unit = 0; unit <= 5; unit++) for (const n of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) candidates.push(n * 1024 ** unit);
  }
  candidates.sort((a, b) => a - b);
  const step = candidates.find((s) => Math.ceil(max / s) <= count) ?? candidates[candidates.length - 1];
  const ticks: number[] = [];
  for (let i = 0; i <= Math.ceil(max / step); i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}
