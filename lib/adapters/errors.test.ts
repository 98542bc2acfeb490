import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AdapterError, asAdapterError, fromNetworkError, parseRetryAfter, retryDelay } from "./errors";

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("fromNetworkError", () => {
  it("unwraps fetch's TypeError and names the system error code", () => {
    const err = new TypeError("fetch failed", { cause: systemError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1") });
    const mapped = fromNetworkError(err, "GET /version");
    expect(mapped.code).toBe("unreachable");
    expect(mapped.message).toBe("GET /version: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)");
  });

  it("says timeout when no answer came in time", () => {
    expect(fromNetworkError(new DOMException("signal timed out", "TimeoutError"), "list pods").code).toBe("timeout");
    expect(fromNetworkError(systemError("UND_ERR_HEADERS_TIMEOUT", "Headers Timeout Error"), "list pods")).toMatchObject({
      code: "timeout",
      message: "list pods: no answer in time",
    });
  });

  it("passes an AdapterError through unchanged", () => {
    const original = new AdapterError("forbidden", "no");
    expect(fromNetworkError(original, "x")).toBe(original);
  });
});

describe("asAdapterError", () => {
  it("maps network failures as fromNetworkError does", () => {
    expect(asAdapterError(systemError("ECONNRESET", "socket hang up"), "watch pods")).toMatchObject({ code: "unreachable" });
  });

  it("calls an answer that fails its schema an upstream error, not an unreachable cluster", () => {
    const parsed = z.object({ items: z.array(z.string()) }).safeParse({ items: 3 });
    const mapped = asAdapterError(parsed.error, "list nodes");
    expect(mapped.code).toBe("upstream");
    expect(mapped.message).toBe("list nodes: the answer is not in the shape the API documents");
  });

  it("calls Node's own argument errors bugs (upstream), not an unreachable cluster", () => {
    expect(asAdapterError(systemError("ERR_INVALID_ARG_TYPE", "The argument must be a string"), "GET /v1/jobs").code).toBe("upstream");
    expect(asAdapterError(systemError("UND_ERR_INVALID_ARG", "invalid method"), "GET /v1/jobs").code).toBe("upstream");
    expect(asAdapterError(systemError("ENOTFOUND", "getaddrinfo ENOTFOUND nomad"), "GET /v1/jobs").code).toBe("unreachable");
    expect(asAdapterError(systemError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify"), "GET /v1/jobs").code).toBe("unreachable");
    expect(asAdapterError(systemError("UND_ERR_BODY_TIMEOUT", "Body Timeout Error"), "stream").code).toBe("timeout");
  });

  it("calls any other failure upstream, with its message", () => {
    expect(asAdapterError(new Error("unexpected end of JSON input"), "GET /v1/jobs")).toMatchObject({
      code: "upstream",
      message: "GET /v1/jobs: unexpected end of JSON input",
    });
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-12-02T12:00:00Z");
  it("reads delay-seconds and HTTP dates, and nothing else", () => {
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter(["3"], now)).toBe(3_000);
    expect(parseRetryAfter("Wed, 02 Dec 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 02 Dec 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    // One header must not make a cluster vanish for a day.
    expect(parseRetryAfter("86400", now)).toBe(5 * 60_000);
  });

  it("waits the longer of the back-off and the upstream's ask, spread so that clusters do not return together", () => {
    const backoff = { next: () => 1_000 };
    expect(retryDelay(backoff, new AdapterError("upstream", "x"))).toBe(1_000);
    expect(retryDelay(backoff, new AdapterError("throttled", "x", { retryAfterMs: 500 }))).toBe(1_000);
    const delays = Array.from({ length: 50 }, () => retryDelay(backoff, new AdapterError("throttled", "x", { retryAfterMs: 10_000 })));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(10_000);
      expect(d).toBeLessThanOrEqual(12_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
