import { describe, expect, it } from "vitest";
import type { Grant } from "@/lib/model/access";
import { anonymousActor, authorize, isAdmin, type Actor, type Verb } from "./authz";

/**
 * The whole table: role × verb × cluster scope × read-only, for users,
 * display tokens and anonymous visitors (each anonymous setting).
 */

const REAL = { id: "prod", demo: false };
const DEMO = { id: "demo-east", demo: true };
const OTHER = { id: "staging", demo: false };

const user = (grants: Grant[]): Actor => ({ kind: "user", name: "alice", grants, impersonation: null });
const token = (clusters: Grant["clusters"]): Actor => ({
  kind: "token",
  name: "wall",
  grants: [{ role: "viewer", clusters }],
  impersonation: null,
});

type Row = [label: string, actor: Actor, verb: Verb, target: typeof REAL | null, readOnly: boolean, expected: true | 401 | 403];

const rows: Row[] = [];
for (const role of ["viewer", "operator", "admin"] as const) {
  for (const [scopeLabel, clusters] of [
    ["all", "*"],
    ["prod only", ["prod"]],
    ["demo", "demo"],
  ] as const) {
    const actor = user([{ role, clusters: clusters as Grant["clusters"] }]);
    for (const target of [REAL, DEMO, OTHER]) {
      const inScope = clusters === "*" || (clusters === "demo" ? target.demo : (clusters as readonly string[]).includes(target.id));
      for (const readOnly of [false, true]) {
        rows.push([
          `${role} of ${scopeLabel} reads ${target.id}${readOnly ? " (read-only)" : ""}`,
          actor,
          "read",
          target,
          readOnly,
          inScope ? true : 403,
        ]);
        const mayScale = inScope && role !== "viewer";
        rows.push([
          `${role} of ${scopeLabel} scales ${target.id}${readOnly ? " (read-only)" : ""}`,
          actor,
          "scale",
          target,
          readOnly,
          readOnly ? 403 : mayScale ? true : 403,
        ]);
      }
    }
    // Administering Fleetdeck needs admin over every cluster; read-only mode does not stop it.
    for (const readOnly of [false, true]) {
      rows.push([
        `${role} of ${scopeLabel} administers${readOnly ? " (read-only)" : ""}`,
        actor,
        "administer",
        null,
        readOnly,
        role === "admin" && clusters === "*" ? true : 403,
      ]);
    }
  }
}
for (const target of [REAL, DEMO]) {
  rows.push([`token of all reads ${target.id}`, token("*"), "read", target, false, true]);
  rows.push([`token of all scales ${target.id}`, token("*"), "scale", target, false, 403]);
}
rows.push(["token of prod reads staging", token(["prod"]), "read", OTHER, false, 403]);
rows.push(["token administers", token("*"), "administer", null, false, 403]);

const anon = {
  none: anonymousActor("none"),
  viewer: anonymousActor("viewer"),
  operator: anonymousActor("operator"),
  default: anonymousActor("default"),
};
for (const readOnly of [false, true]) {
  const ro = readOnly ? " (read-only)" : "";
  rows.push([`anonymous (none) reads prod${ro}`, anon.none, "read", REAL, readOnly, 401]);
  rows.push([`anonymous (none) scales demo${ro}`, anon.none, "scale", DEMO, readOnly, readOnly ? 403 : 401]);
  rows.push([`anonymous (viewer) reads prod${ro}`, anon.viewer, "read", REAL, readOnly, true]);
  rows.push([`anonymous (viewer) scales demo${ro}`, anon.viewer, "scale", DEMO, readOnly, readOnly ? 403 : 401]);
  rows.push([`anonymous (operator) scales prod${ro}`, anon.operator, "scale", REAL, readOnly, readOnly ? 403 : true]);
  rows.push([`anonymous (default) reads prod${ro}`, anon.default, "read", REAL, readOnly, true]);
  rows.push([`anonymous (default) scales demo${ro}`, anon.default, "scale", DEMO, readOnly, readOnly ? 403 : true]);
  rows.push([`anonymous (default) scales prod${ro}`, anon.default, "scale", REAL, readOnly, readOnly ? 403 : 401]);
  rows.push([`anonymous (operator) administers${ro}`, anon.operator, "administer", null, readOnly, 401]);
}

describe("authorize()", () => {
  it.each(rows)("%s", (_label, actor, verb, target, readOnly, expected) => {
    const decision = authorize(actor, verb, target, { readOnly });
    if (expected === true) expect(decision).toEqual({ allowed: true });
    else expect(decision).toMatchObject({ allowed: false, status: expected });
  });

  it("says why: read-only, the token, the missing role, or signing in", () => {
    expect(authorize(user([{ role: "admin", clusters: "*" }]), "scale", REAL, { readOnly: true })).toMatchObject({
      reason: expect.stringMatching(/read-only/),
    });
    expect(authorize(token("*"), "scale", REAL, { readOnly: false })).toMatchObject({ reason: "display tokens are read-only" });
    expect(authorize(user([{ role: "viewer", clusters: "*" }]), "scale", REAL, { readOnly: false })).toMatchObject({
      reason: 'alice may not scale workloads on cluster "prod"',
    });
    expect(authorize(anon.default, "scale", REAL, { readOnly: false })).toMatchObject({
      reason: 'sign in to scale workloads on cluster "prod"',
    });
  });

  it("combines several grants (OpenID groups): the strongest that covers the cluster wins", () => {
    const alice = user([
      { role: "viewer", clusters: "*" },
      { role: "operator", clusters: ["prod"] },
    ]);
    expect(authorize(alice, "scale", REAL, { readOnly: false }).allowed).toBe(true);
    expect(authorize(alice, "scale", OTHER, { readOnly: false }).allowed).toBe(false);
    expect(isAdmin(alice)).toBe(false);
    expect(isAdmin(user([{ role: "admin", clusters: "*" }]))).toBe(true);
  });
});
