import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type Logger } from "@/lib/log";
import { NodeCoreSchema, ServiceSchema, TaskCoreSchema, WorkloadCoreSchema } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { kubeconfigYaml, startKubernetesDemo, type KubeSimHandle } from "@/lib/sim/kubernetes";
import { isScalable, isUsageSource } from "../types";
import { AdapterError } from "../errors";
import { SecretSet } from "../secrets";
import { FAST, startSimWithKubeconfig } from "./int-support";
import { KubeAdapter, type KubeTimings } from "./kube-adapter";
import { adapterModule } from "./index";
import { freePort } from "@/lib/testing/free-port";

/**
 * The adapter against the Kubernetes simulator over real HTTP: one simulator
 * for the file, test hooks for the failure modes, fast timings throughout.
 */

const ADMIN = "admin-token-for-tests";
const VIEWER = "viewer-token-for-tests";
const NO_SLICES = "no-slices-token-for-tests";

let sim: KubeSimHandle;
let kubeconfig: string;
let close = async () => {};

beforeAll(async () => {
  ({ sim, kubeconfig, close } = await startSimWithKubeconfig(
    {
      content: "demo-east",
      timings: "fast",
      bookmarkIntervalMs: 300,
      hpaSyncMs: 200,
      tokens: [
        { token: ADMIN, user: "kubernetes-admin" },
        { token: VIEWER, user: "fleetdeck-viewer", readOnly: true },
        { token: NO_SLICES, user: "no-slices", deny: ["endpointslices"] },
      ],
    },
    { admin: ADMIN, viewer: VIEWER, "no-slices": NO_SLICES },
  ));
});

afterAll(() => close());

const running: { controller: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.controller.abort();
    await r.done;
  }
  sim.resumeWatches();
  sim.setMetricsEnabled(true);
});

function adapterFor(context: string, options: Partial<KubeTimings> = FAST, log: Logger = createLogger("test")) {
  return new KubeAdapter({ kubeconfig, context }, { clusterId: context, log, secrets: new SecretSet(), env: {} }, options);
}

/** Starts an adapter and waits for its first full sync. */
async function follow(context = "admin", options: Partial<KubeTimings> = FAST, log?: Logger) {
  const adapter = adapterFor(context, options, log);
  const sink = new RecordingSink();
  const controller = new AbortController();
  running.push({ controller, done: adapter.run(sink, controller.signal) });
  await waitFor("first sync", () => sink.connection?.status === "ok" || sink.connection?.status === "degraded");
  return { adapter, sink };
}

const simPods = (ns: string, prefix: string) => sim.list("Pod", ns).filter((p) => p.metadata.name.startsWith(prefix));

describe("KubeAdapter against the simulator", () => {
  it("lists every resource into the model and reports the version", async () => {
    const { sink } = await follow();
    expect(sink.connection).toEqual({ status: "ok", reason: null, version: "v1.31.4-fleetdeck-sim" });
    expect(sink.items.nodes.size).toBe(sim.list("Node").length);
    expect(sink.items.nodes.get("east-control-plane")?.roles).toContain("control-plane");
    expect(sink.items.tasks.size).toBe(sim.list("Pod").length);

    const web = sink.items.workloads.get("deployment~default~web");
    expect(web).toMatchObject({ kind: "Deployment", scalable: true, autoscaler: { name: "web", minReplicas: 2, maxReplicas: 10 } });
    expect(sink.items.workloads.get("statefulset~default~mysql")).toMatchObject({ desired: 3, scalable: true });
    // ReplicaSets of Deployments are folded into them.
    expect([...sink.items.workloads.values()].filter((w) => w.kind === "ReplicaSet")).toEqual([]);

    const webTasks = [...sink.items.tasks.values()].filter((t) => t.workloadId === "deployment~default~web");
    expect(webTasks.length).toBe(simPods("default", "web-").length);
    expect(webTasks.every((t) => t.requests.cpuMillis === 100 && t.requests.memoryBytes === 128 * 1024 ** 2)).toBe(true);

    const mysql = sink.items.services.get("default~mysql");
    expect(mysql).toMatchObject({ headless: true, clusterIp: null });
    expect(mysql?.totalEndpoints).toBe(3);

    // Everything the adapter made is valid model data.
    for (const n of sink.items.nodes.values()) NodeCoreSchema.parse(n);
    for (const w of sink.items.workloads.values()) WorkloadCoreSchema.parse(w);
    for (const t of sink.items.tasks.values()) TaskCoreSchema.parse(t);
    for (const s of sink.items.services.values()) ServiceSchema.parse(s);
  });

  it("follows changes made in the cluster through the watch", async () => {
    const { sink } = await follow();
    sim.setNodeSchedulable("east-worker-c", false);
    await waitFor("cordon to arrive", () => sink.items.nodes.get("east-worker-c")?.schedulable === false);
    sim.setNodeSchedulable("east-worker-c", true);
    await waitFor("uncordon to arrive", () => sink.items.nodes.get("east-worker-c")?.schedulable === true);
    expect(sink.countsByResource.nodes.replace).toBe(1);
  });

  it("scales mysql from 3 to 5 and converges to 5 ready tasks", async () => {
    const { adapter, sink } = await follow();
    const answered = await adapter.scale("statefulset~default~mysql", 5);
    expect(answered).toMatchObject({ id: "statefulset~default~mysql", desired: 5 });
    const mysqlTasks = () => sink.tasksOf("statefulset~default~mysql");
    await waitFor(
      "5 ready mysql tasks",
      () =>
        mysqlTasks().filter((t) => t.ready && t.state === "running").length === 5 &&
        sink.items.workloads.get("statefulset~default~mysql")?.ready === 5,
    );
    await adapter.scale("statefulset~default~mysql", 3);
    await waitFor("back to 3 mysql tasks", () => mysqlTasks().length === 3);
  });

  it("answers a scaled Deployment with the autoscaler that will override it", async () => {
    const { adapter } = await follow();
    const answered = await adapter.scale("deployment~default~web", 4);
    expect(answered).toMatchObject({ desired: 4, autoscaler: { name: "web", minReplicas: 2, maxReplicas: 10 } });
    expect((sim.get("Deployment", "default", "web") as unknown as { spec: { replicas: number } }).spec.replicas).toBe(4);
    await adapter.scale("deployment~default~web", 3);
  });

  it("relists after its resourceVersion expired (410) and converges", async () => {
    const { sink } = await follow();
    const before = { nodes: sink.countsByResource.nodes.replace, tasks: sink.countsByResource.tasks.replace };
    sim.compact();
    sim.setNodeSchedulable("east-worker-b", false);
    await waitFor("change after compaction", () => sink.items.nodes.get("east-worker-b")?.schedulable === false);
    await waitFor(
      "relists",
      () => sink.countsByResource.nodes.replace > before.nodes && sink.countsByResource.tasks.replace > before.tasks,
    );
    sim.setNodeSchedulable("east-worker-b", true);
    await waitFor("change after relist", () => sink.items.nodes.get("east-worker-b")?.schedulable === true);
  });

  it("recovers when the apiserver restarts mid-watch", async () => {
    const { sink } = await follow();
    await sim.restart();
    sim.setNodeReady("east-worker-c", false);
    // The simulated kubelet stops posting: Ready turns Unknown.
    await waitFor("node status after restart", () => sink.items.nodes.get("east-worker-c")?.status === "unknown");
    await waitFor("ok again", () => sink.connection?.status === "ok");
    // Watches cut by the restart resume from their resourceVersion or relist; either way they are back.
    await waitFor("every watch reopened", () => sim.activeWatches >= 9);
    sim.setNodeReady("east-worker-c", true);
    await waitFor("ready again", () => sink.items.nodes.get("east-worker-c")?.status === "ready");
  });

  it("restarts a watch that went silent (watchdog)", async () => {
    const log = memoryLogger();
    const { sink } = await follow("admin", FAST, log);
    const relists = sink.countsByResource.nodes.replace;
    sim.pauseWatches();
    sim.setNodeSchedulable("east-worker-a", false);
    // The wedged watch cannot deliver it (nor can a watch opened while paused).
    await new Promise((r) => setTimeout(r, 400));
    expect(sink.items.nodes.get("east-worker-a")?.schedulable).toBe(true);
    sim.resumeWatches();
    // Only a new watch delivers now, and nothing but the watchdog ends the wedged one within the
    // test (the resync is FAST.resyncMs = 2 min, the server's timeoutSeconds longer still).
    await waitFor("change after the watchdog", () => sink.items.nodes.get("east-worker-a")?.schedulable === false, 20_000);
    expect(
      log.lines.some((l) => l.startsWith("warn watch delivered nothing within the watchdog time") && l.includes('"resource":"nodes"')),
    ).toBe(true);
    // Restarted from its resourceVersion: the change came as an event, not through a relist.
    expect(sink.countsByResource.nodes.replace).toBe(relists);
    sim.setNodeSchedulable("east-worker-a", true);
    await waitFor("later change", () => sink.items.nodes.get("east-worker-a")?.schedulable === true);
  });

  it("samples usage from metrics.k8s.io and answers null without metrics-server", async () => {
    const adapter = adapterFor("admin");
    const sample = await adapter.sampleUsage();
    expect(sample).not.toBeNull();
    expect(sample!.nodes.get("east-worker-a")?.cpuMillis).toBeGreaterThan(0);
    expect(sample!.nodes.get("east-worker-a")?.memoryBytes).toBeGreaterThan(0);
    const webPod = simPods("default", "web-").find((p) => (p as { status?: { phase?: string } }).status?.phase === "Running");
    expect(webPod).toBeDefined();
    expect(sample!.tasks.get(`default~${webPod!.metadata.name}`)?.cpuMillis).toBeGreaterThan(0);

    sim.setMetricsEnabled(false);
    expect(await adapter.sampleUsage()).toBeNull();
  });

  it("surfaces a 403 on scale as forbidden with the apiserver's reason", async () => {
    const viewer = adapterFor("viewer");
    const err = await viewer.scale("deployment~default~web", 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).code).toBe("forbidden");
    expect((err as AdapterError).message).toMatch(/fleetdeck-viewer.*cannot patch/);
    expect((sim.get("Deployment", "default", "web") as unknown as { spec: { replicas: number } }).spec.replicas).not.toBe(4);
  });

  it("refuses DaemonSets with the reason and unknown workloads as not found", async () => {
    const adapter = adapterFor("admin");
    await expect(adapter.scale("daemonset~kube-system~kube-proxy", 2)).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/one pod per eligible node/),
    });
    await expect(adapter.scale("deployment~default~nope", 2)).rejects.toMatchObject({ code: "not-found" });
    await expect(adapter.scale("cronjob~default~x", 2)).rejects.toMatchObject({ code: "not-found" });
  });

  it("reports degraded, naming the resource, when one list is forbidden", async () => {
    const { sink } = await follow("no-slices");
    expect(sink.connection?.status).toBe("degraded");
    expect(sink.connection?.reason).toMatch(/endpointslices/);
    expect(sink.items.nodes.size).toBe(sim.list("Node").length);
  });

  it("reports unreachable when nothing answers", async () => {
    const closed = path.join(path.dirname(kubeconfig), "closed");
    await writeFile(closed, kubeconfigYaml([{ context: "gone", server: `http://127.0.0.1:${await freePort()}`, token: ADMIN }]));
    const adapter = new KubeAdapter(
      { kubeconfig: closed, context: "gone" },
      { clusterId: "gone", log: createLogger("test"), secrets: new SecretSet(), env: {} },
      FAST,
    );
    const sink = new RecordingSink();
    const controller = new AbortController();
    running.push({ controller, done: adapter.run(sink, controller.signal) });
    await waitFor("unreachable", () => sink.connection?.status === "unreachable");
    expect(sink.connection?.reason).toMatch(/ECONNREFUSED/);
  });
});

describe("adapterModule with the demo fleet", () => {
  it("parses the demo clusters' connections and syncs each", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-kube-demo-"));
    const demo = await startKubernetesDemo({ dataDir, host: "127.0.0.1" });
    try {
      for (const cluster of demo.clusters) {
        const connection = adapterModule.connectionSchema.parse(cluster.connection);
        const adapter = adapterModule.create(connection, {
          clusterId: cluster.id,
          log: createLogger("test"),
          secrets: new SecretSet(),
          env: {},
        });
        expect(isScalable(adapter) && isUsageSource(adapter)).toBe(true);
        const sink = new RecordingSink();
        const controller = new AbortController();
        running.push({ controller, done: adapter.run(sink, controller.signal) });
        await waitFor(`${cluster.id} synced`, () => sink.connection?.status === "ok");
        expect(sink.items.nodes.size).toBeGreaterThan(0);
      }
    } finally {
      for (const r of running.splice(0)) {
        r.controller.abort();
        await r.done;
      }
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
