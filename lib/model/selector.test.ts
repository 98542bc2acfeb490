import { describe, expect, it } from "vitest";
import { formatSelector, matches, parseSelector, SelectorError } from "./selector";

const mysql = { app: "mysql", tier: "db" };
const web = { app: "web", tier: "frontend", canary: "true" };
const bare = {};

function select(selector: string, ...sets: Record<string, string>[]) {
  const reqs = parseSelector(selector);
  return sets.map((labels) => matches(reqs, labels));
}

describe("parseSelector and matches", () => {
  it("equality, double equals and inequality", () => {
    expect(select("app=mysql", mysql, web, bare)).toEqual([true, false, false]);
    expect(select("app==mysql", mysql, web)).toEqual([true, false]);
    // != also selects objects without the key, as kubectl does
    expect(select("app!=mysql", mysql, web, bare)).toEqual([false, true, true]);
  });

  it("set-based in and notin", () => {
    expect(select("tier in (db,cache)", mysql, web, bare)).toEqual([true, false, false]);
    expect(select("tier notin (db, cache)", mysql, web, bare)).toEqual([false, true, true]);
  });

  it("existence and absence", () => {
    expect(select("canary", mysql, web)).toEqual([false, true]);
    expect(select("!canary", mysql, web)).toEqual([true, false]);
  });

  it("numeric comparisons", () => {
    expect(select("gen>2", { gen: "3" }, { gen: "2" }, { gen: "x" }, bare)).toEqual([true, false, false, false]);
    expect(select("gen<2", { gen: "1" }, { gen: "2" })).toEqual([true, false]);
  });

  it("combines requirements with AND and tolerates spaces", () => {
    expect(select(" app = web , !canary ", web)).toEqual([false]);
    expect(select("tier in (frontend),canary", mysql, web)).toEqual([false, true]);
  });

  it("keys with a DNS prefix and empty values", () => {
    const labels = { "app.kubernetes.io/name": "mysql", empty: "" };
    expect(select("app.kubernetes.io/name=mysql", labels)).toEqual([true]);
    expect(select("empty=", labels, bare)).toEqual([true, false]);
  });

  it("the empty selector selects everything", () => {
    expect(parseSelector("")).toEqual([]);
    expect(select("  ", mysql, bare)).toEqual([true, true]);
  });

  it.each([
    ["app=", null],
    ["=mysql", /expected a label key/],
    ["app=my sql", /expected "," between requirements/],
    ["tier in db", /expected "\(" after "in"/],
    ["tier in (db", /expected "," or "\)"/],
    ["app=mysql,", /expected a label key, found end/],
    ["app mysql", /expected an operator/],
    ["gen>two", /whole number/],
    ["-bad=1", /invalid label key/],
    ["app=bad value!", /expected/],
    ["app=" + "x".repeat(64), /invalid label value/],
    ["Bad_Prefix/name=1", /prefix must be a DNS subdomain/],
  ])("%s", (input, error) => {
    if (error === null) expect(() => parseSelector(input)).not.toThrow();
    else expect(() => parseSelector(input)).toThrow(error);
  });

  it("throws SelectorError", () => {
    expect(() => parseSelector("a in (")).toThrow(SelectorError);
  });

  it("formats back into a selector that parses to the same requirements", () => {
    const source = "app=mysql,tier notin (web,cache),!canary,env!=prod,gen>1,ready";
    const reqs = parseSelector(source);
    expect(parseSelector(formatSelector(reqs))).toEqual(reqs);
  });
});
