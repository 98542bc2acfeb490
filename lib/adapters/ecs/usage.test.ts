import { describe, expect, it } from "vitest";
import {
  buildQueries,
  distribute,
  latestByWorkload,
  latestValue,
  serviceUsage,
  unmeasurableReason,
  type ServiceUsageTarget,
} from "./usage";

const MiB = 1024 * 1024;

const targets: ServiceUsageTarget[] = [
  {
    clusterName: "prod",
    serviceName: "web",
    workloadId: "prod~web",
    containerInsights: false,
    taskRequests: { cpuMillis: 500, memoryBytes: 1024 * MiB },
    runningTasks: [
      { id: "prod~t1", node: "prod~n1" },
      { id: "prod~t2", node: "prod~n2" },
    ],
  },
  {
    clusterName: "prod",
    serviceName: "api",
    workloadId: "prod~api",
    containerInsights: true,
    taskRequests: { cpuMillis: 1000, memoryBytes: 2048 * MiB },
    runningTasks: [{ id: "prod~t3", node: "prod~n1" }],
  },
];

describe("CloudWatch usage", () => {
  it("asks AWS/ECS percentages without Container Insights and absolute Container Insights metrics with it", () => {
    const queries = buildQueries(targets);
    expect(queries.map((q) => `${q.Id} ${q.MetricStat?.Metric?.Namespace} ${q.MetricStat?.Metric?.MetricName}`)).toEqual([
      "cpu0 AWS/ECS CPUUtilization",
      "mem0 AWS/ECS MemoryUtilization",
      "cpu1 ECS/ContainerInsights CpuUtilized",
      "mem1 ECS/ContainerInsights MemoryUtilized",
    ]);
    expect(queries[0].MetricStat?.Metric?.Dimensions).toEqual([
      { Name: "ClusterName", Value: "prod" },
      { Name: "ServiceName", Value: "web" },
    ]);
    expect(queries[0].MetricStat?.Period).toBe(60);
  });

  it("takes the newest datapoint and treats an empty series as a gap, not zero", () => {
    expect(latestValue({ Id: "a", Timestamps: [new Date(1000), new Date(3000), new Date(2000)], Values: [1, 3, 2] })).toBe(3);
    expect(latestValue({ Id: "a", Timestamps: [], Values: [] })).toBeNull();
    expect(latestValue(undefined)).toBeNull();
  });

  it("turns percentages into use of the reservation, Container Insights units into millicores and MiB into bytes", () => {
    const results = [
      { Id: "cpu0", Timestamps: [new Date(60_000)], Values: [40] },
      { Id: "mem0", Timestamps: [new Date(60_000)], Values: [50] },
      { Id: "cpu1", Timestamps: [new Date(60_000)], Values: [512] },
      { Id: "mem1", Timestamps: [new Date(60_000)], Values: [700] },
    ];
    const usage = serviceUsage(targets, latestByWorkload(targets, results));
    // 40 % of 2 tasks × 500 m; 50 % of 2 × 1 GiB.
    expect(usage.get("prod~web")).toEqual({ cpuMillis: 400, memoryBytes: 1024 * MiB });
    expect(usage.get("prod~api")).toEqual({ cpuMillis: 500, memoryBytes: 700 * MiB });

    const { tasks, nodes, unavailable } = distribute(
      { services: targets, otherTasks: [], nodeIds: ["prod~n1", "prod~n2", "prod~n3"] },
      usage,
    );
    expect(tasks.get("prod~t1")).toEqual({ cpuMillis: 200, memoryBytes: 512 * MiB });
    expect(nodes.get("prod~n1")).toEqual({ cpuMillis: 700, memoryBytes: 1212 * MiB });
    expect(nodes.get("prod~n3")).toEqual({ cpuMillis: 0, memoryBytes: 0 });
    expect(unavailable).toEqual({ nodes: new Map(), tasks: new Map() });
  });

  it("leaves tasks and their nodes out when their service has no datapoint, and says why", () => {
    const results = [
      { Id: "cpu0", Timestamps: [], Values: [] },
      { Id: "mem0", Timestamps: [], Values: [] },
      { Id: "cpu1", Timestamps: [new Date(60_000)], Values: [512] },
      { Id: "mem1", Timestamps: [new Date(60_000)], Values: [700] },
    ];
    const usage = serviceUsage(targets, latestByWorkload(targets, results));
    expect(usage.has("prod~web")).toBe(false);
    const { tasks, nodes, unavailable } = distribute(
      { services: targets, otherTasks: [{ id: "prod~solo", node: "prod~n3" }], nodeIds: ["prod~n1", "prod~n2", "prod~n3", "prod~n4"] },
      usage,
    );
    expect(tasks.has("prod~t1")).toBe(false);
    expect(tasks.has("prod~t3")).toBe(true);
    expect(unavailable.tasks).toEqual(
      new Map([
        ["prod~t1", "no CloudWatch datapoint for service web in the last 5 minutes"],
        ["prod~t2", "no CloudWatch datapoint for service web in the last 5 minutes"],
        ["prod~solo", "not part of a service: CloudWatch reports ECS use per service"],
      ]),
    );
    // n1 runs a task without data, so its total is unknown rather than understated; so does n3, with a standalone task.
    expect(nodes.has("prod~n1")).toBe(false);
    expect(nodes.has("prod~n2")).toBe(false);
    expect(nodes.has("prod~n3")).toBe(false);
    expect(nodes.get("prod~n4")).toEqual({ cpuMillis: 0, memoryBytes: 0 });
    expect(unavailable.nodes).toEqual(
      new Map([
        ["prod~n1", "1 of its running tasks has no figure"],
        ["prod~n2", "1 of its running tasks has no figure"],
        ["prod~n3", "1 of its running tasks has no figure"],
      ]),
    );
  });

  it("cannot measure a service without Container Insights that reserves no CPU or no memory, and says why", () => {
    const [web, api] = targets;
    expect(unmeasurableReason(web)).toBeNull();
    expect(unmeasurableReason(api)).toBeNull();
    const unreserved = { ...web, taskRequests: { cpuMillis: 0, memoryBytes: 512 * MiB } };
    expect(unmeasurableReason(unreserved)).toMatch(/^service web reserves no CPU, .*Container Insights/);
    // Container Insights reports absolute use, so no reservation is needed.
    expect(unmeasurableReason({ ...unreserved, containerInsights: true })).toBeNull();
    const { unavailable } = distribute({ services: [unreserved], otherTasks: [], nodeIds: [] }, new Map());
    expect(unavailable.tasks.get("prod~t1")).toBe(unmeasurableReason(unreserved));
  });
});
