/** metav1.Status bodies, worded like the real apiserver's. */

import type { ResourceType } from "./resources";
import { qualifiedName } from "./resources";

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

export const fail = (code: number, reason: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(status(code, reason, message, details));

export const notFound = (type: ResourceType, name: string) =>
  fail(404, "NotFound", `${qualifiedName(type)} "${name}" not found`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  });

export const pathNotFound = () => fail(404, "NotFound", "the server could not find the requested resource", {});

export const badRequest = (message: string) => fail(400, "BadRequest", message);

export function invalid(kind: string, group: string, name: string, field: string, value: unknown, detail: string) {
  const cause = `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return fail(422, "Invalid", `${kind}${group ? "." + group : ""} "${name}" is invalid: ${cause}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
  });
}

export function conflict(type: ResourceType, name: string) {
  return fail(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(type.group ? { group: type.group } : {}), kind: type.plural },
  );
}

/** What a resource request asks to do, as the apiserver's RequestInfo resolves it (authorizer.Attributes). */
export interface ResourceAttributes {
  verb: string;
  apiGroup: string;
  /** Plural, e.g. "deployments". */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A request for a path that is no resource (discovery, /version). */
export interface PathAttributes {
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | PathAttributes;

export const isPathRequest = (a: Attributes): a is PathAttributes => "path" in a;

/**
 * The apiserver's 403 (responsewriters.Forbidden): `deployments.apps "web" is
 * forbidden: User "alice" cannot patch resource "deployments/scale" in API
 * group "apps" in the namespace "default"`, the authorizer's reason appended.
 */
export function forbiddenRequest(user: string, a: Attributes, reason = "") {
  const why = reason ? `: ${reason}` : "";
  if (isPathRequest(a)) return fail(403, "Forbidden", `forbidden: User "${user}" cannot ${a.verb} path "${a.path}"${why}`, {});
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return fail(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}${why}`,
    { ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource },
  );
}

export function forbidden(
  user: string,
  verb: string,
  type: ResourceType,
  sub: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
) {
  return forbiddenRequest(user, { verb, apiGroup: type.group, resource: type.plural, subresource: sub, namespace, name });
}

/** One field error of a 422, as field.Error prints it. */
export interface FieldCause {
  field: string;
  type: "Required" | "Invalid" | "NotSupported";
  value?: unknown;
  /** For NotSupported: the supported values, quoted and comma-separated. */
  detail: string;
}

function causeText(c: FieldCause): string {
  if (c.type === "Required") return `Required value: ${c.detail}`;
  if (c.type === "NotSupported") return `Unsupported value: ${JSON.stringify(c.value)}: supported values: ${c.detail}`;
  return `Invalid value: ${JSON.stringify(c.value)}: ${c.detail}`;
}

/** A 422 with every field error, worded like the apiserver's (several are listed in brackets). */
export function invalidCauses(kind: string, group: string, name: string, causes: FieldCause[]) {
  const all = causes.map((c) => `${c.field}: ${causeText(c)}`);
  return fail(
    422,
    "Invalid",
    `${kind}${group ? "." + group : ""} "${name}" is invalid: ${all.length === 1 ? all[0] : `[${all.join(", ")}]`}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map((c) => ({ reason: `FieldValue${c.type}`, message: causeText(c), field: c.field })),
    },
  );
}
