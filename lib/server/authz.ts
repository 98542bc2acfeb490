import "server-only";
import type { ActorKind, ClusterScope, Grant, Role } from "@/lib/model/access";
import { ApiError, ForbiddenError } from "./errors";

/**
 * Who asks, resolved from the request before any route or page runs: a
 * signed-in user, a display token, or an anonymous visitor, with the grants
 * that apply to them.
 */
export interface Actor {
  kind: ActorKind;
  /** The user name, the display token's name, or "anonymous". */
  name: string;
  grants: readonly Grant[];
  /**
   * Who the actor is to a cluster that acts as the signed-in user
   * (Kubernetes impersonation): prefixed, so that no name from Fleetdeck or an
   * identity provider can pass for one of the cluster's own. Null for display
   * tokens and anonymous visitors.
   */
  impersonation: { user: string; groups: readonly string[] } | null;
}

export type Verb = "read" | "scale" | "administer";

/** The verbs that change a cluster: read-only mode refuses them for everyone. */
const CLUSTER_MUTATIONS: ReadonlySet<Verb> = new Set(["scale"]);

/** The least role each verb needs. */
const NEEDS: Record<Verb, Role> = { read: "viewer", scale: "operator", administer: "admin" };
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** What a verb is about: a cluster, or Fleetdeck itself (users, tokens, audit). */
export type Target = { id: string; demo: boolean } | null;

/** Why a refusal: the mode, the kind of actor, a missing role, or nobody signed in. */
export type Refusal = "read-only" | "display-token" | "role" | "sign-in";

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; cause: Refusal; reason: string };

export function covers(scope: ClusterScope, target: Target): boolean {
  if (scope === "*") return true;
  // Administering Fleetdeck itself needs a grant over every cluster.
  if (target === null) return false;
  if (scope === "demo") return target.demo;
  return scope.includes(target.id);
}

const DOING: Record<Verb, string> = { read: "see", scale: "scale workloads on", administer: "administer" };

/**
 * The one gate for routes, pages and the event stream. Pure: everything it
 * decides on is in its arguments, so the whole table is unit-tested.
 */
export function authorize(actor: Actor, verb: Verb, target: Target, settings: { readOnly: boolean }): Decision {
  const what = target ? `cluster "${target.id}"` : "Fleetdeck";
  if (settings.readOnly && CLUSTER_MUTATIONS.has(verb)) {
    return { allowed: false, status: 403, cause: "read-only", reason: `Fleetdeck runs read-only: ${verb} is disabled for everyone` };
  }
  if (actor.kind === "token" && verb !== "read") {
    return { allowed: false, status: 403, cause: "display-token", reason: "display tokens are read-only" };
  }
  const needed = RANK[NEEDS[verb]];
  if (actor.grants.some((g) => RANK[g.role] >= needed && covers(g.clusters, target))) return { allowed: true };
  if (actor.kind === "anonymous") {
    return { allowed: false, status: 401, cause: "sign-in", reason: `sign in to ${DOING[verb]} ${what}` };
  }
  return { allowed: false, status: 403, cause: "role", reason: `${actor.name} may not ${DOING[verb]} ${what}` };
}

/** authorize(), throwing the refusal as an API error (401 or 403). */
export function assertAuthorized(actor: Actor, verb: Verb, target: Target, settings: { readOnly: boolean }): void {
  const decision = authorize(actor, verb, target, settings);
  if (decision.allowed) return;
  if (decision.status === 401) throw new UnauthenticatedError(decision.reason);
  throw new ForbiddenError(decision.reason);
}

export class UnauthenticatedError extends ApiError {
  constructor(message: string) {
    super(401, "unauthenticated", message);
  }
}

/** May the actor see anything at all? (None of them when anonymous visitors must sign in.) */
export function mayReadSomething(actor: Actor): boolean {
  return actor.grants.length > 0;
}

export function isAdmin(actor: Actor): boolean {
  return authorize(actor, "administer", null, { readOnly: false }).allowed;
}

/** The grants of anonymous visitors for `auth.anonymous`; by default they operate the demo clusters and view the rest. */
export function anonymousGrants(setting: "none" | "viewer" | "operator" | "default"): Grant[] {
  switch (setting) {
    case "none":
      return [];
    case "viewer":
      return [{ role: "viewer", clusters: "*" }];
    case "operator":
      return [{ role: "operator", clusters: "*" }];
    case "default":
      return [
        { role: "operator", clusters: "demo" },
        { role: "viewer", clusters: "*" },
      ];
  }
}

export function anonymousActor(setting: "none" | "viewer" | "operator" | "default"): Actor {
  return { kind: "anonymous", name: "anonymous", grants: anonymousGrants(setting), impersonation: null };
}
