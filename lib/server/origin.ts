import "server-only";
import os from "node:os";

/**
 * Cross-site defence for mutations. A browser names the page that sent a
 * request in `Origin` (or at least `Sec-Fetch-Site`); Fleetdeck accepts a
 * mutation only from its own public origins, which come from configuration
 * or the addresses and port it serves on — never from the request's Host header, so
 * DNS rebinding gains nothing. A request with neither header comes from a
 * script, which cannot ride a victim's cookies.
 */

type Env = Readonly<Record<string, string | undefined>>;

/**
 * FLEETDECK_PUBLIC_URL's origins, else http://<every local address>:<port>,
 * the port being the one Next listens on (next start sets PORT once it listens).
 */
export function publicOrigins(configured: readonly string[], env: Env = process.env): Set<string> {
  if (configured.length > 0) return new Set(configured);
  const port = env.PORT || "3000";
  const hosts = new Set(["localhost", "127.0.0.1", "[::1]", os.hostname()]);
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) hosts.add(a.family === "IPv6" ? `[${a.address.split("%")[0]}]` : a.address);
  }
  // Through URL, as browsers spell an origin: no ":80".
  return new Set([...hosts].map((h) => new URL(`http://${h.toLowerCase()}:${port}`).origin));
}

/** The origin links and redirects should use (OpenID redirect URI, setup link). */
export function primaryOrigin(configured: readonly string[], env: Env = process.env): string {
  return configured[0] ?? `http://localhost:${env.PORT || "3000"}`;
}

/** Why a mutation is refused as cross-site, or null when it may proceed. */
export function crossSiteRefusal(headers: Headers, origins: ReadonlySet<string>): string | null {
  const origin = headers.get("origin");
  if (origin !== null) {
    if (origin === "null")
      return "cross-site request refused: Origin null (a sandboxed page, a file or a redirect) may not change anything";
    if (!origins.has(origin.toLowerCase())) {
      return `cross-site request refused: ${origin} is not one of Fleetdeck's own origins (set FLEETDECK_PUBLIC_URL to the address browsers use)`;
    }
    return null;
  }
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return `cross-site request refused: the browser says it came from a ${site} page`;
  return null;
}

/** The request comes over HTTPS (as the public URL says, or as a TLS-terminating proxy reports). */
export function isHttps(headers: Headers, configured: readonly string[]): boolean {
  return configured[0]?.startsWith("https:") === true || headers.get("x-forwarded-proto") === "https";
}

/** A path on this site to return to after signing in; anything else (another site, "//host") becomes "/". */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || /[\u0000-\u001f\\]/.test(value)) return "/";
  return value.slice(0, 2000);
}
