import "server-only";
import path from "node:path";
import { parseCookie } from "cookie";
import type { Me } from "@/lib/model/access";
import { createLogger, type Logger } from "@/lib/log";
import { anonymousActor, isAdmin, UnauthenticatedError, type Actor } from "../authz";
import { getSettings, OIDC_KUBERNETES_PREFIX, type Settings } from "../config";
import { ApiError } from "../errors";
import { isHttps, primaryOrigin } from "../origin";
import { onePerProcess } from "../process-one";
import { openStorage, type Storage } from "../storage";
import { AuditTrail } from "./audit";
import { OidcSignIn, type OidcSettings } from "./oidc";
import { Sessions, type Session } from "./sessions";
import { SetupLinks } from "./setup-links";
import { SignInLimit } from "./sign-in-limit";
import { DisplayTokens } from "./tokens";
import { grantsOf, Users } from "./users";

export { AuditTrail, auditCsv, auditFilter } from "./audit";
export type { AuditRecord } from "./audit";
export { describeUser } from "./users";

export interface Identity {
  actor: Actor;
  /** How the request authenticated. */
  via: Me["via"];
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

const OIDC_SESSION_MAX_MS = 12 * 3600_000;

type Env = Readonly<Record<string, string | undefined>>;

/** One cookie of a Cookie header. */
export function cookieValue(cookieHeader: string | null, name: string): string | undefined {
  return cookieHeader ? parseCookie(cookieHeader)[name] : undefined;
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
  private readonly signInLimit: SignInLimit;
  private readonly setupLinks: SetupLinks;

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
    this.signInLimit = new SignInLimit(storage.db);
    this.setupLinks = new SetupLinks(storage.db);
  }

  close(): Promise<void> {
    return this.storage.close();
  }

  /**
   * Resolves who asks: a bearer display token, a session cookie, or an
   * anonymous visitor. Over HTTPS only the __Host- cookie counts, so a cookie
   * planted by a sibling subdomain or over plain HTTP opens nothing. `touch:
   * false` (the event stream's heartbeat) leaves the idle clock alone: an open
   * tab is not activity.
   */
  async identify(headers: Headers, options: { touch?: boolean } = {}): Promise<Identity> {
    const authorization = headers.get("authorization");
    // Other schemes (Basic from a proxy in front) are not ours to judge.
    const bearer = authorization && /^bearer\s+(\S+)$/i.exec(authorization.trim())?.[1];
    if (bearer) {
      const record = await this.tokens.verify(bearer);
      if (!record) throw new UnauthenticatedError("the bearer token is unknown, revoked or expired");
      return { actor: tokenActor(record.name, record.clusters), via: "token", sessionSecret: null, staleCookie: false };
    }
    const name = isHttps(headers, this.settings.publicOrigins) ? SESSION_COOKIE.secure : SESSION_COOKIE.plain;
    const secret = cookieValue(headers.get("cookie"), name);
    if (!secret) return this.anonymous();
    const identity = await this.identifySession(secret, options);
    return identity.via === "anonymous" ? { ...identity, staleCookie: true } : identity;
  }

  /** Who a session secret stands for now (anonymous when it opens nothing). */
  async identifySession(secret: string, options: { touch?: boolean } = {}): Promise<Identity> {
    const session = await this.sessions.lookup(secret, options);
    const actor = session ? await this.actorOf(session) : null;
    return actor ? { actor, via: "session", sessionSecret: secret, staleCookie: false } : this.anonymous();
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
    if (session.via === "oidc") {
      const prefix = this.settings.oidc?.kubernetesPrefix ?? OIDC_KUBERNETES_PREFIX;
      return {
        kind: "user",
        name: session.username,
        grants: session.grants ?? [],
        impersonation: impersonationOf(prefix, session.username, session.groups),
      };
    }
    const user = await this.users.get(session.username);
    return user
      ? {
          kind: "user",
          name: user.username,
          grants: grantsOf(user),
          impersonation: { user: `${LOCAL_KUBERNETES_PREFIX}${user.username}`, groups: [] },
        }
      : null;
  }

  /** Checks a password, rate-limited per account and per client address (see SignInLimit). */
  async signIn(username: string, password: string, client: string | null): Promise<{ secret: string; expiresAt: number }> {
    await this.signInLimit.attempt(username, client);
    const user = await this.users.verify(username, password);
    if (!user) throw new UnauthenticatedError("wrong username or password");
    await this.signInLimit.clear(username);
    return this.sessions.create({ username: user.username, via: "password" });
  }

  /**
   * A session for someone the identity provider vouched for, with the grants
   * their groups gave. Groups change at the provider, so such a session ends
   * within OIDC_SESSION_MAX_MS and the next sign-in reads them again.
   */
  async startOidcSession(identity: { username: string; grants: Actor["grants"]; groups: readonly string[] }) {
    return this.sessions.create({
      username: identity.username,
      via: "oidc",
      grants: [...identity.grants],
      groups: [...identity.groups],
      notAfter: Date.now() + OIDC_SESSION_MAX_MS,
    });
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
    if ((await this.users.fullAdmins()).length > 0) {
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
    const key = await this.setupLinks.create();
    // The one secret that belongs in the log: whoever reads the server's log may create the first admin.
    this.log.warn(`no admin yet: open ${publicOrigin}/setup?key=${key} within 24 h to create one (or set FLEETDECK_ADMIN_PASSWORD)`);
  }

  /** Uses the setup link: creates the first admin and signs them in. */
  async completeSetup(key: string, username: string, password: string): Promise<{ secret: string; expiresAt: number }> {
    if (!(await this.setupLinks.claim(key)))
      throw new UnauthenticatedError("this setup link is unknown, used or expired; restart Fleetdeck for a new one");
    if ((await this.users.fullAdmins()).length > 0) throw new ApiError(409, "conflict", "an admin already exists; sign in instead");
    await this.users.create({ username, password, role: "admin" });
    // The links other starts printed are spent too.
    await this.setupLinks.spendAll();
    return this.sessions.create({ username, via: "setup" });
  }

  async hasSetupPending(): Promise<boolean> {
    return (await this.users.fullAdmins()).length === 0 && (await this.setupLinks.pending());
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

/** Local users act on impersonating clusters as fleetdeck:<username>. */
const LOCAL_KUBERNETES_PREFIX = "fleetdeck:";

/** A name the cluster reserves (system:masters, system:admin) never comes from an identity provider. */
function impersonationOf(prefix: string, username: string, groups: readonly string[]) {
  const named = (name: string) => `${prefix}${name}`;
  const allowed = (name: string) => !name.startsWith("system:");
  return {
    user: allowed(named(username)) ? named(username) : `${OIDC_KUBERNETES_PREFIX}${username}`,
    groups: groups.map(named).filter(allowed),
  };
}

function tokenActor(name: string, clusters: string[] | null): Actor {
  return { kind: "token", name, grants: [{ role: "viewer", clusters: clusters ?? "*" }], impersonation: null };
}

function oidcSettings(settings: Settings, env: Env): OidcSettings | null {
  const issuer = env.FLEETDECK_OIDC_ISSUER;
  if (!issuer) return null;
  const clientId = env.FLEETDECK_OIDC_CLIENT_ID;
  if (!clientId) throw new Error("FLEETDECK_OIDC_ISSUER is set but FLEETDECK_OIDC_CLIENT_ID is not");
  const o = settings.auth.oidc;
  const scopes = env.FLEETDECK_OIDC_SCOPES ? env.FLEETDECK_OIDC_SCOPES.split(/[\s,]+/).filter(Boolean) : o.scopes;
  if (!scopes.includes("openid")) throw new Error('OpenID scopes must include "openid"');
  // The redirect URI registered at the provider must be where browsers reach Fleetdeck, which only the operator knows.
  if (settings.publicOrigins.length === 0)
    throw new Error(
      "OpenID Connect sign-in needs FLEETDECK_PUBLIC_URL (or publicUrl in clusters.yaml): its callback is <public URL>/api/auth/oidc/callback",
    );
  return {
    issuer,
    clientId,
    clientSecret: env.FLEETDECK_OIDC_CLIENT_SECRET || null,
    scopes,
    name: o.name,
    usernameClaim: o.usernameClaim,
    groupsClaim: o.groupsClaim,
    roles: o.roles,
    defaultRole: o.defaultRole,
    kubernetesPrefix: o.kubernetesPrefix,
  };
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

/** Opens storage and builds Access from the process's settings and environment. */
async function createAccess(env: Env = process.env): Promise<Access> {
  const log = createLogger("access");
  const settings = await getSettings();
  const storage = await openStorage({
    databaseUrl: env.DATABASE_URL || undefined,
    // The data directory is chosen at run time; nothing under it belongs in the build.
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.FLEETDECK_DATA_DIR || ".data"),
    log,
  });
  const access = new Access(storage, accessSettings(settings, env), log);
  await access.bootstrap(env, primaryOrigin(settings.publicOrigins, env));
  log.info(
    `identity and audit in ${storage.where}; anonymous visitors: ${settings.auth.anonymous}${access.oidc ? `; OpenID issuer ${access.oidc.settings.issuer}` : ""}`,
  );
  return access;
}

/** The process's one Access, beside the Fleet (see onePerProcess). */
export const getAccess = onePerProcess("fleetdeck.access", () => createAccess());
