/**
 * Where a request came from, for the audit trail and sign-in rate limits.
 * The front door (front-door.ts) writes the TCP peer's address into
 * PEER_HEADER, removing any copy a client sent. X-Forwarded-For, which any
 * client can write, counts only when the peer is a proxy named in
 * FLEETDECK_TRUSTED_PROXIES: then the client is the rightmost address that
 * proxy chain did not add.
 */
export const PEER_HEADER = "x-fleetdeck-peer";

export interface RequestSource {
  /** The client's address as far as it can be trusted; null without the front door (next dev, tests). */
  client: string | null;
  /** For the audit trail: the client and, where it differs, what X-Forwarded-For claimed. */
  described: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

export function requestSource(headers: Headers, env: Env = process.env): RequestSource {
  const peer = headers.get(PEER_HEADER);
  const forwarded = headers.get("x-forwarded-for");
  const chain = (forwarded ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  let client = peer;
  if (peer) {
    const trusted = new Set(
      (env.FLEETDECK_TRUSTED_PROXIES ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    );
    if (trusted.has(peer)) client = [...chain].reverse().find((a) => !trusted.has(a)) ?? peer;
  }
  const claimed = chain.join(", ");
  const described = client ? (claimed && claimed !== client ? `${client} (forwarded for ${claimed})` : client) : claimed || null;
  return { client, described: described?.slice(0, 200) ?? null };
}
