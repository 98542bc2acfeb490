import { TlsFileAgent } from "@/lib/adapters/tls-files";
import { Agent, request, type Dispatcher } from "undici";
import type { z } from "zod";
import { AdapterError, codeForUpstreamStatus, fromNetworkError, parseRetryAfter } from "@/lib/adapters/errors";
import { withTimeout } from "@/lib/adapters/timings";
import type { MesosConnection, MesosEndpoint } from "./connection";
import { RawMarathonErrorSchema } from "./raw";

/**
 * The HTTP side of the adapter: one client per upstream (master, agents,
 * Marathon) sharing one undici dispatcher that carries the TLS settings.
 * Every failure leaves here as an AdapterError naming the upstream and its
 * own message; credentials never appear in a message.
 */

/**
 * The dispatcher for every request, with the TLS settings: a CA file is
 * followed (see TlsFileAgent), so a rotated CA needs no restart, and one that
 * cannot be read fails each request as "unreachable", naming it, until it can.
 */
export function makeDispatcher(tls: MesosConnection["tls"]): () => Dispatcher {
  const rejectUnauthorized = !tls?.insecureSkipVerify;
  const build = (ca: string | Buffer | undefined) => new Agent({ connect: { ca, rejectUnauthorized }, keepAliveTimeout: 4_000 });
  if (tls?.caFile) {
    const files = new TlsFileAgent({ ca: tls.caFile }, (pem) => build(pem.ca), "TLS");
    return () => files.get();
  }
  const agent = build(tls?.ca);
  return () => agent;
}

type EndpointCredentials = Pick<MesosEndpoint, "username" | "password" | "passwordEnv">;

/** The endpoint's password, from the entry or the variable passwordEnv names; "" when neither gives one. */
export function endpointPassword(endpoint: EndpointCredentials | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return endpoint?.password ?? (endpoint?.passwordEnv ? (env[endpoint.passwordEnv] ?? "") : "");
}

export function basicAuthHeader(
  endpoint: EndpointCredentials | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  if (!endpoint?.username) return null;
  return "Basic " + Buffer.from(`${endpoint.username}:${endpointPassword(endpoint, env)}`).toString("base64");
}

export interface UpstreamError {
  status: number;
  message: string;
  /** Marathon's 409 body lists the deployments holding the app. */
  deployments: string[];
}

export class UpstreamHttpError extends AdapterError {
  constructor(
    readonly upstream: UpstreamError,
    what: string,
    retryAfterMs: number | null = null,
  ) {
    super(codeForUpstreamStatus(upstream.status), `${what}: ${upstream.message} (HTTP ${upstream.status})`, { retryAfterMs });
  }
}

function describeStatus(status: number, bodyText: string): UpstreamError {
  let message = bodyText.trim().slice(0, 300);
  let deployments: string[] = [];
  try {
    const parsed = RawMarathonErrorSchema.safeParse(JSON.parse(bodyText));
    if (parsed.success) {
      const details = (parsed.data.details ?? []).map((d) => `${d.path ?? ""} ${(d.errors ?? []).join(", ")}`.trim()).filter(Boolean);
      message = [parsed.data.message, ...details].filter(Boolean).join("; ") || message;
      deployments = (parsed.data.deployments ?? []).map((d) => d.id);
    }
  } catch {
    // Mesos answers errors as plain text; keep it as is.
  }
  if (!message) {
    message = status === 401 ? "wrong or missing credentials" : status === 403 ? "access denied" : `status ${status}`;
  }
  return { status, message, deployments };
}

export class HttpEndpoint {
  constructor(
    readonly baseUrl: string,
    private readonly authorization: string | null,
    private readonly dispatcher: () => Dispatcher,
    /** "Mesos master", "Marathon", "agent mesos-a1": prefixes every error message. */
    readonly what: string,
    private readonly timeoutMs: number,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", ...extra };
    if (this.authorization) headers.authorization = this.authorization;
    return headers;
  }

  private async send(
    method: "GET" | "PUT",
    target: string,
    options: { body?: unknown; signal?: AbortSignal; stream?: boolean; accept?: string; idleMs?: number },
  ): Promise<Dispatcher.ResponseData> {
    // A stream stays open for as long as the caller wants it; only its headers are timed.
    const signal = options.stream ? options.signal : withTimeout(this.timeoutMs, options.signal);
    const extra: Record<string, string> = {};
    if (options.body !== undefined) extra["content-type"] = "application/json";
    if (options.accept) extra.accept = options.accept;
    const dispatcher = this.dispatcher();
    try {
      return await request(target.startsWith("/") ? this.baseUrl + target : target, {
        method,
        headers: this.headers(extra),
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher,
        signal,
        headersTimeout: this.timeoutMs,
        // A stream's body may pause between events, but not for longer than idleMs (the upstream's keep-alives come more often).
        bodyTimeout: options.stream ? (options.idleMs ?? 0) : this.timeoutMs,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw fromNetworkError(err, this.what);
    }
  }

  private async readJson<T>(response: Dispatcher.ResponseData, schema: z.ZodType<T>, path: string): Promise<T> {
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new UpstreamHttpError(describeStatus(response.statusCode, text), this.what, parseRetryAfter(response.headers["retry-after"]));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AdapterError("upstream", `${this.what}: ${path} answered something that is not JSON`, { cause: err });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AdapterError(
        "upstream",
        `${this.what}: unexpected answer from ${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      );
    }
    return parsed.data;
  }

  async getJson<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    let response = await this.send("GET", path, { signal }).catch((err) => this.rethrow(err, signal));
    const location = response.headers.location;
    if (response.statusCode === 307 && typeof location === "string") {
      // A standby Mesos master redirects to the leader ("//leader:5050/master/state"). The leader is the
      // same cluster, so the request goes there once, credentials included (undici's redirect drops them).
      await response.body.dump();
      const leader = new URL(location, this.baseUrl + path).toString();
      response = await this.send("GET", leader, { signal }).catch((err) => this.rethrow(err, signal));
    }
    return this.readJson(response, schema, path).catch((err) => this.rethrow(err, signal));
  }

  async putJson<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    const response = await this.send("PUT", path, { body, signal }).catch((err) => this.rethrow(err, signal));
    return this.readJson(response, schema, path).catch((err) => this.rethrow(err, signal));
  }

  /**
   * Opens a text/event-stream; answers its body once the upstream accepted (2xx).
   * Reading the body fails with undici's UND_ERR_BODY_TIMEOUT when nothing, not
   * even a keep-alive, arrives for `idleMs` (0: wait forever).
   */
  async openEventStream(path: string, signal: AbortSignal, idleMs = 0): Promise<AsyncIterable<Buffer>> {
    // Marathon's servlet (Jetty's EventSourceServlet) streams only to a request whose Accept is exactly text/event-stream; else 405.
    const response = await this.send("GET", path, { signal, stream: true, accept: "text/event-stream", idleMs });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const text = await response.body.text().catch(() => "");
      throw new UpstreamHttpError(describeStatus(response.statusCode, text), this.what, parseRetryAfter(response.headers["retry-after"]));
    }
    return response.body;
  }

  private rethrow(err: unknown, signal?: AbortSignal): never {
    if (signal?.aborted || err instanceof AdapterError) throw err;
    throw fromNetworkError(err, this.what);
  }
}
