import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as startRoute } from "@/app/api/auth/oidc/start/route";
import { GET as callbackRoute } from "@/app/api/auth/oidc/callback/route";
import { GET as meRoute } from "@/app/api/auth/me/route";
import type { AuditEntry, Me } from "@/lib/model/access";
import { startOidcProvider, type OidcProviderHandle, type OidcTestAccount } from "@/lib/testing/oidc-provider";
import type { OidcSettings } from "./oidc";
import { openTestAccess } from "./testing";

/**
 * OpenID Connect sign-in end to end: Fleetdeck's start and callback routes
 * against a real OpenID provider (oidc-provider) over real HTTP, walked as a
 * browser walks it: redirects, the provider's login and consent forms, and
 * the cookies of both sites.
 */

const FLEETDECK = "http://fleetdeck.test";
const REDIRECT_URI = `${FLEETDECK}/api/auth/oidc/callback`;

// The ids (`sub`) differ from the usernames: Fleetdeck must name people by preferred_username.
const ALICE: OidcTestAccount = { id: "u-1001", username: "alice", email: "alice@example.test", groups: ["everyone", "sre"] };
const VICTOR: OidcTestAccount = { id: "u-1002", username: "victor", email: "victor@example.test", groups: ["auditors"] };
const MALLORY: OidcTestAccount = { id: "u-1003", username: "mallory", email: "mallory@example.test", groups: ["contractors"] };

let provider: OidcProviderHandle;
let testAccess: Awaited<ReturnType<typeof openTestAccess>>;

function settingsFor(p: OidcProviderHandle, overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: p.issuer,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    scopes: ["openid", "profile", "email", "groups"],
    name: "Test IdP",
    usernameClaim: "preferred_username",
    groupsClaim: "groups",
    roles: [
      { group: "sre", role: "operator", clusters: "*" },
      { group: "auditors", role: "viewer", clusters: "*" },
    ],
    kubernetesPrefix: "oidc:",
    ...overrides,
  };
}

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUri: REDIRECT_URI, accounts: [ALICE, VICTOR, MALLORY] });
  testAccess = await openTestAccess({ publicOrigins: [FLEETDECK], anonymous: "none", oidc: settingsFor(provider) });
});

beforeEach(() => {
  // One test installs an Access of its own.
  testAccess.install();
});

afterAll(async () => {
  await testAccess?.close();
  await provider?.close();
});

// --- a small browser: cookies per host and path, redirects by hand, HTML forms ---

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = url.pathname.slice(0, url.pathname.lastIndexOf("/")) || "/";
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split("=");
        const v = rest.join("=").trim();
        const k = key.trim().toLowerCase();
        if (k === "path" && v.startsWith("/")) path = v;
        if (k === "max-age" && Number(v) <= 0) expired = true;
        if (k === "expires" && Date.parse(v) <= Date.now()) expired = true;
      }
      const key = `${url.host} ${path} ${name}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, host: url.host, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter(
        (c) => c.host === url.host && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  get(origin: string, name: string): string | undefined {
    const host = new URL(origin).host;
    return [...this.cookies.values()].find((c) => c.host === host && c.name === name)?.value;
  }
}

type Route = (request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

interface HtmlForm {
  action: URL;
  method: string;
  fields: { name: string; type: string; value: string }[];
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (e[0] !== "#") return named[e.toLowerCase()];
    return String.fromCodePoint(e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** The page's one form, as a browser would submit it. */
function theForm(html: string, page: URL): HtmlForm {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  if (forms.length !== 1) throw new Error(`expected one form at ${page.pathname}, found ${forms.length}: ${html.slice(0, 500)}`);
  const [, formAttributes, body] = forms[0];
  const attributes = attributesOf(formAttributes);
  const fields = [...body.matchAll(/<input\b([^>]*)>/gi)]
    .map((m) => attributesOf(m[1]))
    .filter((a) => a.name)
    .map((a) => ({ name: a.name, type: (a.type ?? "text").toLowerCase(), value: a.value ?? "" }));
  return { action: new URL(attributes.action || page.href, page), method: (attributes.method || "get").toLowerCase(), fields };
}

class Browser {
  readonly jar = new CookieJar();

  /** Calls one of Fleetdeck's route handlers as the browser would request that URL; `cookie` replaces the jar's. */
  async fleetdeck(route: Route, url: string | URL, options: { cookie?: string; requestId?: string } = {}): Promise<Response> {
    const target = new URL(url, FLEETDECK);
    expect(target.origin).toBe(FLEETDECK);
    const headers = new Headers({ "x-request-id": options.requestId ?? randomUUID() });
    const cookie = options.cookie ?? this.jar.header(target);
    if (cookie) headers.set("cookie", cookie);
    const response = await route(new Request(target, { headers }), { params: Promise.resolve({}) });
    this.jar.store(target, response.headers);
    return response;
  }

  /** A request to the identity provider over HTTP, redirects not followed. */
  async provider(url: URL, init: { method?: string; form?: URLSearchParams } = {}): Promise<Response> {
    const headers = new Headers();
    const cookie = this.jar.header(url);
    if (cookie) headers.set("cookie", cookie);
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      headers.set("origin", url.origin);
    }
    const response = await fetch(url, { method: init.method ?? "GET", headers, body: init.form, redirect: "manual" });
    this.jar.store(url, response.headers);
    return response;
  }

  /**
   * From the authorization URL through the provider's pages until it sends
   * the browser back to Fleetdeck: follows redirects, fills and submits each
   * form (`login` with the account id, any password). Answers the URL it
   * lands on and the prompts it went through.
   */
  async walkProvider(authorizationUrl: URL, accountId: string): Promise<{ landing: URL; prompts: string[] }> {
    const prompts: string[] = [];
    let url = authorizationUrl;
    let response = await this.provider(url);
    for (let step = 0; step < 20; step++) {
      if (response.status >= 300 && response.status < 400) {
        const next = new URL(response.headers.get("location") ?? "", url);
        await response.body?.cancel();
        if (next.origin === FLEETDECK) return { landing: next, prompts };
        url = next;
        response = await this.provider(url);
        continue;
      }
      const html = await response.text();
      if (response.status !== 200 || !/text\/html/.test(response.headers.get("content-type") ?? "")) {
        throw new Error(
          `the provider answered ${url.pathname} with ${response.status}: ${html
            .replace(/<[^>]+>/g, " ")
            .replace(/\s+/g, " ")
            .slice(0, 600)}`,
        );
      }
      const form = theForm(html, url);
      const values = new URLSearchParams();
      for (const field of form.fields) {
        if (field.type === "hidden") values.append(field.name, field.value);
        else if (field.name === "login") values.append(field.name, accountId);
        else if (field.type === "password") values.append(field.name, "any password: the dev login form checks none");
        else throw new Error(`no value for the field "${field.name}" at ${url.pathname}`);
      }
      prompts.push(values.get("prompt") ?? "(no prompt)");
      url = form.action;
      response =
        form.method === "post"
          ? await this.provider(url, { method: "POST", form: values })
          : await this.provider(new URL(`?${values}`, url));
    }
    throw new Error(`the provider did not send the browser back to Fleetdeck within 20 steps (last at ${url.href})`);
  }
}

// --- the flow ---

/** Start route → provider's login and consent → the callback URL the provider sends the browser to. */
async function throughProvider(browser: Browser, account: OidcTestAccount, next = "/clusters/east?tab=workloads") {
  const start = await browser.fleetdeck(startRoute, `/api/auth/oidc/start?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(303);
  const authorization = new URL(start.headers.get("location")!);
  expect(authorization.origin).toBe(provider.issuer);
  expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
    client_id: provider.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid profile email groups",
    code_challenge_method: "S256",
  });
  for (const p of ["state", "nonce", "code_challenge"]) expect(authorization.searchParams.get(p), p).toBeTruthy();
  const stateCookie = browser.jar.get(FLEETDECK, "fleetdeck-oidc");
  expect(stateCookie).toBe(authorization.searchParams.get("state"));

  const { landing, prompts } = await browser.walkProvider(authorization, account.id);
  expect(prompts).toEqual(["login", "consent"]);
  expect(landing.origin + landing.pathname).toBe(REDIRECT_URI);
  expect(landing.searchParams.get("code")).toBeTruthy();
  expect(landing.searchParams.get("state")).toBe(stateCookie);
  return { callback: landing, stateCookie: `fleetdeck-oidc=${stateCookie}` };
}

async function me(browser: Browser): Promise<Me> {
  const response = await browser.fleetdeck(meRoute, "/api/auth/me");
  expect(response.status).toBe(200);
  return (await response.json()) as Me;
}

async function auditRow(requestId: string): Promise<AuditEntry> {
  const rows = (await testAccess.access.audit.query({ verb: "sign-in", limit: 1000 })).filter((r) => r.requestId === requestId);
  expect(rows, `one sign-in audit row for request ${requestId}`).toHaveLength(1);
  return rows[0];
}

/** The sign-in page's error from a redirect to it. */
function signInError(response: Response): string {
  expect(response.status).toBe(303);
  // Fleetdeck redirects to a path of its own, relative: the browser stays on the host it used.
  const location = new URL(response.headers.get("location")!, FLEETDECK);
  expect(response.headers.get("location")).toMatch(/^\/sign-in\?/);
  return location.searchParams.get("error") ?? "";
}

describe("OpenID Connect sign-in against a real provider", () => {
  it("signs alice (group sre) in as an operator of all clusters: the session cookie works and the audit trail says so", async () => {
    const browser = new Browser();
    expect((await me(browser)).via).toBe("anonymous");
    const { callback } = await throughProvider(browser, ALICE);

    const requestId = randomUUID();
    const done = await browser.fleetdeck(callbackRoute, callback, { requestId });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/clusters/east?tab=workloads");
    expect(browser.jar.get(FLEETDECK, "fleetdeck-session")).toBeTruthy();
    expect(browser.jar.get(FLEETDECK, "fleetdeck-oidc"), "the state cookie is spent").toBeUndefined();

    expect(await me(browser)).toMatchObject({ user: "alice", via: "session", roles: [{ role: "operator", clusters: "*" }], admin: false });
    // The cookie is what signs the browser in: without it the same routes see an anonymous visitor.
    expect((await me(new Browser())).via).toBe("anonymous");

    expect(await auditRow(requestId)).toMatchObject({
      verb: "sign-in",
      actor: "alice",
      target: "alice",
      outcome: "ok",
      after: "operator of all clusters",
    });
  });

  it("signs victor (group auditors) in as a viewer", async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, VICTOR, "/");
    const done = await browser.fleetdeck(callbackRoute, callback);
    expect(done.headers.get("location")).toBe("/");
    expect(await me(browser)).toMatchObject({ user: "victor", via: "session", roles: [{ role: "viewer", clusters: "*" }] });
  });

  it("refuses a user in none of the mapped groups, naming the groups, and audits the refusal as 403", async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, MALLORY);
    const requestId = randomUUID();
    const error = signInError(await browser.fleetdeck(callbackRoute, callback, { requestId }));
    expect(error).toBe("mallory is in none of the groups Fleetdeck gives a role to (sre, auditors)");
    expect(browser.jar.get(FLEETDECK, "fleetdeck-session")).toBeUndefined();
    expect((await me(browser)).via).toBe("anonymous");
    expect(await auditRow(requestId)).toMatchObject({ outcome: "refused", status: 403, message: error });
  });

  it("refuses a callback replayed a second time, even with the browser's state cookie", async () => {
    const browser = new Browser();
    const { callback, stateCookie } = await throughProvider(browser, ALICE);
    const first = await browser.fleetdeck(callbackRoute, callback, { cookie: stateCookie });
    expect(first.status).toBe(303);
    expect(new URL(first.headers.get("location")!, FLEETDECK).pathname).toBe("/clusters/east");

    const replay = new Browser();
    const requestId = randomUUID();
    const error = signInError(await replay.fleetdeck(callbackRoute, callback, { cookie: stateCookie, requestId }));
    expect(error).toBe("this sign-in has expired or was already used; start again");
    expect(replay.jar.get(FLEETDECK, "fleetdeck-session")).toBeUndefined();
    expect(await auditRow(requestId)).toMatchObject({ outcome: "refused", status: 400 });
  });

  it("refuses a callback that arrives without the state cookie of the browser that started it", async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, ALICE);
    // Another browser (an attacker's link followed by a victim): the provider's redirect, but not the cookie.
    const other = new Browser();
    const requestId = randomUUID();
    const error = signInError(await other.fleetdeck(callbackRoute, callback, { requestId }));
    expect(error).toBe("this sign-in was started in another browser; start again here");
    expect(other.jar.get(FLEETDECK, "fleetdeck-session")).toBeUndefined();
    expect(await auditRow(requestId)).toMatchObject({ outcome: "refused", status: 400 });
  });

  it("fails with a clear message when Fleetdeck's client secret is wrong", async () => {
    const wrong = await openTestAccess({
      publicOrigins: [FLEETDECK],
      anonymous: "none",
      oidc: settingsFor(provider, { clientSecret: "not-the-client-secret" }),
    });
    try {
      wrong.install();
      const browser = new Browser();
      // Nothing before the code exchange authenticates the client: the flow reaches the callback.
      const { callback } = await throughProvider(browser, ALICE);
      const requestId = randomUUID();
      const error = signInError(await browser.fleetdeck(callbackRoute, callback, { requestId }));
      expect(error).toBe(
        "the identity provider refused the code exchange: invalid_client (client authentication failed); check FLEETDECK_OIDC_CLIENT_ID and FLEETDECK_OIDC_CLIENT_SECRET",
      );
      expect(browser.jar.get(FLEETDECK, "fleetdeck-session")).toBeUndefined();
      const row = (await wrong.access.audit.query({ verb: "sign-in", limit: 10 })).find((r) => r.requestId === requestId);
      expect(row).toMatchObject({ outcome: "failed", status: 502, message: error });
    } finally {
      testAccess.install();
      await wrong.close();
    }
  });
});
