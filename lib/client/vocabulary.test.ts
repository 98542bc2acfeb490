import { describe, expect, it } from "vitest";
import { noVolumesText, reportsWorkloadEvents, withoutNodeLabel } from "./vocabulary";

describe("withoutNodeLabel", () => {
  it("names Fargate capacity instead of calling a running task unscheduled", () => {
    expect(withoutNodeLabel({ state: "running", labels: { "ecs.launchType": "FARGATE" } })).toBe("Fargate");
    expect(withoutNodeLabel({ state: "running", labels: { "ecs.capacityProvider": "FARGATE_SPOT" } })).toBe("Fargate");
  });
  it("calls a pending task without a node unscheduled, and anything else none", () => {
    expect(withoutNodeLabel({ state: "pending", labels: {} })).toBe("unscheduled");
    expect(withoutNodeLabel({ state: "succeeded", labels: { "ecs.launchType": "EC2" } })).toBe("none");
  });
});

describe("reportsWorkloadEvents", () => {
  it("a swarm reports events for its services, not for the Compose services and containers beside them", () => {
    expect(reportsWorkloadEvents("swarm", "SwarmService")).toBe(true);
    expect(reportsWorkloadEvents("swarm", "ComposeService")).toBe(false);
    expect(reportsWorkloadEvents("swarm", "Container")).toBe(false);
    expect(reportsWorkloadEvents("docker", "ComposeService")).toBe(false);
  });
});

describe("noVolumesText", () => {
  it("says a workload's tasks mount nothing, in its orchestrator's words, but not of a Mesos framework, which declares none", () => {
    expect(noVolumesText("kubernetes", "Deployment", "Pods")).toBe("No volumes: its pods mount none.");
    expect(noVolumesText("mesos", "MarathonApp", "Tasks")).toBe("No volumes: its tasks mount none.");
    expect(noVolumesText("mesos", "MesosFramework", "Tasks")).toBe("A Mesos framework declares no volumes to the master.");
    expect(noVolumesText(undefined, "Deployment", "Tasks")).toBe("No volumes: its tasks mount none.");
  });
});
