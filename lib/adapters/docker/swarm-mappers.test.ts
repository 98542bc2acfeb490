import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import nodesJson from "./fixtures/nodes.json";
import servicesJson from "./fixtures/services.json";
import tasksJson from "./fixtures/tasks.json";
import { SwarmNode, SwarmService, SwarmTask } from "./raw";
import {
  displayImage,
  GLOBAL_NOT_SCALABLE,
  mapSwarmNode,
  mapSwarmService,
  mapSwarmServiceEndpoints,
  mapSwarmTasks,
  mapTaskState,
  updateEvent,
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
