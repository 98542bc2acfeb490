/**
 * Errors the server layer throws for what the caller did wrong. Upstream
 * failures are AdapterErrors (lib/adapters/errors.ts); lib/server/http.ts maps
 * both to status codes in one place.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, "not-found", message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

export class InvalidInputError extends ApiError {
  constructor(message: string, status: 400 | 413 | 422 = 422) {
    super(status, status === 413 ? "too-large" : "invalid", message);
  }
}

/** By shape as well as by class, for the same reason as isAdapterError. */
export function isApiError(err: unknown): err is ApiError {
  if (err instanceof ApiError) return true;
  const e = err as { status?: unknown; code?: unknown } | null;
  return err instanceof Error && typeof e?.status === "number" && e.status >= 400 && e.status < 600 && typeof e.code === "string";
}
