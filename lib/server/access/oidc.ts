import "server-only";
import * as client from "openid-client";
import type { Grant, Role } from "@/lib/model/access";
import type { Logger } from "@/lib/log";
import type { Db } from "../storage";
import { ApiError } from "../errors";
import { digest } from "./secrets";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  scopes: string[];
  /** Label of the sign-in button ("Sign in with …"). */
  name: string;
  usernameClaim: string;
  groupsClaim: string;
  roles: { group: string; role: Role; clusters: Grant["clusters"] }[];
  defaultRole?: Role;
  kubernetesPrefix: string;
}

export interface OidcIdentity {
  username: string;
  groups: string[];
  grants: Grant[];
}

/** How long a sign-in at the identity provider may take. */
const FLOW_TTL_MS = 10 * 60_000;
/** Sign-ins started and not finished (each a row until it expires); anyone may start one, so they are bounded. */
const MAX_PENDING_FLOWS = 10_000;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The OAuth error a provider answered with ("invalid_client (client
 * authentication failed)"), from openid-client's error for an error body or
 * a WWW-Authenticate challenge, whose own messages name neither; null for
 * any other failure.
 */
function oauthRefusal(err: unknown): string | null {
  const describe = (error: unknown, description: unknown) =>
    typeof error === "string" && error
      ? `${error}${typeof description === "string" && description ? ` (${description.slice(0, 200)})` : ""}`
      : null;
  if (err instanceof client.ResponseBodyError) return describe(err.error, err.error_description);
  if (err instanceof client.WWWAuthenticateChallengeError) {
    for (const challenge of err.cause) {
      const found = describe(challenge.parameters.error, challenge.parameters.error_description);
      if (found) return found;
    }
  }
  return null;
}

/** A sign-in that failed for a reason the user should read on the sign-in page. */
export class OidcError extends ApiError {
  constructor(message: string, status = 401) {
    super(status, "oidc", message);
  }
}

/**
 * OpenID Connect sign-in: authorization code with PKCE (S256), state and
 * nonce, through openid-client. The flow's secrets wait server-side, keyed
 * by the hash of `state`, which also sits in a short-lived cookie so that a
 * callback completes only in the browser that started it.
 */
export class OidcSignIn {
  private config: Promise<client.Configuration> | null = null;

  constructor(
    readonly settings: OidcSettings,
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    const url = new URL(settings.issuer);
    if (url.protocol !== "https:" && !LOOPBACK.has(url.hostname)) {
      throw new Error(`FLEETDECK_OIDC_ISSUER must be https (plain http only on loopback, for tests), got ${settings.issuer}`);
    }
  }

  /** Discovery, once; a failure is not kept, so the next sign-in retries. */
  private configuration(): Promise<client.Configuration> {
    this.config ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      const auth = this.settings.clientSecret ? client.ClientSecretBasic(this.settings.clientSecret) : client.None();
      return client.discovery(issuer, this.settings.clientId, undefined, auth, {
        execute: issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
        timeout: 10,
      });
    })().catch((err) => {
      this.config = null;
      this.log.warn("OpenID provider discovery failed", { issuer: this.settings.issuer, error: (err as Error).message });
      throw new ApiError(
        502,
        "upstream-unreachable",
        `the identity provider at ${this.settings.issuer} does not answer: ${(err as Error).message}`,
      );
    });
    return this.config;
  }

  /** Where to send the browser, and the state to bind to it. */
  async start(redirectUri: string, returnTo: string): Promise<{ url: URL; state: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = Date.now();
    await this.db.deleteFrom("oidc_flows").where("expires_at", "<=", now).execute();
    const pending = Number(
      (
        await this.db
          .selectFrom("oidc_flows")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (pending >= MAX_PENDING_FLOWS) throw new ApiError(503, "busy", "too many sign-ins are in progress; try again in a few minutes");
    await this.db
      .insertInto("oidc_flows")
      .values({ state_hash: digest(state), code_verifier: verifier, nonce, return_to: returnTo, expires_at: now + FLOW_TTL_MS })
      .execute();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(" "),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { url, state };
  }

  /** Completes the flow the callback URL belongs to; `boundState` is the state cookie of this browser. */
  async finish(callbackUrl: URL, boundState: string | undefined): Promise<OidcIdentity & { returnTo: string }> {
    const state = callbackUrl.searchParams.get("state");
    const providerError = callbackUrl.searchParams.get("error");
    if (!state)
      throw new OidcError(providerError ? `the identity provider refused: ${providerError}` : "the callback carries no state", 400);
    const flow = await this.db.selectFrom("oidc_flows").selectAll().where("state_hash", "=", digest(state)).executeTakeFirst();
    // Claimed by deleting it: of two callbacks racing with one state, one deletes a row and the other none.
    const claimed = flow
      ? Number((await this.db.deleteFrom("oidc_flows").where("state_hash", "=", flow.state_hash).executeTakeFirst()).numDeletedRows)
      : 0;
    if (!flow || claimed !== 1 || flow.expires_at <= Date.now())
      throw new OidcError("this sign-in has expired or was already used; start again", 400);
    if (boundState !== state) throw new OidcError("this sign-in was started in another browser; start again here", 400);
    if (providerError) {
      const description = callbackUrl.searchParams.get("error_description");
      throw new OidcError(`the identity provider refused: ${providerError}${description ? ` (${description.slice(0, 200)})` : ""}`);
    }
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const refusal = oauthRefusal(err);
      this.log.warn("OpenID code exchange failed", { error: refusal ?? (err as Error).message });
      if (refusal) {
        const hint = refusal.startsWith("invalid_client") ? "; check FLEETDECK_OIDC_CLIENT_ID and FLEETDECK_OIDC_CLIENT_SECRET" : "";
        throw new OidcError(`the identity provider refused the code exchange: ${refusal}${hint}`, 502);
      }
      throw new OidcError(`the identity provider's answer was refused: ${(err as Error).message}`, 502);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcError("the identity provider sent no ID token", 502);
    let claims: Record<string, unknown> = { ...idClaims };
    // Providers often put groups (and sometimes the username) only in userinfo.
    if (
      (claims[this.settings.groupsClaim] === undefined || claims[this.settings.usernameClaim] === undefined) &&
      config.serverMetadata().userinfo_endpoint
    ) {
      try {
        claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...claims };
      } catch (err) {
        this.log.warn("OpenID userinfo failed", { error: (err as Error).message });
      }
    }
    const identity = this.identityOf(claims);
    return { ...identity, returnTo: flow.return_to };
  }

  /** Username and grants from the claims; a user in no mapped group and no default role is refused. */
  identityOf(claims: Record<string, unknown>): OidcIdentity {
    // An email names someone only once the provider has verified it.
    const email = claims.email_verified === true ? claims.email : undefined;
    const raw = claims[this.settings.usernameClaim] ?? email ?? claims.sub;
    if (typeof raw !== "string" || !raw) throw new OidcError(`the ID token has no "${this.settings.usernameClaim}" claim`, 502);
    const username = raw.slice(0, 128);
    const rawGroups = claims[this.settings.groupsClaim];
    const groups = (Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === "string" ? [rawGroups] : []).filter(
      (g): g is string => typeof g === "string",
    );
    const grants: Grant[] = this.settings.roles
      .filter((r) => groups.includes(r.group))
      .map((r) => ({ role: r.role, clusters: r.clusters }));
    if (grants.length === 0 && this.settings.defaultRole) grants.push({ role: this.settings.defaultRole, clusters: "*" });
    if (grants.length === 0) {
      throw new OidcError(
        `${username} is in none of the groups Fleetdeck gives a role to (${this.settings.roles.map((r) => r.group).join(", ") || "none configured"})`,
        403,
      );
    }
    return { username, groups, grants };
  }
}
