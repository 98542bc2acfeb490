/**
 * Errors adapters throw, by what went wrong rather than by orchestrator, so
 * the HTTP layer maps them to status codes in one place.
 */
export type AdapterErrorCode =
  | "invalid" // the orchestrator rejected the request as malformed (400/422)
  | "unauthorized" // credentials missing or wrong (401)
  | "forbidden" // credentials fine, permission missing (403)
  | "not-found" // (404)
  | "conflict" // a concurrent change or a deployment in progress (409)
  | "unreachable" // connection refused, DNS, TLS (502)
  | "timeout" // no answer in time (504)
  | "throttled" // rate limited upstream (429 upstream, 503 here)
  | "upstream"; // anything else the orchestrator got wrong (502)

export class AdapterError extends Error {
  /** How long the orchestrator asked us to wait before asking again (its Retry-After), if it said. */
  readonly retryAfterMs: number | null;

  constructor(
    readonly code: AdapterErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | null },
  ) {
    super(message, options);
    this.name = "AdapterError";
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }
}

/** Longer waits than this are taken as this: a cluster must not vanish for a day over one header. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** A Retry-After header (delay-seconds or an HTTP date) in milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | null | undefined, now = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null;
}

/**
 * How long a retry loop waits after `err`: its back-off, or the upstream's
 * Retry-After when longer, spread by up to a fifth more so that every
 * cluster told the same wait does not come back at the same instant.
 */
export function retryDelay(backoff: { next(): number }, err: unknown): number {
  const delay = backoff.next();
  const asked = isAdapterError(err) ? err.retryAfterMs : null;
  return asked !== null && asked > delay ? asked * (1 + Math.random() * 0.2) : delay;
}

const ERROR_CODES = new Set<string>([
  "invalid",
  "unauthorized",
  "forbidden",
  "not-found",
  "conflict",
  "unreachable",
  "timeout",
  "throttled",
  "upstream",
] satisfies AdapterErrorCode[]);

/**
 * By shape as well as by class: the fleet lives on globalThis and may have
 * been created by another route bundle, whose copy of the class differs.
 */
export function isAdapterError(err: unknown): err is AdapterError {
  if (err instanceof AdapterError) return true;
  const e = err as { name?: unknown; code?: unknown } | null;
  return err instanceof Error && e?.name === "AdapterError" && typeof e.code === "string" && ERROR_CODES.has(e.code);
}

/** Maps an upstream HTTP status to an error code. */
export function codeForUpstreamStatus(status: number): AdapterErrorCode {
  if (status === 400 || status === 422) return "invalid";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status === 429) return "throttled";
  if (status === 504 || status === 408) return "timeout";
  return "upstream";
}

/**
 * Maps a failed request (fetch/undici/http) to an AdapterError: "timeout" when
 * no answer came in time, "unreachable" otherwise, naming the system error
 * code and, when it adds something (a TLS alert, "other side closed"), the
 * underlying message. fetch's "fetch failed" TypeError is unwrapped first.
 */
export function fromNetworkError(err: unknown, what: string): AdapterError {
  if (isAdapterError(err)) return err;
  const outer = err as { cause?: unknown } | null;
  const inner = err instanceof TypeError && outer?.cause ? outer.cause : err;
  const e = inner as { code?: string; cause?: { code?: string; message?: string }; name?: string; message?: string } | null;
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === "TimeoutError" || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new AdapterError("timeout", `${what}: no answer in time`, { cause: err });
  }
  const detail = e?.cause?.message ?? e?.message;
  const head = code ?? detail ?? "connection failed";
  const message = detail && detail !== head && !head.includes(detail) ? `${what}: ${head} (${detail})` : `${what}: ${head}`;
  return new AdapterError("unreachable", message, { cause: err });
}

const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * The codes of a failure to reach a server: system errnos (ECONNREFUSED,
 * ENOTFOUND, ...), undici's socket errors, and OpenSSL's certificate checks.
 * Node's own ERR_* codes (ERR_INVALID_ARG_TYPE, ...) are bugs, not outages.
 */
const NETWORK_CODE =
  /^(E[A-Z0-9]+|UND_ERR_(SOCKET|CLOSED|CONNECT_TIMEOUT|HEADERS_TIMEOUT|BODY_TIMEOUT)|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_\w+|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+)$/;

/** Whether `err` is a failure to reach a server rather than a bug or a bad answer. */
function isNetworkFailure(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; cause?: unknown } | null;
  if (err instanceof TypeError && e?.cause) return true; // fetch's "fetch failed"
  if (e?.name === "TimeoutError") return true;
  return typeof e?.code === "string" && NETWORK_CODE.test(e.code);
}

/**
 * Any failure of an upstream call as an AdapterError: AdapterErrors as they
 * are, network failures by fromNetworkError, an answer that failed its schema
 * and anything else as "upstream" with `what` in front.
 */
export function asAdapterError(err: unknown, what: string): AdapterError {
  if (isAdapterError(err)) return err;
  if (isNetworkFailure(err)) return fromNetworkError(err, what);
  if (err instanceof Error && err.name === "ZodError") {
    return new AdapterError("upstream", `${what}: the answer is not in the shape the API documents`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AdapterError("upstream", `${what}: ${message}`, { cause: err });
}
