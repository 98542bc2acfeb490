/**
 * RBAC (rbac.authorization.k8s.io/v1) as kube-apiserver's RBAC authorizer
 * evaluates it, and user impersonation (Impersonate-* headers) as its
 * impersonation filter checks it. Pure functions over the stored Role,
 * ClusterRole, RoleBinding and ClusterRoleBinding objects: nothing is cached,
 * so a binding created or deleted takes effect on the next request.
 *
 * Semantics (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac):
 * - a request is allowed when one rule of a role bound to the user, one of
 *   their groups or their service account allows it; nothing denies;
 * - ClusterRoleBindings grant their ClusterRole everywhere; RoleBindings grant
 *   their Role (of the binding's namespace) or ClusterRole only in the
 *   binding's namespace, so cluster-scoped requests see ClusterRoleBindings only;
 * - a rule matches on verbs ("*" or the verb), apiGroups ("*" or the group),
 *   resources ("*", the resource, "resource/subresource", or "/subresource"
 *   after a star for any resource's; "deployments" does not cover
 *   "deployments/scale"), and resourceNames
 *   (when set, only requests that name one of them: never list or create);
 *   nonResourceURLs match paths ("*", exact, or a prefix ending in "*").
 */

import type { ObjectStore } from "./store";
import { resourceTypeByKind, RBAC_GROUP, type ResourceType } from "./resources";
import { fail, forbiddenRequest, invalidCauses, isPathRequest, type Attributes, type FieldCause, type ResourceAttributes } from "./status";
import type { KubeObject } from "./types";

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** A Role or ClusterRole. */
export interface RoleObject extends KubeObject {
  rules?: PolicyRule[] | null;
}

/** A RoleBinding or ClusterRoleBinding. */
export interface BindingObject extends KubeObject {
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** Who a request acts as, after authentication (and impersonation). */
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export const ANONYMOUS = "system:anonymous";
export const AUTHENTICATED = "system:authenticated";
export const UNAUTHENTICATED = "system:unauthenticated";
export const MASTERS = "system:masters";
const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
const AUTHENTICATION_GROUP = "authentication.k8s.io";

const allows = (list: readonly string[] | undefined | null, value: string) => !!list && list.some((v) => v === "*" || v === value);

/** Whether one rule allows the request. */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!allows(rule.verbs, a.verb)) return false;
  if (isPathRequest(a)) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.replace(/\*+$/, ""))),
    );
  }
  if (!allows(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resource = (rule.resources ?? []).some((r) => r === "*" || r === combined || (!!a.subresource && r === `*/${a.subresource}`));
  if (!resource) return false;
  return !rule.resourceNames?.length || (!!a.name && rule.resourceNames.includes(a.name));
}

/** Whether a binding's subject is this user (a ServiceAccount subject's namespace defaults to a RoleBinding's). */
export function appliesTo(subject: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const namespace = subject.namespace || bindingNamespace;
      return !!namespace && user.name === `${SERVICE_ACCOUNT_PREFIX}${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** Where the authorizer finds roles and bindings. */
export interface RbacObjects {
  clusterRoleBindings(): BindingObject[];
  roleBindings(namespace: string): BindingObject[];
  clusterRole(name: string): RoleObject | undefined;
  role(namespace: string, name: string): RoleObject | undefined;
}

export function storeRbac(store: ObjectStore): RbacObjects {
  const t = (kind: string) => resourceTypeByKind(kind);
  return {
    clusterRoleBindings: () => store.list<BindingObject>(t("ClusterRoleBinding")),
    roleBindings: (namespace) => store.list<BindingObject>(t("RoleBinding"), namespace),
    clusterRole: (name) => store.get<RoleObject>(t("ClusterRole"), undefined, name),
    role: (namespace, name) => store.get<RoleObject>(t("Role"), namespace, name),
  };
}

export interface Decision {
  allowed: boolean;
  /** Why not, when a binding points at a role that does not exist ("RBAC: ..."); else empty, as from the real authorizer. */
  reason: string;
}

/** The RBAC authorizer's decision for one request. */
export function authorize(rbac: RbacObjects, user: UserInfo, a: Attributes): Decision {
  const errors: string[] = [];
  const grants = (binding: BindingObject, namespace?: string): boolean => {
    if (!(binding.subjects ?? []).some((s) => appliesTo(s, user, namespace))) return false;
    const ref = binding.roleRef;
    const role =
      ref.kind === "ClusterRole"
        ? rbac.clusterRole(ref.name)
        : ref.kind === "Role" && namespace
          ? rbac.role(namespace, ref.name)
          : undefined;
    if (!role) {
      errors.push(`${ref.kind.toLowerCase()}.${RBAC_GROUP} "${ref.name}" not found`);
      return false;
    }
    return (role.rules ?? []).some((rule) => ruleAllows(rule, a));
  };
  if (rbac.clusterRoleBindings().some((b) => grants(b))) return { allowed: true, reason: "" };
  const namespace = isPathRequest(a) ? undefined : a.namespace;
  if (namespace && rbac.roleBindings(namespace).some((b) => grants(b, namespace))) return { allowed: true, reason: "" };
  const reason = errors.length === 0 ? "" : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`}`;
  return { allowed: false, reason };
}

/** authorize(), throwing the apiserver's 403 on refusal. */
export function authorizeOrThrow(rbac: RbacObjects, user: UserInfo, a: Attributes): void {
  const decision = authorize(rbac, user, a);
  if (!decision.allowed) throw forbiddenRequest(user.name, a, decision.reason);
}

// --- impersonation --------------------------------------------------------

/** Header values as node:http hands them over (latin1, one character per byte), decoded as the UTF-8 they are. */
const utf8 = (v: string) => Buffer.from(v, "latin1").toString("utf8");

/**
 * The impersonation filter: with no Impersonate-* header, null (the request
 * acts as `actor`). Otherwise each requested identity part must be allowed to
 * `actor` by RBAC, in the apiserver's order (the user or service account,
 * each group, each extra, the uid), the first refusal being a 403 such as
 * `users "alice" is forbidden: User "fleetdeck" cannot impersonate resource
 * "users" in API group "" at the cluster scope`; answers who the request
 * acts as then, with the groups the apiserver adds (system:authenticated for
 * anyone but system:anonymous, who gets system:unauthenticated; a service
 * account without requested groups gets its own).
 */
export function impersonate(rbac: RbacObjects, actor: UserInfo, headers: Readonly<Record<string, string[] | undefined>>): UserInfo | null {
  const userName = headers["impersonate-user"]?.[0];
  const groups = (headers["impersonate-group"] ?? []).map(utf8);
  const uid = headers["impersonate-uid"]?.[0];
  const extras = Object.entries(headers).flatMap(([h, values]) =>
    h.startsWith("impersonate-extra-")
      ? (values ?? []).map((v) => ({ key: decodeURIComponent(h.slice("impersonate-extra-".length)), value: utf8(v) }))
      : [],
  );
  if (userName === undefined && groups.length === 0 && uid === undefined && extras.length === 0) return null;
  const checks: ResourceAttributes[] = [];
  if (!userName) {
    const asked = [...groups.map((g) => `group ${g}`), ...extras.map((e) => `extra ${e.key}`), ...(uid !== undefined ? ["uid"] : [])];
    throw fail(500, "InternalError", `Internal error occurred: requested [${asked.join(", ")}] without impersonating a user`);
  }
  const name = utf8(userName);
  const serviceAccount = name.startsWith(SERVICE_ACCOUNT_PREFIX) ? name.slice(SERVICE_ACCOUNT_PREFIX.length).split(":") : null;
  if (serviceAccount?.length === 2 && serviceAccount[0] && serviceAccount[1]) {
    checks.push({ verb: "impersonate", apiGroup: "", resource: "serviceaccounts", namespace: serviceAccount[0], name: serviceAccount[1] });
  } else {
    checks.push({ verb: "impersonate", apiGroup: "", resource: "users", name });
  }
  for (const g of groups) checks.push({ verb: "impersonate", apiGroup: "", resource: "groups", name: g });
  for (const e of extras)
    checks.push({ verb: "impersonate", apiGroup: AUTHENTICATION_GROUP, resource: "userextras", subresource: e.key, name: e.value });
  if (uid !== undefined) checks.push({ verb: "impersonate", apiGroup: AUTHENTICATION_GROUP, resource: "uids", name: utf8(uid) });
  for (const check of checks) authorizeOrThrow(rbac, actor, check);

  let as = [...groups];
  if (as.length === 0 && serviceAccount?.length === 2 && name !== ANONYMOUS) {
    as = ["system:serviceaccounts", `system:serviceaccounts:${serviceAccount[0]}`];
  }
  if (name === ANONYMOUS) {
    if (!as.includes(UNAUTHENTICATED)) as.push(UNAUTHENTICATED);
  } else if (!as.includes(AUTHENTICATED) && !as.includes(UNAUTHENTICATED)) {
    as.push(AUTHENTICATED);
  }
  return { name, groups: as };
}

// --- validation (k8s.io/kubernetes/pkg/apis/rbac/validation) ---------------

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");

function ruleCauses(rules: unknown, namespaced: boolean): FieldCause[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return [{ field: "rules", type: "Invalid", value: rules, detail: "must be a list of rules" }];
  return rules.flatMap((rule: unknown, i): FieldCause[] => {
    const at = `rules[${i}]`;
    if (!isObj(rule)) return [{ field: at, type: "Invalid", value: rule, detail: "must be an object" }];
    for (const f of ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"]) {
      if (rule[f] !== undefined && rule[f] !== null && !strings(rule[f]))
        return [{ field: `${at}.${f}`, type: "Invalid", value: rule[f], detail: "must be a list of strings" }];
    }
    const len = (f: string) => (Array.isArray(rule[f]) ? (rule[f] as unknown[]).length : 0);
    const causes: FieldCause[] = [];
    if (len("verbs") === 0) causes.push({ field: `${at}.verbs`, type: "Required", detail: "verbs must contain at least one value" });
    if (len("nonResourceURLs") > 0) {
      if (namespaced)
        causes.push({
          field: `${at}.nonResourceURLs`,
          type: "Invalid",
          value: rule.nonResourceURLs,
          detail: "namespaced rules cannot apply to non-resource URLs",
        });
      if (len("apiGroups") > 0 || len("resources") > 0 || len("resourceNames") > 0) {
        causes.push({
          field: `${at}.nonResourceURLs`,
          type: "Invalid",
          value: rule.nonResourceURLs,
          detail: "rules cannot apply to both regular resources and non-resource URLs",
        });
      }
      return causes;
    }
    if (len("apiGroups") === 0)
      causes.push({ field: `${at}.apiGroups`, type: "Required", detail: "resource rules must supply at least one api group" });
    if (len("resources") === 0)
      causes.push({ field: `${at}.resources`, type: "Required", detail: "resource rules must supply at least one resource" });
    return causes;
  });
}

function bindingCauses(o: Record<string, unknown>, clusterScoped: boolean): FieldCause[] {
  const causes: FieldCause[] = [];
  const ref = o.roleRef;
  if (!isObj(ref)) {
    causes.push({ field: "roleRef", type: "Required", detail: "roleRef is required" });
  } else {
    const kinds = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"];
    if (ref.apiGroup !== RBAC_GROUP)
      causes.push({ field: "roleRef.apiGroup", type: "NotSupported", value: ref.apiGroup ?? "", detail: `"${RBAC_GROUP}"` });
    if (typeof ref.kind !== "string" || !kinds.includes(ref.kind)) {
      causes.push({ field: "roleRef.kind", type: "NotSupported", value: ref.kind ?? "", detail: kinds.map((k) => `"${k}"`).join(", ") });
    }
    if (typeof ref.name !== "string" || !ref.name) causes.push({ field: "roleRef.name", type: "Required", detail: "name is required" });
  }
  const subjects = o.subjects ?? [];
  if (!Array.isArray(subjects))
    return [...causes, { field: "subjects", type: "Invalid", value: subjects, detail: "must be a list of subjects" }];
  subjects.forEach((s: unknown, i) => {
    const at = `subjects[${i}]`;
    if (!isObj(s)) return causes.push({ field: at, type: "Invalid", value: s, detail: "must be an object" });
    if (typeof s.name !== "string" || !s.name) causes.push({ field: `${at}.name`, type: "Required", detail: "name is required" });
    if (s.kind === "ServiceAccount") {
      if (s.apiGroup) causes.push({ field: `${at}.apiGroup`, type: "NotSupported", value: s.apiGroup, detail: '""' });
      if (clusterScoped && !s.namespace)
        causes.push({
          field: `${at}.namespace`,
          type: "Required",
          detail: "namespace is required for a ServiceAccount in a ClusterRoleBinding",
        });
    } else if (s.kind === "User" || s.kind === "Group") {
      if (s.apiGroup !== RBAC_GROUP)
        causes.push({ field: `${at}.apiGroup`, type: "NotSupported", value: s.apiGroup ?? "", detail: `"${RBAC_GROUP}"` });
    } else {
      causes.push({ field: `${at}.kind`, type: "NotSupported", value: s.kind ?? "", detail: '"ServiceAccount", "User", "Group"' });
    }
  });
  return causes;
}

/**
 * Defaults (a User or Group subject's apiGroup) and validates an RBAC object
 * as the apiserver does on create and update (roleRef is immutable); throws
 * its 422. Privilege-escalation checks are not simulated.
 */
export function prepareRbac(type: ResourceType, object: KubeObject, previous?: KubeObject): void {
  if (Array.isArray(object.subjects)) {
    object.subjects = object.subjects.map((s: unknown) =>
      isObj(s) && s.apiGroup === undefined ? { ...s, apiGroup: s.kind === "ServiceAccount" ? "" : RBAC_GROUP } : s,
    );
  }
  const binding = type.kind.endsWith("Binding");
  const causes = binding ? bindingCauses(object, !type.namespaced) : ruleCauses(object.rules, type.namespaced);
  if (binding && previous && JSON.stringify(previous.roleRef) !== JSON.stringify(object.roleRef)) {
    causes.push({ field: "roleRef", type: "Invalid", value: object.roleRef, detail: "cannot change roleRef" });
  }
  if (causes.length) throw invalidCauses(type.kind, type.group, object.metadata.name, causes);
}

// --- what every cluster starts with (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) ---

/** A Role, ClusterRole, RoleBinding or ClusterRoleBinding as a client sends it (e.g. from YAML). */
export interface RbacManifest {
  kind: "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding";
  apiVersion?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  rules?: PolicyRule[];
  subjects?: Subject[];
  roleRef?: RoleRef;
}

const BOOTSTRAP_META = {
  labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
  annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
};
const group = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC_GROUP, name });
const clusterRoleRef = (name: string): RoleRef => ({ apiGroup: RBAC_GROUP, kind: "ClusterRole", name });

/**
 * The bootstrap roles a real cluster has that matter here: cluster-admin for
 * system:masters (the admin kubeconfig's group), discovery for every
 * authenticated user, and the public info (/version, /healthz) for everyone.
 * The aggregated admin/edit/view roles are not simulated.
 */
export const BOOTSTRAP_RBAC: RbacManifest[] = [
  {
    kind: "ClusterRole",
    metadata: { name: "cluster-admin", ...BOOTSTRAP_META },
    rules: [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  },
  {
    kind: "ClusterRole",
    metadata: { name: "system:discovery", ...BOOTSTRAP_META },
    rules: [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
        verbs: ["get"],
      },
    ],
  },
  {
    kind: "ClusterRole",
    metadata: { name: "system:public-info-viewer", ...BOOTSTRAP_META },
    rules: [{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] }],
  },
  {
    kind: "ClusterRoleBinding",
    metadata: { name: "cluster-admin", ...BOOTSTRAP_META },
    roleRef: clusterRoleRef("cluster-admin"),
    subjects: [group(MASTERS)],
  },
  {
    kind: "ClusterRoleBinding",
    metadata: { name: "system:discovery", ...BOOTSTRAP_META },
    roleRef: clusterRoleRef("system:discovery"),
    subjects: [group(AUTHENTICATED)],
  },
  {
    kind: "ClusterRoleBinding",
    metadata: { name: "system:public-info-viewer", ...BOOTSTRAP_META },
    roleRef: clusterRoleRef("system:public-info-viewer"),
    subjects: [group(AUTHENTICATED), group(UNAUTHENTICATED)],
  },
];
