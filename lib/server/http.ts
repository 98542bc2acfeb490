import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type z } from "zod";
import { isAdapterError, type AdapterErrorCode } from "@/lib/adapters/errors";
import { createLogger } from "@/lib/log";
import type { ApiErrorBody } from "@/lib/model/types";
import { InvalidInputError, isApiError } from "./errors";

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

export function errorResponse(err: unknown): NextResponse<ApiErrorBody> {
  const body = (status: number, code: string, message: string) =>
    NextResponse.json<ApiErrorBody>({ error: { code, message } }, { status });
  if (isApiError(err)) return body(err.status, err.code, err.message);
  if (err instanceof ZodError) return body(400, "invalid", describeZod(err));
  if (isAdapterError(err)) {
    const message = err.code === "unauthorized" ? `the cluster rejected Fleetdeck's credentials: ${err.message}` : err.message;
    return body(UPSTREAM_STATUS[err.code], `upstream-${err.code}`, message);
  }
  log.error("unexpected error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return body(500, "internal", "Fleetdeck failed unexpectedly; the server log has the details");
}

type RouteContext<P> = { params: Promise<P> };

/** Wraps a handler so that whatever it throws becomes a JSON error answer. */
export function route<P = Record<string, never>>(
  handler: (request: Request, params: P) => Promise<unknown>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      const result = await handler(request, await context.params);
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Parses search params; unknown parameters are ignored, bad values are a 400 naming them. */
export function parseSearch<S extends z.ZodType>(schema: S, request: Request): z.output<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = schema.safeParse(params);
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
  if (!text.trim()) throw new InvalidInputError("body is missing: send JSON like { \"replicas\": 3 }", 400);
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
