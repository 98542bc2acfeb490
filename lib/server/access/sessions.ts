import "server-only";
import type { Grant } from "@/lib/model/access";
import type { Db, Tables } from "../storage";
import { digest, newSecret } from "./secrets";

export type SessionVia = "password" | "oidc" | "setup" | "token";

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface Session {
  username: string;
  via: SessionVia;
  /** Fixed at sign-in (OIDC groups, display tokens); null: the user's current grants apply. */
  grants: Grant[] | null;
  groups: string[];
  tokenId: string | null;
  expiresAt: number;
}

/** A display token's session ends with its token (revoked, expired), else after a year. */
const DISPLAY_SESSION_MAX_MS = 365 * 24 * 3600_000;

/** last_seen_at is written at most this often, so a busy tab does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Server-side sessions. The cookie holds a random secret; the database holds
 * its SHA-256, who it belongs to and when it ends: after `idleMs` without a
 * request, or `absoluteMs` after sign-in, whichever comes first (a display
 * token's session: when its token ends). Signing out deletes the row, so a
 * copied cookie dies with it.
 */
export class Sessions {
  constructor(
    private readonly db: Db,
    readonly policy: SessionPolicy,
  ) {}

  async create(input: {
    username: string;
    via: SessionVia;
    grants?: Grant[] | null;
    groups?: string[];
    tokenId?: string | null;
    notAfter?: number | null;
  }): Promise<{ secret: string; expiresAt: number }> {
    const now = Date.now();
    const secret = newSecret();
    // A display token's session lives as long as the token (a wall runs for weeks); a person's, the policy's.
    const lifetime = input.via === "token" ? DISPLAY_SESSION_MAX_MS : this.policy.absoluteMs;
    const expiresAt = Math.min(now + lifetime, input.notAfter ?? Number.POSITIVE_INFINITY);
    const row: Tables["sessions"] = {
      id_hash: digest(secret),
      username: input.username,
      via: input.via,
      grants: input.grants ? JSON.stringify(input.grants) : null,
      groups: JSON.stringify(input.groups ?? []),
      token_id: input.tokenId ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    };
    await this.db.insertInto("sessions").values(row).execute();
    // Sessions nobody comes back to are removed by the next sign-in.
    await this.sweep();
    return { secret, expiresAt };
  }

  /** The live session this secret opens, or null; an expired one is deleted on the way. */
  async lookup(secret: string, options: { touch?: boolean } = {}): Promise<Session | null> {
    const idHash = digest(secret);
    const row = await this.db.selectFrom("sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst();
    if (!row) return null;
    const now = Date.now();
    const idle = row.via !== "token" && now - row.last_seen_at >= this.policy.idleMs;
    if (now >= row.expires_at || idle) {
      await this.db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
      return null;
    }
    if (options.touch !== false && now - row.last_seen_at >= TOUCH_EVERY_MS) {
      await this.db.updateTable("sessions").set({ last_seen_at: now }).where("id_hash", "=", idHash).execute();
    }
    return {
      username: row.username,
      via: row.via as SessionVia,
      grants: row.grants ? (JSON.parse(row.grants) as Grant[]) : null,
      groups: JSON.parse(row.groups) as string[],
      tokenId: row.token_id,
      expiresAt: row.expires_at,
    };
  }

  async end(secret: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id_hash", "=", digest(secret)).execute();
  }

  /** Ends a user's password sessions (their password, role or account changed). */
  async endForUser(username: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("username", "=", username).where("via", "in", ["password", "setup"]).execute();
  }

  async endForToken(tokenId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("token_id", "=", tokenId).execute();
  }

  /** Removes ended sessions (at each sign-in; lookups also drop the ones they meet). */
  async sweep(): Promise<number> {
    const now = Date.now();
    const result = await this.db
      .deleteFrom("sessions")
      .where((eb) =>
        eb.or([eb("expires_at", "<=", now), eb.and([eb("via", "!=", "token"), eb("last_seen_at", "<=", now - this.policy.idleMs)])]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}
