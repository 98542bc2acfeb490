import "server-only";
import path from "node:path";
import type { Me } from "@/lib/model/access";
import { createLogger, type Logger } from "@/lib/log";
import { anonymousActor, isAdmin, UnauthenticatedError, type Actor } from "../authz";
import { loadSettings, type Settings } from "../config";
import { ApiError } from "../errors";
import { openStorage, type Storage } from "../storage";
import { AuditTrail } from "./audit";
import { OidcSignIn, type OidcSettings } from "./oidc";
import { digest, newSecret } from "./secrets";
import { Sessions, type Session, type SessionVia } from "./sessions";
import { DisplayTokens } from "./tokens";
import { grantsOf, Users } from "./users";

export { AuditTrail, auditCsv, auditFilter } from "./audit";
export type { AuditRecord } from "./audit";
export { OidcError } from "./oidc";
export { describeUser } from "./users";

/** How a request authenticated. */
export type Via = Me["via"];

export interface Identity {
  actor: Actor;
  via: Via;
  /** The session cookie's secret, when a live session was found. */
  sessionSecret: string | null;
  /** The request carried a session cookie that opens nothing (expired, signed out): the answer should clear it. */
  staleCookie: boolean;
}

/** Cookie names: the __Host- prefix needs Secure, which browsers accept only over HTTPS. */
export const SESSION_COOKIE = { secure: "__Host-fleetdeck-session", plain: "fleetdeck-session" } as const;
export const OIDC_STATE_COOKIE = { secure: "__Host-fleetdeck-oidc", plain: "fleetdeck-oidc" } as const;

export interface AccessSettings {
  readOnly: boolean;
  anonymous: Settings["auth"]["anonymous"];
  publicOrigins: string[];
  session: { idleMs: number; absoluteMs: number };
  oidc: OidcSettings | null;
}

/** Failed sign-ins allowed per account, and per source address, in the window. */
export const SIGN_IN_LIMITS = { perAccount: 5, perSource: 30, windowMs: 15 * 60_000 };
const SETUP_TTL_MS = 24 * 3600_000;

type Env = Readonly<Record<string, string | undefined>>;

export function cookieValue(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Identity and its records: users, sessions, display tokens, the audit trail
 * and OpenID sign-in, over the one storage layer. Every request resolves to an
 * Actor here before a route or page runs.
 */
export class Access {
  readonly users: Users;
  readonly sessions: Sessions;
  readonly tokens: DisplayTokens;
  readonly audit: AuditTrail;
  readonly oidc: OidcSignIn | null;

  constructor(
    readonly storage: Storage,
    readonly settings: AccessSettings,
    private readonly log: Logger,
  ) {
    this.users = new Users(storage.db);
    this.sessions = new Sessions(storage.db, settings.session);
    this.tokens = new DisplayTokens(storage.db);
    this.audit = new AuditTrail(storage.db);
    this.oidc = settings.oidc ? new OidcSignIn(settings.oidc, storage.db, log.child("oidc")) : null;
  }

  close(): Promise<void> {
    return this.storage.close();
  }

  /** Resolves who asks: a bearer display token, a session cookie, or an anonymous visitor. */
  async identify(headers: Headers): Promise<Identity> {
    const authorization = headers.get("authorization");
    if (authorization) {
      const [scheme, token] = authorization.split(/\s+/, 2);
      if (!/^bearer$/i.test(scheme) || !token) throw new UnauthenticatedError("only Authorization: Bearer <display token> is accepted");
      const record = await this.tokens.verify(token);
      if (!record) throw new UnauthenticatedError("the bearer token is unknown, revoked or expired");
      return { actor: tokenActor(record.name, record.clusters), via: "token", sessionSecret: null, staleCookie: false };
    }
    const cookies = headers.get("cookie");
    const secret = cookieValue(cookies, SESSION_COOKIE.secure) ?? cookieValue(cookies, SESSION_COOKIE.plain);
    if (secret) {
      const session = await this.sessions.lookup(secret);
      const actor = session ? await this.actorOf(session) : null;
      if (actor) return { actor, via: "session", sessionSecret: secret, staleCookie: false };
      return { ...this.anonymous(), staleCookie: true };
    }
    return this.anonymous();
  }

  private anonymous(): Identity {
    return { actor: anonymousActor(this.settings.anonymous), via: "anonymous", sessionSecret: null, staleCookie: false };
  }

  /** The actor a session stands for now: a deleted user or a revoked token ends it. */
  private async actorOf(session: Session): Promise<Actor | null> {
    if (session.tokenId) {
      const token = await this.tokens.liveById(session.tokenId);
      return token ? tokenActor(token.name, token.clusters) : null;
    }
    if (session.grants) return { kind: "user", name: session.username, grants: session.grants, groups: session.groups };
    const user = await this.users.get(session.username);
    return user ? { kind: "user", name: user.username, grants: grantsOf(user), groups: session.groups } : null;
  }

  /** Checks a password, rate-limited per account and per source; answers the new session's secret. */
  async signIn(username: string, password: string, source: string | null): Promise<{ secret: string; expiresAt: number }> {
    const since = Date.now() - SIGN_IN_LIMITS.windowMs;
    const [forAccount, forSource] = await Promise.all([
      this.audit.countRefused("sign-in", since, { target: username }),
      source ? this.audit.countRefused("sign-in", since, { source }) : Promise.resolve(0),
    ]);
    if (forAccount >= SIGN_IN_LIMITS.perAccount || forSource >= SIGN_IN_LIMITS.perSource) {
      const minutes = SIGN_IN_LIMITS.windowMs / 60_000;
      throw new ApiError(429, "rate-limited", `too many failed sign-ins ${forAccount >= SIGN_IN_LIMITS.perAccount ? `for "${username}"` : "from this address"}; try again in up to ${minutes} minutes`);
    }
    const user = await this.users.verify(username, password);
    if (!user) throw new UnauthenticatedError("wrong username or password");
    return this.sessions.create({ username: user.username, via: "password" });
  }

  async startSession(input: { username: string; via: SessionVia; grants?: Actor["grants"]; groups?: readonly string[]; tokenId?: string; notAfter?: number | null }) {
    return this.sessions.create({ ...input, grants: input.grants ? [...input.grants] : null, groups: input.groups ? [...input.groups] : [] });
  }

  /** Exchanges a display token (from a kiosk URL) for a session that lives no longer than the token. */
  async exchangeToken(token: string): Promise<{ secret: string; expiresAt: number; name: string }> {
    const record = await this.tokens.verify(token);
    if (!record) throw new UnauthenticatedError("the display token is unknown, revoked or expired");
    const notAfter = record.expiresAt ? Date.parse(record.expiresAt) : null;
    const session = await this.sessions.create({ username: record.name, via: "token", tokenId: record.id, notAfter });
    return { ...session, name: record.name };
  }

  /** First start: the admin from FLEETDECK_ADMIN_PASSWORD, or a one-time setup link in the log. */
  async bootstrap(env: Env, publicOrigin: string): Promise<void> {
    if ((await this.users.count("admin")) > 0) {
      if (env.FLEETDECK_ADMIN_PASSWORD) this.log.info("an admin exists; FLEETDECK_ADMIN_PASSWORD is used only to create the first one");
      return;
    }
    const password = env.FLEETDECK_ADMIN_PASSWORD;
    if (password) {
      if (password.length < 12) throw new Error("FLEETDECK_ADMIN_PASSWORD must be at least 12 characters");
      try {
        await this.users.create({ username: "admin", password, role: "admin" });
        this.log.info('created the first admin, "admin", from FLEETDECK_ADMIN_PASSWORD');
      } catch (err) {
        // Another replica created it first.
        if (!(err instanceof ApiError && err.status === 409)) throw err;
      }
      return;
    }
    const token = newSecret();
    const now = Date.now();
    await this.storage.db.deleteFrom("setup_tokens").execute();
    await this.storage.db.insertInto("setup_tokens").values({ token_hash: digest(token), created_at: now, expires_at: now + SETUP_TTL_MS }).execute();
    // The one secret that belongs in the log: whoever reads the server's log may create the first admin.
    this.log.warn(`no admin yet: open ${publicOrigin}/setup?key=${token} within 24 h to create one (or set FLEETDECK_ADMIN_PASSWORD)`);
  }

  /** Uses the setup link: creates the first admin and signs them in. */
  async completeSetup(token: string, username: string, password: string): Promise<{ secret: string; expiresAt: number }> {
    const row = await this.storage.db.selectFrom("setup_tokens").selectAll().where("token_hash", "=", digest(token)).executeTakeFirst();
    if (!row || row.expires_at <= Date.now()) throw new UnauthenticatedError("this setup link is unknown, used or expired; restart Fleetdeck for a new one");
    if ((await this.users.count("admin")) > 0) throw new ApiError(409, "conflict", "an admin already exists; sign in instead");
    await this.storage.db.deleteFrom("setup_tokens").execute();
    await this.users.create({ username, password, role: "admin" });
    return this.sessions.create({ username, via: "setup" });
  }

  async hasSetupPending(): Promise<boolean> {
    if ((await this.users.count("admin")) > 0) return false;
    const row = await this.storage.db.selectFrom("setup_tokens").select("token_hash").where("expires_at", ">", Date.now()).executeTakeFirst();
    return row !== undefined;
  }

  me(identity: Identity): Me {
    return {
      user: identity.actor.name,
      via: identity.via,
      roles: [...identity.actor.grants],
      admin: isAdmin(identity.actor),
      signIn: { password: true, oidc: this.oidc ? this.oidc.settings.name : null },
    };
  }
}

function tokenActor(name: string, clusters: string[] | null): Actor {
  return { kind: "token", name, grants: [{ role: "viewer", clusters: clusters ?? "*" }], groups: [] };
}

function oidcSettings(settings: Settings, env: Env): OidcSettings | null {
  const issuer = env.FLEETDECK_OIDC_ISSUER;
  if (!issuer) return null;
  const clientId = env.FLEETDECK_OIDC_CLIENT_ID;
  if (!clientId) throw new Error("FLEETDECK_OIDC_ISSUER is set but FLEETDECK_OIDC_CLIENT_ID is not");
  const o = settings.auth.oidc;
  const scopes = env.FLEETDECK_OIDC_SCOPES ? env.FLEETDECK_OIDC_SCOPES.split(/[\s,]+/).filter(Boolean) : o.scopes;
  if (!scopes.includes("openid")) throw new Error('OpenID scopes must include "openid"');
  return { issuer, clientId, clientSecret: env.FLEETDECK_OIDC_CLIENT_SECRET || null, scopes, name: o.name, usernameClaim: o.usernameClaim, groupsClaim: o.groupsClaim, roles: o.roles, defaultRole: o.defaultRole };
}

export function accessSettings(settings: Settings, env: Env): AccessSettings {
  return {
    readOnly: settings.readOnly,
    anonymous: settings.auth.anonymous,
    publicOrigins: settings.publicOrigins,
    session: { idleMs: settings.auth.session.idleMinutes * 60_000, absoluteMs: settings.auth.session.absoluteHours * 3600_000 },
    oidc: oidcSettings(settings, env),
  };
}

/** Opens storage and builds Access from the settings and the environment. */
export async function createAccess(env: Env = process.env): Promise<Access> {
  const log = createLogger("access");
  const settings = await loadSettings(env);
  const storage = await openStorage({
    databaseUrl: env.DATABASE_URL || undefined,
    // The data directory is chosen at run time; nothing under it belongs in the build.
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.FLEETDECK_DATA_DIR || ".data"),
    log,
  });
  const access = new Access(storage, accessSettings(settings, env), log);
  await access.bootstrap(env, settings.publicOrigins[0] ?? `http://localhost:${env.PORT ?? 3000}`);
  log.info(`identity and audit in ${storage.where}; anonymous visitors: ${settings.auth.anonymous}${access.oidc ? `; OpenID issuer ${access.oidc.settings.issuer}` : ""}`);
  return access;
}

const ACCESS = Symbol.for("fleetdeck.access");
type AccessHolder = { [ACCESS]?: Promise<Access> };

/** The process's one Access, on globalThis like the Fleet; a failed start is retried by the next request. */
export function getAccess(): Promise<Access> {
  const holder = globalThis as AccessHolder;
  holder[ACCESS] ??= createAccess().catch((err) => {
    delete holder[ACCESS];
    throw err;
  });
  return holder[ACCESS];
}
