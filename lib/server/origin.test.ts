import { describe, expect, it } from "vitest";
import { crossSiteRefusal, publicOrigins, safeReturnPath } from "./origin";

describe("publicOrigins", () => {
  it("without FLEETDECK_PUBLIC_URL, names every local address on the port served, spelled as browsers send it", () => {
    expect(publicOrigins([], { PORT: "3000" })).toContain("http://localhost:3000");
    expect(publicOrigins([], { PORT: "3000" })).toContain("http://127.0.0.1:3000");
    // Port 80 is no port at all in an Origin header.
    const on80 = publicOrigins([], { PORT: "80" });
    expect(on80).toContain("http://localhost");
    expect([...on80].some((o) => o.endsWith(":80"))).toBe(false);
  });

  it("with it, only those", () => {
    expect([...publicOrigins(["https://fleetdeck.example.com"], { PORT: "3000" })]).toEqual(["https://fleetdeck.example.com"]);
  });
});

describe("crossSiteRefusal", () => {
  const origins = new Set(["https://fleetdeck.example.com"]);
  it.each([
    [{ origin: "https://fleetdeck.example.com" }, null],
    [{ origin: "https://FLEETDECK.example.com" }, null],
    [{ origin: "https://evil.example" }, /evil.example is not one of Fleetdeck's own origins/],
    [{ origin: "null" }, /Origin null/],
    [{ "sec-fetch-site": "same-origin" }, null],
    [{ "sec-fetch-site": "same-site" }, /same-site page/],
    [{ "sec-fetch-site": "none" }, /none page/],
    [{}, null],
  ] as const)("%j → %s", (headers, expected) => {
    const refusal = crossSiteRefusal(new Headers(headers), origins);
    if (expected === null) expect(refusal).toBeNull();
    else expect(refusal).toMatch(expected);
  });
});

describe("safeReturnPath", () => {
  it.each([
    ["/clusters/east?tab=tasks", "/clusters/east?tab=tasks"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["/ok\r\nSet-Cookie: x", "/"],
    [null, "/"],
  ])("%j → %s", (value, expected) => expect(safeReturnPath(value)).toBe(expected));
});
