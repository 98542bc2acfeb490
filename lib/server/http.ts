import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type z } from "zod";
import { isAdapterError, type AdapterErrorCode } from "@/lib/adapters/errors";
import { createLogger } from "@/lib/log";
import { readQuery } from "@/lib/model/queries";
import type { ApiErrorBody } from "@/lib/model/types";
import { randomUUID } from "node:crypto";
import { getAccess, SESSION_COOKIE, type Access, type AuditRecord, type Identity } from "./access";
import { mayReadSomething, UnauthenticatedError, type Actor } from "./authz";
import { ApiError, ForbiddenError, InvalidInputError, isApiError } from "./errors";
import { crossSiteRefusal, isHttps, publicOrigins } from "./origin";
import { requestSource, type RequestSource } from "./request-source";

/**
 * The route handlers' shared plumbing: parse input with zod, map every error
 * to a status code in one place, never leak a stack or a credential.
 */

const log = createLogger("http");

const UPSTREAM_STATUS: Record<AdapterErrorCode, number> = {
  invalid: 422,
  unauthorized: 502, // the cluster rejected Fleetdeck's own credentials: not the viewer's fault
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  unreachable: 502,
  timeout: 504,
  throttled: 503,
  upstream: 502,
};

function describeZod(error: ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.join(".");
      // Messages that already name their field ("replicas must not be negative") stand alone.
      return !where || i.message.startsWith(String(i.path.at(-1))) ? i.message : `${where}: ${i.message}`;
    })
    .join("; ");
}

/** What an error answers: its status and body. */
export function describeError(err: unknown): { status: number; body: ApiErrorBody } {
  const answer = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });
  if (isApiError(err)) return answer(err.status, err.code, err.message);
  if (err instanceof ZodError) return answer(400, "invalid", describeZod(err));
  if (isAdapterError(err)) {
    const message = err.code === "unauthorized" ? `the cluster rejected Fleetdeck's credentials: ${err.message}` : err.message;
    return answer(UPSTREAM_STATUS[err.code], `upstream-${err.code}`, message);
  }
  log.error("unexpected error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return answer(500, "internal", "Fleetdeck failed unexpectedly; the server log has the details");
}

export function errorResponse(err: unknown): NextResponse<ApiErrorBody> {
  const { status, body } = describeError(err);
  return NextResponse.json<ApiErrorBody>(body, { status });
}

type RouteContext<P> = { params: Promise<P> };
type RouteFn<P> = (request: Request, context: RouteContext<P>) => Promise<Response>;

/** What a handler gets: the request, its params, who asks, and the audit row it may fill in. */
export interface RequestContext<P> {
  request: Request;
  params: P;
  identity: Identity;
  actor: Actor;
  access: Access;
  requestId: string;
  /** Where the request came from (see request-source.ts). */
  source: RequestSource;
  /** Facts for this request's audit row; the wrapper writes the row whatever the outcome. */
  audit: AuditDraft;
  /** Cookies to set on the answer (sign-in and sign-out). */
  cookies: CookieChange[];
}

export interface AuditDraft {
  cluster?: string | null;
  target?: string | null;
  before?: string | null;
  after?: string | null;
  /** Overrides the actor (sign-in names who tried). */
  actor?: string;
  /** For handlers that answer a refusal as a redirect (browser sign-in flows): the status and reason to record. */
  refused?: { status: number; message: string };
}

export interface CookieChange {
  name: string;
  value: string;
  /** Epoch ms; 0 deletes the cookie. */
  expires: number;
}

type Handler<P> = (ctx: RequestContext<P>) => Promise<unknown>;
/** A handler whose every call is written to the audit trail under `verb`. */
export interface Audited<P> {
  verb: string;
  run: Handler<P>;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];
const MUTATING = new Set<Method>(["POST", "PUT", "PATCH", "DELETE"]);

export interface ApiSpec<P> {
  GET?: Handler<P> | Audited<P>;
  /** HEAD is GET without the body unless given (and refused where GET is audited). */
  HEAD?: Handler<P>;
  POST?: Audited<P>;
  PUT?: Audited<P>;
  PATCH?: Audited<P>;
  DELETE?: Audited<P>;
}

export interface ApiOptions {
  /** Reachable by visitors with no grant at all (the sign-in routes), when anonymous visitors must sign in. */
  public?: boolean;
}

function methodNotAllowed(method: string, allow: string): Response {
  const body: ApiErrorBody = { error: { code: "method-not-allowed", message: `${method} is not allowed here; use ${allow}` } };
  return NextResponse.json(body, { status: 405, headers: { Allow: allow } });
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  return request.headers.has("transfer-encoding") || (length !== null && length !== "0");
}

function outcomeOf(status: number): AuditRecord["outcome"] {
  return status < 400 ? "ok" : status >= 500 ? "failed" : "refused";
}

function applyCookies(response: Response, request: Request, changes: CookieChange[], access: Access): Response {
  if (changes.length === 0) return response;
  const secure = isHttps(request.headers, access.settings.publicOrigins);
  const next = response instanceof NextResponse ? response : new NextResponse(response.body, response);
  for (const c of changes) {
    next.cookies.set(c.name, c.value, { httpOnly: true, secure, sameSite: "lax", path: "/", expires: new Date(c.expires) });
  }
  return next;
}

/**
 * Builds a route file's handlers, one per HTTP method, each behind the same
 * gate: mutations must be same-origin JSON (403, 415), every request resolves
 * to an actor (401 for a bad token, or when anonymous visitors must sign in),
 * audited handlers write exactly one audit row, and methods a route lacks
 * answer 405 with Allow. Use as
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({...})`.
 */
export function api<P = Record<string, never>>(spec: ApiSpec<P>, options: ApiOptions = {}): Record<Method, RouteFn<P>> {
  const implemented = METHODS.filter(
    (m) => m === "OPTIONS" || (m === "HEAD" ? typeof spec.GET === "function" || spec.HEAD : spec[m as keyof ApiSpec<P>]),
  );
  const allow = implemented.join(", ");

  const handle =
    (method: Method, entry: Handler<P> | Audited<P>): RouteFn<P> =>
    async (request, context) => {
      const run = typeof entry === "function" ? entry : entry.run;
      const verb = typeof entry === "function" ? null : entry.verb;
      const requestId = request.headers.get("x-request-id") ?? randomUUID();
      const source = requestSource(request.headers);
      const audit: AuditDraft = {};
      const cookies: CookieChange[] = [];
      let access: Access | null = null;
      let actor: Actor | null = null;
      let response: Response;
      /** Why the request failed, for its audit row. */
      let failure: string | null = null;
      try {
        access = await storageCall(() => getAccess());
        const identity = await storageCall(() => access!.identify(request.headers));
        // Identified first, so that a refused cross-site attempt is recorded under the account whose cookie rode along.
        actor = identity.actor;
        if (identity.staleCookie) cookies.push(...clearSessionCookies());
        if (MUTATING.has(method)) {
          const refusal = crossSiteRefusal(request.headers, publicOrigins(access.settings.publicOrigins));
          if (refusal) throw new ForbiddenError(refusal);
          if ((method !== "DELETE" || hasBody(request)) && !isJson(request.headers.get("content-type"))) {
            throw new ApiError(415, "unsupported-media-type", "send the body as JSON with Content-Type: application/json");
          }
        }
        if (!options.public && !mayReadSomething(actor)) throw new UnauthenticatedError("sign in to use Fleetdeck");
        const params = await context.params;
        const result = await run({ request, params, identity, actor, access, requestId, source, audit, cookies });
        response = result instanceof Response ? result : NextResponse.json(result);
      } catch (err) {
        const { status, body } = describeError(err);
        failure = body.error.message;
        response = NextResponse.json(body, { status });
      }
      if (response.status === 401) response.headers.set("WWW-Authenticate", 'Bearer realm="Fleetdeck"');
      if (verb && access) {
        try {
          await access.audit.append({
            requestId,
            actor: audit.actor ?? actor?.name ?? "anonymous",
            actorKind: actor?.kind ?? "anonymous",
            source: source.described,
            verb,
            cluster: audit.cluster,
            target: audit.target,
            before: audit.before,
            after: audit.after,
            outcome: outcomeOf(audit.refused?.status ?? response.status),
            status: audit.refused?.status ?? response.status,
            message: audit.refused?.message ?? failure,
          });
        } catch (err) {
          // A mutation that cannot be recorded is not acknowledged as done.
          log.error("cannot write the audit trail", { requestId, error: (err as Error).message });
          response = errorResponse(
            new ApiError(
              503,
              "audit-unavailable",
              "the audit trail cannot be written; the change may have been made, check before retrying",
            ),
          );
        }
      }
      response.headers.set("X-Request-Id", requestId);
      return access ? applyCookies(response, request, cookies, access) : response;
    };

  const notAllowed: RouteFn<P> = async (request) => methodNotAllowed(request.method, allow);
  const routes = {} as Record<Method, RouteFn<P>>;
  for (const m of METHODS) {
    if (m === "OPTIONS") routes[m] = async () => new Response(null, { status: 204, headers: { Allow: allow } });
    // HEAD is GET without the body, except where a GET changes something (a token exchange): there it is refused.
    else if (m === "HEAD")
      routes[m] = spec.HEAD ? handle("HEAD", spec.HEAD) : typeof spec.GET === "function" ? handle("HEAD", spec.GET) : notAllowed;
    else {
      const entry = spec[m as keyof ApiSpec<P>];
      routes[m] = entry ? handle(m, entry) : notAllowed;
    }
  }
  return routes;
}

/**
 * Runs a call on Fleetdeck's own storage: a database that does not answer is
 * a 503 naming it, not a 500 (the client did nothing wrong).
 */
async function storageCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isApiError(err)) throw err;
    log.error("storage failed", { error: (err as Error).message });
    throw new ApiError(503, "storage-unavailable", "Fleetdeck's database does not answer; the server log says why");
  }
}

/** Browser sign-in flows (kiosk token, OpenID callback) that fail land on the sign-in page, which shows why. */
export function signInRedirect(err: unknown, audit: AuditDraft): Response {
  if (!isApiError(err)) throw err;
  audit.refused = { status: err.status, message: err.message };
  return redirectTo(`/sign-in?error=${encodeURIComponent(err.message)}`);
}

/**
 * A 303 to a path of this site, relative: the browser stays on the host it
 * used, whatever the Host header or the configured public URL say.
 */
export function redirectTo(path: string): Response {
  return new Response(null, { status: 303, headers: { Location: path } });
}

/** Deletes both spellings of the session cookie. */
export function clearSessionCookies(): CookieChange[] {
  return [SESSION_COOKIE.secure, SESSION_COOKIE.plain].map((name) => ({ name, value: "", expires: 0 }));
}

/** A cookie's name for this request: the __Host- spelling over HTTPS (which it needs), the plain one otherwise. */
export function cookieName(names: { secure: string; plain: string }, request: Request, access: Access): string {
  return isHttps(request.headers, access.settings.publicOrigins) ? names.secure : names.plain;
}

export const sessionCookieName = (request: Request, access: Access) => cookieName(SESSION_COOKIE, request, access);

/** Parses search params as pages and the browser read them (readQuery); unknown parameters are ignored, bad values are a 400 naming them. */
export function parseSearch<S extends z.ZodType>(schema: S, request: Request): z.output<S> {
  const parsed = readQuery(schema, new URL(request.url).searchParams);
  if (!parsed.success) throw new InvalidInputError(describeZod(parsed.error), 400);
  return parsed.data;
}

/** Reads a JSON body of at most `maxBytes` and parses it with `schema` (422 on a bad shape). */
export async function parseJsonBody<S extends z.ZodType>(schema: S, request: Request, maxBytes = 4096): Promise<z.output<S>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new InvalidInputError(`body must be at most ${maxBytes} bytes`, 413);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel();
      throw new InvalidInputError(`body must be at most ${maxBytes} bytes`, 413);
    }
    chunks.push(chunk.value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new InvalidInputError('body is missing: send JSON like { "replicas": 3 }', 400);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError("body is not valid JSON", 400);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidInputError(describeZod(parsed.error), 422);
  return parsed.data;
}

/** Route params are strings from the URL; bound their size before use. */
export function checkId(value: string, what: string): string {
  if (!value || value.length > 512) throw new InvalidInputError(`${what} must be 1 to 512 characters`, 400);
  return value;
}
