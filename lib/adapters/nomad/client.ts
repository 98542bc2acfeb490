import { Agent, request, type Dispatcher } from "undici";
import type { z } from "zod";
import { AdapterError, asAdapterError, codeForUpstreamStatus, fromNetworkError, parseRetryAfter } from "@/lib/adapters/errors";
import { lines } from "@/lib/adapters/lines";
import { TlsFileAgent } from "@/lib/adapters/tls-files";
import type { ResolvedNomadConnection } from "./connection";
import type { NomadTimings } from "./timings";

/**
 * A small client of Nomad's HTTP API: the token header, region and namespace
 * parameters, blocking queries (X-Nomad-Index), paging (X-Nomad-NextToken),
 * Nomad's plain-text error bodies, and the ndjson event stream.
 */

export type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export interface Answer<T> {
  data: T;
  /** X-Nomad-Index of the answer; 0 when absent. */
  index: number;
  nextToken: string | null;
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Blocking query: wait until the index passes this one, up to the blocking wait. */
  index?: number;
}

const MAX_PAGES = 10_000;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name.toLowerCase()];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

export class NomadClient {
  private dispatcher: TlsFileAgent | null = null;

  constructor(
    private readonly conn: ResolvedNomadConnection,
    private readonly timings: Pick<NomadTimings, "requestTimeoutMs" | "blockingWaitMs" | "streamIdleMs" | "pageSize">,
  ) {}

  /** The agent of the configured CA and client certificate, built again when one of those files changes. */
  private getDispatcher(): Dispatcher {
    this.dispatcher ??= new TlsFileAgent(
      { ca: this.conn.tls.caCert, cert: this.conn.tls.clientCert, key: this.conn.tls.clientKey },
      (pem) =>
        new Agent({
          connect: { ...pem, servername: this.conn.tls.serverName ?? undefined, rejectUnauthorized: !this.conn.tls.insecureSkipVerify },
          keepAliveTimeout: 30_000,
        }),
      "Nomad",
    );
    return this.dispatcher.get();
  }

  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = null;
    await d?.close();
  }

  private url(path: string, query: Query = {}): string {
    const url = new URL(this.conn.address + path);
    if (this.conn.region) url.searchParams.set("region", this.conn.region);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
      else url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: "application/json", ...(this.conn.token ? { "x-nomad-token": this.conn.token } : {}), ...extra };
  }

  private async send(
    method: "GET" | "POST",
    path: string,
    query: Query,
    options: { signal?: AbortSignal; timeoutMs: number; body?: unknown; bodyTimeoutMs?: number },
  ): Promise<Dispatcher.ResponseData> {
    const what = `Nomad ${method} ${path}`;
    // Bounds the wait for the answer's headers only, so it is cleared then (withTimeout's could not be, and would cut the
    // event stream); a slow or idle body is bounded by bodyTimeout.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException("timed out", "TimeoutError")), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.url(path, query), {
        method,
        dispatcher: this.getDispatcher(),
        headers: this.headers(options.body !== undefined ? { "content-type": "application/json" } : {}),
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.bodyTimeoutMs ?? options.timeoutMs,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (timeout.signal.aborted)
        throw new AdapterError("timeout", `${what}: no answer in ${Math.round(options.timeoutMs / 1000)} s`, { cause: err });
      throw fromNetworkError(err, what);
    } finally {
      clearTimeout(timer);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = (await res.body.text().catch(() => "")).trim().slice(0, 500);
    throw upstreamError(res.statusCode, text, what, parseRetryAfter(res.headers["retry-after"]));
  }

  private async parse<S extends z.ZodType>(res: Dispatcher.ResponseData, schema: S, what: string): Promise<z.infer<S>> {
    let json: unknown;
    try {
      json = await res.body.json();
    } catch (err) {
      throw new AdapterError("upstream", `${what}: the answer is not JSON`, { cause: err });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AdapterError("upstream", `${what}: unexpected answer (${issue?.path.join(".") || "body"}: ${issue?.message})`);
    }
    return parsed.data;
  }

  async get<S extends z.ZodType>(path: string, query: Query, schema: S, options: GetOptions = {}): Promise<Answer<z.infer<S>>> {
    const blocking = options.index !== undefined && options.index > 0;
    const { blockingWaitMs, requestTimeoutMs } = this.timings;
    const q: Query = blocking ? { ...query, index: options.index, wait: `${Math.round(blockingWaitMs)}ms` } : query;
    // Nomad adds up to wait/16 of jitter to a blocking query.
    const timeoutMs = blocking ? blockingWaitMs * 1.1 + requestTimeoutMs : requestTimeoutMs;
    const res = await this.send("GET", path, q, { signal: options.signal, timeoutMs });
    const data = await this.parse(res, schema, `Nomad GET ${path}`);
    return {
      data,
      index: Number(header(res.headers, "x-nomad-index") ?? 0) || 0,
      nextToken: header(res.headers, "x-nomad-nexttoken") || null,
    };
  }

  /** Every page of a list endpoint; the index is the first page's. */
  async list<S extends z.ZodType>(
    path: string,
    query: Query,
    itemSchema: S,
    signal?: AbortSignal,
  ): Promise<{ items: z.infer<S>[]; index: number }> {
    const items: z.infer<S>[] = [];
    let index = 0;
    let nextToken: string | null = null;
    const arraySchema = itemSchema.array();
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer: Answer<z.infer<S>[]> = await this.get(
        path,
        { ...query, per_page: this.timings.pageSize, next_token: nextToken ?? undefined },
        arraySchema,
        { signal },
      );
      if (page === 0) index = answer.index;
      items.push(...(answer.data ?? []));
      if (!answer.nextToken || answer.nextToken === nextToken) break;
      nextToken = answer.nextToken;
    }
    return { items, index };
  }

  async post<S extends z.ZodType>(path: string, query: Query, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const res = await this.send("POST", path, query, { signal, timeoutMs: this.timings.requestTimeoutMs, body });
    return this.parse(res, schema, `Nomad POST ${path}`);
  }

  /**
   * Reads an ndjson stream until it ends, calling onLine with each parsed
   * line. Rejects when nothing (not even a heartbeat) arrives for
   * streamIdleMs, or on a non-2xx answer.
   */
  async stream(path: string, query: Query, signal: AbortSignal, onLine: (json: unknown) => void): Promise<void> {
    const res = await this.send("GET", path, query, {
      signal,
      timeoutMs: this.timings.requestTimeoutMs,
      // The whole-request timeout must not cut a long-lived stream; the idle body timeout guards it.
      bodyTimeoutMs: this.timings.streamIdleMs,
    });
    try {
      for await (const line of lines(res.body)) {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          throw new AdapterError("upstream", `Nomad GET ${path}: a stream line is not JSON`);
        }
        onLine(json);
      }
    } catch (err) {
      if (signal.aborted || err instanceof AdapterError) throw err;
      throw asAdapterError(err, `Nomad GET ${path} stream`);
    }
  }
}

/** Nomad answers errors as plain text ("Permission denied", "ACL token not found", `job "x" not found`). */
export function upstreamError(status: number, text: string, what: string, retryAfterMs: number | null = null): AdapterError {
  const message = text || `HTTP ${status}`;
  let code = codeForUpstreamStatus(status);
  // Nomad answers 403 both for a token it does not know and for one lacking a capability. An expired
  // token or a secret that is not a UUID (nomad/structs/errors.go) is not mapped to 403 by the HTTP
  // layer (command/agent/http.go), so it may come as a 500: the text decides.
  if ((status === 403 || status >= 500) && /ACL token (not found|expired|is invalid)/i.test(message)) code = "unauthorized";
  if (status === 500 && /no path to region/i.test(message)) code = "invalid";
  return new AdapterError(code, `${what}: ${message}`, { retryAfterMs });
}
