import { DescribeTasksCommand, ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TaskDetailSchema } from "@/lib/model/types";
import { parseAll, RawTaskSchema, type RawTask } from "./raw";
import { mapTaskDetail } from "./task-detail";

/*
 * DescribeTasks answers as ECS writes them (AWS JSON 1.1, timestamps in epoch
 * seconds, every field of the Task and Container shapes the API reference
 * documents), turned into objects by the real SDK as the adapter's calls are,
 * then parsed as the adapter parses them.
 */

const READ_AT = "2026-11-26T11:00:00.000Z";
const T0 = Date.UTC(2026, 10, 26, 10, 0) / 1000;
const at = (s: number) => T0 + s;
const iso = (s: number) => new Date((T0 + s) * 1000).toISOString();

async function described(tasks: unknown[]): Promise<RawTask[]> {
  const body = Buffer.from(JSON.stringify({ tasks, failures: [] }));
  const ecs = new ECSClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-a-secret" },
    // Answers every request with the recorded body, as ECS would over HTTP.
    requestHandler: {
      handle: async () => ({ response: { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body } }),
    } as never,
  });
  const out = await ecs.send(new DescribeTasksCommand({ cluster: "shop", tasks: ["any"] }));
  return parseAll(RawTaskSchema, out.tasks, "task");
}

const ACCOUNT = "arn:aws:ecs:eu-west-1:012345678910";

/** An EC2 task whose essential container was OOM-killed; ECS then stopped its sidecar with SIGTERM. */
const oomKilledTask = {
  attachments: [],
  attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
  availabilityZone: "eu-west-1b",
  clusterArn: `${ACCOUNT}:cluster/shop`,
  connectivity: "CONNECTED",
  connectivityAt: at(2.1),
  containerInstanceArn: `${ACCOUNT}:container-instance/shop/5c3d7a1e9b2f4e6a8c0d1f3b5a7c9e1d`,
  containers: [
    {
      containerArn: `${ACCOUNT}:container/shop/3f2a9c1b7d4e4f8a9b0c1d2e3f4a5b6c/0d6a6c1e-2b1f-4a8e-9c3d-7e5f4a3b2c1d`,
      taskArn: `${ACCOUNT}:task/shop/3f2a9c1b7d4e4f8a9b0c1d2e3f4a5b6c`,
      name: "worker",
      image: "012345678910.dkr.ecr.eu-west-1.amazonaws.com/shop/worker:3.4.1",
      imageDigest: "sha256:9b1f3c5d7e9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c",
      runtimeId: "8f0c1d3e5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d",
      lastStatus: "STOPPED",
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
      networkBindings: [],
      networkInterfaces: [],
      healthStatus: "UNKNOWN",
      cpu: "384",
      memory: "768",
    },
    {
      containerArn: `${ACCOUNT}:container/shop/3f2a9c1b7d4e4f8a9b0c1d2e3f4a5b6c/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`,
      taskArn: `${ACCOUNT}:task/shop/3f2a9c1b7d4e4f8a9b0c1d2e3f4a5b6c`,
      name: "log-router",
      image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
      runtimeId: "1a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a",
      lastStatus: "STOPPED",
      exitCode: 143,
      networkBindings: [],
      networkInterfaces: [],
      healthStatus: "UNKNOWN",
      cpu: "128",
      memory: "256",
    },
  ],
  cpu: "512",
  createdAt: at(0),
  desiredStatus: "STOPPED",
  enableExecuteCommand: false,
  executionStoppedAt: at(1810.4),
  group: "service:worker",
  healthStatus: "UNKNOWN",
  lastStatus: "STOPPED",
  launchType: "EC2",
  memory: "1024",
  overrides: { containerOverrides: [{ name: "worker" }, { name: "log-router" }], inferenceAcceleratorOverrides: [] },
  pullStartedAt: at(3.2),
  pullStoppedAt: at(9.8),
  startedAt: at(11.5),
  startedBy: "ecs-svc/4444444444444444444",
  stopCode: "EssentialContainerExited",
  stoppedAt: at(1841.9),
  stoppedReason: "Essential container in task exited",
  stoppingAt: at(1809.7),
  tags: [],
  taskArn: `${ACCOUNT}:task/shop/3f2a9c1b7d4e4f8a9b0c1d2e3f4a5b6c`,
  taskDefinitionArn: `${ACCOUNT}:task-definition/shop-worker:9`,
  version: 6,
};

/** Fargate 1.4: the image cannot be pulled. Neither container ran; ECS said so at the pull and in the stop. */
const pullError =
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref registry.example.invalid/shop/web:2.0: failed to do request: Head "https://registry.example.invalid/v2/shop/web/manifests/2.0": dial tcp: lookup registry.example.invalid: no such host';
const pullFailedTask = {
  attachments: [
    {
      id: "8d6f2e4a-1b3c-4d5e-9f7a-2b4c6d8e0f1a",
      type: "ElasticNetworkInterface",
      status: "DELETED",
      details: [
        { name: "subnetId", value: "subnet-0a1b2c3d4e5f60718" },
        { name: "networkInterfaceId", value: "eni-0f1e2d3c4b5a69788" },
        { name: "privateIPv4Address", value: "10.0.12.34" },
      ],
    },
  ],
  availabilityZone: "eu-west-1a",
  clusterArn: `${ACCOUNT}:cluster/shop`,
  connectivity: "CONNECTED",
  connectivityAt: at(4),
  containers: [
    {
      containerArn: `${ACCOUNT}:container/shop/b7c9d1e3f5a74b6c8d0e2f4a6b8c0d2e/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f`,
      taskArn: `${ACCOUNT}:task/shop/b7c9d1e3f5a74b6c8d0e2f4a6b8c0d2e`,
      name: "web",
      image: "registry.example.invalid/shop/web:2.0",
      lastStatus: "STOPPED",
      reason: pullError,
      networkInterfaces: [{ attachmentId: "8d6f2e4a-1b3c-4d5e-9f7a-2b4c6d8e0f1a", privateIpv4Address: "10.0.12.34" }],
      healthStatus: "UNKNOWN",
      cpu: "0",
    },
    {
      containerArn: `${ACCOUNT}:container/shop/b7c9d1e3f5a74b6c8d0e2f4a6b8c0d2e/6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c`,
      taskArn: `${ACCOUNT}:task/shop/b7c9d1e3f5a74b6c8d0e2f4a6b8c0d2e`,
      name: "envoy",
      image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
      lastStatus: "STOPPED",
      networkInterfaces: [{ attachmentId: "8d6f2e4a-1b3c-4d5e-9f7a-2b4c6d8e0f1a", privateIpv4Address: "10.0.12.34" }],
      healthStatus: "UNKNOWN",
      cpu: "0",
    },
  ],
  cpu: "256",
  createdAt: at(0),
  desiredStatus: "STOPPED",
  executionStoppedAt: at(41.2),
  group: "service:web",
  healthStatus: "UNKNOWN",
  lastStatus: "STOPPED",
  launchType: "FARGATE",
  memory: "512",
  platformFamily: "Linux",
  platformVersion: "1.4.0",
  pullStartedAt: at(6.3),
  startedBy: "ecs-svc/4444444444444444445",
  stopCode: "TaskFailedToStart",
  stoppedAt: at(52.7),
  stoppedReason: pullError,
  stoppingAt: at(40.9),
  taskArn: `${ACCOUNT}:task/shop/b7c9d1e3f5a74b6c8d0e2f4a6b8c0d2e`,
  taskDefinitionArn: `${ACCOUNT}:task-definition/web:2`,
  version: 4,
};

/** Running on Fargate, its essential container failing its health check (the sidecar has none). */
const unhealthyTask = {
  ...pullFailedTask,
  containers: [
    {
      ...pullFailedTask.containers[0],
      image: "public.ecr.aws/nginx/nginx:1.27",
      lastStatus: "RUNNING",
      reason: undefined,
      healthStatus: "UNHEALTHY",
    },
    { ...pullFailedTask.containers[1], lastStatus: "RUNNING" },
  ],
  desiredStatus: "RUNNING",
  lastStatus: "RUNNING",
  healthStatus: "UNHEALTHY",
  pullStoppedAt: at(18.1),
  startedAt: at(24.6),
  stopCode: undefined,
  stoppedReason: undefined,
  stoppingAt: undefined,
  executionStoppedAt: undefined,
  stoppedAt: undefined,
};

describe("mapTaskDetail", () => {
  it("reads an OOM-killed task's containers with their exits, and its steps from its timestamps, newest first", async () => {
    const [raw] = await described([oomKilledTask]);
    const detail = mapTaskDetail(raw!, READ_AT);
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.readAt).toBe(READ_AT);
    expect(detail.containers).toEqual([
      {
        name: "worker",
        image: "012345678910.dkr.ecr.eu-west-1.amazonaws.com/shop/worker:3.4.1",
        state: "exited",
        stateReason: "OutOfMemoryError: Container killed due to memory usage",
        ready: null,
        // ECS replaces a task rather than restart its containers.
        restarts: 0,
        startedAt: iso(11.5),
        lastExit: { reason: "OutOfMemoryError: Container killed due to memory usage", exitCode: 137, at: iso(1810.4) },
      },
      {
        name: "log-router",
        image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
        state: "exited",
        stateReason: null,
        ready: null,
        restarts: 0,
        startedAt: iso(11.5),
        lastExit: { reason: null, exitCode: 143, at: iso(1810.4) },
      },
    ]);
    expect(detail.history).toEqual([
      {
        at: iso(1841.9),
        what: "STOPPED",
        detail: "EssentialContainerExited: Essential container in task exited",
        level: "warning",
        container: null,
      },
      {
        at: iso(1810.4),
        what: "Execution stopped",
        detail: "worker exit code 137: OutOfMemoryError: Container killed due to memory usage; log-router exit code 143",
        level: "normal",
        container: null,
      },
      { at: iso(1809.7), what: "STOPPING", detail: null, level: "normal", container: null },
      { at: iso(11.5), what: "RUNNING", detail: null, level: "normal", container: null },
      { at: iso(9.8), what: "Pull stopped", detail: null, level: "normal", container: null },
      {
        at: iso(3.2),
        what: "Pull started",
        detail:
          "012345678910.dkr.ecr.eu-west-1.amazonaws.com/shop/worker:3.4.1, public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
        level: "normal",
        container: null,
      },
      {
        at: iso(0),
        what: "PROVISIONING",
        detail: "shop-worker:9 on EC2 started by ecs-svc/4444444444444444444",
        level: "normal",
        container: null,
      },
    ]);
  });

  it("reads a task that could not pull its image: no exit codes, no start, the stop a warning", async () => {
    const [raw] = await described([pullFailedTask]);
    const detail = mapTaskDetail(raw!, READ_AT);
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.containers.map((c) => [c.name, c.state, c.stateReason, c.startedAt, c.lastExit])).toEqual([
      ["web", "exited", pullError, null, { reason: pullError, exitCode: null, at: iso(41.2) }],
      ["envoy", "exited", null, null, { reason: null, exitCode: null, at: iso(41.2) }],
    ]);
    expect(detail.history.map((s) => [s.what, s.level])).toEqual([
      ["STOPPED", "warning"],
      ["Execution stopped", "normal"],
      ["STOPPING", "normal"],
      ["Pull started", "normal"],
      ["PROVISIONING", "normal"],
    ]);
    expect(detail.history[0]?.detail).toBe(`TaskFailedToStart: ${pullError}`);
    // No container exited with a code: nothing to tell of their exits.
    expect(detail.history[1]?.detail).toBeNull();

    // Where ECS stamps the end of the failed pull, that step says what failed; a task still stopping says why at STOPPING.
    const [stopping] = await described([
      { ...pullFailedTask, lastStatus: "DEPROVISIONING", pullStoppedAt: at(40.8), stoppedAt: undefined, executionStoppedAt: undefined },
    ]);
    const steps = mapTaskDetail(stopping!, READ_AT).history;
    expect(steps.map((s) => [s.what, s.level])).toEqual([
      ["STOPPING", "warning"],
      ["Pull stopped", "warning"],
      ["Pull started", "normal"],
      ["PROVISIONING", "normal"],
    ]);
    expect(steps[0]?.detail).toBe(`TaskFailedToStart: ${pullError}`);
    expect(steps[1]?.detail).toBe(`container web: ${pullError}`);
  });

  it("reads a running task's health: each container's check, and the task's now, undated, first", async () => {
    const [raw] = await described([unhealthyTask]);
    const detail = mapTaskDetail(raw!, READ_AT);
    expect(detail.containers.map((c) => [c.name, c.state, c.ready, c.startedAt, c.lastExit])).toEqual([
      ["web", "running", false, iso(24.6), null],
      ["envoy", "running", null, iso(24.6), null],
    ]);
    expect(detail.history[0]).toEqual({
      at: null,
      what: "UNHEALTHY",
      detail: "container web UNHEALTHY",
      level: "warning",
      container: null,
    });
    expect(detail.history.slice(1).map((s) => s.what)).toEqual(["RUNNING", "Pull stopped", "Pull started", "PROVISIONING"]);

    const healthy = {
      ...unhealthyTask,
      healthStatus: "HEALTHY",
      containers: [{ ...unhealthyTask.containers[0], healthStatus: "HEALTHY" }, unhealthyTask.containers[1]],
    };
    const [ok] = await described([healthy]);
    const okDetail = mapTaskDetail(ok!, READ_AT);
    expect(okDetail.containers[0]?.ready).toBe(true);
    expect(okDetail.history[0]).toEqual({ at: null, what: "HEALTHY", detail: "container web HEALTHY", level: "normal", container: null });
  });

  it("reads a task still being provisioned: its containers waiting, one step", async () => {
    const provisioning = {
      ...unhealthyTask,
      lastStatus: "PROVISIONING",
      healthStatus: "UNKNOWN",
      containers: unhealthyTask.containers.map((c) => ({ ...c, lastStatus: "PENDING", healthStatus: "UNKNOWN" })),
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: undefined,
    };
    const [raw] = await described([provisioning]);
    const detail = mapTaskDetail(raw!, READ_AT);
    expect(detail.containers.map((c) => [c.state, c.ready, c.startedAt, c.lastExit])).toEqual([
      ["waiting", null, null, null],
      ["waiting", null, null, null],
    ]);
    expect(detail.history.map((s) => s.what)).toEqual(["PROVISIONING"]);
  });
});
