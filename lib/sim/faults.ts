/**
 * Fault injection for the simulators, one kit for all of them: wrap a
 * simulator's request listener and set what should go wrong. Tests and the
 * fault harness set faults on the handle; nothing here is served by the
 * Fleetdeck app itself.
 */

import type http from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";

export const FaultSpecSchema = z
  .object({
    /** Added before every answer, plus up to `jitterMs` more. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    jitterMs: z.number().int().min(0).max(120_000).optional(),
    /** This share of requests fail with `failStatus` (default 503), with Retry-After when given. */
    failShare: z.number().min(0).max(1).optional(),
    failStatus: z.union([z.literal(500), z.literal(503), z.literal(429)]).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Accept and never answer, until the fault is cleared (then those connections are cut). */
    hang: z.boolean().optional(),
    /** Streams (watches, event streams) go silent, open ones too; the connections stay open. */
    stallStreams: z.boolean().optional(),
    /** Cut the connections open when the fault is set (a restart, a proxy dropping them): streams must reconnect into it. */
    cutOpen: z.boolean().optional(),
    /** Answer 200 with a body that is not JSON. */
    malformed: z.boolean().optional(),
    /** Only requests whose path matches this regular expression. */
    paths: z
      .string()
      .max(500)
      .refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, "not a regular expression")
      .optional(),
  })
  .strict();
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** How a protocol says "failed": its error body for a status. */
export interface FaultProtocol {
  errorAnswer(status: number, message: string): { contentType: string; body: string; headers?: Record<string, string> };
  /** The content type a malformed answer claims. */
  contentType: string;
}

export const JSON_MESSAGE_PROTOCOL: FaultProtocol = {
  contentType: "application/json",
  errorAnswer: (_status, message) => ({ contentType: "application/json", body: JSON.stringify({ message }) }),
};

export const PLAIN_TEXT_PROTOCOL: FaultProtocol = {
  contentType: "application/json",
  errorAnswer: (_status, message) => ({ contentType: "text/plain; charset=utf-8", body: message }),
};

const STATUS_TEXT: Record<number, string> = { 429: "Too many requests", 500: "Internal error", 503: "Service unavailable" };

export class FaultInjector {
  private spec: FaultSpec = {};
  /** Requests a fault applied to since it was set: how hard clients press a failing upstream. */
  requestsSeen = 0;
  private readonly hung = new Set<Socket>();
  private readonly open = new Set<Socket>();

  constructor(private readonly random: () => number = Math.random) {}

  get current(): FaultSpec {
    return { ...this.spec };
  }

  /** Replaces the faults in force; validated as the schema says (throws on a bad spec). */
  set(spec: FaultSpec): void {
    this.spec = FaultSpecSchema.parse(spec);
    this.requestsSeen = 0;
    if (!this.spec.hang) this.releaseHung();
    if (this.spec.cutOpen) for (const socket of this.open) socket.destroy();
  }

  clear(): void {
    this.set({});
  }

  /** The listener with the faults applied before it runs. */
  wrap(listener: http.RequestListener, protocol: FaultProtocol): http.RequestListener {
    return (req, res) => {
      const spec = this.spec;
      const path = (req.url ?? "/").split("?")[0];
      const applies = !spec.paths || new RegExp(spec.paths).test(path);
      if (!applies) return listener(req, res);
      if (Object.keys(spec).length) this.requestsSeen += 1;
      const socket = req.socket;
      if (!this.open.has(socket)) {
        this.open.add(socket);
        socket.once("close", () => this.open.delete(socket));
      }
      this.stallable(res);
      if (spec.hang) {
        this.hung.add(req.socket);
        req.socket.once("close", () => this.hung.delete(req.socket));
        return;
      }
      const answer = () => {
        if (spec.failShare && this.random() < spec.failShare) return this.fail(res, spec, protocol);
        if (spec.malformed) {
          res.writeHead(200, { "content-type": protocol.contentType });
          return void res.end('{"items": [ {"truncated');
        }
        listener(req, res);
      };
      const delay = (spec.latencyMs ?? 0) + (spec.jitterMs ? this.random() * spec.jitterMs : 0);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    };
  }

  private fail(res: http.ServerResponse, spec: FaultSpec, protocol: FaultProtocol): void {
    const status = spec.failStatus ?? 503;
    const { contentType, body, headers } = protocol.errorAnswer(status, `${STATUS_TEXT[status]} (injected fault)`);
    const retryAfter = spec.retryAfterSeconds !== undefined && status !== 500 ? { "retry-after": String(spec.retryAfterSeconds) } : {};
    res.writeHead(status, { "content-type": contentType, ...headers, ...retryAfter });
    res.end(body);
  }

  /**
   * Lets a streaming answer go silent while stallStreams is set: its writes
   * are dropped, as a wedged connection loses them, until the fault is
   * cleared. Only writes: whole answers go out with end(body).
   */
  private stallable(res: http.ServerResponse): void {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => (this.spec.stallStreams ? true : write(chunk, ...rest))) as typeof res.write;
  }

  private releaseHung(): void {
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
  }
}
