import "server-only";
import type { Db } from "../storage";
import { digest, newSecret } from "./secrets";

const SETUP_TTL_MS = 24 * 3600_000;

/**
 * One-time setup links for the first admin, printed in the log at start
 * while none exists. Each start (each replica) makes a link of its own; one
 * is spent by claiming it, and a first admin spends them all.
 */
export class SetupLinks {
  constructor(private readonly db: Db) {}

  /** A new link's key, valid for a day; expired ones are dropped on the way. */
  async create(): Promise<string> {
    const key = newSecret();
    const now = Date.now();
    await this.db.deleteFrom("setup_tokens").where("expires_at", "<=", now).execute();
    await this.db
      .insertInto("setup_tokens")
      .values({ token_hash: digest(key), created_at: now, expires_at: now + SETUP_TTL_MS })
      .execute();
    return key;
  }

  /** Claimed by deleting it: of two forms sent with one link, one deletes a row and the other none. */
  async claim(key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("setup_tokens")
      .where("token_hash", "=", digest(key))
      .where("expires_at", ">", Date.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async pending(): Promise<boolean> {
    return (
      (await this.db.selectFrom("setup_tokens").select("token_hash").where("expires_at", ">", Date.now()).executeTakeFirst()) !== undefined
    );
  }

  async spendAll(): Promise<void> {
    await this.db.deleteFrom("setup_tokens").execute();
  }
}
