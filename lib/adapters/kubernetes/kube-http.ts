import { HttpMethod, RequestContext, type KubeConfig } from "@kubernetes/client-node";
import { fetch, type Response } from "undici";
import { AdapterError, codeForUpstreamStatus, fromNetworkError } from "../errors";
import { StatusSchema } from "./schemas";

/**
 * Raw HTTP to the apiserver with the kubeconfig's credentials (tokens, client
 * certificates, exec plugins, CA) applied by the client library. Used for
 * lists and watches, which need streaming, bookmarks and a watchdog that the
 * library's Watch does not offer, and for metrics.k8s.io.
 */

/** An AdapterError that remembers the upstream HTTP status (410 and 404/503 matter to callers). */
export class KubeApiError extends AdapterError {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
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
  const s = StatusSchema.safeParse(parsed);
  if (s.success && s.data.message) return s.data.message;
  return `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
}

/** fetch wraps socket errors in a bare "fetch failed"; the cause says what happened (ECONNREFUSED, ...). */
export function networkError(err: unknown, what: string): AdapterError {
  const cause = err instanceof TypeError ? (err as { cause?: unknown }).cause : undefined;
  return fromNetworkError(cause ?? err, what);
}

export async function errorFromResponse(res: Response, what: string): Promise<KubeApiError> {
  const text = await res.text().catch(() => "");
  return new KubeApiError(res.status, `${what}: ${statusMessage(text, res.status, res.statusText)}`);
}

export interface RequestOptions {
  method?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  body?: string;
}

export class KubeHttp {
  readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new AdapterError("invalid", "kubeconfig names no cluster");
    this.server = cluster.server.replace(/\/+$/, "");
  }

  /** Sends a request; network failures become AdapterErrors, HTTP errors are left to the caller. */
  async request(path: string, what: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.server + path;
    const method = (options.method ?? "GET") as HttpMethod;
    const ctx = new RequestContext(url, method);
    try {
      await this.kc.applySecurityAuthentication(ctx);
    } catch (err) {
      // Exec plugins and token files fail here; their messages can echo credentials.
      throw new AdapterError("unauthorized", `${what}: could not obtain credentials from the kubeconfig`, { cause: err });
    }
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
      throw networkError(err, what);
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
