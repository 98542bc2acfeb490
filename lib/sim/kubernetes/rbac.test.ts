import { describe, expect, it } from "vitest";
import { prepareCreate } from "./defaults";
import { SeededRandom } from "./random";
import {
  AUTHENTICATED,
  BOOTSTRAP_RBAC,
  appliesTo,
  authorize,
  impersonate,
  ruleAllows,
  storeRbac,
  type PolicyRule,
  type RbacManifest,
  type UserInfo,
} from "./rbac";
import { resourceTypeByKind } from "./resources";
import { ApiError, type Attributes } from "./status";
import { ObjectStore } from "./store";

const patchScale: Attributes = {
  verb: "patch",
  apiGroup: "apps",
  resource: "deployments",
  subresource: "scale",
  namespace: "default",
  name: "web",
};

describe("ruleAllows", () => {
  const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments/scale"], ...r });

  it("matches verbs exactly or by *", () => {
    expect(ruleAllows(rule({}), patchScale)).toBe(true);
    expect(ruleAllows(rule({ verbs: ["get", "update"] }), patchScale)).toBe(false);
    expect(ruleAllows(rule({ verbs: ["*"] }), patchScale)).toBe(true);
  });

  it("matches API groups exactly or by *; the core group is the empty string", () => {
    expect(ruleAllows(rule({ apiGroups: [""] }), patchScale)).toBe(false);
    expect(ruleAllows(rule({ apiGroups: ["extensions", "*"] }), patchScale)).toBe(true);
    expect(
      ruleAllows(rule({ apiGroups: [""], resources: ["pods"], verbs: ["get"] }), {
        verb: "get",
        apiGroup: "",
        resource: "pods",
        namespace: "x",
        name: "p",
      }),
    ).toBe(true);
    expect(ruleAllows(rule({ apiGroups: [] }), patchScale)).toBe(false);
  });

  it("treats a subresource as its own resource: deployments does not cover deployments/scale", () => {
    expect(ruleAllows(rule({ resources: ["deployments"] }), patchScale)).toBe(false);
    expect(ruleAllows(rule({ resources: ["deployments/scale"] }), { ...patchScale, subresource: undefined })).toBe(false);
    expect(ruleAllows(rule({ resources: ["*/scale"] }), patchScale)).toBe(true);
    expect(ruleAllows(rule({ resources: ["*/status"] }), patchScale)).toBe(false);
    expect(ruleAllows(rule({ resources: ["*"] }), patchScale)).toBe(true);
    expect(ruleAllows(rule({ resources: ["statefulsets/scale"] }), patchScale)).toBe(false);
  });

  it("limits by resourceNames, which never match a request without a name (list, create)", () => {
    expect(ruleAllows(rule({ resourceNames: ["web"] }), patchScale)).toBe(true);
    expect(ruleAllows(rule({ resourceNames: ["api"] }), patchScale)).toBe(false);
    const list: Attributes = { verb: "list", apiGroup: "apps", resource: "deployments", namespace: "default" };
    expect(ruleAllows({ verbs: ["list"], apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"] }, list)).toBe(false);
    expect(ruleAllows({ verbs: ["list"], apiGroups: ["apps"], resources: ["deployments"] }, list)).toBe(true);
  });

  it("matches non-resource URLs exactly, by a trailing * prefix, or by *; resource rules never match paths", () => {
    const path = (p: string): Attributes => ({ verb: "get", path: p });
    const discovery: PolicyRule = { verbs: ["get"], nonResourceURLs: ["/api", "/apis/*"] };
    expect(ruleAllows(discovery, path("/api"))).toBe(true);
    expect(ruleAllows(discovery, path("/api/v1"))).toBe(false);
    expect(ruleAllows(discovery, path("/apis/apps/v1"))).toBe(true);
    expect(ruleAllows({ verbs: ["get"], nonResourceURLs: ["*"] }, path("/metrics"))).toBe(true);
    expect(ruleAllows({ verbs: ["post"], nonResourceURLs: ["*"] }, path("/metrics"))).toBe(false);
    expect(ruleAllows({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, path("/api"))).toBe(false);
    expect(ruleAllows(discovery, patchScale)).toBe(false);
  });
});

describe("appliesTo", () => {
  const alice: UserInfo = { name: "alice", groups: ["ops", AUTHENTICATED] };
  it("matches users by name, groups by membership and service accounts by their user name", () => {
    expect(appliesTo({ kind: "User", name: "alice" }, alice)).toBe(true);
    expect(appliesTo({ kind: "User", name: "ops" }, alice)).toBe(false);
    expect(appliesTo({ kind: "Group", name: "ops" }, alice)).toBe(true);
    expect(appliesTo({ kind: "Group", name: "alice" }, alice)).toBe(false);
    const robot: UserInfo = { name: "system:serviceaccount:ci:robot", groups: [] };
    expect(appliesTo({ kind: "ServiceAccount", name: "robot", namespace: "ci" }, robot)).toBe(true);
    // A RoleBinding's ServiceAccount subject without namespace is in the binding's namespace.
    expect(appliesTo({ kind: "ServiceAccount", name: "robot" }, robot, "ci")).toBe(true);
    expect(appliesTo({ kind: "ServiceAccount", name: "robot" }, robot, "default")).toBe(false);
    expect(appliesTo({ kind: "ServiceAccount", name: "robot" }, robot)).toBe(false);
  });
});

/** A store with the bootstrap roles and these objects, created as the apiserver creates them. */
function rbacWith(manifests: RbacManifest[]) {
  const store = new ObjectStore(100);
  const random = new SeededRandom(1);
  for (const m of [...BOOTSTRAP_RBAC, ...manifests]) {
    const type = resourceTypeByKind(m.kind);
    store.put(prepareCreate(type, type.namespaced ? m.metadata.namespace : undefined, m, { random, now: Date.now(), services: [] }));
  }
  return storeRbac(store);
}

const SCALER: RbacManifest = {
  kind: "ClusterRole",
  metadata: { name: "scaler" },
  rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }],
};
const user = (name: string, ...groups: string[]): UserInfo => ({ name, groups: [...groups, AUTHENTICATED] });

describe("authorize", () => {
  it("grants a RoleBinding's ClusterRole in the binding's namespace only", () => {
    const rbac = rbacWith([
      SCALER,
      {
        kind: "RoleBinding",
        metadata: { name: "alice-scales", namespace: "default" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "scaler" },
        subjects: [{ kind: "User", name: "alice" }],
      },
    ]);
    expect(authorize(rbac, user("alice"), patchScale)).toEqual({ allowed: true, reason: "" });
    expect(authorize(rbac, user("alice"), { ...patchScale, namespace: "kube-system" }).allowed).toBe(false);
    expect(authorize(rbac, user("bob"), patchScale)).toEqual({ allowed: false, reason: "" });
  });

  it("grants a ClusterRoleBinding's ClusterRole everywhere, to the groups it names", () => {
    const rbac = rbacWith([
      SCALER,
      {
        kind: "ClusterRoleBinding",
        metadata: { name: "ops-scale" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "scaler" },
        subjects: [{ kind: "Group", name: "ops" }],
      },
    ]);
    expect(authorize(rbac, user("carol", "ops"), { ...patchScale, namespace: "kube-system" }).allowed).toBe(true);
    expect(authorize(rbac, user("carol", "dev"), patchScale).allowed).toBe(false);
  });

  it("grants a Role only through a RoleBinding of its own namespace", () => {
    const rbac = rbacWith([
      {
        kind: "Role",
        metadata: { name: "scaler", namespace: "kube-system" },
        rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }],
      },
      // Refers to a Role "scaler" in default, which does not exist: the one in kube-system does not count.
      {
        kind: "RoleBinding",
        metadata: { name: "alice", namespace: "default" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "scaler" },
        subjects: [{ kind: "User", name: "alice" }],
      },
      {
        kind: "RoleBinding",
        metadata: { name: "alice", namespace: "kube-system" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "scaler" },
        subjects: [{ kind: "User", name: "alice" }],
      },
    ]);
    expect(authorize(rbac, user("alice"), { ...patchScale, namespace: "kube-system" }).allowed).toBe(true);
    expect(authorize(rbac, user("alice"), patchScale)).toEqual({
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "scaler" not found',
    });
  });

  it("never consults RoleBindings for cluster-scoped requests", () => {
    const rbac = rbacWith([
      {
        kind: "ClusterRole",
        metadata: { name: "node-reader" },
        rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }],
      },
      {
        kind: "RoleBinding",
        metadata: { name: "nodes", namespace: "default" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "node-reader" },
        subjects: [{ kind: "User", name: "alice" }],
      },
    ]);
    expect(authorize(rbac, user("alice"), { verb: "list", apiGroup: "", resource: "nodes" }).allowed).toBe(false);
  });

  it("has the bootstrap policy: system:masters may do anything, authenticated users discovery, everyone /version", () => {
    const rbac = rbacWith([]);
    expect(authorize(rbac, user("admin", "system:masters"), patchScale).allowed).toBe(true);
    expect(
      authorize(rbac, user("admin", "system:masters"), { verb: "impersonate", apiGroup: "", resource: "users", name: "alice" }).allowed,
    ).toBe(true);
    expect(authorize(rbac, user("alice"), { verb: "get", path: "/apis/apps/v1" }).allowed).toBe(true);
    expect(authorize(rbac, { name: "system:anonymous", groups: ["system:unauthenticated"] }, { verb: "get", path: "/apis" }).allowed).toBe(
      false,
    );
    expect(
      authorize(rbac, { name: "system:anonymous", groups: ["system:unauthenticated"] }, { verb: "get", path: "/version" }).allowed,
    ).toBe(true);
  });
});

describe("impersonate", () => {
  const IMPERSONATOR: RbacManifest[] = [
    {
      kind: "ClusterRole",
      metadata: { name: "impersonator" },
      rules: [{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }],
    },
    {
      kind: "ClusterRoleBinding",
      metadata: { name: "fleetdeck" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "impersonator" },
      subjects: [{ kind: "User", name: "fleetdeck" }],
    },
  ];
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof ApiError) return e.body;
      throw e;
    }
    throw new Error("not refused");
  };

  it("answers null without Impersonate-* headers", () => {
    expect(impersonate(rbacWith([]), user("fleetdeck"), { accept: ["application/json"] })).toBeNull();
  });

  it("acts as the user and each group, adding system:authenticated as the apiserver does", () => {
    const rbac = rbacWith(IMPERSONATOR);
    expect(impersonate(rbac, user("fleetdeck"), { "impersonate-user": ["alice"], "impersonate-group": ["ops", "dev, qa"] })).toEqual({
      name: "alice",
      groups: ["ops", "dev, qa", AUTHENTICATED],
    });
    expect(impersonate(rbac, user("fleetdeck"), { "impersonate-user": ["system:anonymous"] })).toEqual({
      name: "system:anonymous",
      groups: ["system:unauthenticated"],
    });
    // Header values arrive as latin1 characters of their UTF-8 bytes.
    expect(impersonate(rbac, user("fleetdeck"), { "impersonate-user": [Buffer.from("José", "utf8").toString("latin1")] })?.name).toBe(
      "José",
    );
  });

  it("refuses a user without the impersonate verb with the apiserver's 403", () => {
    const body = refusal(() => impersonate(rbacWith(IMPERSONATOR), user("fleetdeck-plain"), { "impersonate-user": ["alice"] }));
    expect(body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'users "alice" is forbidden: User "fleetdeck-plain" cannot impersonate resource "users" in API group "" at the cluster scope',
      reason: "Forbidden",
      details: { name: "alice", kind: "users" },
      code: 403,
    });
  });

  it("checks each group, and resourceNames limit whom one may impersonate", () => {
    const rbac = rbacWith([
      {
        kind: "ClusterRole",
        metadata: { name: "alice-only" },
        rules: [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["alice"] }],
      },
      {
        kind: "ClusterRoleBinding",
        metadata: { name: "helper" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "alice-only" },
        subjects: [{ kind: "User", name: "helper" }],
      },
    ]);
    expect(impersonate(rbac, user("helper"), { "impersonate-user": ["alice"] })?.name).toBe("alice");
    expect(refusal(() => impersonate(rbac, user("helper"), { "impersonate-user": ["bob"] })).message).toContain('users "bob" is forbidden');
    expect(
      refusal(() => impersonate(rbac, user("helper"), { "impersonate-user": ["alice"], "impersonate-group": ["system:masters"] })).message,
    ).toBe('groups "system:masters" is forbidden: User "helper" cannot impersonate resource "groups" in API group "" at the cluster scope');
  });

  it("checks service accounts in their namespace and gives them their groups", () => {
    const rbac = rbacWith([
      {
        kind: "Role",
        metadata: { name: "as-robot", namespace: "default" },
        rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }],
      },
      {
        kind: "RoleBinding",
        metadata: { name: "as-robot", namespace: "default" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "as-robot" },
        subjects: [{ kind: "User", name: "fleetdeck" }],
      },
    ]);
    expect(impersonate(rbac, user("fleetdeck"), { "impersonate-user": ["system:serviceaccount:default:robot"] })).toEqual({
      name: "system:serviceaccount:default:robot",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", AUTHENTICATED],
    });
    expect(refusal(() => impersonate(rbac, user("fleetdeck"), { "impersonate-user": ["system:serviceaccount:ci:robot"] })).message).toBe(
      'serviceaccounts "robot" is forbidden: User "fleetdeck" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ci"',
    );
  });

  it("refuses groups without a user as an internal error, like the apiserver", () => {
    expect(refusal(() => impersonate(rbacWith(IMPERSONATOR), user("fleetdeck"), { "impersonate-group": ["ops"] }))).toMatchObject({
      code: 500,
      reason: "InternalError",
    });
  });
});

describe("validation on create", () => {
  const create = (m: Record<string, unknown>) => {
    const type = resourceTypeByKind(String(m.kind));
    return prepareCreate(type, type.namespaced ? "default" : undefined, m, { random: new SeededRandom(1), now: Date.now(), services: [] });
  };

  it("keeps rules, subjects and roleRef (not spec/status) and defaults a User subject's apiGroup", () => {
    const binding = create({
      kind: "RoleBinding",
      metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "x" },
      subjects: [{ kind: "User", name: "alice" }],
      spec: {},
    });
    expect(binding).toMatchObject({
      apiVersion: "rbac.authorization.k8s.io/v1",
      subjects: [{ kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" }],
    });
    expect(binding.spec).toBeUndefined();
    expect(binding.status).toBeUndefined();
  });

  it("refuses what the apiserver refuses, with its wording", () => {
    expect(() => create({ kind: "ClusterRole", metadata: { name: "r" }, rules: [{ verbs: [], resources: ["pods"] }] })).toThrow(
      'ClusterRole.rbac.authorization.k8s.io "r" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group]',
    );
    expect(() => create({ kind: "Role", metadata: { name: "r" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/api"] }] })).toThrow(
      /namespaced rules cannot apply to non-resource URLs/,
    );
    expect(() =>
      create({
        kind: "ClusterRoleBinding",
        metadata: { name: "b" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "x" },
      }),
    ).toThrow(
      'ClusterRoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    );
    expect(() =>
      create({
        kind: "ClusterRoleBinding",
        metadata: { name: "b" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "x" },
        subjects: [{ kind: "ServiceAccount", name: "robot" }],
      }),
    ).toThrow(/subjects\[0\]\.namespace: Required value/);
  });
});
