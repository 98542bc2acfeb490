import { describe, expect, it, vi, afterEach } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { ApiRequestError } from "./api";
import { parseChangeEvent } from "./live";
import { shouldRetry } from "./query-client";
import { LIST_PAGE, listParamsFrom, TaskQuerySchema } from "@/lib/model/queries";
import {
  cleanParams,
  fleetSearchFrom,
  fleetTasksQuery,
  fleetWorkloadsQuery,
  isFleetWide,
  keysForChange,
  nodesQuery,
  problemsQuery,
  tasksQuery,
  usageQuery,
  workloadQuery,
} from "./queries";

afterEach(() => vi.unstubAllGlobals());

describe("query keys", () => {
  it("roots every key at clusters/id/resource", () => {
    expect(tasksQuery("east", { selector: "app=mysql" }).queryKey).toEqual(["clusters", "east", "tasks", { selector: "app=mysql" }]);
    expect(workloadQuery("east", "w1").queryKey.slice(0, 3)).toEqual(["clusters", "east", "workloads"]);
  });
  it("gives the same key for the same filters however they were written", () => {
    const a = tasksQuery("east", { namespace: "", selector: "app=mysql", node: undefined }).queryKey;
    const b = tasksQuery("east", { selector: "app=mysql" }).queryKey;
    expect(a).toEqual(b);
    expect(cleanParams({ b: "1", a: "", c: undefined })).toEqual({ b: "1" });
  });
  it("gives the server page's prefetch and the browser the same key for the same URL", () => {
    const onServer = tasksQuery(
      "east",
      listParamsFrom(TaskQuerySchema, {
        selector: " app=mysql ",
        namespace: ["default", "other"],
        order: "sideways",
        limit: "1000",
        q: "",
      }),
    );
    const inBrowser = tasksQuery(
      "east",
      listParamsFrom(
        TaskQuerySchema,
        new URLSearchParams("q=&limit=1000&order=sideways&namespace=default&namespace=other&selector=app%3Dmysql"),
      ),
    );
    expect(onServer.queryKey).toEqual(inBrowser.queryKey);
    expect(JSON.stringify(onServer.queryKey)).toBe(JSON.stringify(inBrowser.queryKey));
    expect(onServer.queryKey[3]).toEqual({ limit: 1000, namespace: "default", selector: "app=mysql" });
  });
});

describe("fleet-wide list keys", () => {
  it("roots them apart from any one cluster", () => {
    expect(fleetWorkloadsQuery({ q: "mysql" }).queryKey).toEqual(["fleet", "workloads", { q: "mysql" }]);
    expect(fleetTasksQuery({ cluster: "east", selector: "" }).queryKey).toEqual(["fleet", "tasks", { cluster: "east" }]);
    expect(isFleetWide(fleetTasksQuery({}).queryKey)).toBe(true);
    expect(isFleetWide(problemsQuery().queryKey)).toBe(true);
    expect(isFleetWide(["clusters"])).toBe(true);
    expect(isFleetWide(tasksQuery("east", {}).queryKey)).toBe(false);
  });
  it("gives the search page's prefetch and the browser the same keys for the same URL", () => {
    const onServer = fleetSearchFrom({
      q: " mysql ",
      selector: "app=mysql",
      cluster: "east",
      kind: "tasks",
      sort: "restarts",
      limit: "1000",
    });
    const inBrowser = fleetSearchFrom(new URLSearchParams("kind=tasks&cluster=east&selector=app%3Dmysql&q=mysql&sort=restarts&limit=1000"));
    expect(fleetTasksQuery(onServer.tasks).queryKey).toEqual(fleetTasksQuery(inBrowser.tasks).queryKey);
    expect(fleetWorkloadsQuery(onServer.workloads).queryKey).toEqual(fleetWorkloadsQuery(inBrowser.workloads).queryKey);
    expect(onServer.kind).toBe("tasks");
    // The shown tab takes the table's sort and limit; the other tab only the filters.
    expect(onServer.tasks).toEqual({ q: "mysql", selector: "app=mysql", cluster: "east", sort: "restarts", limit: 1000 });
    expect(onServer.workloads).toEqual({ q: "mysql", selector: "app=mysql", cluster: "east", limit: LIST_PAGE });
  });
  it("shows workloads unless the URL asks for tasks, and keeps a bad selector for the API to answer", () => {
    const search = fleetSearchFrom(new URLSearchParams("kind=pods&selector=app+in+(mysql&node=n1"));
    expect(search.kind).toBe("workloads");
    expect(search.workloads).toEqual({ selector: "app in (mysql", limit: LIST_PAGE });
    // The page has no node filter: the task list takes the page's filters only.
    expect(search.tasks).toEqual({ selector: "app in (mysql", limit: LIST_PAGE });
  });
});

describe("keysForChange", () => {
  it("invalidates the changed resources of that cluster only, plus the fleet list", () => {
    const keys = keysForChange({ clusterId: "east", resources: ["tasks"] });
    const client = new QueryClient();
    client.setQueryData(tasksQuery("east", {}).queryKey, { items: [] });
    client.setQueryData(tasksQuery("west", {}).queryKey, { items: [] });
    client.setQueryData(nodesQuery("east", {}).queryKey, { items: [] });
    client.setQueryData(["clusters"], []);
    client.setQueryData(problemsQuery({ severity: "critical" }).queryKey, { items: [], errors: {} });
    for (const filter of keys) void client.invalidateQueries(filter);
    const stale = client
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated)
      .map((q) => q.queryKey);
    expect(stale).toContainEqual(["clusters", "east", "tasks", {}]);
    expect(stale).toContainEqual(["clusters"]);
    expect(stale).toContainEqual(["problems", { severity: "critical" }]);
    expect(stale).not.toContainEqual(["clusters", "west", "tasks", {}]);
    expect(stale).not.toContainEqual(["clusters", "east", "nodes", {}]);
  });
  it("refreshes the fleet-wide lists when any cluster's workloads or tasks change, or its connection", () => {
    const stale = (resources: string[]) => {
      const client = new QueryClient();
      client.setQueryData(fleetWorkloadsQuery({ q: "mysql" }).queryKey, { items: [], errors: {} });
      client.setQueryData(fleetTasksQuery({ selector: "app=mysql" }).queryKey, { items: [], errors: {} });
      for (const filter of keysForChange({ clusterId: "west", resources })) void client.invalidateQueries(filter);
      return client
        .getQueryCache()
        .getAll()
        .filter((q) => q.state.isInvalidated)
        .map((q) => q.queryKey[1]);
    };
    expect(stale(["tasks"])).toEqual(["workloads", "tasks"]);
    // A workload's health counts its tasks, but a workload change leaves the tasks as they were.
    expect(stale(["workloads"])).toEqual(["workloads"]);
    // A cluster cut off is named in the lists' errors.
    expect(stale(["cluster"])).toEqual(["workloads", "tasks"]);
    expect(stale(["nodes", "services", "usage"])).toEqual([]);
  });
  it("maps usage and cluster changes to their keys", () => {
    const keys = keysForChange({ clusterId: "east", resources: ["usage", "cluster"] }).map((k) => k.queryKey);
    expect(keys).toContainEqual(["clusters", "east", "usage"]);
    expect(keys).toContainEqual(["clusters", "east", "cluster"]);
    expect(usageQuery("east", { scope: "cluster" }).queryKey.slice(0, 3)).toEqual(["clusters", "east", "usage"]);
  });
});

describe("parseChangeEvent", () => {
  it("accepts the server's messages and drops anything else", () => {
    expect(parseChangeEvent('{"clusterId":"east","resources":["tasks","usage"]}')).toEqual({
      clusterId: "east",
      resources: ["tasks", "usage"],
    });
    expect(parseChangeEvent('{"clusterId":"east","resources":["secrets"]}')).toBeNull();
    expect(parseChangeEvent("not json")).toBeNull();
  });
});

describe("fetching", () => {
  it("throws the API's own message on an error answer", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ error: { code: "invalid", message: "selector: expected a key" } }), { status: 400 })),
    );
    const options = tasksQuery("east", { selector: "=" });
    const run = options.queryFn as (ctx: { signal: AbortSignal }) => Promise<unknown>;
    const error = await run({ signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).message).toBe("selector: expected a key");
    expect((error as ApiRequestError).status).toBe(400);
  });
  it("asks with the filters as search params and checks the answer's shape", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ items: [{ nope: true }] }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const run = tasksQuery("east", { selector: "app=mysql" }).queryFn as (ctx: { signal: AbortSignal }) => Promise<unknown>;
    await expect(run({ signal: new AbortController().signal })).rejects.toThrow(/Unexpected answer from \/api\/clusters\/east\/tasks/);
    expect(String((fetchMock.mock.calls[0] as unknown[])[0])).toBe("/api/clusters/east/tasks?selector=app%3Dmysql");
  });
  it("does not retry the operator's bad input", () => {
    expect(shouldRetry(0, new ApiRequestError("bad", 400, "invalid"))).toBe(false);
    expect(shouldRetry(0, new ApiRequestError("down", 502, "unreachable"))).toBe(true);
    expect(shouldRetry(2, new ApiRequestError("down", 502, "unreachable"))).toBe(false);
  });
});
