/**
 * Exponential back-off with full jitter, for reconnect and retry loops on
 * either side: adapters and cluster owners on the server, the event stream in
 * the browser.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(policy: BackoffPolicy = DEFAULT_BACKOFF) {
    this.baseMs = policy.baseMs;
    this.maxMs = policy.maxMs;
  }

  /** The delay before the next attempt; grows until reset(). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
