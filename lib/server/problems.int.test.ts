import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterModule as kubernetes } from "@/lib/adapters/kubernetes";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import type { FleetProblem } from "@/lib/model/health";
import type { ClusterInfo, Workload } from "@/lib/model/types";
import { waitFor } from "@/lib/testing/recording-sink";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import type { KubeObject } from "@/lib/sim/kubernetes/types";
import { GET as getProblems } from "@/app/api/problems/route";
import { GET as getWorkloads } from "@/app/api/workloads/route";
import { GET as getTasks } from "@/app/api/tasks/route";
import { GET as getCluster } from "@/app/api/clusters/[clusterId]/route";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openTestAccess } from "./access/testing";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";
import { replaceOnePerProcess } from "./process-one";

/**
 * The health model end to end: the Kubernetes simulator's demo-west cluster
 * (a crash-looping Deployment, one that fits on no node) and a pull error
 * made on purpose, read through the real adapter and the routes, and each
 * problem gone again once it is fixed.
 */

const log = createLogger("problems-test");
const FLAGS = "deployment~shop~feature-flags";
let sim: KubeSimHandle;
let fleet: Fleet;
let dir: string;
let testAccess: Awaited<ReturnType<typeof openTestAccess>>;

const url = (p: string) => `http://fleetdeck.test${p}`;
async function json(res: Response) {
  return { status: res.status, body: await res.json() };
}
const problems = async (query = "") => json(await getProblems(new Request(url(`/api/problems${query}`)), { params: Promise.resolve({}) }));
const workloads = async (query = "") =>
  json(await getWorkloads(new Request(url(`/api/workloads${query}`)), { params: Promise.resolve({}) }));
const tasks = async (query = "") => json(await getTasks(new Request(url(`/api/tasks${query}`)), { params: Promise.resolve({}) }));
const of = (items: FleetProblem[], name: string) => items.filter((p) => p.object.name === name).map((p) => p.reason);

beforeAll(async () => {
  sim = await startKubeSim({ timings: "fast", content: "demo-west" });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-problems-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  await fs.writeFile(kubeconfig, kubeconfigYaml([{ context: "west", server: sim.url, token: "x" }]));
  const secrets = new SecretSet();
  const adapter = kubernetes.create({ kubeconfig, context: "west" }, { clusterId: "west", log, secrets, env: process.env });
  const owner = new ClusterOwner(
    { id: "west", name: "demo-west", orchestrator: "kubernetes", demo: true, adapter, secrets },
    { usageStepSeconds: 1, usageRetainSeconds: 3600, log },
  );
  fleet = new Fleet([owner], { readOnly: false, maxReplicas: 10, demo: true }, log);
  fleet.start();
  replaceOnePerProcess("fleetdeck.fleet", fleet);
  testAccess = await openTestAccess();
  testAccess.install();
});

afterAll(async () => {
  await fleet?.close();
  await sim?.close();
  await testAccess?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("problems from the Kubernetes simulator", () => {
  it("reads the crash loop and the pod that fits nowhere as critical, on their workloads, most severe first", async () => {
    const { status, body } = await problems();
    expect(status).toBe(200);
    const items = body.items as FleetProblem[];
    expect(of(items, "recommendations")).toContain("Crash loop");
    expect(of(items, "ml-batch")).toEqual(["Cannot be placed"]);
    const crash = items.find((p) => p.object.name === "recommendations" && p.reason === "Crash loop")!;
    expect(crash).toMatchObject({
      severity: "critical",
      clusterId: "west",
      clusterName: "demo-west",
      object: { kind: "workload", namespace: "shop" },
    });
    // In back-off, or up briefly between two: a crash loop either way.
    expect(crash.evidence).toMatch(
      /^recommendations-\S+: container recommendations(: CrashLoopBackOff: back-off | exited with Error).*\(\d+ restarts\)/,
    );
    const ranks = items.map((p) => (p.severity === "critical" ? 0 : 1));
    expect(ranks).toEqual([...ranks].sort());

    const recommendations = (await workloads("?q=recommendations&cluster=west")).body.items as (Workload & { clusterId: string })[];
    expect(recommendations).toHaveLength(1);
    expect(recommendations[0]).toMatchObject({ clusterId: "west", health: { state: "failing", tasks: { ready: 0, failing: 1 } } });

    const cluster = (
      await json(await getCluster(new Request(url("/api/clusters/west")), { params: Promise.resolve({ clusterId: "west" }) }))
    ).body as ClusterInfo;
    expect(cluster.status).toBe("ok"); // the connection is fine; what runs there is not
    expect(cluster.health.state).toBe("degraded");
    expect(cluster.summary.problems.critical).toBeGreaterThanOrEqual(2);
  });

  it("filters by severity and cluster, and refuses bad filters with 400 and unknown clusters with 404", async () => {
    const warnings = (await problems("?severity=warning")).body.items as FleetProblem[];
    expect(warnings.every((p) => p.severity === "warning")).toBe(true);
    expect((await problems("?severity=bad")).status).toBe(400);
    expect((await problems("?cluster=nowhere")).status).toBe(404);
    expect((await workloads("?selector=" + encodeURIComponent("app in (x"))).status).toBe(400);
    const pods = (await tasks("?selector=app%3Drecommendations")).body;
    expect(pods.items.length).toBeGreaterThan(0);
    expect(pods.items[0]).toMatchObject({ clusterId: "west", health: { state: "failing" } });
    expect(pods.errors).toEqual({});
  });

  it("reads an image no node can pull as critical, and clears it when the image is fixed", async () => {
    type Deployment = { spec: { template: { spec: { containers: { image: string }[] } } } };
    const good = sim.get<Deployment & KubeObject>("Deployment", "shop", "feature-flags")!.spec.template.spec.containers[0].image;
    const setImage = (image: string) =>
      sim.mutate<Deployment & KubeObject>("Deployment", "shop", "feature-flags", (d) => {
        d.spec.template.spec.containers[0].image = image;
      });
    setImage("registry.fleetdeck.invalid/feature-flags:9.9");
    const pulling = await waitFor("a pull error on feature-flags", async () => {
      const items = (await problems("?cluster=west")).body.items as FleetProblem[];
      return items.find((p) => p.object.id === FLAGS && p.reason === "Image cannot be pulled");
    });
    expect(pulling.severity).toBe("critical");
    expect(pulling.evidence).toMatch(/registry\.fleetdeck\.invalid\/feature-flags:9\.9/);

    setImage(good);
    await waitFor("the pull error to clear", async () => {
      const items = (await problems("?cluster=west")).body.items as FleetProblem[];
      return !items.some((p) => p.object.id === FLAGS) || null;
    });
  });

  it("clears the placement problem once the workload asks for nothing that cannot fit", async () => {
    sim.scale("Deployment", "shop", "ml-batch", 0);
    await waitFor("ml-batch to have no problem", async () => {
      const items = (await problems()).body.items as FleetProblem[];
      return !items.some((p) => p.object.name === "ml-batch") || null;
    });
  });
});
