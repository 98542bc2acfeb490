import { DEFAULT_BACKOFF, type BackoffPolicy } from "@/lib/model/backoff";

/**
 * The waits every adapter has. Each adapter's own timings type extends this
 * with what only it needs (a watchdog, a debounce, a poll period) and takes
 * a Partial of it as its constructor's third argument, which only tests and
 * benchmarks pass: clusters.yaml holds connections, never timings.
 */
export interface AdapterTimings {
  /** Between reconnects and retries after a failure. */
  backoff: BackoffPolicy;
  /** For each request that is not a stream or a watch. */
  requestTimeoutMs: number;
  /** Relist everything this often even when following looks healthy. */
  resyncMs: number;
}

export const DEFAULT_ADAPTER_TIMINGS: AdapterTimings = {
  backoff: DEFAULT_BACKOFF,
  requestTimeoutMs: 10_000,
  resyncMs: 60_000,
};

/** `defaults` with every defined field of `overrides` laid over it. */
export function withTimings<T extends AdapterTimings>(defaults: T, overrides: Partial<T> = {}): T {
  const defined = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...defaults, ...Object.fromEntries(defined) };
}

/** A signal that aborts with `signal` or after `ms`, whichever comes first. */
export function withTimeout(ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
