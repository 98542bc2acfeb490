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
