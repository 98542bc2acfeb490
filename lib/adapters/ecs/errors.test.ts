import { describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { EcsConnectionSchema } from "./connection";
import { toAdapterError } from "./errors";

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("toAdapterError", () => {
  it("maps AWS error names to codes and keeps AWS's message", () => {
    const cases: [string, string][] = [
      ["AccessDeniedException", "forbidden"],
      ["ServiceNotActiveException", "conflict"],
      ["ServiceNotFoundException", "not-found"],
      ["ClusterNotFoundException", "not-found"],
      ["InvalidParameterException", "invalid"],
      ["ThrottlingException", "throttled"],
      ["Throttling", "throttled"],
      ["UnrecognizedClientException", "unauthorized"],
    ];
    for (const [name, code] of cases) {
      const err = toAdapterError(awsError(name, "the upstream words"), "UpdateService");
      expect(err).toBeInstanceOf(AdapterError);
      expect([name, err.code]).toEqual([name, code]);
      expect(err.message).toBe(`UpdateService: ${name}: the upstream words`);
    }
  });

  it("says a request the SDK timed out had no answer, without the SDK's wording", () => {
    const err = toAdapterError(
      Object.assign(new Error("@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout."), {
        name: "TimeoutError",
      }),
      "ECS",
    );
    expect(err).toMatchObject({ code: "timeout", message: "ECS: no answer within the request timeout" });
  });

  it("keeps the Retry-After an answer carried", () => {
    const err = Object.assign(awsError("ServiceUnavailable", "down", 503), { $response: { headers: { "retry-after": "3" } } });
    expect(toAdapterError(err, "ECS").retryAfterMs).toBe(3_000);
    expect(toAdapterError(awsError("ThrottlingException", "slow down"), "ECS").retryAfterMs).toBeNull();
  });

  it("falls back on the HTTP status, then on network error handling", () => {
    expect(toAdapterError(awsError("WeirdException", "odd", 503), "X").code).toBe("upstream");
    expect(toAdapterError(awsError("WeirdException", "odd", 403), "X").code).toBe("forbidden");
    expect(toAdapterError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "X")).toMatchObject({
      code: "unreachable",
      message: "X: ECONNREFUSED (connect ECONNREFUSED)",
    });
  });

  it("reads a missing region as nothing to reach, and any other failure as the orchestrator's", () => {
    expect(toAdapterError(new Error("Region is missing"), "X")).toMatchObject({
      code: "unreachable",
      message: expect.stringMatching(/^X: no AWS region/),
    });
    expect(toAdapterError(new Error("something odd"), "X")).toMatchObject({ code: "upstream", message: "X: something odd" });
  });
});

describe("EcsConnectionSchema", () => {
  it("accepts names and ARNs, defaults the poll period and rejects unknown fields", () => {
    expect(EcsConnectionSchema.parse({ cluster: "prod" })).toEqual({ cluster: "prod", pollIntervalSeconds: 15 });
    expect(
      EcsConnectionSchema.parse({ cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/prod", region: "eu-west-1" }).cluster,
    ).toContain("cluster/prod");
    expect(EcsConnectionSchema.safeParse({ cluster: "bad name" }).success).toBe(false);
    expect(EcsConnectionSchema.safeParse({ region: "Europe" }).success).toBe(false);
    expect(EcsConnectionSchema.safeParse({ pollIntervalSeconds: 1 }).success).toBe(false);
    expect(EcsConnectionSchema.safeParse({ secretKey: "x" }).success).toBe(false);
  });
});
