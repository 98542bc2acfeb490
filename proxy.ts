import { NextResponse, type NextRequest } from "next/server";
import { refusedPageFilters } from "@/lib/model/queries";

/**
 * Runs before every route: refuses a malformed percent-escape, which no
 * route can decode, with a 400 instead of Next's 500 (methods Next cannot
 * route are the front door's: lib/server/front-door.ts), sends kiosk URLs'
 * display tokens to be exchanged for a
 * session, and puts the security headers and a per-request CSP nonce on
 * every answer. It decides no access: authorize() does, in each route and
 * page, so a skipped proxy (CVE-2025-29927) opens nothing.
 */

function problem(status: number, code: string, message: string) {
  return NextResponse.json({ error: { code, message } }, { status });
}

/** FLEETDECK_FRAME_ANCESTORS lists who may frame Fleetdeck (e.g. "'self' https://grafana.example.com"); none by default. */
function frameAncestors(): string {
  return process.env.FLEETDECK_FRAME_ANCESTORS?.trim() || "'none'";
}

function pageCsp(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // Next's own inline scripts carry the nonce; 'strict-dynamic' lets the scripts they load run.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes (bar widths, chart sizes), which a nonce cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors()}`,
  ].join("; ");
}

function secure(response: NextResponse, csp: string, requestId: string): NextResponse {
  const h = response.headers;
  h.set("Content-Security-Policy", csp);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "same-origin");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (frameAncestors() === "'none'") h.set("X-Frame-Options", "DENY");
  if (process.env.FLEETDECK_PUBLIC_URL?.startsWith("https:")) h.set("Strict-Transport-Security", "max-age=31536000");
  h.set("X-Request-Id", requestId);
  return response;
}

export function proxy(request: NextRequest) {
  const requestId = crypto.randomUUID();
  const { pathname, search, searchParams } = request.nextUrl;
  const isApi = pathname === "/api" || pathname.startsWith("/api/");
  const plainCsp = `default-src 'none'; frame-ancestors ${frameAncestors()}`;

  try {
    decodeURIComponent(pathname);
  } catch {
    return secure(problem(400, "invalid", "the path has a malformed percent-escape (such as %zz)"), plainCsp, requestId);
  }

  // A kiosk URL (/wall?token=...): the token becomes a session cookie and leaves the address bar.
  if (!isApi && (request.method === "GET" || request.method === "HEAD") && searchParams.has("token")) {
    const rest = new URLSearchParams(searchParams);
    const token = rest.get("token") ?? "";
    rest.delete("token");
    const next = `${pathname}${rest.size ? `?${rest}` : ""}`;
    // Relative: the browser stays on the host it used, whatever the Host header says.
    const target = `/api/auth/token?${new URLSearchParams({ token, next })}`;
    return secure(new NextResponse(null, { status: 303, headers: { Location: target } }), plainCsp, requestId);
  }

  const forwarded = new Headers(request.headers);
  forwarded.set("x-request-id", requestId);
  // Layouts do not see the URL; the sign-in redirect needs it.
  forwarded.set("x-fleetdeck-path", `${pathname}${search}`);
  let csp = plainCsp;
  if (!isApi && !pathname.startsWith("/_next/")) {
    const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
    csp = pageCsp(nonce);
    forwarded.set("x-nonce", nonce);
    // Next reads the nonce from the request's CSP and puts it on its scripts.
    forwarded.set("Content-Security-Policy", csp);
  }
  // A list page with a filter its list refuses still renders (the refusal beside the filters) but answers 400, as its API does.
  const refused = !isApi && refusedPageFilters(pathname, searchParams) !== null;
  return secure(NextResponse.next({ request: { headers: forwarded }, status: refused ? 400 : undefined }), csp, requestId);
}
