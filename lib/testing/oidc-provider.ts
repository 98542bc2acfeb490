import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
// oidc-provider ships no type declarations (they live in @types/oidc-provider); the little used here is typed below.
// @ts-expect-error -- untyped module
import { Provider as UntypedProvider } from "oidc-provider";

/**
 * A real OpenID provider (panva's oidc-provider, the certified one) for tests
 * and the e2e run: plain http on 127.0.0.1, one confidential client and the
 * accounts the caller gives. Its development interactions serve the login
 * form (any password; the login name is an account's `id`) and the consent
 * form. Nothing is kept: a new one has new keys and no sessions.
 *
 * Runs under plain `node` too (e2e/oidc-provider.ts): no path aliases, only
 * erasable TypeScript.
 */

export interface OidcTestAccount {
  /** The `sub` claim, and what to type into the provider's login form. */
  id: string;
  /** The `preferred_username` claim. */
  username: string;
  email: string;
  /** The `groups` claim. */
  groups: string[];
}

export interface OidcProviderOptions {
  /** The client's one registered redirect URI (Fleetdeck's `${publicOrigin}/api/auth/oidc/callback`). */
  redirectUri: string;
  accounts: OidcTestAccount[];
  /** Default: a free one. */
  port?: number;
  clientId?: string;
  /** Default: a random one. */
  clientSecret?: string;
}

export interface OidcProviderHandle {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

interface AccountClaims {
  sub: string;
  [claim: string]: unknown;
}

interface ProviderInstance {
  callback(): http.RequestListener;
  on(event: "server_error", listener: (ctx: unknown, err: Error) => void): void;
}

const Provider = UntypedProvider as new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

/** An RS256 signing key (the algorithm a client gets unless it registers another). */
function signingKey(): Record<string, unknown> {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: crypto.randomUUID(), alg: "RS256", use: "sig" };
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProviderHandle> {
  const clientId = options.clientId ?? "fleetdeck";
  const clientSecret = options.clientSecret ?? crypto.randomBytes(24).toString("base64url");
  const accounts = new Map(options.accounts.map((a) => [a.id, a]));

  // The issuer names the port, so listen first and hand requests to the provider once it exists.
  let handle: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    // Supported scopes; profile, email and groups are added by naming them in `claims`.
    scopes: ["openid"],
    claims: {
      openid: ["sub"],
      profile: ["preferred_username", "name"],
      email: ["email", "email_verified"],
      groups: ["groups"],
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        // The provider keeps only the claims of the scopes granted.
        async claims(): Promise<AccountClaims> {
          return {
            sub: account.id,
            preferred_username: account.username,
            name: account.username,
            email: account.email,
            email_verified: true,
            groups: [...account.groups],
          };
        },
      };
    },
    // Every authorization request must carry a PKCE challenge (S256 is the only method v9 knows).
    pkce: { required: () => true },
    // The login and consent forms; userinfo (on by default) answers the profile, email and groups claims.
    features: { devInteractions: { enabled: true } },
    jwks: { keys: [signingKey()] },
    // Signs the provider's cookies; over http they are set without Secure, as oidc-provider does for a plain-http request.
    cookies: { keys: [crypto.randomBytes(32).toString("base64url")] },
    // Short lives, and no default-TTL notices in the test output.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  });
  provider.on("server_error", (_ctx, err) => {
    console.error(`test OpenID provider: ${err.stack ?? err.message}`);
  });
  handle = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
