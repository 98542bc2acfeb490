import { afterEach, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "./proxy";

const run = (url: string, init?: ConstructorParameters<typeof NextRequest>[1]) => proxy(new NextRequest(url, init));
/** Request headers the proxy hands on to the route (NextResponse.next encodes them as x-middleware-request-*). */
const forwarded = (response: Response, name: string) => response.headers.get(`x-middleware-request-${name}`);

afterEach(() => {
  delete process.env.FLEETDECK_FRAME_ANCESTORS;
});

describe("proxy", () => {
  it("answers a malformed percent-escape with a 400 naming it, on pages and the API", async () => {
    for (const url of ["http://x/api/clusters/%zz", "http://x/clusters/%E0%A4%A/nodes"]) {
      const r = run(url);
      expect(r.status).toBe(400);
      expect((await r.json()).error.message).toMatch(/malformed percent-escape/);
    }
  });

  it("gives each page a fresh nonce in its CSP, and hands it and the path to the render", () => {
    const a = run("http://x/clusters/east/nodes?q=web");
    const b = run("http://x/");
    const csp = a.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(b.headers.get("content-security-policy")).not.toContain(nonce);
    expect(forwarded(a, "x-nonce")).toBe(nonce);
    expect(forwarded(a, "x-fleetdeck-path")).toBe("/clusters/east/nodes?q=web");
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("referrer-policy")).toBe("same-origin");
    expect(a.headers.get("x-frame-options")).toBe("DENY");
    expect(a.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives API answers a CSP that allows nothing, and replaces a request id the client chose", () => {
    const r = run("http://x/api/clusters", { headers: { "x-request-id": "forged" } });
    expect(r.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(forwarded(r, "x-request-id")).not.toBe("forged");
  });

  it("lets FLEETDECK_FRAME_ANCESTORS name who may frame Fleetdeck", () => {
    process.env.FLEETDECK_FRAME_ANCESTORS = "'self' https://grafana.example.com";
    const r = run("http://x/");
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'self' https://grafana.example.com");
    expect(r.headers.get("x-frame-options")).toBeNull();
  });

  it("sends a kiosk URL's token to be exchanged, keeping the rest of the URL", () => {
    const r = run("http://x/clusters/east/nodes?token=fdt_abc&q=web");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toMatch(/^\/api\/auth\/token\?/);
    const target = new URL(r.headers.get("location")!, "http://x");
    expect(target.pathname).toBe("/api/auth/token");
    expect(target.searchParams.get("token")).toBe("fdt_abc");
    expect(target.searchParams.get("next")).toBe("/clusters/east/nodes?q=web");
  });
});
