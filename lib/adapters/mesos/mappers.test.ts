import { describe, expect, it } from "vitest";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import {
  MARATHON_14_BRIDGE_APP,
  MARATHON_APPS,
  MARATHON_DEPLOYMENTS,
  MARATHON_QUEUE,
  MASTER_STATE,
  MASTER_STATE_MAINTENANCE,
} from "./fixtures";
import {
  ENDPOINT_LABELS,
  appGroup,
  appVolumes,
  appWorkloadId,
  cpusToMillis,
  mapDeployment,
  mapMarathonApp,
  mapMasterState,
  mapQueueEntry,
  mapTaskState,
  mbToBytes,
  parseWorkloadId,
  withQueue,
} from "./mappers";
import {
  RawMarathonAppListSchema,
  RawMarathonAppSchema,
  RawMarathonDeploymentListSchema,
  RawMasterStateSchema,
  RawQueueSchema,
} from "./raw";

const MIB = 1024 * 1024;
const state = RawMasterStateSchema.parse(MASTER_STATE);
const apps = RawMarathonAppListSchema.parse(MARATHON_APPS).apps;
const queue = RawQueueSchema.parse(MARATHON_QUEUE).queue;
const deployments = new Map(RawMarathonDeploymentListSchema.parse(MARATHON_DEPLOYMENTS).map((d) => [d.id, mapDeployment(d)]));

describe("units", () => {
  it("turns cores into millicores and Mesos MB (MiB) into bytes", () => {
    expect(cpusToMillis(0.5)).toBe(500);
    expect(cpusToMillis(1.5)).toBe(1500);
    expect(cpusToMillis(0.1)).toBe(100);
    expect(cpusToMillis(undefined)).toBe(0);
    expect(mbToBytes(512)).toBe(536_870_912);
    expect(mbToBytes(30720)).toBe(30 * 1024 * MIB);
    expect(mbToBytes(0.5)).toBe(524_288);
  });
});

describe("ids", () => {
  it("makes URL-safe, reversible workload ids of Marathon app paths", () => {
    const id = appWorkloadId("/shop/backend/api");
    expect(id).toBe("app~shop~backend~api");
    expect(WorkloadCoreSchema.shape.id.safeParse(id).success).toBe(true);
    expect(parseWorkloadId(id)).toEqual({ kind: "app", appId: "/shop/backend/api" });
    expect(parseWorkloadId("fw~abc-0001")).toEqual({ kind: "framework", frameworkId: "abc-0001" });
    expect(parseWorkloadId("deploy~x")).toBeNull();
    expect(parseWorkloadId("app")).toBeNull();
    // Not ids this adapter makes: a broken escape, and segments that would name another path.
    expect(parseWorkloadId("app~%E0%A4%A")).toBeNull();
    expect(parseWorkloadId("app~shop~..")).toBeNull();
    expect(parseWorkloadId("app~.~web")).toBeNull();
  });

  it("uses the group path as the namespace", () => {
    expect(appGroup("/shop/web")).toBe("/shop");
    expect(appGroup("/shop/backend/api")).toBe("/shop/backend");
    expect(appGroup("/redis")).toBeNull();
  });
});

describe("mapTaskState", () => {
  it.each([
    ["TASK_STAGING", "pending", "Staging"],
    ["TASK_STARTING", "pending", "Starting"],
    ["TASK_RUNNING", "running", null],
    ["TASK_KILLING", "running", "Killing"],
    ["TASK_FINISHED", "succeeded", "Finished"],
    ["TASK_KILLED", "succeeded", "Killed"],
    ["TASK_FAILED", "failed", "Failed"],
    ["TASK_ERROR", "failed", "Error"],
    ["TASK_LOST", "unknown", "Lost"],
    ["TASK_DROPPED", "failed", "Dropped"],
    ["TASK_GONE", "failed", "Gone"],
    ["TASK_GONE_BY_OPERATOR", "failed", "Gone"],
    ["TASK_UNREACHABLE", "unknown", "Agent unreachable"],
    ["TASK_UNKNOWN", "unknown", "Unknown to the master"],
    ["TASK_SOMETHING_NEW", "unknown", "TASK_SOMETHING_NEW"],
  ])("%s → %s", (mesos, neutral, reason) => {
    expect(mapTaskState(mesos)).toEqual({ state: neutral, reason });
  });
});

describe("mapMasterState during maintenance (Mesos 1.9+ fields)", () => {
  const items = mapMasterState(RawMasterStateSchema.parse(MASTER_STATE_MAINTENANCE));

  it("keeps a deactivated or draining agent ready but not schedulable, and says why", () => {
    const [draining, deactivated] = items.nodes;
    expect(draining).toMatchObject({ status: "ready", statusReason: null, schedulable: false });
    expect(draining.info.scheduling).toMatch(/^Draining/);
    expect(deactivated).toMatchObject({ status: "ready", schedulable: false });
    expect(deactivated.info.scheduling).toMatch(/^Deactivated by an operator/);
  });

  it("reads a multi-role framework's `roles` and keeps its tasks on unreachable agents", () => {
    expect(items.workloads[0]).toMatchObject({ name: "cassandra", labels: { role: "cassandra,cassandra-backup" }, desired: 1, ready: 1 });
    expect(items.tasks.map((t) => [t.id, t.state, t.stateReason, t.node])).toEqual([
      ["node-1", "running", null, "5d1e-S4"],
      ["node-2", "unknown", "Agent unreachable", "5d1e-S9"],
    ]);
  });
});

describe("mapMasterState", () => {
  const items = mapMasterState(state, { skipFramework: (fw) => fw.name === "marathon" });

  it("maps agents to nodes with attributes as labels, reserved roles and units converted", () => {
    expect(items.nodes).toHaveLength(3);
    for (const node of items.nodes) expect(NodeCoreSchema.parse(node)).toEqual(node);
    const [a1, b1, c1] = items.nodes;
    expect(a1).toMatchObject({
      id: "7b0c3f3e-2a55-4d3e-9d45-0b5c2d6e6a10-S0",
      name: "mesos-agent-a1.dc1.example.net",
      status: "ready",
      schedulable: true,
      roles: [],
      labels: { rack: "r1", zone: "eu-west-1a", cores: "8" },
      capacity: { cpuMillis: 8000, memoryBytes: 30720 * MIB },
      createdAt: "2025-11-26T09:40:00.123Z",
    });
    expect(a1.info).toMatchObject({ version: "1.11.0", used: "1.6 cpus, 1.5 GiB", ports: "[31000-32000]", disk: "200 GiB" });
    expect(b1.roles).toEqual(["spark"]);
    expect(b1.info["reserved (spark)"]).toBe("6 cpus, 24 GiB");
    expect(c1).toMatchObject({ status: "not-ready", schedulable: false, createdAt: null });
    expect(c1.statusReason).toMatch(/inactive/);
  });

  it("shows other frameworks as read-only workloads and skips the one Marathon supplies", () => {
    expect(items.workloads.map((w) => w.name)).toEqual(["spark"]);
    const spark = items.workloads[0];
    expect(WorkloadCoreSchema.parse(spark)).toEqual(spark);
    expect(spark).toMatchObject({
      id: "fw~7b0c3f3e-2a55-4d3e-9d45-0b5c2d6e6a10-0001",
      kind: "MesosFramework",
      namespace: null,
      labels: { role: "spark" },
      images: ["apache/spark:3.5.1"],
      desired: 2,
      ready: 1,
      scalable: false,
      events: [],
    });
    expect(spark.info).toEqual({
      "Framework ID": "7b0c3f3e-2a55-4d3e-9d45-0b5c2d6e6a10-0001",
      Active: "yes",
      "Web UI": "http://spark-history.dc1.example.net:18080",
    });
    expect(spark.notScalableReason).toMatch(/spark framework/);
  });

  it("maps framework tasks with their agent, state, resources and times", () => {
    expect(items.tasks).toHaveLength(2);
    for (const task of items.tasks) expect(TaskCoreSchema.parse(task)).toEqual(task);
    const [running, staging] = items.tasks;
    expect(running).toMatchObject({
      id: "spark-executor-1-4c1d",
      name: "executor-1",
      workloadId: items.workloads[0].id,
      node: items.nodes[1].id,
      state: "running",
      ready: true,
      requests: { cpuMillis: 1500, memoryBytes: 6144 * MIB },
      startedAt: "2025-11-26T09:43:22.750Z",
      createdAt: "2025-11-26T09:43:20.250Z",
      ip: "10.20.2.11",
      labels: { "spark-app": "nightly-etl" },
    });
    expect(staging).toMatchObject({ state: "pending", stateReason: "Staging", ready: false, startedAt: null, ip: null });
  });

  it("keeps Marathon's framework when Marathon itself is not configured", () => {
    const all = mapMasterState(state);
    expect(all.workloads.map((w) => w.name)).toEqual(["marathon", "spark"]);
    expect(all.tasks).toHaveLength(3);
  });
});

describe("mapMarathonApp", () => {
  const web = mapMarathonApp(apps[0]);

  it("maps an app to a workload: desired instances, ready = healthy, image, group, its labels, Marathon's facts as info", () => {
    expect(WorkloadCoreSchema.parse(web.workload)).toEqual(web.workload);
    expect(web.workload).toMatchObject({
      id: "app~shop~web",
      name: "/shop/web",
      namespace: "/shop",
      kind: "MarathonApp",
      images: ["nginx:1.25-alpine"],
      desired: 4,
      ready: 2,
      scalable: true,
      notScalableReason: null,
    });
    expect(web.workload.labels).toEqual({ team: "storefront", tier: "frontend" });
    expect(web.workload.info).toEqual({
      Tasks: "3 running, 1 staged, 2 healthy, 1 unhealthy",
      Deployments: "83b215a6-4e26-4e44-9333-5c385eda6438",
    });
    expect(web.deploymentIds).toEqual(["83b215a6-4e26-4e44-9333-5c385eda6438"]);
    expect(web.perInstance).toEqual({ cpuMillis: 500, memoryBytes: 512 * MIB });
  });

  it("dates the app's last scaling, configuration change and task failure as events, newest first", () => {
    expect(web.workload.events).toEqual([
      { at: "2026-11-26T09:10:00.000Z", level: "normal", message: "Scaled to 4 instances" },
      {
        at: "2026-11-26T09:05:12.000Z",
        level: "warning",
        message:
          "Task shop_web.instance-0e8b1a2c-7d5e-11ef-9b1a-0242ac110002._app.1 TASK_FAILED on mesos-agent-a1.dc1.example.net: Command exited with status 137",
      },
      { at: "2026-11-20T12:00:00.000Z", level: "normal", message: "Configuration changed" },
    ]);
    // A configuration change moves both times: it is one event, not a scale as well.
    const changed = mapMarathonApp({
      ...apps[0],
      lastTaskFailure: null,
      versionInfo: { lastScalingAt: "2026-11-26T09:10:00.000Z", lastConfigChangeAt: "2026-11-26T09:10:00.000Z" },
    });
    expect(changed.workload.events).toEqual([{ at: "2026-11-26T09:10:00.000Z", level: "normal", message: "Configuration changed" }]);
    expect(mapMarathonApp(apps[2]).workload.events).toEqual([]);
  });

  it("shows the current step of the deployments that hold an app", () => {
    expect(mapDeployment(RawMarathonDeploymentListSchema.parse(MARATHON_DEPLOYMENTS)[0])).toEqual({
      id: "83b215a6-4e26-4e44-9333-5c385eda6438",
      progress: "step 2 of 2: ScaleApplication",
    });
    const { workload } = withQueue(web, undefined, deployments);
    expect(workload.info.Deployments).toBe("83b215a6-4e26-4e44-9333-5c385eda6438 (step 2 of 2: ScaleApplication)");
    // A deployment /v2/deployments no longer lists (it just finished) shows by id.
    expect(withQueue(web, undefined, new Map()).workload.info.Deployments).toBe("83b215a6-4e26-4e44-9333-5c385eda6438");
  });

  it("maps tasks with node, health, ports and requests", () => {
    expect(web.tasks).toHaveLength(4);
    for (const task of web.tasks) expect(TaskCoreSchema.parse(task)).toEqual(task);
    const [healthy, unhealthy, , staging] = web.tasks;
    expect(healthy).toMatchObject({
      id: "shop_web.instance-1f0d2c1e-7d5e-11ef-9b1a-0242ac110002._app.1",
      workloadId: "app~shop~web",
      namespace: "/shop",
      node: "7b0c3f3e-2a55-4d3e-9d45-0b5c2d6e6a10-S0",
      state: "running",
      ready: true,
      stateReason: null,
      requests: { cpuMillis: 500, memoryBytes: 512 * MIB },
      startedAt: "2026-11-26T09:10:05.000Z",
      createdAt: "2026-11-26T09:10:01.000Z",
      ip: "10.20.1.11",
    });
    expect(healthy.labels[ENDPOINT_LABELS.hostPorts]).toBe("31005");
    expect(unhealthy).toMatchObject({ state: "running", ready: false });
    expect(unhealthy.stateReason).toBe("Unhealthy: HTTP GET /healthz answered 503 Service Unavailable (7 consecutive failures)");
    expect(staging).toMatchObject({ state: "pending", stateReason: "Staging", ready: false, startedAt: null });
  });

  it("maps port mappings to a service with the hosts and ports the tasks got", () => {
    const service = web.service!;
    expect(ServiceSchema.parse(service)).toEqual(service);
    expect(service).toMatchObject({
      id: "svc~shop~web",
      name: "/shop/web",
      namespace: "/shop",
      type: "MarathonPortMappings",
      clusterIp: null,
      ports: [{ name: "http", port: 10000, targetPort: "80", protocol: "TCP", nodePort: null }],
      readyEndpoints: 2,
      totalEndpoints: 4,
    });
    expect(service.labels[ENDPOINT_LABELS.endpoints]).toBe(
      "mesos-agent-a1.dc1.example.net:31005 mesos-agent-a1.dc1.example.net:31006 mesos-agent-a1.dc1.example.net:31044 mesos-agent-a1.dc1.example.net:31100",
    );
  });

  it("maps port definitions of host-networked apps, and apps without health checks count running as ready", () => {
    const exporter = mapMarathonApp(apps[1]);
    expect(exporter.workload).toMatchObject({ desired: 2, ready: 1, images: [] });
    expect(exporter.workload.info).toEqual({ Tasks: "1 running, 0 staged" });
    expect(exporter.workload.labels).toEqual({});
    expect(exporter.service).toMatchObject({
      type: "MarathonPortDefinitions",
      ports: [{ name: "metrics", port: 9100, targetPort: null, protocol: "TCP", nodePort: null }],
      readyEndpoints: 1,
      totalEndpoints: 1,
    });
  });

  it("reads a Marathon 1.4 BRIDGE app's port mappings from container.docker", () => {
    const legacy = mapMarathonApp(RawMarathonAppSchema.parse(MARATHON_14_BRIDGE_APP));
    expect(legacy.workload).toMatchObject({ id: "app~legacy~api", images: ["legacy/api:3"], desired: 1, ready: 1 });
    expect(legacy.service).toMatchObject({
      type: "MarathonPortMappings",
      ports: [{ name: "http", port: 10101, targetPort: "8080", protocol: "TCP", nodePort: null }],
      readyEndpoints: 1,
      totalEndpoints: 1,
    });
    expect(legacy.service!.labels[ENDPOINT_LABELS.endpoints]).toBe("mesos-agent-a1.dc1.example.net:31777");
  });

  it("maps an app at the root without ports or tasks", () => {
    const redis = mapMarathonApp(apps[2]);
    expect(redis.workload).toMatchObject({ id: "app~redis", namespace: null, desired: 0, ready: 0, images: ["redis:7.2-alpine"] });
    expect(redis.service).toBeNull();
    expect(redis.tasks).toEqual([]);
  });
});

describe("launch queue", () => {
  it("names the offer rejections, most frequent first", () => {
    expect(mapQueueEntry(queue[0])).toMatchObject({
      count: 2,
      reason: "Unschedulable: no offer fits: InsufficientCpus (5 of 5 offers), InsufficientMemory (3 of 5 offers)",
      since: "2026-11-26T09:00:00.000Z",
    });
  });

  it("shows a launch delay after failures", () => {
    expect(mapQueueEntry(queue[1])).toMatchObject({
      count: 1,
      reason: "Launch delayed after failures: retry in 42 s",
      since: null,
      problem: { severity: "critical", reason: "Launch delayed after failures" },
    });
    expect(mapQueueEntry(queue[0]).problem).toMatchObject({ severity: "critical", reason: "Cannot be placed" });
  });

  it("adds the waiting instances as pending tasks without a node, a fact and a warning event of the workload", () => {
    const bundle = mapMarathonApp({ ...apps[2], id: "/analytics/warehouse-loader", instances: 2, cpus: 12, mem: 49152 });
    const { workload, tasks } = withQueue(bundle, mapQueueEntry(queue[0]));
    expect(tasks).toHaveLength(2);
    for (const task of tasks) expect(TaskCoreSchema.parse(task)).toEqual(task);
    expect(tasks[0]).toMatchObject({
      id: "queued~analytics~warehouse-loader~1",
      workloadId: "app~analytics~warehouse-loader",
      node: null,
      state: "pending",
      requests: { cpuMillis: 12000, memoryBytes: 48 * 1024 * MIB },
    });
    expect(tasks[1].stateReason).toMatch(/^Unschedulable: no offer fits: InsufficientCpus/);
    expect(WorkloadCoreSchema.parse(workload)).toEqual(workload);
    expect(workload.info.Waiting).toMatch(/^2 instances waiting: Unschedulable: no offer fits: InsufficientCpus/);
    expect(workload.events[0]).toEqual({ at: "2026-11-26T09:00:00.000Z", level: "warning", message: workload.info.Waiting });
    expect(workload.labels).toEqual({});
    expect(withQueue(bundle, undefined).tasks).toEqual([]);
  });
});

describe("appVolumes", () => {
  // An app's container volumes as Marathon's docs show them: a local persistent volume, a host path, an external DVDI volume.
  const redis = RawMarathonAppSchema.parse({
    ...MARATHON_APPS.apps[2],
    instances: 1,
    tasksRunning: 1,
    container: {
      type: "MESOS",
      docker: { image: "redis:7.2-alpine" },
      volumes: [
        { containerPath: "data", mode: "RW", persistent: { size: 512, type: "root", constraints: [] } },
        { containerPath: "/etc/redis", hostPath: "/srv/redis/conf", mode: "RO" },
        {
          containerPath: "/backup",
          external: { name: "redis-backup", provider: "dvdi", options: { "dvdi/driver": "rexray" } },
          mode: "RW",
        },
      ],
    },
  });

  it("lists an app container's volumes by path: a reserved persistent volume with its size, a host path, an external volume", () => {
    const { workload } = mapMarathonApp(redis);
    expect(WorkloadCoreSchema.parse(workload).volumes).toEqual([
      { name: "data", type: "persistent", claim: null, capacityBytes: 512 * 1024 * 1024, accessModes: ["read-write"], status: "mounted" },
      { name: "/etc/redis", type: "host", claim: "/srv/redis/conf", capacityBytes: null, accessModes: ["read-only"], status: "mounted" },
      { name: "/backup", type: "external", claim: "redis-backup", capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
    ]);
  });

  it("has none for apps without a container or volumes, and says unmounted while nothing runs", () => {
    expect(mapMarathonApp(apps[1]).workload.volumes).toEqual([]);
    expect(mapMarathonApp(apps[0]).workload.volumes).toEqual([]);
    expect(appVolumes({ ...redis, tasksRunning: 0 }, false).map((v) => v.status)).toEqual(["unmounted", "unmounted", "unmounted"]);
  });
});
