/**
 * Just enough Kubernetes quantity arithmetic for the simulator's scheduler and
 * metrics (the adapter has its own, fully tested parser; the simulator must not
 * depend on the code it is meant to test).
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

export function parseQuantity(text: string | undefined): number {
  if (!text) return 0;
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid quantity "${text}"`);
  return Number(m[1]) * SUFFIX[m[2] ?? ""];
}

export const cpuMillis = (q: string | undefined) => Math.round(parseQuantity(q) * 1000);
export const memoryBytes = (q: string | undefined) => Math.round(parseQuantity(q));

/** metrics-server style: CPU in nanocores, memory in Ki. */
export const formatNanocores = (millis: number) => `${Math.max(0, Math.round(millis * 1e6))}n`;
export const formatKi = (bytes: number) => `${Math.max(0, Math.round(bytes / 1024))}Ki`;
