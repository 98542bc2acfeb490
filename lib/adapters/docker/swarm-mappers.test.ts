import { describe, expect, it } from "vitest";
import { z } from "zod";
import { problem, workloadHealth } from "@/lib/model/health";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import nodesJson from "./fixtures/nodes.json";
import servicesHealthJson from "./fixtures/services-health.json";
import servicesJson from "./fixtures/services.json";
import tasksHealthJson from "./fixtures/tasks-health.json";
import tasksJson from "./fixtures/tasks.json";
import mountsJson from "./fixtures/mounts.json";
import { SwarmNode, SwarmService, SwarmTask } from "./raw";
import {
  displayImage,
  GLOBAL_NOT_SCALABLE,
  mapSwarmNode,
  mapSwarmService,
  mapSwarmServiceEndpoints,
  mapSwarmTasks,
  mapTaskState,
  mountVolume,
  updateEvent,
  updateProblem,
} from "./swarm-mappers";

// Recorded from Engine 20.10 (one-node swarm): a replicated service "fleetdeck-probe" (2 replicas,
// reservations 0.25 CPU / 64 MiB, port 18080→80, stack "probe") whose slot-1 container was killed
// once, and a global service "fleetdeck-probe-g".
const nodes = z.array(SwarmNode).parse(nodesJson);
const services = z.array(SwarmService).parse(servicesJson);
const tasks = z.array(SwarmTask).parse(tasksJson);
const [replicated, global] = services;

describe("swarm node mapper", () => {
  it("maps a leader manager with NanoCPUs as millicores", () => {
    const node = NodeCoreSchema.parse(mapSwarmNode(nodes[0]));
    expect(node).toMatchObject({
      id: "bzlbstg3ggl9z8e4j8cv9uufg",
      name: "vm",
      status: "ready",
      schedulable: true,
      roles: ["manager", "leader"],
      capacity: { cpuMillis: 2000, memoryBytes: 25276518400 },
    });
    expect(node.info).toMatchObject({ availability: "active", engineVersion: "20.10.24+dfsg1", leader: "true" });
  });

  it("marks drained and paused nodes unschedulable, down nodes not ready, and merges labels", () => {
    const raw = structuredClone(nodes[0]);
    raw.Spec.Availability = "drain";
    raw.Spec.Role = "worker";
    raw.ManagerStatus = undefined;
    raw.Status = { State: "down", Message: "heartbeat failure" };
    raw.Spec.Labels = { zone: "b", disk: "ssd" };
    raw.Description!.Engine!.Labels = { zone: "a", gpu: "none" };
    const node = mapSwarmNode(raw);
    expect(node.schedulable).toBe(false);
    expect(node.info.availability).toBe("drain");
    expect(node.status).toBe("not-ready");
    expect(node.statusReason).toBe("heartbeat failure");
    expect(node.roles).toEqual(["worker"]);
    expect(node.labels).toEqual({ zone: "b", gpu: "none", disk: "ssd" });
    raw.Spec.Availability = "pause";
    expect(mapSwarmNode(raw).schedulable).toBe(false);
  });
});

describe("swarm service mapper", () => {
  it("maps a replicated service as a scalable workload with running/desired from ServiceStatus", () => {
    const w = WorkloadCoreSchema.parse(mapSwarmService(replicated));
    expect(w).toMatchObject({
      id: "m183qxcgx1c7tl52ahrz2ajym",
      name: "fleetdeck-probe",
      namespace: "probe",
      kind: "SwarmService",
      images: ["local/busybox:latest"],
      desired: 2,
      ready: 2,
      scalable: true,
      notScalableReason: null,
      selector: "com.docker.swarm.service.id=m183qxcgx1c7tl52ahrz2ajym",
      labels: { "com.docker.stack.namespace": "probe" },
      info: { Mode: "replicated", "Published ports": "18080→80/tcp (ingress)" },
      events: [],
    });
  });

  it("shows the update strategy and the last update, paused updates and rollbacks as warnings", () => {
    const raw = structuredClone(replicated);
    raw.Spec.UpdateConfig = { Parallelism: 1, Delay: 10e9, FailureAction: "pause", Order: "start-first" };
    raw.UpdateStatus = {
      State: "paused",
      StartedAt: "2026-11-26T15:50:00.000000000Z",
      CompletedAt: "2026-11-26T15:51:30.000000000Z",
      Message: "update paused due to failure or early termination of task 9nl5bmqrbn5k2w3y3awbcwh4n",
    };
    const w = WorkloadCoreSchema.parse(mapSwarmService(raw));
    expect(w.info).toMatchObject({
      "Update strategy": "start-first, 1 at a time, 10 s apart, on failure pause",
      "Update status": "paused: update paused due to failure or early termination of task 9nl5bmqrbn5k2w3y3awbcwh4n",
    });
    expect(w.events).toEqual([
      {
        at: "2026-11-26T15:51:30.000000000Z",
        level: "warning",
        message: "Update paused: update paused due to failure or early termination of task 9nl5bmqrbn5k2w3y3awbcwh4n",
      },
    ]);
    expect(updateEvent({ State: "completed", CompletedAt: "2026-11-26T15:52:00Z", Message: "update completed" })).toEqual({
      at: "2026-11-26T15:52:00Z",
      level: "normal",
      message: "Update completed",
    });
    expect(
      updateEvent({ State: "rollback_started", StartedAt: "2026-11-26T15:53:00Z", Message: "update rolled back due to failure" }),
    ).toMatchObject({
      level: "warning",
      message: "Rollback started: update rolled back due to failure",
    });
    expect(updateEvent({ State: "updating", StartedAt: "0001-01-01T00:00:00Z" })).toMatchObject({ at: null, level: "normal" });
  });

  it("takes failed tasks of the service as warning events", () => {
    const w = mapSwarmService(replicated, tasks);
    expect(w.events).toEqual([
      { at: "2026-11-26T15:43:38.45772647Z", level: "warning", message: "Task fleetdeck-probe.1 failed: task: non-zero exit (137)" },
    ]);
    expect(mapSwarmService(global, tasks).events).toEqual([]);
    expect(mapSwarmService(global).info).toEqual({ Mode: "global" });
  });

  it("maps a global service as not scalable, saying why", () => {
    const w = mapSwarmService(global);
    expect(w.scalable).toBe(false);
    expect(w.notScalableReason).toBe(GLOBAL_NOT_SCALABLE);
    expect(w.desired).toBe(1);
    expect(w.namespace).toBeNull();
  });

  it("counts running tasks itself when the engine gives no ServiceStatus", () => {
    const raw = structuredClone(replicated);
    delete raw.ServiceStatus;
    raw.Spec.Mode = { Replicated: { Replicas: 3 } };
    expect(mapSwarmService(raw, tasks)).toMatchObject({ desired: 3, ready: 2 });
  });

  it("strips the image digest for display", () => {
    expect(displayImage("nginx:1.27@sha256:0123456789abcdef0123456789abcdef")).toBe("nginx:1.27");
    expect(displayImage("local/busybox:latest")).toBe("local/busybox:latest");
  });

  it("shows published ports and virtual IPs", () => {
    const s = ServiceSchema.parse(mapSwarmServiceEndpoints(replicated));
    expect(s).toMatchObject({
      name: "fleetdeck-probe",
      type: "VIP",
      clusterIp: "10.0.0.3",
      ports: [{ port: 18080, targetPort: "80", protocol: "TCP", nodePort: 18080 }],
      readyEndpoints: 2,
      totalEndpoints: 2,
    });
    // No published port and no VIP: nothing to show.
    expect(mapSwarmServiceEndpoints(global)).toBeNull();
  });
});

describe("swarm task mapper", () => {
  const mapped = mapSwarmTasks(tasks, services);

  it("lists only tasks Swarm still wants and hides history", () => {
    expect(mapped.map((t) => t.id).sort()).toEqual(["jak5i4roipofr1hozd228wxxt", "otzfwambh0aakapk3jhkhza4a", "q7vb34xzdi8bsqawx0epqqhmf"]);
    for (const t of mapped) TaskCoreSchema.parse(t);
  });

  it("names tasks <service>.<slot> or <service>.<node> and counts restarts per slot", () => {
    const bySlot = Object.fromEntries(mapped.map((t) => [t.name, t]));
    expect(bySlot["fleetdeck-probe.1"]).toMatchObject({ restarts: 1, state: "running", workloadId: replicated.ID, namespace: "probe" });
    expect(bySlot["fleetdeck-probe.2"]).toMatchObject({ restarts: 0, ip: "10.0.0.5" });
    expect(bySlot["fleetdeck-probe-g.bzlbstg3ggl9z8e4j8cv9uufg"]).toMatchObject({ restarts: 0, node: "bzlbstg3ggl9z8e4j8cv9uufg" });
  });

  it("takes requests from Resources.Reservations and startedAt from the running status", () => {
    const t = mapped.find((x) => x.name === "fleetdeck-probe.2")!;
    expect(t.requests).toEqual({ cpuMillis: 250, memoryBytes: 64 * 1024 * 1024 });
    expect(t.startedAt).toBe("2026-11-26T15:43:18.898368634Z");
    expect(t.labels["com.docker.swarm.service.name"]).toBe("fleetdeck-probe");
  });

  it("takes limits from Resources.Limits, each a cap only when set, a malformed one none", () => {
    const t = mapped.find((x) => x.name === "fleetdeck-probe.2")!;
    expect(t.limits).toEqual({ cpuMillis: null, memoryBytes: 128 * 1024 * 1024 });
    const raw = structuredClone(tasksJson) as unknown as { ID: string; Spec: { Resources: { Limits: unknown } } }[];
    raw.find((x) => x.ID === t.id)!.Spec.Resources.Limits = { NanoCPUs: 1_500_000_000, MemoryBytes: "lots" };
    const remapped = mapSwarmTasks(z.array(SwarmTask).parse(raw), services).find((x) => x.id === t.id)!;
    expect(remapped.limits).toEqual({ cpuMillis: 1500, memoryBytes: null });
  });

  it("carries the last failure of the slot onto a pending replacement", () => {
    const raw = structuredClone(tasks);
    const replacement = raw.find((t) => t.ID === "q7vb34xzdi8bsqawx0epqqhmf")!;
    replacement.Status = {
      State: "pending",
      Message: "pending task scheduling",
      Err: "no suitable node (1 node not available for new tasks)",
    };
    delete replacement.NodeID;
    const t = mapSwarmTasks(raw, services).find((x) => x.id === replacement.ID)!;
    expect(t.state).toBe("pending");
    expect(t.node).toBeNull();
    expect(t.stateReason).toBe("no suitable node (1 node not available for new tasks); previous task: task: non-zero exit (137)");
  });

  it("maps every Swarm task state", () => {
    for (const s of ["new", "pending", "assigned", "accepted", "preparing", "starting"]) expect(mapTaskState(s)).toBe("pending");
    expect(mapTaskState("running")).toBe("running");
    expect(mapTaskState("complete")).toBe("succeeded");
    expect(mapTaskState("failed")).toBe("failed");
    expect(mapTaskState("rejected")).toBe("failed");
    expect(mapTaskState("orphaned")).toBe("unknown");
  });
});

// Recorded from Engine 20.10 (one-node swarm) at 2026-12-04T01:39:59Z, restart delay 1 s: "health-crash"
// (exits 1 after a second), "health-noimage" (local/missing:1.0), "health-unplaceable" (reserves 1000 GiB),
// "health-unhealthy" (--health-cmd false), "health-gaveup" (exits 5, on-failure with 2 attempts),
// "health-paused" (updated to a command exiting 2; update paused), "health-rolledback" (the same with
// --update-failure-action rollback) and "health-ok".
describe("swarm health signals", () => {
  const recordedAt = Date.parse("2026-12-04T01:39:59Z");
  const healthServices = z.array(SwarmService).parse(servicesHealthJson);
  const healthTasks = z.array(SwarmTask).parse(tasksHealthJson);
  const service = (name: string) => healthServices.find((s) => s.Spec.Name === name)!;
  const taskOf = (name: string, tasks = healthTasks, services = healthServices, now = recordedAt) =>
    mapSwarmTasks(tasks, services, now).find((t) => t.name === `${name}.1`)!;
  const judged = (name: string) => {
    const workload = mapSwarmService(service(name), healthTasks, recordedAt);
    return workloadHealth(workload, [taskOf(name)], recordedAt);
  };

  it("reads a slot whose container keeps exiting with an error as a crash loop", () => {
    expect(taskOf("health-crash").problems).toEqual([
      {
        severity: "critical",
        reason: "Crash loop",
        evidence: "task: non-zero exit (1), 4 times in a row, restarting",
        since: "2026-12-04T01:39:47.569511455Z",
        ongoing: true,
      },
    ]);
    expect(judged("health-crash")).toMatchObject({ state: "failing", tasks: { ready: 0, failing: 1 } });
  });

  it("reads rejections for a missing image, a pending task no node can take and health-check kills in plain words", () => {
    expect(taskOf("health-noimage").problems).toEqual([
      problem("critical", "Image cannot be pulled", "No such image: local/missing:1.0, 5 times in a row", "2026-12-04T01:39:55.733617358Z"),
    ]);
    expect(taskOf("health-unplaceable").problems).toEqual([
      problem("critical", "Cannot be placed", "no suitable node (insufficient resources on 1 node)", "2026-12-04T01:39:15.174619902Z"),
    ]);
    expect(taskOf("health-unhealthy").problems).toEqual([
      problem(
        "critical",
        "Failing health check",
        "task: non-zero exit (137): dockerexec: unhealthy container, 3 times in a row",
        "2026-12-04T01:39:29.456498878Z",
      ),
    ]);
    for (const name of ["health-noimage", "health-unplaceable", "health-unhealthy"]) expect(judged(name).state).toBe("failing");
    expect(taskOf("health-ok").problems).toBeUndefined();
    expect(judged("health-ok").state).toBe("healthy");
  });

  it("puts the failure of a slot Swarm gave up restarting on the service", () => {
    expect(mapSwarmTasks(healthTasks, healthServices, recordedAt).some((t) => t.workloadId === service("health-gaveup").ID)).toBe(false);
    expect(mapSwarmService(service("health-gaveup"), healthTasks, recordedAt).problems).toEqual([
      problem(
        "critical",
        "Container failed",
        "task: non-zero exit (5), 3 times in a row, no longer restarted",
        "2026-12-04T01:39:18.388992402Z",
      ),
    ]);
    // Scaled to 0 the slot is no longer wanted: a past failure.
    const scaledAway = structuredClone(service("health-gaveup"));
    scaledAway.Spec.Mode = { Replicated: { Replicas: 0 } };
    expect(mapSwarmService(scaledAway, healthTasks, recordedAt).problems).toEqual([
      problem("warning", "Container failed", "task: non-zero exit (5)", "2026-12-04T01:39:22.73971497Z", false),
    ]);
  });

  it("reads a paused update as a paused rollout, a rolled back one as a past event, and ignores the rolled back spec's failures", () => {
    expect(mapSwarmService(service("health-paused"), healthTasks, recordedAt).problems).toEqual([
      problem(
        "critical",
        "Rollout paused",
        "update paused due to failure or early termination of task muxcfq5pllekrk740z54wl1og",
        "2026-12-04T01:39:20.847323764Z",
      ),
    ]);
    expect(taskOf("health-paused").problems?.map((p) => p.reason)).toEqual(["Crash loop"]);
    expect(mapSwarmService(service("health-rolledback"), healthTasks, recordedAt).problems).toEqual([
      problem("warning", "Rollout rolled back", "rollback completed", "2026-12-04T01:39:40.797629686Z", false),
    ]);
    expect(taskOf("health-rolledback").problems).toBeUndefined();
    expect(
      updateProblem({ State: "rollback_started", StartedAt: "2026-12-04T01:39:30Z", Message: "update rolled back due to failure" }),
    ).toEqual(problem("warning", "Rollout failed", "update rolled back due to failure", "2026-12-04T01:39:30Z"));
    expect(updateProblem({ State: "completed", Message: "update completed" })).toBeNull();
  });

  it("takes a replacement up for a minute as recovered: the last failure becomes a past warning", () => {
    const tasks = structuredClone(healthTasks);
    const current = tasks.find((t) => t.ID === "ihap2l5pklm89ap0vwj1tqje7")!;
    current.Status = { ...current.Status, State: "running", Timestamp: "2026-12-04T01:40:00Z" };
    expect(taskOf("health-crash", tasks, healthServices, Date.parse("2026-12-04T01:40:30Z")).problems?.[0].reason).toBe("Crash loop");
    expect(taskOf("health-crash", tasks, healthServices, Date.parse("2026-12-04T01:41:00Z")).problems).toEqual([
      problem("warning", "Container failed", "task: non-zero exit (1)", "2026-12-04T01:39:58.534988663Z", false),
    ]);
  });

  it("counts fewer than three failed runs as a failure, not yet a crash loop", () => {
    const tasks = healthTasks.filter((t) => !["m2mrqt9lxzv3gz0ik41ium5ld", "wl1n5vwrbj6kgv0tsrfbnz24q"].includes(t.ID));
    expect(taskOf("health-crash", tasks).problems).toEqual([
      problem("warning", "Container failed", "task: non-zero exit (1), 2 times in a row", "2026-12-04T01:39:58.534988663Z", false),
    ]);
  });

  it("forgets the failures of a spec the service was updated away from", () => {
    const updated = healthServices.map((s) => {
      if (s.Spec.Name !== "health-crash") return s;
      const copy = structuredClone(s);
      copy.Spec.TaskTemplate!.ContainerSpec!.Args = ["sleep", "3600"];
      return copy;
    });
    expect(taskOf("health-crash", healthTasks, updated).problems).toBeUndefined();
    const forced = healthServices.map((s) =>
      s.Spec.Name === "health-crash" ? { ...s, Spec: { ...s.Spec, TaskTemplate: { ...s.Spec.TaskTemplate, ForceUpdate: 1 } } } : s,
    );
    expect(taskOf("health-crash", healthTasks, forced).problems).toBeUndefined();
  });
});

describe("service volumes", () => {
  // Recorded from Engine 20.10 (names changed): a service mounting a named volume, a read-only bind and a 32 MiB tmpfs.
  const [api] = z.array(SwarmService).parse(mountsJson.services);

  it("lists the spec's mounts by path, with the named volume or host path that holds the data", () => {
    const workload = mapSwarmService(api);
    expect(WorkloadCoreSchema.parse(workload).volumes).toEqual([
      { name: "/data", type: "volume", claim: "shop_uploads", capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
      { name: "/etc/app", type: "bind", claim: "/srv/shop/config", capacityBytes: null, accessModes: ["read-only"], status: "mounted" },
      { name: "/scratch", type: "tmpfs", claim: null, capacityBytes: 32 * 1024 * 1024, accessModes: ["read-write"], status: "mounted" },
    ]);
  });

  it("says unmounted while no task runs, and an anonymous volume is no claim", () => {
    const idle = { ...api, ServiceStatus: { RunningTasks: 0, DesiredTasks: 1 } };
    expect(mapSwarmService(idle).volumes.map((v) => v.status)).toEqual(["unmounted", "unmounted", "unmounted"]);
    expect(mountVolume({ Type: "volume", Target: "/cache" }, true)).toMatchObject({ claim: null, type: "volume" });
    expect(mapSwarmService(services[0]).volumes).toEqual([]);
  });
});
