/**
 * The shape of demand over time that the simulators share, so every
 * orchestrator's demo rises and falls together: a daily cycle in UTC
 * (business-hours peak, night trough) and occasional short bursts. Pure
 * functions of time and a seed, so the demo's backfilled history and its live
 * usage APIs agree and are the same on every start.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A number in [0, 1) from a string, stable across runs (FNV-1a). */
export function hashUnit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** A number in [0, 1) from two integers, cheap enough to call per sample. */
export function mixUnit(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Demand of the day at t, 0 (about 03:00 UTC) to 1 (about 14:00 UTC): a
 * cosine with a sharper afternoon, and weekends at two thirds of weekdays.
 */
export function dailyCycle(t: number): number {
  const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const base = (1 - Math.cos((2 * Math.PI * (hour - 3)) / 24)) / 2;
  const shaped = Math.pow(base, 1.4);
  // The day of the week, Sunday 0: 1970-01-01 was a Thursday.
  const weekday = (((Math.floor(t / DAY_MS) + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6 ? shaped * 0.65 : shaped;
}

const BURST_SLOT_MS = 20 * 60_000;
/** Share of slots with a burst: a handful a day per workload. */
const BURST_CHANCE = 0.06;

/** A burst at t, 0 (none, most of the time) to 1 (its peak): a smooth bump over some 20-minute slots, chosen by the seed. */
export function burst(t: number, seed: number): number {
  const slot = Math.floor(t / BURST_SLOT_MS);
  const chance = mixUnit(slot, seed);
  if (chance >= BURST_CHANCE) return 0;
  const x = (t - slot * BURST_SLOT_MS) / BURST_SLOT_MS;
  return Math.sin(Math.PI * x) * (0.5 + chance / BURST_CHANCE / 2);
}

/**
 * The usual demand multiplier around a workload's mean use: 0.45 at night,
 * 1.3 at the weekday peak, up to about 0.6 more in a burst.
 */
export function demand(t: number, seed: number): number {
  return 0.45 + 0.85 * dailyCycle(t) + 0.6 * burst(t, seed);
}

/**
 * Where t is in a workload's leak cycle, 0 just after a restart to 1 at the
 * kill, for memory that climbs to its limit every `periodMs`; `offsetMs`
 * spreads workloads apart. The cycle number changes at each kill.
 */
export function leakCycle(t: number, periodMs: number, offsetMs = 0): { position: number; cycle: number } {
  const shifted = t + offsetMs;
  const cycle = Math.floor(shifted / periodMs);
  return { position: (shifted - cycle * periodMs) / periodMs, cycle };
}
