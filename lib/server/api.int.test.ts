import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterModule as kubernetes } from "@/lib/adapters/kubernetes";
import { createLogger } from "@/lib/log";
import { waitFor } from "@/lib/testing/recording-sink";
import type { ChangeEvent, ClusterInfo, Task, Workload } from "@/lib/model/types";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import { GET as getClusters } from "@/app/api/clusters/route";
import { GET as getEvents } from "@/app/api/events/route";
import { GET as getTasks } from "@/app/api/clusters/[clusterId]/tasks/route";
import { GET as getUsage } from "@/app/api/clusters/[clusterId]/usage/route";
import { POST as postScale } from "@/app/api/clusters/[clusterId]/workloads/[workloadId]/scale/route";
import { SecretSet } from "@/lib/adapters/secrets";
import { openTestAccess } from "./access/testing";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";
import { replaceOnePerProcess } from "./process-one";

/**
 * The HTTP API end to end on the server side: the route handlers, the fleet,
 * the Kubernetes adapter and the simulator over real HTTP.
 */

const log = createLogger("api-test");
const MYSQL = "statefulset~default~mysql";
const EXPORTER = "daemonset~kube-system~node-exporter";
const ADMIN: Actor = { kind: "user", name: "test-admin", grants: [{ role: "admin", clusters: "*" }], impersonation: null };
let sim: KubeSimHandle;
let fleet: Fleet;
let owners: ClusterOwner[];
let dir: string;
let testAccess: Awaited<ReturnType<typeof openTestAccess>>;

function ownerFor(id: string, context: string, kubeconfig: string) {
  const secrets = new SecretSet();
  const adapter = kubernetes.create({ kubeconfig, context }, { clusterId: id, log, secrets, env: process.env });
  return new ClusterOwner(
    { id, name: id, orchestrator: "kubernetes", demo: true, adapter, secrets },
    { usageStepSeconds: 1, usageRetainSeconds: 3600, log },
  );
}

function useFleet(f: Fleet) {
  replaceOnePerProcess("fleetdeck.fleet", f);
}

/** What the simulator's apiserver holds, whatever Fleetdeck believes. */
function mysqlReplicas(): number {
  return (sim.get("StatefulSet", "default", "mysql") as unknown as { spec: { replicas: number } }).spec.replicas;
}

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
const url = (p: string) => `http://fleetdeck.test${p}`;

function scale(cluster: string, workload: string, body: string, headers: Record<string, string> = {}) {
  const request = new Request(url(`/api/clusters/${cluster}/workloads/${workload}/scale`), {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  return postScale(request, ctx({ clusterId: cluster, workloadId: workload }));
}

async function tasks(cluster: string, query: string) {
  const res = await getTasks(new Request(url(`/api/clusters/${cluster}/tasks?${query}`)), ctx({ clusterId: cluster }));
  return { status: res.status, body: await res.json() };
}

/**
 * Puts mysql at `replicas` in the simulator (whatever an earlier test left)
 * and waits until Fleetdeck shows exactly that many ready pods, so a test
 * states the starting point it asserts against.
 */
async function mysqlAt(replicas: number): Promise<void> {
  if (mysqlReplicas() !== replicas) sim.scale("StatefulSet", "default", "mysql", replicas);
  await waitFor(
    `Fleetdeck to show ${replicas} ready mysql pods`,
    async () => {
      const items = (await tasks("east", "selector=app%3Dmysql")).body.items as Task[] | undefined;
      return items?.length === replicas && items.every((t) => t.ready && t.state === "running");
    },
    15_000,
  );
}

beforeAll(async () => {
  sim = await startKubeSim({
    timings: "fast",
    tokens: [
      { token: "admin-token", user: "admin" },
      { token: "viewer-token", user: "viewer", readOnly: true },
    ],
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-api-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  await fs.writeFile(
    kubeconfig,
    kubeconfigYaml([
      { context: "east", server: sim.url, token: "admin-token" },
      { context: "viewer", server: sim.url, token: "viewer-token" },
      // Nothing listens on port 9 of loopback: a cluster that cannot be reached.
      { context: "broken", server: "http://127.0.0.1:9", token: "x" },
    ]),
  );
  owners = [ownerFor("east", "east", kubeconfig), ownerFor("viewer", "viewer", kubeconfig), ownerFor("broken", "broken", kubeconfig)];
  fleet = new Fleet(owners, { readOnly: false, maxReplicas: 10, demo: true }, log);
  fleet.start();
  useFleet(fleet);
  // Anonymous visitors operate demo clusters by default; these are demo clusters.
  testAccess = await openTestAccess();
  testAccess.install();
  await fleet.workloads(ADMIN, "east");
});

afterAll(async () => {
  await fleet?.close();
  await sim?.close();
  await testAccess?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("GET /api/clusters", () => {
  it("lists every cluster; a broken one is unreachable with its reason while the others are ok", async () => {
    type Answer = { items: ClusterInfo[]; errors: Record<string, { message: string }> };
    const body = await waitFor(
      "east to sync and the broken cluster to be marked unreachable",
      async () => {
        const b = (await (await getClusters(new Request(url("/api/clusters")), ctx({}))).json()) as Answer;
        const settled = b.items.find((c) => c.id === "broken")?.status === "unreachable" && b.items.find((c) => c.id === "east")?.synced;
        return settled ? b : null;
      },
      15_000,
    );
    const byId = Object.fromEntries(body.items.map((c: ClusterInfo) => [c.id, c]));
    expect(byId.east).toMatchObject({ status: "ok", synced: true, orchestrator: "kubernetes", demo: true });
    expect(byId.east.summary.nodes).toBeGreaterThanOrEqual(3);
    expect(byId.broken.statusReason).toBeTruthy();
    expect(body.errors.broken.message).toBe(byId.broken.statusReason);
    expect(body.errors.east).toBeUndefined();
  });
});

describe("GET /api/clusters/{id}/tasks", () => {
  it("filters by a Kubernetes label selector", async () => {
    await mysqlAt(3);
    const { status, body } = await tasks("east", "selector=app%3Dmysql");
    expect(status).toBe(200);
    expect(body.items.length).toBe(3);
    expect(body.items.every((t: Task) => t.labels.app === "mysql" && t.workloadId === MYSQL)).toBe(true);
    const notMysql = await tasks("east", "selector=" + encodeURIComponent("app notin (mysql)"));
    expect(notMysql.body.items.length).toBeGreaterThan(0);
    expect(notMysql.body.items.some((t: Task) => t.labels.app === "mysql")).toBe(false);
  });

  it("answers a malformed selector with a 400 naming the problem", async () => {
    const { status, body } = await tasks("east", "selector=" + encodeURIComponent("tier in (db"));
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/selector: expected "," or "\)"/);
  });

  it("answers 404 for an unknown cluster and 502 for an unreachable one", async () => {
    expect((await tasks("nowhere", "")).status).toBe(404);
    const broken = await tasks("broken", "");
    expect(broken.status).toBe(502);
    expect(broken.body.error.message).toMatch(/broken/);
  });
});

describe("GET /api/clusters/{id}/usage", () => {
  it("rejects a bad range and a node scope without target", async () => {
    const call = (q: string) => getUsage(new Request(url(`/api/clusters/east/usage?${q}`)), ctx({ clusterId: "east" }));
    expect((await call("range=forever")).status).toBe(400);
    const noTarget = await call("scope=node");
    expect(noTarget.status).toBe(400);
    expect((await noTarget.json()).error.message).toMatch(/target/);
    expect((await call("range=15m")).status).toBe(200);
  });
});

describe("POST /api/clusters/{id}/workloads/{workloadId}/scale", () => {
  it.each([
    ['{"replicas":-1}', 422, /replicas must not be negative/],
    ['{"replicas":1.5}', 422, /whole number/],
    ['{"replicas":"three"}', 422, /must be a number/],
    ["{}", 422, /must be a number/],
    ['{"replicas":11}', 422, /at most 10/],
    ['{"replicas":2,"force":"yes"}', 422, /force must be true or false/],
    ['{"replicas":2,"force":true}', 422, /kubernetes has no forced scale/],
    ["[3]", 422, /JSON object/],
    ["replicas=3", 400, /not valid JSON/],
    ["", 400, /missing/],
    [JSON.stringify({ replicas: 3, padding: "x".repeat(5000) }), 413, /at most 4096 bytes/],
  ])("rejects %s with %i and changes nothing", async (body, status, message) => {
    await mysqlAt(3);
    const res = await scale("east", MYSQL, body);
    expect(res.status).toBe(status);
    expect((await res.json()).error.message).toMatch(message);
    expect(mysqlReplicas()).toBe(3);
  });

  it("answers 404 for unknown clusters and workloads, 422 for a DaemonSet with the reason", async () => {
    expect((await scale("nowhere", MYSQL, '{"replicas":2}')).status).toBe(404);
    const unknown = await scale("east", "statefulset~default~nope", '{"replicas":2}');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/statefulset~default~nope/);
    const ds = await scale("east", EXPORTER, '{"replicas":2}');
    expect(ds.status).toBe(422);
    expect((await ds.json()).error.message).toMatch(/DaemonSet/);
  });

  it("passes an upstream 403 through with the apiserver's reason", async () => {
    await mysqlAt(3);
    await fleet.workloads(ADMIN, "viewer");
    const res = await scale("viewer", MYSQL, '{"replicas":4}');
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(403);
    expect(body.error.message).toMatch(/viewer.*cannot patch/i);
    expect(mysqlReplicas()).toBe(3);
  });

  it("scales mysql 3 → 5, answers the new desired count, streams the change and converges", async () => {
    await mysqlAt(3);
    const stream = await getEvents(new Request(url("/api/events")), ctx({}));
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    const events: ChangeEvent[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (const m of buffer.matchAll(/^data: (.*)$/gm)) events.push(JSON.parse(m[1]));
        buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      }
    })();

    const res = await scale("east", MYSQL, '{"replicas":5}');
    expect(res.status).toBe(200);
    const workload: Workload = await res.json();
    expect(workload).toMatchObject({ id: MYSQL, desired: 5, kind: "StatefulSet" });

    const ready = await waitFor(
      "5 ready mysql pods",
      async () => {
        const r = await tasks("east", "selector=app%3Dmysql");
        return r.body.items.filter((t: Task) => t.ready && t.state === "running").length === 5 ? r : null;
      },
      15_000,
    );
    expect(ready.body.items.map((t: Task) => t.name).sort()).toEqual(["mysql-0", "mysql-1", "mysql-2", "mysql-3", "mysql-4"]);
    await waitFor("an SSE change event", () => events.some((x) => x.clusterId === "east" && x.resources.includes("tasks")));
    await reader.cancel();
    await reading.catch(() => {});
  });

  it("answers 403 in read-only mode and changes nothing", async () => {
    await mysqlAt(3);
    // The same running clusters, seen through a read-only fleet.
    const readOnly = new Fleet(owners, { readOnly: true, maxReplicas: 10, demo: false }, log);
    useFleet(readOnly);
    try {
      const res = await scale("east", MYSQL, '{"replicas":1}');
      expect(res.status).toBe(403);
      expect((await res.json()).error.message).toMatch(/read-only/);
    } finally {
      useFleet(fleet);
    }
    expect(mysqlReplicas()).toBe(3);
  });
});
