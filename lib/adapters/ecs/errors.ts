import { AdapterError, type AdapterErrorCode, codeForUpstreamStatus, fromNetworkError } from "@/lib/adapters/errors";

/**
 * AWS error names (ECS answers `ClusterNotFoundException`; CloudWatch, being
 * query-compatible, may answer the old query code such as `Throttling`) by
 * what they mean to Fleetdeck.
 */
const CODES: Record<string, AdapterErrorCode> = {
  AccessDeniedException: "forbidden",
  AccessDenied: "forbidden",
  UnauthorizedOperation: "forbidden",
  ClusterNotFoundException: "not-found",
  ServiceNotFoundException: "not-found",
  ResourceNotFoundException: "not-found",
  ResourceNotFound: "not-found",
  ServiceNotActiveException: "conflict",
  UpdateInProgressException: "conflict",
  ConcurrentModificationException: "conflict",
  InvalidParameterException: "invalid",
  InvalidParameterValueException: "invalid",
  InvalidParameterValue: "invalid",
  InvalidParameterCombination: "invalid",
  MissingParameter: "invalid",
  MissingRequiredParameterException: "invalid",
  ValidationException: "invalid",
  ValidationError: "invalid",
  ClientException: "invalid",
  SerializationException: "invalid",
  ThrottlingException: "throttled",
  Throttling: "throttled",
  TooManyRequestsException: "throttled",
  RequestLimitExceeded: "throttled",
  LimitExceededException: "throttled",
  UnrecognizedClientException: "unauthorized",
  InvalidSignatureException: "unauthorized",
  IncompleteSignatureException: "unauthorized",
  MissingAuthenticationTokenException: "unauthorized",
  InvalidClientTokenId: "unauthorized",
  ExpiredTokenException: "unauthorized",
  ExpiredToken: "unauthorized",
  CredentialsProviderError: "unauthorized",
  TimeoutError: "timeout",
  RequestTimeout: "timeout",
};

/** Turns an SDK or network failure into an AdapterError carrying AWS's own message. */
export function toAdapterError(err: unknown, what: string): AdapterError {
  if (err instanceof AdapterError) return err;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "";
  const known = CODES[name];
  const status = e?.$metadata?.httpStatusCode;
  if (known) {
    const message = name === "CredentialsProviderError" ? `no AWS credentials found (${e.message ?? "default chain exhausted"})` : `${name}: ${e.message ?? ""}`;
    return new AdapterError(known, `${what}: ${message}`, { cause: err });
  }
  if (typeof status === "number" && status >= 400) {
    return new AdapterError(codeForUpstreamStatus(status), `${what}: ${name || "HTTP " + status}: ${e.message ?? ""}`, { cause: err });
  }
  return fromNetworkError(err, what);
}
