import { describe, expect, it } from "vitest";
import { MAX_WORKLOAD_EVENTS, NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import {
  containerInstanceFixture,
  crashedTask,
  ec2TaskWithoutTaskSize,
  exitedTask,
  failedRolloutService,
  fargateServiceFixture,
  healthCheckStoppedTask,
  pullFailedTask,
  runningFargateTask,
  unhealthyTask,
  unplaceableService,
  checkoutTaskDefinition,
} from "./fixtures";
import {
  countRestarts,
  imagesByService,
  mapContainerInstance,
  mapService,
  taskDefinitionVolumes,
  mapServiceEndpoints,
  mapTask,
  serviceProblems,
  stopStanding,
  taskLimits,
  taskProblems,
} from "./mappers";
import type { RawService, RawTask } from "./raw";

const MiB = 1024 * 1024;

describe("mapContainerInstance", () => {
  it("maps registered resources to capacity in millicores and bytes, attributes to labels", () => {
    const node = NodeCoreSchema.parse(mapContainerInstance("prod", containerInstanceFixture));
    expect(node.id).toBe("prod~f2756532-8f13-4d53-87c9-aed50dc94cd7");
    expect(node.name).toBe("i-0b9b1e0d6c3a1f2e4");
    expect(node.capacity).toEqual({ cpuMillis: 4000, memoryBytes: 15_482 * MiB });
    expect(node.allocatable).toEqual(node.capacity);
    expect(node.info).toMatchObject({
      remainingCpuMillis: "1500",
      remainingMemoryBytes: String(11_386 * MiB),
      instanceType: "m6i.xlarge",
      agentVersion: "1.89.2",
    });
    expect(node.labels["com.amazonaws.ecs.capability.docker-remote-api.1.44"]).toBe("");
    expect(node).toMatchObject({ status: "ready", schedulable: true, roles: ["ec2"], createdAt: "2026-11-20T08:14:03.512Z" });
  });

  it("marks a draining instance unschedulable and a disconnected agent not ready", () => {
    expect(mapContainerInstance("prod", { ...containerInstanceFixture, status: "DRAINING" })).toMatchObject({
      status: "ready",
      schedulable: false,
      statusReason: "DRAINING",
    });
    expect(mapContainerInstance("prod", { ...containerInstanceFixture, agentConnected: false })).toMatchObject({
      status: "not-ready",
      schedulable: false,
    });
    expect(mapContainerInstance("prod", { ...containerInstanceFixture, ec2InstanceId: "mi-0123456789abcdef0" }).roles).toEqual([
      "external",
    ]);
  });
});

describe("mapService", () => {
  it("maps counts, tags as labels, and capacity, task definition and deployments as info", () => {
    const w = WorkloadCoreSchema.parse(mapService("prod", fargateServiceFixture, ["checkout:5.2.0"]));
    expect(w).toMatchObject({
      id: "prod~checkout",
      name: "checkout",
      namespace: "prod",
      kind: "EcsService",
      desired: 3,
      ready: 2,
      scalable: true,
      selector: "ecs.service=checkout",
    });
    expect(w.labels).toEqual({ team: "payments", "aws:cloudformation:stack-name": "checkout" });
    expect(w.info).toEqual({
      "Launch type": "FARGATE",
      "Task definition": "checkout:7",
      "Scheduling strategy": "REPLICA",
      Pending: "1 task",
      Rollout: "IN_PROGRESS: ECS deployment ecs-svc/9223370428932767287 in progress.",
      Deployments: "PRIMARY checkout:7 IN_PROGRESS 2/3 running, 1 pending",
    });
  });

  it("lists every deployment with its rollout state while one replaces another", () => {
    const [primary] = fargateServiceFixture.deployments!;
    const old = {
      ...primary,
      id: "ecs-svc/1",
      status: "ACTIVE",
      taskDefinition: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:6",
      desiredCount: 1,
      runningCount: 1,
      pendingCount: 0,
      failedTasks: 2,
      rolloutState: "COMPLETED",
    };
    const w = mapService("prod", { ...fargateServiceFixture, deployments: [primary, old] }, []);
    expect(w.info.Deployments).toBe(
      "PRIMARY checkout:7 IN_PROGRESS 2/3 running, 1 pending; ACTIVE checkout:6 COMPLETED 1 running, 2 failed",
    );
    expect(w.info.Rollout).toMatch(/^IN_PROGRESS/);
  });

  it("keeps the service's recent events, newest first and bounded, with placement and task failures as warnings", () => {
    const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s));
    const events = [
      {
        id: "e5",
        createdAt: t(50),
        message: "(service checkout) was unable to place a task because no container instance met all of its requirements.",
      },
      { id: "e4", createdAt: t(40), message: "(service checkout) (task 0aa1) failed container health checks." },
      { id: "e3", createdAt: t(30), message: "(service checkout) has started 1 tasks: (task 1a2b)." },
      { id: "e2", createdAt: t(20), message: "(service checkout, taskSet ecs-svc/1) has begun draining connections on 1 tasks." },
      { id: "e1", createdAt: t(10), message: "(service checkout) has reached a steady state." },
      ...Array.from({ length: 20 }, (_, i) => ({ id: `old${i}`, createdAt: t(0), message: `(service checkout) older event ${i}` })),
    ];
    const w = WorkloadCoreSchema.parse(mapService("prod", { ...fargateServiceFixture, events }, []));
    expect(w.events).toHaveLength(MAX_WORKLOAD_EVENTS);
    expect(w.events.slice(0, 5)).toEqual([
      { at: "2026-11-26T10:00:50.000Z", level: "warning", message: events[0].message },
      { at: "2026-11-26T10:00:40.000Z", level: "warning", message: events[1].message },
      { at: "2026-11-26T10:00:30.000Z", level: "normal", message: events[2].message },
      { at: "2026-11-26T10:00:20.000Z", level: "normal", message: events[3].message },
      { at: "2026-11-26T10:00:10.000Z", level: "normal", message: events[4].message },
    ]);
    expect(mapService("prod", fargateServiceFixture, []).events).toEqual([
      { at: "2026-11-26T10:01:00.000Z", level: "normal", message: "(service checkout) has started 1 tasks: (task 1a2b)." },
    ]);
    expect(mapService("prod", { ...fargateServiceFixture, events: null }, []).events).toEqual([]);
  });

  it("names the capacity provider when there is no launch type, and refuses to scale DAEMON or draining services", () => {
    const spot = mapService(
      "prod",
      { ...fargateServiceFixture, launchType: null, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] },
      [],
    );
    expect(spot.info["Capacity provider"]).toBe("FARGATE_SPOT");
    expect(spot.info["Launch type"]).toBeUndefined();
    const mixed = mapService(
      "prod",
      {
        ...fargateServiceFixture,
        launchType: null,
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE", weight: 1, base: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
      },
      [],
    );
    expect(mixed.info["Capacity provider"]).toBe("FARGATE (weight 1, base 1), FARGATE_SPOT (weight 3)");
    expect(mapService("prod", { ...fargateServiceFixture, schedulingStrategy: "DAEMON" }, [])).toMatchObject({
      scalable: false,
      notScalableReason: expect.stringMatching(/DAEMON/),
    });
    expect(mapService("prod", { ...fargateServiceFixture, status: "DRAINING" }, [])).toMatchObject({
      scalable: false,
      notScalableReason: "The service is DRAINING.",
      info: expect.objectContaining({ Status: "DRAINING" }),
    });
  });
});

describe("mapTask", () => {
  it("maps a running Fargate task: no node, string sizes, ENI address", () => {
    const t = TaskCoreSchema.parse(mapTask("prod", runningFargateTask));
    expect(t).toMatchObject({
      id: "prod~1dc5c17a422548870ee1c0a4da1f56d4",
      workloadId: "prod~checkout",
      node: null,
      state: "running",
      ready: true,
      requests: { cpuMillis: 500, memoryBytes: 1024 * MiB },
      ip: "10.0.1.23",
      startedAt: "2026-11-26T10:00:41.000Z",
    });
    expect(t.labels).toMatchObject({ "ecs.service": "checkout", "ecs.launchType": "FARGATE", "ecs.taskDefinition": "checkout:7" });
  });

  it("maps an OOM-killed task as failed with the exit code in the reason", () => {
    expect(mapTask("prod", crashedTask)).toMatchObject({
      state: "failed",
      ready: false,
      stateReason: expect.stringContaining("exit code 137: OutOfMemoryError"),
    });
  });

  it("treats a scale-in stop as succeeded and a stopping task as still running", () => {
    const scaledIn: RawTask = {
      ...crashedTask,
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)",
      containers: [{ name: "checkout", exitCode: 0 }],
    };
    expect(mapTask("prod", scaledIn)).toMatchObject({
      state: "succeeded",
      stateReason: "Scaling activity initiated by (deployment ecs-svc/1)",
    });
    expect(mapTask("prod", { ...runningFargateTask, desiredStatus: "STOPPED", stoppedReason: "Task stopped by user" })).toMatchObject({
      state: "running",
      ready: false,
      stateReason: "Stopping: Task stopped by user",
    });
    expect(mapTask("prod", { ...runningFargateTask, lastStatus: "PROVISIONING", startedAt: null })).toMatchObject({
      state: "pending",
      stateReason: "PROVISIONING",
    });
  });

  it("sums container sizes when an EC2 task has no task-level size, and links its container instance", () => {
    const t = mapTask("prod", ec2TaskWithoutTaskSize);
    expect(t.requests).toEqual({ cpuMillis: Math.round((384 * 1000) / 1024), memoryBytes: 640 * MiB });
    expect(t.node).toBe("prod~f2756532-8f13-4d53-87c9-aed50dc94cd7");
    expect(t.state).toBe("pending");
  });

  it("caps CPU and memory at the task size, else memory at the containers' hard `memory` when all have one", () => {
    expect(mapTask("prod", runningFargateTask).limits).toEqual({ cpuMillis: 500, memoryBytes: 1024 * MiB });
    // The sidecar has only a soft memoryReservation, and container cpu is shares: no cap.
    expect(taskLimits(ec2TaskWithoutTaskSize)).toEqual({ cpuMillis: null, memoryBytes: null });
    const hard: RawTask = {
      ...ec2TaskWithoutTaskSize,
      containers: [
        { name: "app", memory: "512", memoryReservation: "256" },
        { name: "b", memory: "64" },
      ],
    };
    expect(taskLimits(hard)).toEqual({ cpuMillis: null, memoryBytes: 576 * MiB });
    expect(mapTask("prod", hard).requests.memoryBytes).toBe(320 * MiB);
    expect(taskLimits({ ...runningFargateTask, cpu: "lots", memory: "-" })).toMatchObject({ cpuMillis: null });
  });
});

describe("countRestarts", () => {
  it("credits each failure to the task that replaced it, carrying earlier restarts along", () => {
    const at = (iso: string) => new Date(`2026-11-26T${iso}Z`);
    const first: RawTask = { ...crashedTask, taskArn: "t/first", createdAt: at("09:00:00"), stoppingAt: at("10:00:00") };
    const second: RawTask = { ...crashedTask, taskArn: "t/second", createdAt: at("10:00:01"), stoppingAt: at("10:10:00") };
    const third: RawTask = { ...runningFargateTask, taskArn: "t/third", createdAt: at("10:10:02") };
    const steady: RawTask = { ...runningFargateTask, taskArn: "t/steady", createdAt: at("08:00:00") };
    const scaledIn: RawTask = {
      ...crashedTask,
      taskArn: "t/scaled",
      stopCode: "ServiceSchedulerInitiated",
      containers: [{ exitCode: 0 }],
      stoppingAt: at("10:20:00"),
    };
    const other: RawTask = { ...runningFargateTask, taskArn: "t/other-service", group: "service:other", createdAt: at("10:00:02") };
    const restarts = countRestarts([third, steady, second, first, scaledIn, other]);
    expect(restarts.get("t/second")).toBe(1);
    expect(restarts.get("t/third")).toBe(2);
    expect(restarts.has("t/steady")).toBe(false);
    expect(restarts.has("t/other-service")).toBe(false);
    expect(mapTask("prod", third, restarts.get("t/third")).restarts).toBe(2);
  });
});

describe("service endpoints and images", () => {
  it("maps load balancers, Cloud Map registries and Service Connect aliases", () => {
    const services = mapServiceEndpoints("prod", fargateServiceFixture).map((s) => ServiceSchema.parse(s));
    expect(services.map((s) => [s.type, s.name, s.ports[0]?.port])).toEqual([
      ["LoadBalancer", "checkout-tg", 3000],
      ["CloudMap", "srv-utcrh6wavdkggqtk", 3000],
      ["ServiceConnect", "checkout.shop.local", 80],
    ]);
    expect(services[0]).toMatchObject({ namespace: "prod", selector: { "ecs.service": "checkout" }, readyEndpoints: 2, totalEndpoints: 3 });
    expect(new Set(services.map((s) => s.id)).size).toBe(3);
  });

  it("takes images from tasks on the service's current task definition", () => {
    const old: RawTask = {
      ...runningFargateTask,
      taskArn: "t/old",
      taskDefinitionArn: "arn:aws:ecs:us-east-1:012345678910:task-definition/checkout:6",
      containers: [{ image: "checkout:5.1.0" }],
    };
    const images = imagesByService("prod", [fargateServiceFixture], [old, runningFargateTask]);
    expect(images.get("prod~checkout")).toEqual(["012345678910.dkr.ecr.us-east-1.amazonaws.com/checkout:5.2.0"]);
  });
});

describe("health signals", () => {
  const failing: RawService = {
    ...fargateServiceFixture,
    deployments: [{ ...fargateServiceFixture.deployments![0], failedTasks: 2 }],
  };
  const recovered = fargateServiceFixture;
  const replaced: RawService = { ...fargateServiceFixture, deployments: [{ ...fargateServiceFixture.deployments![0], id: "ecs-svc/2" }] };
  const reasons = (problems: { severity: string; reason: string; ongoing: boolean }[] | undefined) =>
    (problems ?? []).map((p) => [p.severity, p.reason, p.ongoing]);

  it("reads an image ECS cannot pull: critical while the deployment keeps failing, a warning once it has run tasks, nothing once replaced", () => {
    expect(stopStanding(failing, pullFailedTask)).toBe("failing");
    expect(mapTask("prod", pullFailedTask, 0, "failing").problems).toEqual([
      {
        severity: "critical",
        reason: "Image cannot be pulled",
        evidence: `container checkout: ${pullFailedTask.containers![0].reason}`,
        since: "2026-11-26T10:10:52.000Z",
        ongoing: false,
      },
    ]);
    // The stop reason says it when no container does (the EC2 agent's shape).
    expect(taskProblems({ ...pullFailedTask, containers: [] }, "failing")[0]).toMatchObject({ evidence: pullFailedTask.stoppedReason });
    // failedTasks back at 0: the deployment ran a task since; a standalone task's stop is past as well.
    expect(stopStanding(recovered, pullFailedTask)).toBe("past");
    expect(stopStanding(undefined, pullFailedTask)).toBe("past");
    expect(reasons(taskProblems(pullFailedTask, "past"))).toEqual([["warning", "Image cannot be pulled", false]]);
    expect(stopStanding(replaced, pullFailedTask)).toBe("replaced");
    expect(mapTask("prod", pullFailedTask, 0, "replaced").problems).toBeUndefined();
    expect(stopStanding(failedRolloutService, pullFailedTask)).toBe("failing");
  });

  it("reads an OOM kill and an error exit with the container and its exit code, blaming the app, not the sidecar ECS stopped", () => {
    expect(taskProblems(crashedTask)).toEqual([
      {
        severity: "warning",
        reason: "Out of memory",
        evidence: "container checkout: OutOfMemoryError: Container killed due to memory usage (exit code 137)",
        since: "2026-11-26T10:00:31.000Z",
        ongoing: false,
      },
    ]);
    expect(taskProblems(exitedTask)).toMatchObject([
      { severity: "warning", reason: "Container failed", evidence: "Essential container in task exited (checkout exit code 1)" },
    ]);
    expect(mapTask("prod", exitedTask).stateReason).toBe("Essential container in task exited (checkout exit code 1)");
    const cannotStart: RawTask = {
      ...pullFailedTask,
      containers: [],
      stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
    };
    expect(taskProblems(cannotStart, "failing")).toMatchObject([
      { severity: "critical", reason: "Container cannot start", evidence: cannotStart.stoppedReason },
    ]);
  });

  it("reads failing health checks: critical on an UNHEALTHY task, a warning for a container alone, and the stop that replaced it", () => {
    expect(mapTask("prod", unhealthyTask)).toMatchObject({
      state: "running",
      ready: false,
      problems: [
        {
          severity: "critical",
          reason: "Failing health check",
          evidence: "container checkout health status UNHEALTHY",
          since: null,
          ongoing: true,
        },
      ],
    });
    const sidecarOnly: RawTask = {
      ...unhealthyTask,
      healthStatus: "HEALTHY",
      containers: [
        { name: "checkout", healthStatus: "HEALTHY" },
        { name: "envoy", healthStatus: "UNHEALTHY" },
      ],
    };
    expect(taskProblems(sidecarOnly)).toMatchObject([
      { severity: "warning", evidence: "container envoy health status UNHEALTHY, the task HEALTHY" },
    ]);
    expect(mapTask("prod", healthCheckStoppedTask, 0, "failing")).toMatchObject({
      state: "failed",
      problems: [
        {
          severity: "critical",
          reason: "Failing health check",
          evidence: "Task failed container health checks (container checkout UNHEALTHY)",
          since: "2026-11-26T10:12:31.000Z",
        },
      ],
    });
    expect(
      reasons(taskProblems({ ...healthCheckStoppedTask, stoppedReason: "Task failed ELB health checks in (target-group x)" })),
    ).toEqual([["warning", "Failing health check", false]]);
  });

  it("finds nothing wrong with running, pending, scaled-in or user-stopped tasks, and counts those stops as succeeded", () => {
    const stop = (stopCode: string, stoppedReason: string): RawTask => ({
      ...healthCheckStoppedTask,
      stopCode,
      stoppedReason,
      containers: [{ name: "checkout", exitCode: 143 }],
    });
    for (const task of [
      runningFargateTask,
      ec2TaskWithoutTaskSize,
      stop("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)"),
      stop("UserInitiated", "Task stopped by user"),
      stop("SpotInterruption", "Your Spot Task was interrupted."),
    ]) {
      expect(mapTask("prod", task, 0, "failing").problems, task.stoppedReason ?? task.lastStatus!).toBeUndefined();
      expect(mapTask("prod", task).state).not.toBe("failed");
    }
  });

  it("reads a deployment the circuit breaker failed, with its figures and ECS's reason", () => {
    expect(mapService("prod", failedRolloutService, []).problems).toEqual([
      {
        severity: "critical",
        reason: "Rollout failed",
        evidence: "PRIMARY checkout:8 FAILED 0/3 running, 3 failed: ECS deployment circuit breaker: tasks failed to start.",
        since: "2026-11-26T10:14:12.000Z",
        ongoing: true,
      },
    ]);
    expect(mapService("prod", fargateServiceFixture, []).problems).toBeUndefined();
  });

  it("reads the latest placement failure while tasks are missing, until the service next reaches a steady state", () => {
    expect(serviceProblems(unplaceableService)).toEqual([
      {
        severity: "critical",
        reason: "Cannot be placed",
        evidence: `${unplaceableService.events![0].message} (0 of 2 running)`,
        since: "2026-11-26T11:00:04.000Z",
        ongoing: true,
      },
    ]);
    const [unplaced, steady] = unplaceableService.events!;
    const later = { id: "e4", createdAt: new Date("2026-11-26T11:05:00.000Z"), message: steady.message };
    expect(serviceProblems({ ...unplaceableService, events: [later, unplaced] })).toEqual([]);
    expect(serviceProblems({ ...unplaceableService, runningCount: 1, pendingCount: 1 })).toEqual([]);
    expect(serviceProblems({ ...unplaceableService, desiredCount: 0 })).toEqual([]);
  });

  it("reads error exits in a row of a service short of tasks as a crash loop, not OOM kills, start failures or a replaced deployment", () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute));
    const exit = (id: string, minute: number, task: RawTask = exitedTask): RawTask => ({
      ...task,
      taskArn: `arn:aws:ecs:us-east-1:012345678910:task/prod/${id}`,
      startedBy: fargateServiceFixture.deployments![0].id,
      stoppingAt: at(minute),
      stoppedAt: at(minute),
    });
    const loop = [exit("c", 30), exit("a", 10), exit("b", 20)];
    const [problem] = serviceProblems(fargateServiceFixture, [...loop, runningFargateTask]);
    expect(problem).toEqual({
      severity: "critical",
      reason: "Crash loop",
      evidence: "3 tasks in a row exited with an error, the last c: Essential container in task exited (checkout exit code 1)",
      since: "2026-11-26T10:10:00.000Z",
      ongoing: true,
    });
    expect(mapService("prod", fargateServiceFixture, [], loop).problems).toMatchObject([{ reason: "Crash loop" }]);
    // Two are not a loop yet; a newer stop of another kind ends it; OOM kills and start failures have reasons of their own.
    expect(serviceProblems(fargateServiceFixture, loop.slice(0, 2))).toEqual([]);
    expect(serviceProblems(fargateServiceFixture, [...loop, exit("d", 40, healthCheckStoppedTask)])).toEqual([]);
    expect(serviceProblems(fargateServiceFixture, [...loop.slice(1), exit("e", 30, crashedTask)])).toEqual([]);
    expect(serviceProblems(fargateServiceFixture, [...loop.slice(1), exit("f", 30, pullFailedTask)])).toEqual([]);
    // At its desired count, or moved on to another deployment, the service is not looping.
    expect(serviceProblems({ ...fargateServiceFixture, runningCount: 3 }, loop)).toEqual([]);
    expect(serviceProblems(replaced, loop)).toEqual([]);
  });

  it("counts a service's UNHEALTHY running tasks as running but not ready", () => {
    const service = { ...fargateServiceFixture, runningCount: 3 };
    expect(mapService("prod", service, [], [unhealthyTask, runningFargateTask, healthCheckStoppedTask])).toMatchObject({
      desired: 3,
      ready: 2,
    });
    expect(mapService("prod", service, []).ready).toBe(3);
  });
});

describe("taskDefinitionVolumes", () => {
  it("lists a task definition's volumes by name, with the file system, shared volume or host path that holds the data", () => {
    const workload = mapService("prod", fargateServiceFixture, [], [], checkoutTaskDefinition);
    expect(WorkloadCoreSchema.parse(workload).volumes).toEqual([
      // Written by one container, read by another.
      {
        name: "receipts",
        type: "efs",
        claim: "fs-0c2d9e4f81a7b3e56:/checkout/receipts",
        capacityBytes: null,
        accessModes: ["read-write", "read-only"],
        status: "mounted",
      },
      { name: "tmp", type: "docker", claim: null, capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
      { name: "spool", type: "docker", claim: "spool", capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
      { name: "certs", type: "host", claim: "/etc/pki/tls/certs", capacityBytes: null, accessModes: ["read-only"], status: "mounted" },
      // Declared but mounted by no container.
      { name: "scratch", type: "host", claim: null, capacityBytes: null, accessModes: [], status: "mounted" },
      { name: "orders", type: "ebs", claim: null, capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
    ]);
  });

  it("shows an EFS root as the file system alone, unmounted while no task runs, and none without the definition", () => {
    const rooted = {
      ...checkoutTaskDefinition,
      volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/" } }],
    };
    expect(taskDefinitionVolumes(rooted, false)).toEqual([
      { name: "data", type: "efs", claim: "fs-1", capacityBytes: null, accessModes: [], status: "unmounted" },
    ]);
    expect(mapService("prod", fargateServiceFixture, []).volumes).toEqual([]);
  });
});
