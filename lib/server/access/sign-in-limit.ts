import "server-only";
import type { Db } from "../storage";
import { ApiError } from "../errors";

/** Sign-in attempts allowed per account, and per client address, in the window (a success clears the account's). */
export const SIGN_IN_LIMITS = { perAccount: 5, perClient: 30, windowMs: 15 * 60_000 };

/**
 * Password sign-ins counted per account and per client address. An attempt
 * is recorded before the password is checked, so a burst of parallel
 * guesses is counted whole.
 */
export class SignInLimit {
  constructor(private readonly db: Db) {}

  /** Records an attempt; throws 429 when it is one too many. */
  async attempt(username: string, client: string | null): Promise<void> {
    const now = Date.now();
    const since = now - SIGN_IN_LIMITS.windowMs;
    await this.db.deleteFrom("sign_in_attempts").where("at", "<", since).execute();
    await this.db.insertInto("sign_in_attempts").values({ username, client, at: now }).execute();
    const count = async (column: "username" | "client", value: string) =>
      Number(
        (
          await this.db
            .selectFrom("sign_in_attempts")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where(column, "=", value)
            .where("at", ">=", since)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const forAccount = await count("username", username);
    const forClient = client ? await count("client", client) : 0;
    if (forAccount > SIGN_IN_LIMITS.perAccount || forClient > SIGN_IN_LIMITS.perClient) {
      const which = forAccount > SIGN_IN_LIMITS.perAccount ? "for this account" : "from this address";
      throw new ApiError(
        429,
        "rate-limited",
        `too many sign-in attempts ${which}; try again in up to ${SIGN_IN_LIMITS.windowMs / 60_000} minutes`,
      );
    }
  }

  /** A success: the account starts afresh. */
  async clear(username: string): Promise<void> {
    await this.db.deleteFrom("sign_in_attempts").where("username", "=", username).execute();
  }
}
