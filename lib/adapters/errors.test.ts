import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AdapterError, asAdapterError, fromNetworkError } from "./errors";

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
