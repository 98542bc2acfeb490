import { Agent, request } from "undici";
import type { z } from "zod";
import { AdapterError, asAdapterError, codeForUpstreamStatus, fromNetworkError } from "@/lib/adapters/errors";
import { lines } from "@/lib/adapters/lines";
import { TlsFileAgent } from "@/lib/adapters/tls-files";
import { DEFAULT_ADAPTER_TIMINGS, withTimeout } from "@/lib/adapters/timings";
import { endpointOf, type DockerConnection, type Endpoint } from "./connection";
import { DockerErrorBody, DockerVersionAnswer } from "./raw";

/**
 * The API version Fleetdeck speaks. 1.41 (Engine 20.10, Debian 12's docker.io)
 * is the oldest with `GET /services?status=true` (ServiceStatus) and job
 * services; its answers are what the schemas in raw.ts read. Pinning keeps
 * answer shapes stable across engine upgrades. Engines from 29 on refuse
 * versions below their MinAPIVersion (1.44), so the client moves up to the
 * engine's minimum when it must (the fields read here did not change).
 */
export const PINNED_API_VERSION = "1.41";

export interface DockerClientOptions {
  /** Per-request timeout; the events stream has none. */
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

export class DockerClient {
  readonly endpoint: Endpoint;
  /** The unix socket's agent, or the TCP one built from the TLS files. */
  private agent: Agent | null = null;
  private tlsAgent: TlsFileAgent | null = null;
  private apiVersion: Promise<string> | null = null;
  private readonly timeoutMs: number;

  constructor(
    private readonly connection: DockerConnection,
    options: DockerClientOptions = {},
  ) {
    this.endpoint = endpointOf(connection);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ADAPTER_TIMINGS.requestTimeoutMs;
  }

  /** Safe to log: the host, never TLS material. */
  get label(): string {
    return this.endpoint.label;
  }

  /** GET /_ping without a version prefix; true when the engine answers "OK". */
  async ping(signal?: AbortSignal, timeoutMs = 1000): Promise<boolean> {
    return (await this.pingFailure(signal, timeoutMs)) === null;
  }

  /** Why GET /_ping did not answer "OK" (nothing listening, a TLS failure, another answer), or null when it did. */
  async pingFailure(signal?: AbortSignal, timeoutMs = 1000): Promise<string | null> {
    try {
      const res = await this.raw("GET", "/_ping", { signal, timeoutMs });
      const text = (await res.body.text()).trim();
      if (res.statusCode === 200 && text === "OK") return null;
      return `Docker Engine at ${this.label} answered GET /_ping with HTTP ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ""}`;
    } catch (err) {
      return asAdapterError(err, `Docker Engine at ${this.label}`).message;
    }
  }

  /** Negotiates the version prefix again on the next request (after a reconnect the engine may have changed). */
  renegotiate(): void {
    this.apiVersion = null;
  }

  async get<S extends z.ZodType>(path: string, schema: S, query?: Query, signal?: AbortSignal): Promise<z.infer<S>> {
    const res = await this.call("GET", path, { query, signal });
    return this.parse(schema, await res.body.json(), `GET ${path}`);
  }

  /** POST with a JSON body; answers the parsed JSON body or null when there is none. */
  async post(path: string, body: unknown, query?: Query, signal?: AbortSignal): Promise<unknown> {
    const res = await this.call("POST", path, { query, body, signal });
    const text = await res.body.text();
    return text ? JSON.parse(text) : null;
  }

  async delete(path: string, query?: Query, signal?: AbortSignal): Promise<void> {
    const res = await this.call("DELETE", path, { query, signal });
    await res.body.dump();
  }

  /**
   * Opens a JSON-lines stream (e.g. /events) and answers once the engine has
   * accepted it, so a caller can list after subscribing without missing
   * changes; the iterable yields each parsed line until the engine closes it
   * or `signal` aborts.
   */
  async openStream(path: string, query: Query | undefined, signal: AbortSignal): Promise<AsyncIterable<unknown>> {
    const res = await this.call("GET", path, { query, signal, timeoutMs: 0 });
    const label = this.label;
    return (async function* parsedLines() {
      try {
        for await (const line of lines(res.body)) yield JSON.parse(line) as unknown;
      } catch (err) {
        if (signal.aborted) return;
        throw asAdapterError(err, `Docker Engine at ${label}: ${path} stream`);
      } finally {
        res.body.destroy();
      }
    })();
  }

  async close(): Promise<void> {
    const agent = this.agent;
    const tlsAgent = this.tlsAgent;
    this.agent = null;
    this.tlsAgent = null;
    this.apiVersion = null;
    if (agent) await agent.close().catch(() => undefined);
    await tlsAgent?.close();
  }

  private async versionPrefix(signal?: AbortSignal): Promise<string> {
    if (!this.apiVersion) {
      this.apiVersion = this.negotiate(signal);
      this.apiVersion.catch(() => (this.apiVersion = null));
    }
    return `/v${await this.apiVersion}`;
  }

  private async negotiate(signal?: AbortSignal): Promise<string> {
    const res = await this.raw("GET", "/version", { signal });
    if (res.statusCode !== 200) throw this.errorFrom(res.statusCode, await res.body.text(), "GET /version");
    const version = this.parse(DockerVersionAnswer, await res.body.json(), "GET /version");
    if (compareVersions(version.ApiVersion, PINNED_API_VERSION) < 0) {
      throw new AdapterError(
        "upstream",
        `Docker Engine ${version.Version} speaks API ${version.ApiVersion}; Fleetdeck needs ${PINNED_API_VERSION} or newer (Engine 20.10+)`,
      );
    }
    const minimum = version.MinAPIVersion ?? PINNED_API_VERSION;
    return compareVersions(minimum, PINNED_API_VERSION) > 0 ? minimum : PINNED_API_VERSION;
  }

  private async call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    options: { query?: Query; body?: unknown; signal?: AbortSignal; timeoutMs?: number },
  ) {
    const prefix = await this.versionPrefix(options.signal);
    const res = await this.raw(method, prefix + path + queryString(options.query), options);
    if (res.statusCode >= 300) {
      const text = await res.body.text().catch(() => "");
      throw this.errorFrom(res.statusCode, text, `${method} ${path}`);
    }
    return res;
  }

  private async raw(
    method: "GET" | "POST" | "DELETE",
    pathAndQuery: string,
    options: { body?: unknown; signal?: AbortSignal; timeoutMs?: number },
  ) {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const origin = this.endpoint.kind === "unix" ? "http://docker" : this.endpoint.origin;
    try {
      return await request(origin + pathAndQuery, {
        method,
        dispatcher: this.getAgent(),
        signal: timeoutMs > 0 ? withTimeout(timeoutMs, options.signal) : options.signal,
        headers: options.body !== undefined ? { "content-type": "application/json" } : undefined,
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        // Streams (timeoutMs 0) may stay quiet for hours between events.
        bodyTimeout: timeoutMs > 0 ? timeoutMs : 0,
      });
    } catch (err) {
      throw this.networkError(err);
    }
  }

  /** A failed request as an AdapterError; over TLS, one that says what the handshake failure means. */
  private networkError(err: unknown): AdapterError {
    const what = `Docker Engine at ${this.label}`;
    const endpoint = this.endpoint;
    const reason = endpoint.kind === "tcp" && endpoint.tls && !(err instanceof AdapterError) ? tlsFailure(err, endpoint.tls) : null;
    return reason ? new AdapterError("unreachable", `${what}: ${reason}`, { cause: err }) : fromNetworkError(err, what);
  }

  private getAgent(): Agent {
    const endpoint = this.endpoint;
    if (endpoint.kind === "unix") {
      this.agent ??= new Agent({ connect: { socketPath: endpoint.socketPath } });
      return this.agent;
    }
    const tls = endpoint.tls;
    // Built again when a certificate file changes (see TlsFileAgent); without TLS there are no files to follow.
    this.tlsAgent ??= new TlsFileAgent(
      { ca: tls?.ca, cert: tls?.cert, key: tls?.key },
      (pem) => new Agent({ connect: tls ? { ...pem, rejectUnauthorized: endpoint.verify } : {} }),
      "TLS",
    );
    return this.tlsAgent.get();
  }

  private errorFrom(status: number, text: string, what: string): AdapterError {
    let message = text.trim();
    try {
      const parsed = DockerErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) message = parsed.data.message;
    } catch {
      // not JSON: keep the text
    }
    return new AdapterError(codeForUpstreamStatus(status), message || `${what}: HTTP ${status}`);
  }

  private parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new AdapterError(
        "upstream",
        `Docker Engine answered ${what} with an unexpected shape: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }
}

/** Node's codes for an engine certificate that failed verification. */
const CERT_VERIFY_CODES =
  /^(UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_[A-Z_]+|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)$/;
/** Chain errors, where the CA is the likely culprit (not expiry or a wrong name). */
const CERT_CHAIN_CODES = /^(UNABLE_TO_|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|INVALID_CA)/;
/** OpenSSL alerts an engine sends when it refuses (or did not get) the client certificate. */
const CLIENT_CERT_ALERTS =
  /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE)$/;

/**
 * What a failed TLS connection to the engine means, or null when the error is
 * not about TLS. The raw errors say little: a TLS 1.3 engine that refuses the
 * client certificate does so after the client's side of the handshake is
 * done, and undici reports only "other side closed" (UND_ERR_SOCKET) on a
 * connection that never carried a byte of answer; TLS 1.2 engines fail the
 * handshake with an alert; a certificate the CA did not sign fails with an
 * OpenSSL verification code. Paths are configuration, not secrets.
 */
function tlsFailure(err: unknown, tls: NonNullable<DockerConnection["tls"]>): string | null {
  const e = err as { code?: unknown; message?: unknown; socket?: { bytesRead?: unknown } } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  const clientCertHint = tls.cert
    ? `the engine most likely did not accept the client certificate ${tls.cert} (is it signed by a CA the engine trusts, with extendedKeyUsage clientAuth?)`
    : "the engine most likely requires a client certificate, and none is configured (tls.cert and tls.key, or cert.pem and key.pem in DOCKER_CERT_PATH)";
  if (CERT_VERIFY_CODES.test(code)) {
    const caHint = !CERT_CHAIN_CODES.test(code)
      ? ""
      : tls.ca
        ? `; was it signed by the CA in ${tls.ca}?`
        : "; no CA file is configured (tls.ca, or ca.pem in DOCKER_CERT_PATH), so it was checked against the system's CAs";
    return `the engine's TLS certificate is not trusted: ${message} (${code})${caHint}`;
  }
  if (code.startsWith("ERR_SSL_")) {
    // "<hex>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:<detail>"
    const reason = message.split(":")[5]?.trim() || message.trim();
    return `the TLS handshake failed: ${reason} (${code})${CLIENT_CERT_ALERTS.test(code) ? `; ${clientCertHint}` : ""}`;
  }
  if (code === "UND_ERR_SOCKET" && e?.socket?.bytesRead === 0) {
    return `the engine closed the TLS connection without answering; ${clientCertHint}`;
  }
  return null;
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
