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
  fail(404, "NotFound", `${qualifiedName(type)} "${name}" not found`, { name, ...(type.group ? { group: type.group } : {}), kind: type.plural });

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

export function forbidden(user: string, verb: string, type: ResourceType, sub: string | undefined, namespace: string | undefined, name: string | undefined) {
  const resource = sub ? `${type.plural}/${sub}` : type.plural;
  const subject = name ? `${qualifiedName(type)} "${name}"` : qualifiedName(type);
  const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  return fail(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`,
    { ...(name ? { name } : {}), ...(type.group ? { group: type.group } : {}), kind: type.plural },
  );
}
