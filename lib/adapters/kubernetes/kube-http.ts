import { readFileSync } from "node:fs";
import { HttpMethod, RequestContext, type KubeConfig } from "@kubernetes/client-node";
import { fetch, request as undiciRequest, type Dispatcher, type Response } from "undici";
import { AdapterError, codeForUpstreamStatus, fromNetworkError, parseRetryAfter } from "../errors";
import type { SecretSet } from "../secrets";
import { KubeStatusSchema } from "./raw";

/**
 * Raw HTTP to the apiserver with the kubeconfig's credentials (tokens, client
 * certificates, exec plugins, CA) applied by the client library. Used for
 * lists and watches, which need streaming, bookmarks and a watchdog that the
 * library's Watch does not offer, for metrics.k8s.io, and for scaling, whose
 * impersonation needs one header line per group (see send()).
 *
 * Every credential it holds or is handed by the library (the kubeconfig's
 * token, password and client key; the bearer token an exec plugin, an auth
 * provider or a token file yields, as it is applied) is registered in the
 * SecretSet, so upstream text that echoes it can be redacted.
 */

/** An AdapterError that remembers the upstream HTTP status (410 and 404/503 matter to callers). */
export class KubeApiError extends AdapterError {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | null },
  ) {
    super(codeForUpstreamStatus(status), message, options);
  }
}

/** The apiserver's own words from a metav1.Status body, else the HTTP status line. */
export function statusMessage(body: unknown, status: number, statusText = ""): string {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
  }
  const s = KubeStatusSchema.safeParse(parsed);
  if (s.success && s.data.message) return s.data.message;
  return `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
}

export async function errorFromResponse(res: Response, what: string): Promise<KubeApiError> {
  const text = await res.text().catch(() => "");
  return new KubeApiError(res.status, `${what}: ${statusMessage(text, res.status, res.statusText)}`, {
    retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
  });
}

export interface RequestOptions {
  method?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  body?: string;
}

export interface SendOptions {
  method?: string;
  signal?: AbortSignal;
  /** An array value goes out as one header line per item (fetch would join them with commas). */
  headers?: Record<string, string | readonly string[]>;
  body?: string;
}

/** A whole (non-streamed) answer. */
export interface SentResponse {
  status: number;
  text: string;
}

/** Registers the credentials a kubeconfig user carries in the file itself. */
export function registerKubeconfigCredentials(kc: KubeConfig, secrets: SecretSet): void {
  const user = kc.getCurrentUser();
  if (!user) return;
  secrets.add(user.token);
  if (user.password) secrets.addBasicAuth(user.username ?? "", user.password);
  if (user.keyData) {
    // keyData is base64 of the PEM; either may be echoed.
    secrets.add(user.keyData, Buffer.from(user.keyData, "base64").toString("utf8"));
  }
  if (user.keyFile) {
    try {
      secrets.add(readFileSync(user.keyFile, "utf8"));
    } catch {
      // Unreadable here means unreadable for the library too: the request fails before anything is sent.
    }
  }
  // Auth providers (oidc, azure, gcp) keep their tokens and client secret in the kubeconfig.
  const config = (user.authProvider as { config?: Record<string, unknown> } | undefined)?.config ?? {};
  for (const key of ["access-token", "id-token", "refresh-token", "client-secret", "token"]) {
    const value = config[key];
    if (typeof value === "string") secrets.add(value);
  }
}

/** Headers whose values are credentials, as the library sets them. */
function registerAppliedCredentials(headers: Record<string, string>, secrets: SecretSet | undefined): void {
  if (!secrets) return;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "authorization") continue;
    const m = /^(\S+)\s+(.+)$/.exec(value.trim());
    const credential = m ? m[2] : value;
    secrets.add(credential);
    if (m && m[1].toLowerCase() === "basic") {
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) secrets.addBasicAuth(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
  }
}

export class KubeHttp {
  readonly server: string;
  private lastAuthorization: string | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly secrets?: SecretSet,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new AdapterError("invalid", "kubeconfig names no cluster");
    this.server = cluster.server.replace(/\/+$/, "");
    if (secrets) registerKubeconfigCredentials(kc, secrets);
  }

  /** The library's credentials for one request (its headers and TLS dispatcher), registered as secrets. */
  private async authenticated(url: string, method: HttpMethod, what: string): Promise<RequestContext> {
    const ctx = new RequestContext(url, method);
    try {
      await this.kc.applySecurityAuthentication(ctx);
    } catch (err) {
      // Exec plugins and token files fail here; their messages can echo credentials.
      throw new AdapterError("unauthorized", `${what}: could not obtain credentials from the kubeconfig`, { cause: err });
    }
    // Tokens change only when an exec plugin, auth provider or token file rotates them.
    const applied = ctx.getHeaders();
    const authorization = Object.entries(applied).find(([k]) => k.toLowerCase() === "authorization")?.[1];
    if (authorization !== this.lastAuthorization) {
      registerAppliedCredentials(applied, this.secrets);
      this.lastAuthorization = authorization;
    }
    return ctx;
  }

  /** Sends a request; network failures become AdapterErrors, HTTP errors are left to the caller. */
  async request(path: string, what: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.server + path;
    const method = (options.method ?? "GET") as HttpMethod;
    const ctx = await this.authenticated(url, method, what);
    try {
      return await fetch(url, {
        method,
        headers: { ...ctx.getHeaders(), Accept: "application/json", ...options.headers },
        dispatcher: ctx.getDispatcher(),
        signal: options.signal,
        body: options.body,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw fromNetworkError(err, what);
    }
  }

  /**
   * Sends a request and reads the whole answer. Unlike request() (fetch), a
   * header given as an array goes out as separate header lines, as client-go
   * sends Impersonate-Group: the apiserver takes each line as one group and a
   * comma-joined line as a single group named "a, b". Headers given here
   * replace the library's of the same name (case-insensitively), so a
   * kubeconfig's own `as:` never mixes with per-request impersonation.
   */
  async send(path: string, what: string, options: SendOptions = {}): Promise<SentResponse> {
    const url = this.server + path;
    const method = (options.method ?? "GET") as HttpMethod;
    const ctx = await this.authenticated(url, method, what);
    const given = new Set(Object.keys(options.headers ?? {}).map((k) => k.toLowerCase()));
    const headers: Record<string, string | string[]> = { accept: "application/json" };
    for (const [k, v] of Object.entries(ctx.getHeaders())) if (!given.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = typeof v === "string" ? v : [...v];
    try {
      const res = await undiciRequest(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: options.body,
        signal: options.signal,
        dispatcher: ctx.getDispatcher() as Dispatcher | undefined,
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw fromNetworkError(err, what);
    }
  }

  /** GETs JSON; any non-2xx answer becomes a KubeApiError with the apiserver's message. */
  async getJson(path: string, what: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.request(path, what, { signal });
    if (!res.ok) throw await errorFromResponse(res, what);
    try {
      return await res.json();
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new AdapterError("upstream", `${what}: the answer was not JSON`, { cause: err });
    }
  }
}
