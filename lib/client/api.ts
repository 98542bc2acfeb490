import { z } from "zod";

/**
 * Browser-side calls to Fleetdeck's own HTTP API. Answers are checked with
 * zod so a contract drift shows as a clear error, and API errors become an
 * ApiRequestError carrying the server's own message (shown to the operator).
 */

const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** Query parameters; undefined and empty values are left out. */
type SearchParams = object;

export function apiUrl(path: string, params?: SearchParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorFrom(response: Response): Promise<ApiRequestError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status line.
  }
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    return new ApiRequestError(parsed.data.error.message, response.status, parsed.data.error.code);
  }
  return new ApiRequestError(
    `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    response.status,
    "http",
  );
}

async function request<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: "application/json", ...init?.headers } });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiRequestError("Fleetdeck's server does not answer; is it running?", 0, "network");
  }
  if (!response.ok) throw await errorFrom(response);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    throw new ApiRequestError(
      `Unexpected answer from ${url.split("?")[0]}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      200,
      "contract",
    );
  }
  return parsed.data;
}

export function apiGet<T>(path: string, schema: z.ZodType<T>, params?: SearchParams, signal?: AbortSignal): Promise<T> {
  return request(apiUrl(path, params), schema, { signal });
}

/** A mutation: always a JSON body (the server refuses anything else with 415). */
export function apiSend<T>(method: "POST" | "PATCH" | "DELETE", path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  return request(path, schema, {
    method,
    body: JSON.stringify(body ?? {}),
    headers: { "content-type": "application/json" },
  });
}

export function apiPost<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  return apiSend("POST", path, body, schema);
}

export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int().optional() });
}
