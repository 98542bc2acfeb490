import "server-only";
import { describeGrants, type Grant, type Role, type User } from "@/lib/model/access";
import type { Db, Tables } from "../storage";
import { ApiError, NotFoundError } from "../errors";
import { hashPassword, verifyPassword } from "./passwords";

type UserRow = Tables["users"];

export interface UserChanges {
  password?: string;
  role?: Role;
  clusters?: string[] | null;
}

function toUser(row: UserRow): User {
  return {
    username: row.username,
    role: row.role as Role,
    clusters: row.clusters ? (JSON.parse(row.clusters) as string[]) : null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function grantsOf(user: Pick<User, "role" | "clusters">): Grant[] {
  return [{ role: user.role, clusters: user.clusters ?? "*" }];
}

/** What an audit row says of a user: role and scope, never the password. */
export function describeUser(user: Pick<User, "role" | "clusters">): string {
  return describeGrants(grantsOf(user));
}

/** PostgreSQL's unique_violation, SQLite's SQLITE_CONSTRAINT_PRIMARYKEY and _UNIQUE. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown };
  return e?.code === "23505" || e?.errcode === 1555 || e?.errcode === 2067;
}

/** Local accounts. */
export class Users {
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly db: Db) {}

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom("users").selectAll().orderBy("username").execute();
    return rows.map(toUser);
  }

  async get(username: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** The admins of every cluster: those who can administer Fleetdeck. */
  async fullAdmins(): Promise<string[]> {
    const rows = await this.db.selectFrom("users").select("username").where("role", "=", "admin").where("clusters", "is", null).execute();
    return rows.map((r) => r.username);
  }

  async create(input: { username: string; password: string; role: Role; clusters?: string[] | null }): Promise<User> {
    const now = Date.now();
    const row: UserRow = {
      username: input.username,
      password_hash: await hashPassword(input.password),
      role: input.role,
      clusters: input.clusters ? JSON.stringify(input.clusters) : null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto("users").values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError(409, "conflict", `user "${input.username}" already exists`);
      throw err;
    }
    return toUser(row);
  }

  /** Applies changes; answers the user before and after. Refuses to leave Fleetdeck without an admin. */
  async update(username: string, changes: UserChanges): Promise<{ before: User; after: User }> {
    const before = await this.get(username);
    if (!before) throw new NotFoundError(`no user "${username}"`);
    const next = { role: changes.role ?? before.role, clusters: changes.clusters === undefined ? before.clusters : changes.clusters };
    if (isFullAdmin(before) && !isFullAdmin(next)) await this.keepAnAdmin(username);
    await this.db
      .updateTable("users")
      .set({
        role: next.role,
        clusters: next.clusters ? JSON.stringify(next.clusters) : null,
        updated_at: Date.now(),
        ...(changes.password !== undefined ? { password_hash: await hashPassword(changes.password) } : {}),
      })
      .where("username", "=", username)
      .execute();
    return { before, after: (await this.get(username))! };
  }

  async delete(username: string): Promise<User> {
    const before = await this.get(username);
    if (!before) throw new NotFoundError(`no user "${username}"`);
    if (isFullAdmin(before)) await this.keepAnAdmin(username);
    await this.db.deleteFrom("users").where("username", "=", username).execute();
    return before;
  }

  /** The user when the password is theirs; null otherwise, in about the same time either way. */
  async verify(username: string, password: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
    if (!row) {
      // Spend a verification's time, so timing does not tell which usernames exist.
      this.dummyHash ??= hashPassword("fleetdeck-no-such-user");
      await verifyPassword(await this.dummyHash, password);
      return null;
    }
    return (await verifyPassword(row.password_hash, password)) ? toUser(row) : null;
  }

  private async keepAnAdmin(username: string): Promise<void> {
    if ((await this.fullAdmins()).every((admin) => admin === username)) {
      throw new ApiError(409, "last-admin", `${username} is the last admin; make another user admin first`);
    }
  }
}

function isFullAdmin(user: Pick<User, "role" | "clusters">): boolean {
  return user.role === "admin" && user.clusters === null;
}
