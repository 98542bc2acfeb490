import { describe, expect, it } from "vitest";
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector, SelectorError, selectorString } from "./selectors";

describe("label selectors", () => {
  const labels = { app: "web", tier: "frontend", canary: "true" };
  const match = (s: string) => matchesRequirements(labels, parseLabelSelector(s));

  it("supports equality, inequality, set and existence requirements", () => {
    expect(match("app=web")).toBe(true);
    expect(match("app==web,tier=frontend")).toBe(true);
    expect(match("app=api")).toBe(false);
    expect(match("app!=api")).toBe(true);
    expect(match("missing!=x")).toBe(true);
    expect(match("tier in (frontend, backend)")).toBe(true);
    expect(match("tier notin (frontend)")).toBe(false);
    expect(match("canary")).toBe(true);
    expect(match("!canary")).toBe(false);
    expect(match("!missing,app in (web)")).toBe(true);
    expect(match("")).toBe(true);
  });

  it("rejects malformed requirements", () => {
    expect(() => parseLabelSelector("app in web")).toThrow(SelectorError);
    expect(() => parseLabelSelector("=web")).toThrow(SelectorError);
  });

  it("renders a structured selector as the scale subresource does", () => {
    expect(
      selectorString({
        matchLabels: { app: "mysql" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["db", "cache"] },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=mysql,tier in (db,cache),!legacy");
  });
});

describe("field selectors", () => {
  const pod = { metadata: { name: "web-1", namespace: "default" }, spec: { nodeName: "node-a" }, status: { phase: "Running" } };

  it("filters on the fields the apiserver supports for the kind", () => {
    expect(matchesFields(pod, parseFieldSelector("spec.nodeName=node-a", "Pod"))).toBe(true);
    expect(matchesFields(pod, parseFieldSelector("spec.nodeName=node-b", "Pod"))).toBe(false);
    expect(matchesFields(pod, parseFieldSelector("status.phase!=Pending,metadata.name==web-1", "Pod"))).toBe(true);
  });

  it("refuses unsupported fields like the apiserver", () => {
    expect(() => parseFieldSelector("spec.nodeName=x", "Deployment")).toThrow("field label not supported: spec.nodeName");
  });
});
