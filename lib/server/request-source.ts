/**
 * Where a request came from, for the audit trail and sign-in rate limits.
 * The front door (front-door.mts) writes the TCP peer's address into
 * PEER_HEADER, removing any copy a client sent; X-Forwarded-For, which
 * clients can write, is kept beside it for requests that came through a proxy.
 */
export const PEER_HEADER = "x-fleetdeck-peer";

export function requestSource(headers: Headers): string | null {
  const peer = headers.get(PEER_HEADER);
  const forwarded = headers.get("x-forwarded-for");
  // Without the front door (next dev, tests) only the forwarded header is there.
  if (!peer) return forwarded?.slice(0, 200) ?? null;
  return (forwarded && forwarded !== peer ? `${peer} (for ${forwarded})` : peer).slice(0, 200);
}
