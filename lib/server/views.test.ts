import { describe, expect, it } from "vitest";
import { emptyUsageSample } from "@/lib/adapters/types";
import type { NodeCore, TaskCore, WorkloadCore } from "@/lib/model/types";
import { applyChanges, EMPTY_SNAPSHOT } from "./snapshot";
import { nodeViews, queryList, snapshotProblems, summarize, workloadViews } from "./views";

const res = (cpuMillis: number, memoryBytes: number) => ({ cpuMillis, memoryBytes });

function node(id: string, cpu: number): NodeCore {
  return {
    id,
    name: id,
    status: "ready",
    statusReason: null,
    schedulable: true,
    roles: [],
    labels: {},
    capacity: res(cpu, cpu * 1e6),
    allocatable: res(cpu - 100, cpu * 1e6),
    createdAt: null,
    info: {},
  };
}

function task(id: string, over: Partial<TaskCore>): TaskCore {
  return {
    id,
    name: id,
    namespace: "default",
    workloadId: "db",
    node: "n1",
    state: "running",
    stateReason: null,
    ready: true,
    restarts: 0,
    labels: { app: "mysql" },
    requests: res(500, 1000),
    startedAt: null,
    createdAt: null,
    ip: null,
    ...over,
  };
}

const workload: WorkloadCore = {
  id: "db",
  name: "mysql",
  namespace: "default",
  kind: "StatefulSet",
  labels: {},
  images: [],
  desired: 3,
  ready: 3,
  scalable: true,
  notScalableReason: null,
  autoscaler: null,
  createdAt: null,
  selector: "app=mysql",
  info: {},
  events: [],
  volumes: [],
};

const snapshot = applyChanges(EMPTY_SNAPSHOT, [
  { type: "replace", resource: "nodes", items: [node("n1", 4000), node("n2", 2000)] },
  { type: "replace", resource: "workloads", items: [workload] },
  {
    type: "replace",
    resource: "tasks",
    items: [
      task("a", {}),
      task("b", { state: "pending", stateReason: "ContainerCreating" }),
      task("c", { state: "succeeded" }), // finished: holds nothing
      task("d", { node: null, state: "pending", stateReason: "Unschedulable" }), // not placed
      task("e", { node: "n2", labels: { app: "web" }, workloadId: null, namespace: "shop" }),
    ],
  },
]);

const NOW = Date.parse("2026-12-01T12:00:00Z");

describe("views", () => {
  it("sums requests and counts tasks of placed, unfinished tasks per node", () => {
    const [n1, n2] = nodeViews(snapshot, null, NOW);
    expect(n1.requested).toEqual(res(1000, 2000));
    expect(n1.taskCount).toBe(2);
    expect(n2.taskCount).toBe(1);
    expect(n1.usage).toBeNull();
  });

  it("joins usage and keeps unknown usage null, not zero", () => {
    const usage = {
      ...emptyUsageSample(),
      nodes: new Map([["n1", res(700, 5)]]),
      tasks: new Map([
        ["a", res(300, 2)],
        ["b", res(100, 1)],
      ]),
    };
    const [n1, n2] = nodeViews(snapshot, usage, NOW);
    expect(n1.usage).toEqual(res(700, 5));
    expect(n2.usage).toBeNull();
    const explained = { ...usage, unavailable: { nodes: new Map([["n2", "stats only on that node"]]), tasks: new Map() } };
    expect(nodeViews(snapshot, explained, NOW)[1].usageNote).toBe("stats only on that node");
    expect(nodeViews(snapshot, explained, NOW)[0].usageNote).toBeNull();
    expect(workloadViews(snapshot, usage, NOW, "pods")[0].usage).toEqual(res(400, 3));
    expect(workloadViews(snapshot, null, NOW, "pods")[0].usage).toBeNull();
  });

  it("summarises capacity, requests and use", () => {
    const s = summarize(
      snapshot,
      {
        ...emptyUsageSample(),
        nodes: new Map([
          ["n1", res(700, 5)],
          ["n2", res(300, 5)],
        ]),
      },
      [],
    );
    expect(s).toMatchObject({ nodes: 2, readyNodes: 2, workloads: 1, tasks: 5, runningTasks: 2 });
    expect(s.capacity).toEqual(res(6000, 6e9));
    expect(s.allocatable).toEqual(res(5800, 6e9));
    expect(s.requested).toEqual(res(1500, 3000));
    expect(s.used).toEqual(res(1000, 10));
    expect(summarize(snapshot, null, []).used).toBeNull();
  });

  it("puts each problem on the object to open for it and counts them in the summary", () => {
    const crashing = {
      severity: "critical" as const,
      reason: "Crash loop",
      evidence: "container mysql: back-off 5m0s",
      since: "2026-12-01T11:00:00Z",
      ongoing: true,
    };
    const sick = applyChanges(snapshot, [
      { type: "upsert", resource: "tasks", item: task("a", { ready: false, problems: [crashing] }) },
      {
        type: "upsert",
        resource: "tasks",
        item: task("e", { node: "n2", workloadId: null, problems: [{ ...crashing, severity: "warning" }] }),
      },
      { type: "upsert", resource: "nodes", item: { ...node("n2", 2000), status: "not-ready", statusReason: "kubelet stopped posting" } },
    ]);
    const problems = snapshotProblems(sick, NOW, "pods");
    expect(problems.map((p) => [p.object.kind, p.object.id, p.severity, p.reason])).toEqual([
      ["workload", "db", "critical", "Crash loop"],
      ["node", "n2", "critical", "Node not ready"],
      ["task", "e", "warning", "Crash loop"],
    ]);
    expect(problems[0].evidence).toBe("a: container mysql: back-off 5m0s");
    expect(summarize(sick, null, problems).problems).toEqual({ critical: 2, warning: 1 });
    expect(workloadViews(sick, null, NOW, "pods")[0].health.state).toBe("degraded");
  });

  it("filters by selector, namespace, node and workload, then sorts and pages", () => {
    const tasks = [...snapshot.tasks.values()];
    expect(queryList(tasks, { selector: "app=mysql" }).items.map((t) => t.id)).toEqual(["a", "b", "c", "d"]);
    expect(queryList(tasks, { selector: "app in (web)", namespace: "shop" }).total).toBe(1);
    expect(queryList(tasks, { node: "n2" }).items.map((t) => t.id)).toEqual(["e"]);
    expect(queryList(tasks, { workload: "db", q: "B" }).items.map((t) => t.id)).toEqual(["b"]);
    const paged = queryList(tasks, { sort: "name", order: "desc", offset: 1, limit: 2 });
    expect(paged).toEqual({ items: [tasks[3], tasks[2]], total: 5 });
  });

  it("sorts missing values last whatever the order", () => {
    const tasks = [...snapshot.tasks.values()];
    const byNode = queryList(tasks, { sort: "node", order: "desc" }).items.map((t) => t.node);
    expect(byNode.at(-1)).toBeNull();
    expect(byNode[0]).toBe("n2");
  });
});
