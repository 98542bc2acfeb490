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
  constructor(
    readonly code: AdapterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AdapterError";
  }
}

const ERROR_CODES = new Set<string>(["invalid", "unauthorized", "forbidden", "not-found", "conflict", "unreachable", "timeout", "throttled", "upstream"] satisfies AdapterErrorCode[]);

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

/** Maps a Node network error (fetch/undici/http) to an AdapterError. */
export function fromNetworkError(err: unknown, what: string): AdapterError {
  if (err instanceof AdapterError) return err;
  const e = err as { code?: string; cause?: { code?: string }; name?: string; message?: string };
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === "TimeoutError" || code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT") {
    return new AdapterError("timeout", `${what}: no answer in time`, { cause: err });
  }
  return new AdapterError("unreachable", `${what}: ${code ?? e?.message ?? "connection failed"}`, { cause: err });
}
