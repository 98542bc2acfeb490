import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { ownerFor, settled } from "@/lib/testing/fault-harness";
import { startFleetControl, type FleetControl } from "./control";
import { startSimulators, type DemoFleet } from "./fleet";
import { startKubernetesDemo } from "./kubernetes";
import { startNomadDemo } from "./nomad";

let dir = "";
let fleet: DemoFleet;
let control: FleetControl;

const start = () => startSimulators([startKubernetesDemo, startNomadDemo], { dataDir: dir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-control-"));
  fleet = await start();
  control = await startFleetControl(fleet.controls);
});

afterEach(async () => {
  for (const c of Object.values(fleet.controls)) {
    c.faults.clear();
    await c.start();
  }
});

afterAll(async () => {
  await control?.close();
  await fleet?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a standard client holds: the kubeconfig's server and token for a context. */
async function kubeconfigUser(context: string) {
  const config = parse(await readFile(path.join(dir, "kubeconfig"), "utf8")) as {
    clusters: { name: string; cluster: { server: string } }[];
    users: { name: string; user: { token: string } }[];
  };
  return {
    server: config.clusters.find((c) => c.name === context)!.cluster.server,
    token: config.users.find((u) => u.name === `${context}-admin`)!.user.token,
  };
}

async function kubeGet(context: string, token?: string) {
  const user = await kubeconfigUser(context);
  return fetch(`${user.server}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token ?? user.token}` } });
}

const call = (method: string, route: string, body?: unknown, contentType = "application/json") =>
  fetch(`${control.url}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the fleet's control endpoint", () => {
  it("lists every simulated cluster with what it can be put through", async () => {
    const res = await call("GET", "/clusters");
    expect(res.status).toBe(200);
    const { clusters } = (await res.json()) as { clusters: { id: string; actions: string[]; faults: object }[] };
    expect(clusters.map((c) => c.id).sort()).toEqual(["demo-east", "demo-nomad", "demo-west"]);
    expect(clusters.find((c) => c.id === "demo-east")!.actions).toEqual([
      "stop",
      "start",
      "rotate-credentials",
      "expire-credentials",
      "compact-history",
    ]);
    expect(clusters.find((c) => c.id === "demo-nomad")!.actions).toEqual(["stop", "start"]);
  });

  it("puts faults on one cluster only, and clears them", async () => {
    const set = await call("PUT", "/clusters/demo-east/faults", { failShare: 1, failStatus: 503, retryAfterSeconds: 2 });
    expect(set.status).toBe(200);
    const failing = await kubeGet("demo-east");
    expect([failing.status, failing.headers.get("retry-after")]).toEqual([503, "2"]);
    expect((await kubeGet("demo-west")).status).toBe(200);
    expect((await call("DELETE", "/clusters/demo-east/faults")).status).toBe(200);
    expect((await kubeGet("demo-east")).status).toBe(200);
  });

  it("refuses what it cannot do with a 4xx, and changes nothing", async () => {
    const cases: [string, string, unknown, string | undefined, number][] = [
      ["PUT", "/clusters/demo-east/faults", { failShare: 2 }, undefined, 400],
      ["PUT", "/clusters/demo-east/faults", { explode: true }, undefined, 400],
      ["PUT", "/clusters/demo-east/faults", "{not json", undefined, 400],
      ["PUT", "/clusters/demo-east/faults", "failShare=1", "application/x-www-form-urlencoded", 415],
      ["PUT", "/clusters/nowhere/faults", { failShare: 1 }, undefined, 404],
      ["PUT", "/clusters/%E0%A4%A/faults", { failShare: 1 }, undefined, 400],
      ["GET", "/clusters/demo-east/faults", undefined, undefined, 405],
      ["GET", "/clusters/demo-east/stop", undefined, undefined, 405],
      ["POST", "/clusters/demo-east/explode", undefined, undefined, 404],
      ["POST", "/clusters/demo-nomad/rotate-credentials", undefined, undefined, 409],
      ["DELETE", "/clusters", undefined, undefined, 405],
      ["GET", "/elsewhere", undefined, undefined, 404],
    ];
    for (const [method, route, body, type, status] of cases) {
      const res = await call(method, route, body, type);
      expect([method, route, res.status]).toEqual([method, route, status]);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    expect(fleet.controls["demo-east"].faults.current).toEqual({});
    expect((await kubeGet("demo-east")).status).toBe(200);
  });

  it("refuses a cross-site request, and stops nothing", async () => {
    const attempts: Record<string, string>[] = [{ origin: "http://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of attempts) {
      const res = await fetch(`${control.url}/clusters/demo-nomad/stop`, { method: "POST", headers });
      expect([headers, res.status]).toEqual([headers, 403]);
    }
    const url = fleet.clusters.find((c) => c.id === "demo-nomad")!.connection as { address: string };
    expect((await fetch(`${url.address}/v1/status/leader`)).status).toBe(200);
  });

  it("stops a cluster (connections refused) and starts it again", async () => {
    expect((await call("POST", "/clusters/demo-nomad/stop")).status).toBe(200);
    const url = fleet.clusters.find((c) => c.id === "demo-nomad")!.connection as { address: string };
    await expect(fetch(`${url.address}/v1/status/leader`)).rejects.toThrow();
    expect((await call("POST", "/clusters/demo-nomad/start")).status).toBe(200);
    expect((await fetch(`${url.address}/v1/status/leader`)).status).toBe(200);
  });

  it("expires and rotates credentials; the identity survives a restart of the fleet", async () => {
    const first = await kubeconfigUser("demo-east");
    expect((await call("POST", "/clusters/demo-east/expire-credentials")).status).toBe(200);
    expect((await kubeGet("demo-east", first.token)).status).toBe(401);

    expect((await call("POST", "/clusters/demo-east/rotate-credentials")).status).toBe(200);
    const rotated = await kubeconfigUser("demo-east");
    expect(rotated.token).not.toBe(first.token);
    expect((await kubeGet("demo-east", first.token)).status).toBe(401);
    expect((await kubeGet("demo-east", rotated.token)).status).toBe(200);
    const west = await kubeconfigUser("demo-west");

    // A restarted fleet keeps the identity it had, as an API server keeps its own.
    await control.close();
    await fleet.close();
    fleet = await start();
    control = await startFleetControl(fleet.controls);
    expect((await kubeconfigUser("demo-east")).token).toBe(rotated.token);
    expect((await kubeGet("demo-east", rotated.token)).status).toBe(200);
    expect((await kubeGet("demo-west", west.token)).status).toBe(200);
    const identity = JSON.parse(await readFile(path.join(dir, "kubernetes-identity.json"), "utf8")) as {
      tokens: Record<string, { token: string }>;
    };
    expect(identity.tokens["demo-east"].token).toBe(rotated.token);
  }, 60_000);

  it("Fleetdeck following the fleet's kubeconfig comes back by itself after a rotation and a restart of the fleet", async () => {
    const adapter = new KubeAdapter(
      { kubeconfig: path.join(dir, "kubeconfig"), context: "demo-east" },
      { clusterId: "demo-east", log: createLogger("control-test"), secrets: new SecretSet(), env: {} },
      { requestTimeoutMs: 2_000, watchdogMs: 1_500, resyncMs: 120_000, backoff: { baseMs: 100, maxMs: 1_000 } },
    );
    const owner = ownerFor("demo-east", "kubernetes", adapter);
    try {
      await settled(owner);
      const wait = async (what: string, check: () => boolean) => {
        const deadline = Date.now() + 15_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`${what}: still ${owner.info().status}: ${owner.info().statusReason}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      // Compaction is ridden out without a word: the watches relist.
      const since = owner.info().statusSince;
      expect((await call("POST", "/clusters/demo-east/compact-history")).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(owner.info()).toMatchObject({ status: "ok", statusSince: since });

      await call("POST", "/clusters/demo-east/expire-credentials");
      await wait("unauthorized", () => owner.info().status === "unauthorized");
      await call("POST", "/clusters/demo-east/rotate-credentials");
      await wait("ok after the rotation", () => owner.info().status === "ok");

      await control.close();
      await fleet.close();
      fleet = await start();
      control = await startFleetControl(fleet.controls);
      await wait("ok after the restart", () => owner.info().status === "ok" && owner.info().synced);
      // It talks to the new process: what is done to that one shows.
      await call("POST", "/clusters/demo-east/expire-credentials");
      await wait("unauthorized by the new process", () => owner.info().status === "unauthorized");
      await call("POST", "/clusters/demo-east/rotate-credentials");
      await wait("ok after a rotation by the new process", () => owner.info().status === "ok");
    } finally {
      await owner.stop();
    }
  }, 90_000);
});
