import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { isScalable, isUsageSource } from "@/lib/adapters/types";
import { startMesosSim, type MesosSim } from "@/lib/sim/mesos";
import { isForceScalable } from "@/lib/adapters/types";
import { DeploymentConflictError } from "./abilities";
import { MesosAdapter, type MesosTimings } from "./adapter";
import type { MesosConnection } from "./connection";
import { ENDPOINT_LABELS } from "./mappers";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";

const MASTER = { username: "ops", password: "master-secret" };
const MARATHON = { username: "deployer", password: "marathon-secret" };
const VIEWER = { username: "viewer", password: "viewer-secret" };
const MIB = 1024 * 1024;

// Polls and resyncs are far apart, so anything seen within a test arrived over Marathon's event stream.
const TIMINGS: Partial<MesosTimings> = {
  pollMs: 60_000,
  resyncMs: 60_000,
  coalesceMs: 20,
  usagePrimeMs: 150,
  backoff: { baseMs: 50, maxMs: 250 },
  requestTimeoutMs: 2_000,
  // The simulator's keep-alives come every 100 ms.
  streamIdleMs: 1_000,
};

let sim: MesosSim;
const running: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sim = await startMesosSim({ masterCredentials: MASTER, marathonCredentials: MARATHON, marathonViewer: VIEWER, standbyMaster: true });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});
afterAll(async () => {
  await sim.close();
});

function connect(connection?: MesosConnection) {
  const adapter = new MesosAdapter(
    connection ?? { master: { url: sim.masterUrl, ...MASTER }, marathon: { url: sim.marathonUrl, ...MARATHON } },
    { clusterId: "mesos-int", log: createLogger("mesos-int"), secrets: new SecretSet(), env: {} },
    TIMINGS,
  );
  const sink = new RecordingSink();
  const abort = new AbortController();
  const done = adapter.run(sink, abort.signal);
  running.push(async () => {
    abort.abort();
    await done;
  });
  return { adapter, sink };
}

async function synced(sink: RecordingSink) {
  await waitFor("a healthy first sync", () => sink.connection?.status === "ok" && sink.items.workloads.has("app~shop~web"));
}

describe("Mesos adapter against the simulated master, agents and Marathon", () => {
  it("lists agents, Marathon apps with their tasks and services, and other frameworks read-only", async () => {
    const { sink } = connect();
    await synced(sink);
    expect(sink.connection).toEqual({ status: "ok", reason: null, version: "Mesos 1.11.0 · Marathon 1.11.24" });

    const nodes = [...sink.items.nodes.values()];
    expect(nodes.map((n) => n.name).sort()).toEqual([...sim.world.agents.values()].map((a) => a.hostname).sort());
    const b1 = nodes.find((n) => n.name.startsWith("mesos-agent-b1"))!;
    expect(b1).toMatchObject({
      status: "ready",
      roles: ["spark"],
      labels: { rack: "r2", zone: "eu-west-1b", instance_type: "m5.4xlarge" },
      capacity: { cpuMillis: 16_000, memoryBytes: 63488 * MIB },
    });

    const web = await waitFor("the failing health check to show", () => {
      const w = sink.items.workloads.get("app~shop~web");
      return w?.info.Tasks?.endsWith(", 1 unhealthy") ? w : undefined;
    });
    expect(web).toMatchObject({ kind: "MarathonApp", namespace: "/shop", desired: 4, ready: 3, images: ["nginx:1.25-alpine"] });

    const kinds = [...sink.items.workloads.values()].map((w) => `${w.kind} ${w.name}`);
    expect(kinds).toEqual(expect.arrayContaining(["MesosFramework spark", "MesosFramework jenkins", "MarathonApp /redis"]));
    // Marathon's own framework is not shown twice: its tasks come from Marathon.
    expect(kinds).not.toContain("MesosFramework marathon");

    const tasks = [...sink.items.tasks.values()];
    for (const task of tasks) {
      expect(sink.items.workloads.has(task.workloadId!)).toBe(true);
      if (task.node !== null) expect(sink.items.nodes.has(task.node)).toBe(true);
    }
    const webTasks = tasks.filter((t) => t.workloadId === "app~shop~web");
    expect(webTasks).toHaveLength(4);
    expect(webTasks.filter((t) => !t.ready)).toHaveLength(1);
    expect(webTasks.find((t) => !t.ready)!.stateReason).toMatch(/^Unhealthy: HTTP GET \/healthz answered 503/);

    const waiting = tasks.filter((t) => t.workloadId === "app~analytics~warehouse-loader");
    expect(waiting).toHaveLength(2);
    expect(waiting[0]).toMatchObject({ state: "pending", node: null });
    expect(waiting[0].stateReason).toMatch(/Unschedulable: no offer fits: InsufficientCpus \(5 of 5 offers\)/);
    const loader = sink.items.workloads.get("app~analytics~warehouse-loader")!;
    expect(loader.info.Waiting).toMatch(/^2 instances waiting: Unschedulable/);
    expect(loader.events[0]).toMatchObject({ level: "warning", at: expect.any(String), message: loader.info.Waiting });

    const service = sink.items.services.get("svc~shop~web")!;
    expect(service.ports).toEqual([{ name: "http", port: 10000, targetPort: "80", protocol: "TCP", nodePort: null }]);
    const hostPorts = sim.world.tasksOf("/shop/web").map((t) => `${sim.world.agents.get(t.agentId)!.hostname}:${t.hostPorts[0]}`);
    expect(service.labels[ENDPOINT_LABELS.endpoints].split(" ").sort()).toEqual(hostPorts.sort());
  });

  it("scales over PUT /v2/apps, follows the result over the event bus, and refuses a second scale while the deployment runs", async () => {
    const { adapter, sink } = connect();
    await synced(sink);
    expect(isScalable(adapter) && isForceScalable(adapter)).toBe(true);
    const relists = sink.counts.replace;

    const scaled = await adapter.scale("app~shop~worker", 3);
    expect(scaled).toMatchObject({ id: "app~shop~worker", desired: 3 });
    expect(scaled.events[0]).toMatchObject({ level: "normal", message: "Scaled to 3 instances" });
    expect(sim.world.apps.get("/shop/worker")!.instances).toBe(3);

    // The deployment still holds the app: a plain scale is a conflict naming it, and changes nothing.
    const [deployment] = sim.world.deploymentsOf("/shop/worker");
    const conflict = await adapter.scale("app~shop~worker", 5).catch((err: unknown) => err);
    expect(conflict).toBeInstanceOf(DeploymentConflictError);
    expect((conflict as AdapterError).code).toBe("conflict");
    expect((conflict as AdapterError).message).toContain(deployment.id);
    expect((conflict as DeploymentConflictError).deploymentIds).toEqual([deployment.id]);
    expect(sim.world.apps.get("/shop/worker")!.instances).toBe(3);
    // The deployment's progress comes from /v2/deployments, read after its deployment_info event.
    await waitFor("the deployment's step", () =>
      sink.items.workloads.get("app~shop~worker")?.info.Deployments?.includes(`${deployment.id} (step 1 of 1: ScaleApplication)`),
    );

    await waitFor("three running worker tasks", () => {
      const running = [...sink.items.tasks.values()].filter((t) => t.workloadId === "app~shop~worker" && t.state === "running");
      return running.length === 3 && sink.items.workloads.get("app~shop~worker")?.ready === 3;
    });

    // Forcing is the explicit choice: it cancels the running deployment.
    const forced = await adapter.forceScale("app~shop~worker", 2);
    expect(forced.desired).toBe(2);
    expect(sim.world.deployments.has(deployment.id)).toBe(false);
    await waitFor("the third worker task gone", () => {
      const left = [...sink.items.tasks.values()].filter((t) => t.workloadId === "app~shop~worker");
      return left.length === 2 && left.every((t) => t.state === "running");
    });
    expect(sink.counts.replace).toBe(relists);
  });

  it("refuses to scale read-only, unknown and malformed requests with clear errors", async () => {
    const { adapter, sink } = connect();
    await synced(sink);
    const spark = [...sink.items.workloads.values()].find((w) => w.name === "spark")!;
    await expect(adapter.scale(spark.id, 2)).rejects.toMatchObject({ code: "invalid" });
    await expect(adapter.scale("app~no~such-app", 2)).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("does not exist"),
    });
    // Marathon's PUT would have created it; the adapter looked first.
    expect(sim.world.apps.has("/no/such-app")).toBe(false);
    // Ids this adapter never made name nothing, before any request.
    for (const id of ["nonsense", "app~%E0%A4%A", "app~shop~..~v2~info"]) {
      await expect(adapter.scale(id, 2)).rejects.toMatchObject({ code: "not-found" });
    }
  });

  it("reports wrong credentials without crashing, and degrades when only one side fails", async () => {
    const bad = connect({
      master: { url: sim.masterUrl, username: "ops", password: "wrong" },
      marathon: { url: sim.marathonUrl, username: "deployer", password: "wrong" },
    });
    const unreachable = await waitFor("the unauthorized state", () =>
      bad.sink.connection?.status === "unauthorized" ? bad.sink.connection : undefined,
    );
    expect(unreachable.reason).toContain("Mesos master: wrong or missing credentials (HTTP 401)");
    expect(unreachable.reason).toContain("Marathon: Invalid username or password. (HTTP 401)");
    expect(unreachable.reason).not.toContain('wrong"');
    expect(bad.sink.items.nodes.size).toBe(0);
    await expect(bad.adapter.scale("app~shop~web", 1)).rejects.toMatchObject({ code: "unauthorized" });

    const half = connect({
      master: { url: sim.masterUrl, ...MASTER },
      marathon: { url: sim.marathonUrl, username: "deployer", password: "wrong" },
    });
    const degraded = await waitFor("the degraded state", () =>
      half.sink.connection?.status === "degraded" ? half.sink.connection : undefined,
    );
    expect(degraded.reason).toMatch(/^Marathon: /);
    expect(half.sink.items.nodes.size).toBe(5);
  });

  it("shows Marathon's own 403 message when the identity may read but not scale", async () => {
    const { adapter, sink } = connect({ master: { url: sim.masterUrl, ...MASTER }, marathon: { url: sim.marathonUrl, ...VIEWER } });
    await synced(sink);
    const before = sim.world.apps.get("/shop/web")!.instances;
    await expect(adapter.scale("app~shop~web", before + 1)).rejects.toMatchObject({
      code: "forbidden",
      message: "Marathon: Not Authorized to perform this action! (HTTP 403)",
    });
    expect(sim.world.apps.get("/shop/web")!.instances).toBe(before);
  });

  it("reconnects when the event stream goes silent, keep-alives included", async () => {
    const { sink } = connect();
    await synced(sink);
    const opened = sim.eventStreamsOpened();
    const before = sink.connections.length;
    sim.stallEventStreams();
    const lost = await waitFor("the silent stream to be noticed", () => sink.connections.slice(before).find((c) => c.status !== "ok"));
    expect(lost.reason).toBe("Marathon event stream: sent nothing, not even a keep-alive, for 1 s");
    await waitFor("a new stream and the connection back", () => sim.eventStreamsOpened() > opened && sink.connection?.status === "ok");

    const api = sim.world.apps.get("/shop/api")!;
    sim.controller.scale(api, api.instances + 1, true);
    await waitFor(
      "the scaled app to arrive over the new stream",
      () => sink.items.workloads.get("app~shop~api")?.desired === api.instances,
    );
  });

  it("reconnects after the simulator restarts, relists, and follows events again", async () => {
    const { sink } = connect();
    await synced(sink);
    const before = sink.connections.length;
    await sim.restart(300);
    await waitFor("a lost connection to be reported", () => sink.connections.slice(before).some((c) => c.status !== "ok"));
    await waitFor("the connection to come back", () => sink.connection?.status === "ok", 8_000);

    const api = sim.world.apps.get("/shop/api")!;
    const result = sim.controller.scale(api, api.instances + 1, true);
    expect("deploymentId" in result).toBe(true);
    await waitFor(
      "the scaled app to arrive over the new stream",
      () => sink.items.workloads.get("app~shop~api")?.desired === api.instances,
    );
  });

  it("samples usage from the agents' /monitor/statistics", async () => {
    const { adapter, sink } = connect();
    await synced(sink);
    expect(isUsageSource(adapter)).toBe(true);
    const sample = await adapter.sampleUsage();
    expect(sample).not.toBeNull();
    expect(sample!.nodes.size).toBe(5);
    const webTask = sim.world.tasksOf("/shop/web").find((t) => t.state === "TASK_RUNNING")!;
    const use = sample!.tasks.get(webTask.id)!;
    expect(use.cpuMillis).toBeGreaterThan(0);
    expect(use.cpuMillis).toBeLessThanOrEqual(webTask.cpus * 1000 * 1.05);
    expect(use.memoryBytes).toBeGreaterThan(0);
    expect(use.memoryBytes).toBeLessThanOrEqual(webTask.memMb * MIB);
    // A node's use is the sum of what its executors use.
    const agentId = webTask.agentId;
    const onAgent = sim.world.tasksOn(agentId).map((t) => sample!.tasks.get(t.id)?.memoryBytes ?? 0);
    expect(sample!.nodes.get(agentId)!.memoryBytes).toBeCloseTo(
      onAgent.reduce((a, b) => a + b, 0),
      0,
    );
    // Spark's tasks run under custom executors and are measured too.
    const sparkTask = [...sim.world.tasks.values()].find((t) => t.executorId.startsWith("spark-executor"))!;
    expect(sample!.tasks.get(sparkTask.id)?.cpuMillis).toBeGreaterThan(0);
  });

  it("follows a standby master's redirect to the leader, keeping the credentials", async () => {
    const { sink } = connect({ master: { url: sim.standbyMasterUrl!, ...MASTER } });
    await waitFor("agents through the leader", () => sink.items.nodes.size === 5 && sink.connection?.status === "ok");
  });

  it("shows a cluster without Marathon read-only, Marathon's tasks under its framework", async () => {
    const { adapter, sink } = connect({ master: { url: sim.masterUrl, ...MASTER } });
    const marathon = await waitFor("Marathon's framework", () =>
      [...sink.items.workloads.values()].find((w) => w.kind === "MesosFramework" && w.name === "marathon"),
    );
    expect(marathon.scalable).toBe(false);
    expect(marathon.notScalableReason).toMatch(/No Marathon URL/);
    expect(sink.connection).toMatchObject({ status: "ok", version: "Mesos 1.11.0" });
    expect([...sink.items.tasks.values()].filter((t) => t.workloadId === marathon.id).length).toBe(
      [...sim.world.tasks.values()].filter((t) => t.frameworkId === sim.world.marathonFrameworkId).length,
    );
    await expect(adapter.scale("app~shop~web", 5)).rejects.toMatchObject({ code: "invalid" });
  });
});
