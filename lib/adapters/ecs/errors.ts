import {
  AdapterError,
  type AdapterErrorCode,
  asAdapterError,
  codeForUpstreamStatus,
  isAdapterError,
  parseRetryAfter,
} from "@/lib/adapters/errors";

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

/**
 * Turns an SDK failure into an AdapterError carrying AWS's own message: by
 * AWS's error name, else by the HTTP status AWS answered; anything else (no
 * answer at all, a bug) as the kit's asAdapterError maps it.
 */
export function toAdapterError(err: unknown, what: string): AdapterError {
  if (isAdapterError(err)) return err;
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  } | null;
  const name = e?.name ?? "";
  const known = CODES[name];
  const status = e?.$metadata?.httpStatusCode;
  // A throttled or unavailable answer may say when to come back; the SDK keeps the raw response.
  const retryAfterMs = parseRetryAfter(e?.$response?.headers?.["retry-after"]);
  if (known) {
    const message =
      name === "CredentialsProviderError"
        ? `no AWS credentials found (${e?.message ?? "default chain exhausted"})`
        : name === "TimeoutError"
          ? "no answer within the request timeout"
          : `${name}: ${e?.message ?? ""}`;
    return new AdapterError(known, `${what}: ${message}`, { cause: err, retryAfterMs });
  }
  if (typeof status === "number" && status >= 400) {
    return new AdapterError(codeForUpstreamStatus(status), `${what}: ${name || "HTTP " + status}: ${e?.message ?? ""}`, {
      cause: err,
      retryAfterMs,
    });
  }
  // The SDK finds the region only when it sends: without one there is no endpoint to reach.
  if (e?.message === "Region is missing") {
    return new AdapterError("unreachable", `${what}: no AWS region (set region: on the cluster, or AWS_REGION)`, { cause: err });
  }
  return asAdapterError(err, what);
}
