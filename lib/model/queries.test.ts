import { describe, expect, it } from "vitest";
import {
  auditParamsFrom,
  LIST_PAGE,
  listParamsFrom,
  refusedPageFilters,
  NodeQuerySchema,
  readQuery,
  searchValues,
  TaskQuerySchema,
  WorkloadQuerySchema,
  type SearchRecord,
} from "./queries";

/** The same search, as the browser has it and as Next hands it to a server page. */
function bothSides(query: string): [URLSearchParams, SearchRecord] {
  const browser = new URLSearchParams(query);
  const server: SearchRecord = {};
  for (const [name, value] of browser) {
    const seen = server[name];
    server[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return [browser, server];
}

describe("searchValues", () => {
  it("takes the first of a repeated name and leaves empty ones out, from either side", () => {
    for (const search of bothSides("limit=&selector=app%3Dmysql&selector=tier%3Ddb&q=")) {
      expect(searchValues(search)).toEqual({ selector: "app=mysql" });
    }
    expect(searchValues({ constructor: "x", missing: undefined, none: [] })).toEqual({ constructor: "x" });
  });
});

describe("readQuery (route handlers)", () => {
  it("parses with the schema and names a bad value", () => {
    const ok = readQuery(TaskQuerySchema, new URLSearchParams("selector=app%3Dmysql&limit=&offset=5&unknown=1"));
    expect(ok.success && ok.data).toEqual({ selector: "app=mysql", offset: 5 });
    for (const bad of ["limit=0x10", "limit=99999", "selector=app%20in%20(mysql", "order=sideways", "sort=a%20b"]) {
      const parsed = readQuery(TaskQuerySchema, new URLSearchParams(bad));
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0].path, bad).toEqual([bad.split("=")[0]]);
    }
  });
});

describe("listParamsFrom (server pages and the browser)", () => {
  it("reads the same params from Next's record and from URLSearchParams", () => {
    const [browser, server] = bothSides("selector=%20app%3Dmysql%20&namespace=default&order=sideways&limit=1000&limit=2");
    expect(listParamsFrom(TaskQuerySchema, server)).toEqual(listParamsFrom(TaskQuerySchema, browser));
    expect(listParamsFrom(TaskQuerySchema, server)).toEqual({ selector: "app=mysql", namespace: "default", limit: 1000 });
  });
  it("asks LIST_PAGE unless the URL asks for more, up to the API's most", () => {
    const limit = (q: string) => listParamsFrom(NodeQuerySchema, new URLSearchParams(q)).limit;
    expect(limit("")).toBe(LIST_PAGE);
    expect(limit("limit=100")).toBe(LIST_PAGE);
    expect(limit("limit=%201500%20")).toBe(1500);
    expect(limit("limit=5000")).toBe(5000);
    expect(limit("limit=99999")).toBe(LIST_PAGE);
    expect(limit("limit=1e3")).toBe(LIST_PAGE);
  });
  it("keeps a filter the API will refuse, so the list says why, and drops a bad sort, order or offset", () => {
    const params = listParamsFrom(WorkloadQuerySchema, {
      selector: " app in (mysql ",
      sort: "no such!",
      order: "up",
      offset: "10",
      q: "  ",
    });
    expect(params).toEqual({ selector: "app in (mysql", limit: LIST_PAGE });
    expect(readQuery(WorkloadQuerySchema, { selector: params.selector }).success).toBe(false);
    expect(listParamsFrom(WorkloadQuerySchema, { sort: " name ", order: "desc" })).toEqual({
      sort: "name",
      order: "desc",
      limit: LIST_PAGE,
    });
  });
  it("reads only the resource's own parameters", () => {
    expect(listParamsFrom(NodeQuerySchema, new URLSearchParams("namespace=default&node=n1&workload=w"))).toEqual({ limit: LIST_PAGE });
    expect(listParamsFrom(TaskQuerySchema, new URLSearchParams("node=n1&workload=w"))).toEqual({
      node: "n1",
      workload: "w",
      limit: LIST_PAGE,
    });
  });
});

describe("auditParamsFrom", () => {
  it("reads the same filters from either side, trimmed, and leaves a bad value out", () => {
    const [browser, server] = bothSides(
      "actor=%20root%20&outcome=maybe&since=yesterday&until=2027-01-31T00%3A00%3A00Z&limit=50&format=csv",
    );
    expect(auditParamsFrom(server)).toEqual(auditParamsFrom(browser));
    expect(auditParamsFrom(browser)).toEqual({ actor: "root", until: "2027-01-31T00:00:00Z", limit: 50 });
    expect(auditParamsFrom({ limit: "0", cluster: "x".repeat(65) })).toEqual({});
  });
});

describe("refusedPageFilters (a list page's status)", () => {
  it("refuses what the page's list refuses, naming the filter", () => {
    expect(refusedPageFilters("/clusters/east/tasks", new URLSearchParams({ selector: "app in (" }))).toMatch(/^selector: /);
    expect(refusedPageFilters("/search", new URLSearchParams({ selector: "=x", kind: "tasks" }))).toMatch(/^selector: /);
  });

  it("passes good filters, the page's own controls and paths that are no list", () => {
    expect(refusedPageFilters("/clusters/east/workloads", new URLSearchParams({ selector: "app=web", namespace: "shop" }))).toBeNull();
    expect(refusedPageFilters("/clusters/east/nodes", new URLSearchParams({ sort: "!!", limit: "x" }))).toBeNull();
    expect(refusedPageFilters("/search", new URLSearchParams({ kind: "tasks", q: "api" }))).toBeNull();
    expect(refusedPageFilters("/clusters/east/tasks/pod-1", new URLSearchParams({ selector: "app in (" }))).toBeNull();
  });
});
