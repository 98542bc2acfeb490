import { describe, expect, it } from "vitest";
import { PEER_HEADER, requestSource } from "./request-source";

const h = (values: Record<string, string>) => new Headers(values);

describe("requestSource", () => {
  it("trusts the TCP peer, not what X-Forwarded-For claims", () => {
    expect(requestSource(h({ [PEER_HEADER]: "10.0.0.5", "x-forwarded-for": "6.6.6.6" }), {})).toEqual({
      client: "10.0.0.5",
      described: "10.0.0.5 (forwarded for 6.6.6.6)",
    });
    expect(requestSource(h({ [PEER_HEADER]: "10.0.0.5", "x-forwarded-for": "10.0.0.5" }), {})).toEqual({
      client: "10.0.0.5",
      described: "10.0.0.5",
    });
  });

  it("behind a trusted proxy, takes the rightmost address the proxies did not add", () => {
    const env = { FLEETDECK_TRUSTED_PROXIES: "10.0.0.1, 10.0.0.2" };
    expect(requestSource(h({ [PEER_HEADER]: "10.0.0.1", "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" }), env).client).toBe(
      "203.0.113.7",
    );
    // An untrusted peer's header is only recorded.
    expect(requestSource(h({ [PEER_HEADER]: "198.51.100.9", "x-forwarded-for": "203.0.113.7" }), env).client).toBe("198.51.100.9");
  });

  it("without the front door, knows no client, and records the claim", () => {
    expect(requestSource(h({ "x-forwarded-for": "6.6.6.6" }), {})).toEqual({ client: null, described: "6.6.6.6" });
  });
});
