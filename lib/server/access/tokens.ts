import "server-only";
import { randomBytes } from "node:crypto";
import type { DisplayToken } from "@/lib/model/access";
import type { Db, Tables } from "../storage";
import { NotFoundError } from "../errors";
import { digest, newSecret } from "./secrets";

type TokenRow = Tables["display_tokens"];

/** Display tokens start with this, so a leaked one is recognisable (and secret scanners can find it). */
export const DISPLAY_TOKEN_PREFIX = "fdt_";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toToken(row: TokenRow): DisplayToken {
  return {
    id: row.id,
    name: row.name,
    clusters: row.clusters ? (JSON.parse(row.clusters) as string[]) : null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  };
}

const USE_RECORDED_EVERY_MS = 60_000;

/**
 * Long random read-only tokens for wall displays and scripts, created and
 * revoked by admins. Stored hashed; shown once, when created.
 */
export class DisplayTokens {
  constructor(private readonly db: Db) {}

  async list(): Promise<DisplayToken[]> {
    const rows = await this.db.selectFrom("display_tokens").selectAll().orderBy("created_at", "desc").execute();
    return rows.map(toToken);
  }

  async create(input: {
    name: string;
    clusters?: string[] | null;
    expiresAt?: number | null;
    createdBy: string;
  }): Promise<{ token: string; record: DisplayToken }> {
    const token = newSecret(DISPLAY_TOKEN_PREFIX);
    const row: TokenRow = {
      id: randomBytes(6).toString("hex"),
      token_hash: digest(token),
      name: input.name,
      clusters: input.clusters ? JSON.stringify(input.clusters) : null,
      created_by: input.createdBy,
      created_at: Date.now(),
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto("display_tokens").values(row).execute();
    return { token, record: toToken(row) };
  }

  async get(id: string): Promise<DisplayToken | null> {
    const row = await this.db.selectFrom("display_tokens").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toToken(row) : null;
  }

  /** Revokes (the row stays, so the list and the audit keep naming it); answers the token as it was. */
  async revoke(id: string): Promise<DisplayToken> {
    const before = await this.get(id);
    if (!before) throw new NotFoundError(`no display token "${id}"`);
    if (!before.revokedAt) await this.db.updateTable("display_tokens").set({ revoked_at: Date.now() }).where("id", "=", id).execute();
    return before;
  }

  /** The live token this secret is, recording its use; null when unknown, revoked or expired. */
  async verify(token: string): Promise<DisplayToken | null> {
    if (!token.startsWith(DISPLAY_TOKEN_PREFIX)) return null;
    const row = await this.db.selectFrom("display_tokens").selectAll().where("token_hash", "=", digest(token)).executeTakeFirst();
    return row ? this.live(row) : null;
  }

  /** The token by id when it is still live (for sessions a token opened). */
  async liveById(id: string): Promise<DisplayToken | null> {
    const row = await this.db.selectFrom("display_tokens").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? this.live(row) : null;
  }

  private async live(row: TokenRow): Promise<DisplayToken | null> {
    const now = Date.now();
    if (row.revoked_at !== null || (row.expires_at !== null && now >= row.expires_at)) return null;
    if (row.last_used_at === null || now - row.last_used_at >= USE_RECORDED_EVERY_MS) {
      await this.db.updateTable("display_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
      row = { ...row, last_used_at: now };
    }
    return toToken(row);
  }
}
