import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import { problem } from "@/lib/model/health";
import containersHealthJson from "./fixtures/containers-health.json";
import containersSwarmManagerJson from "./fixtures/containers-swarm-manager.json";
import containersJson from "./fixtures/containers.json";
import infoJson from "./fixtures/info-swarm.json";
import inspectJson from "./fixtures/inspect-worker.json";
import mountsJson from "./fixtures/mounts.json";
import { DockerContainerInspect, DockerContainerSummary, DockerInfoAnswer } from "./raw";
import {
  COMPOSE_NOT_SCALABLE,
  CONTAINER_NOT_SCALABLE,
  containerLimits,
  containerProblems,
  containerVolumes,
  mapContainers,
  mapContainerTask,
  mapHostNode,
  mapStandaloneServices,
  mapStandaloneWorkloads,
  plainContainers,
} from "./standalone-mappers";

// Recorded from Engine 20.10: Compose-labelled containers of project "shop" (web ×2 publishing
// 18181/18182, worker exiting 3 with restart policy on-failure:3), a lone "lonely" container and a
// created-but-never-started one.
const containers = z.array(DockerContainerSummary).parse(containersJson);
const info = DockerInfoAnswer.parse(infoJson);
const workerInspect = DockerContainerInspect.parse(inspectJson);
const byName = (name: string) => containers.find((c) => c.Names?.[0] === `/${name}`)!;

describe("standalone mappers", () => {
  it("maps the host as the one node with NCPU and MemTotal", () => {
    const node = NodeCoreSchema.parse(mapHostNode(info));
    expect(node).toMatchObject({
      id: "vm",
      name: "vm",
      status: "ready",
      roles: ["host"],
      capacity: { cpuMillis: 2000, memoryBytes: 25276518400 },
    });
    expect(node.info.engineVersion).toBe("20.10.24+dfsg1");
  });

  it("groups Compose containers by project and service, lone containers on their own", () => {
    const workloads = mapStandaloneWorkloads(containers).map((w) => WorkloadCoreSchema.parse(w));
    const byId = Object.fromEntries(workloads.map((w) => [w.id, w]));
    expect(Object.keys(byId).sort()).toEqual(["compose~shop~web", "compose~shop~worker", "container~created-only", "container~lonely"]);
    expect(byId["compose~shop~web"]).toMatchObject({
      name: "web",
      namespace: "shop",
      kind: "ComposeService",
      desired: 2,
      ready: 2,
      scalable: false,
      notScalableReason: COMPOSE_NOT_SCALABLE,
      selector: "com.docker.compose.project=shop,com.docker.compose.service=web",
    });
    expect(byId["compose~shop~web"].info).toEqual({ "Compose project": "shop", "Compose service": "web", Containers: "2 (2 running)" });
    expect(byId["compose~shop~web"].events).toEqual([]);
    expect(byId["compose~shop~worker"]).toMatchObject({ desired: 1, ready: 0, info: { Containers: "1 (0 running)" } });
    expect(byId["container~created-only"].info).toEqual({ Containers: "1 (0 running)" });
    expect(byId["container~lonely"]).toMatchObject({ kind: "Container", namespace: null, notScalableReason: CONTAINER_NOT_SCALABLE });
  });

  it("takes limits from HostConfig (0 is none), only with an inspect", () => {
    expect(mapContainerTask(byName("shop-worker-1"), "vm", workerInspect).limits).toEqual({ cpuMillis: null, memoryBytes: null });
    expect(mapContainerTask(byName("shop-worker-1"), "vm").limits).toBeUndefined();
    const capped = DockerContainerInspect.parse({ ...inspectJson, HostConfig: { NanoCpus: 500_000_000, Memory: 256 * 1024 * 1024 } });
    expect(containerLimits(capped)).toEqual({ cpuMillis: 500, memoryBytes: 256 * 1024 * 1024 });
    const quota = DockerContainerInspect.parse({ ...inspectJson, HostConfig: { CpuQuota: 150_000, CpuPeriod: 100_000, Memory: "x" } });
    expect(containerLimits(quota)).toEqual({ cpuMillis: 1500, memoryBytes: null });
  });

  it("maps containers as tasks with RestartCount from inspect", () => {
    const worker = TaskCoreSchema.parse(mapContainerTask(byName("shop-worker-1"), "vm", workerInspect));
    expect(worker).toMatchObject({
      name: "shop-worker-1",
      workloadId: "compose~shop~worker",
      namespace: "shop",
      node: "vm",
      state: "failed",
      restarts: 3,
      startedAt: null,
    });
    expect(worker.stateReason).toMatch(/^Exited \(3\)/);
    expect(mapContainerTask(byName("created-only"), "vm")).toMatchObject({ state: "pending", stateReason: "created", restarts: 0 });
    expect(mapContainerTask(byName("lonely"), "vm")).toMatchObject({ state: "running", ready: true, ip: "172.17.0.6" });
  });

  it("lists host-published ports once per port", () => {
    const services = mapStandaloneServices(containers).map((s) => ServiceSchema.parse(s));
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ id: "compose~shop~web", type: "HostPort", readyEndpoints: 2, totalEndpoints: 2 });
    expect(services[0].ports.map((p) => p.port).sort()).toEqual([18181, 18182]);
  });
});

// Recorded from Engine 20.10 at 2026-12-04T01:40:51Z: "health-sick" (its health check prints a refused
// connection and exits 1), "health-loop" (--restart always, exits 3 after 0.3 s), "health-oom" (-m 8m,
// fills its memory), "health-fail" (exits 4) and "health-fine".
describe("standalone health signals", () => {
  const recordedAt = Date.parse("2026-12-04T01:40:51Z");
  const healthContainers = z.array(DockerContainerSummary).parse(containersHealthJson.containers);
  const inspects = z.array(DockerContainerInspect).parse(containersHealthJson.inspects);
  const container = (name: string) => healthContainers.find((c) => c.Names?.[0] === `/${name}`)!;
  const inspectOf = (name: string) => inspects.find((i) => i.Id === container(name).Id)!;
  const problemsOf = (name: string, inspect = inspectOf(name), now = recordedAt) => containerProblems(container(name), inspect, now);

  it("reads an unhealthy container as a failing health check, quoting the probe", () => {
    expect(problemsOf("health-sick")).toEqual([
      problem(
        "critical",
        "Failing health check",
        "health check failed 16 times in a row (exit code 1): wget: can not connect to remote host: Connection refused",
        "2026-12-04T01:40:47.252995362Z",
      ),
    ]);
    expect(mapContainerTask(container("health-sick"), "vm", inspectOf("health-sick"), recordedAt)).toMatchObject({
      ready: false,
      problems: [{ reason: "Failing health check" }],
    });
  });

  it("reads a container its policy keeps restarting as a crash loop, and one up for a minute as recovered", () => {
    expect(problemsOf("health-loop")).toEqual([problem("critical", "Crash loop", "exited with code 3, restarting (7 restarts)", null)]);
    const up = { ...container("health-loop"), State: "running" };
    const upInspect = { ...inspectOf("health-loop"), State: { ...inspectOf("health-loop").State, StartedAt: "2026-12-04T01:40:50Z" } };
    expect(containerProblems(up, upInspect, recordedAt)).toEqual([
      problem("critical", "Crash loop", "up again for less than 60 s (7 restarts)", null),
    ]);
    expect(containerProblems(up, upInspect, Date.parse("2026-12-04T01:41:50Z"))).toEqual([]);
  });

  it("reads an OOM kill and an exit with an error as past events of the last run's end", () => {
    expect(problemsOf("health-oom")).toEqual([
      problem(
        "warning",
        "Out of memory",
        "OOMKilled at its memory limit of 8 MiB (exit code 137)",
        "2026-12-04T01:40:34.977270795Z",
        false,
      ),
    ]);
    expect(problemsOf("health-fail")).toEqual([
      problem("warning", "Container failed", "exited with code 4", "2026-12-04T01:40:36.957784422Z", false),
    ]);
    expect(problemsOf("health-fine")).toEqual([]);
    // Without an inspect nothing is known.
    expect(containerProblems(container("health-fail"), undefined, recordedAt)).toEqual([]);
    expect(mapContainerTask(container("health-fine"), "vm", inspectOf("health-fine"), recordedAt).problems).toBeUndefined();
  });

  it("counts the worker that gave up after its restarts as failed, not looping", () => {
    expect(containerProblems(byName("shop-worker-1"), workerInspect, Date.parse("2026-11-26T15:50:00Z"))).toEqual([
      problem("warning", "Container failed", "exited with code 3 (3 restarts)", "2026-11-26T15:48:24.134403706Z", false),
    ]);
  });
});

// Recorded from Engine 20.10, a one-node swarm manager: the Compose project "probeshop" started with
// `docker-compose -p probeshop up -d` (1.29: web and worker), a lone `docker run -d` container
// "lone-debug" and the task container of the swarm service "shop-api".
describe("plain containers beside a swarm's services", () => {
  const containers = z.array(DockerContainerSummary).parse(containersSwarmManagerJson);
  const nodeId = "xzcdkrquee7xtn5d5mzbbn1sa";

  it("leaves out the containers of swarm tasks, which show as their tasks", () => {
    expect(
      plainContainers(containers)
        .map((c) => c.Names?.[0])
        .sort(),
    ).toEqual(["/lone-debug", "/probeshop_web_1", "/probeshop_worker_1"]);
  });

  it("shows the Compose project's services and the lone container, labelled by kind, on the manager's node", () => {
    const { workloads, tasks } = mapContainers(plainContainers(containers), nodeId, new Map());
    expect(workloads.map((w) => [w.id, w.kind, w.namespace, w.desired, w.scalable])).toEqual([
      ["container~lone-debug", "Container", null, 1, false],
      ["compose~probeshop~worker", "ComposeService", "probeshop", 1, false],
      ["compose~probeshop~web", "ComposeService", "probeshop", 1, false],
    ]);
    expect(workloads.find((w) => w.kind === "ComposeService")?.notScalableReason).toBe(COMPOSE_NOT_SCALABLE);
    expect(tasks.map((t) => [t.name, t.workloadId, t.node, t.state])).toEqual([
      ["lone-debug", "container~lone-debug", nodeId, "running"],
      ["probeshop_worker_1", "compose~probeshop~worker", nodeId, "running"],
      ["probeshop_web_1", "compose~probeshop~web", nodeId, "running"],
    ]);
  });
});

describe("container volumes", () => {
  // Recorded from Engine 20.10 (names changed): a Compose container with a named volume, an anonymous
  // one, a tmpfs and a read-only bind, listed in the engine's own order.
  const [db] = z.array(DockerContainerSummary).parse(mountsJson.containers);
  const anonymous = "c7744d58f7edb82e3cc4e7b336a38ff0ae2483ac0a7cbb62204ec11a58df5a60";

  it("lists a container's mounts by path, with the volume or host path that holds the data", () => {
    const [workload] = mapStandaloneWorkloads([db]);
    expect(WorkloadCoreSchema.parse(workload).volumes).toEqual([
      { name: "/anon", type: "volume", claim: anonymous, capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
      { name: "/run/cache", type: "tmpfs", claim: null, capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
      { name: "/srv/config", type: "bind", claim: "/srv/shop/config", capacityBytes: null, accessModes: ["read-only"], status: "mounted" },
      { name: "/var/lib/data", type: "volume", claim: "shop_pgdata", capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
    ]);
  });

  it("joins a scaled service's containers: shared volumes stay claims, each container's own anonymous volume is none", () => {
    const second = {
      ...db,
      Id: "second",
      Names: ["/shop-db-2"],
      State: "exited",
      Mounts: db.Mounts!.map((m) =>
        m.Name === anonymous ? { ...m, Name: "d".repeat(64) } : m.Destination === "/srv/config" ? { ...m, RW: true } : m,
      ),
    };
    const volumes = containerVolumes([second, db]);
    expect(volumes.find((v) => v.name === "/anon")).toMatchObject({ claim: null });
    expect(volumes.find((v) => v.name === "/var/lib/data")).toMatchObject({ claim: "shop_pgdata", status: "mounted" });
    // Mounted read-write by one container, read-only by the other.
    expect(volumes.find((v) => v.name === "/srv/config")?.accessModes).toEqual(["read-write", "read-only"]);
    expect(containerVolumes([second]).every((v) => v.status === "unmounted")).toBe(true);
    expect(containerVolumes([{ ...db, Mounts: null }])).toEqual([]);
  });
});
