import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { DockerClient } from "./client";
import { scaleSwarmService } from "./scale";

/**
 * A tiny stand-in for the Engine API, only for the "update out of sequence"
 * retry path, which a real engine produces only under a race. Another writer
 * bumps the service's version before each of the first `conflicts` updates,
 * so those updates carry a stale index and are refused as the engine does.
 */
async function outOfSequenceFakeEngine(conflicts: number) {
  const state = {
    version: 40,
    spec: {
      Name: "web",
      Labels: { team: "shop" },
      TaskTemplate: { ContainerSpec: { Image: "local/busybox:latest", Args: ["httpd", "-f"] } },
      Mode: { Replicated: { Replicas: 2 } },
    } as Record<string, unknown>,
    updates: [] as { version: number; body: Record<string, unknown> }[],
  };
  let remainingConflicts = conflicts;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      if (url.pathname === "/version") return send(200, { Version: "20.10.24", ApiVersion: "1.41", MinAPIVersion: "1.12" });
      // As the engine does, the service answers to its name too.
      if (req.method === "GET" && (url.pathname === "/v1.41/services/svc1" || url.pathname === "/v1.41/services/web")) {
        return send(200, { ID: "svc1", Version: { Index: state.version }, Spec: state.spec });
      }
      if (req.method === "POST" && url.pathname === "/v1.41/services/svc1/update") {
        const version = Number(url.searchParams.get("version"));
        state.updates.push({ version, body: JSON.parse(raw) });
        if (remainingConflicts > 0) {
          remainingConflicts--;
          state.version += 3; // someone else updated meanwhile
        }
        if (version !== state.version) {
          return send(500, { message: "rpc error: code = Unknown desc = update out of sequence" });
        }
        state.spec = JSON.parse(raw);
        state.version++;
        return send(200, { Warnings: null });
      }
      if (req.method === "GET" && url.pathname === "/v1.41/services") {
        const replicas = (state.spec.Mode as { Replicated: { Replicas: number } }).Replicated.Replicas;
        return send(200, [
          { ID: "svc1", Version: { Index: state.version }, Spec: state.spec, ServiceStatus: { RunningTasks: 2, DesiredTasks: replicas } },
        ]);
      }
      send(404, { message: `no such route ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { state, host: `tcp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("scaleSwarmService retry on update out of sequence", () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup) await c();
    cleanup = [];
  });

  async function setup(conflicts: number) {
    const fake = await outOfSequenceFakeEngine(conflicts);
    const client = new DockerClient({ host: fake.host });
    cleanup.push(() => client.close(), fake.close);
    return { fake, client };
  }

  it("re-inspects and retries with the new version index and the whole spec", async () => {
    const { fake, client } = await setup(2);
    const workload = await scaleSwarmService(client, "svc1", 5, undefined, { retryDelayMs: 1 });
    expect(workload).toMatchObject({ id: "svc1", desired: 5, ready: 2, scalable: true });
    expect(fake.state.updates.map((u) => u.version)).toEqual([40, 43, 46]);
    const last = fake.state.updates.at(-1)!.body;
    expect(last).toEqual({
      Name: "web",
      Labels: { team: "shop" },
      TaskTemplate: { ContainerSpec: { Image: "local/busybox:latest", Args: ["httpd", "-f"] } },
      Mode: { Replicated: { Replicas: 5 } },
    });
  });

  it("answers conflict when the service keeps changing", async () => {
    const { fake, client } = await setup(100);
    const err = await scaleSwarmService(client, "svc1", 3, undefined, { retryDelayMs: 1, maxAttempts: 4 }).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/update out of sequence/);
    expect(fake.state.updates).toHaveLength(4);
  });

  it("passes other upstream errors through with the engine's message", async () => {
    const { client } = await setup(0);
    const err = await scaleSwarmService(client, "missing", 3).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err.code).toBe("not-found");
    expect(err.message).toBe("no such route GET /v1.41/services/missing");
  });

  it("answers not-found for anything but a whole service id, and updates nothing", async () => {
    const { fake, client } = await setup(0);
    // "web" is the service's name, which the engine would resolve: a workload id is the id itself.
    for (const id of ["", "SVC1", "svc1/update", "web"]) {
      await expect(scaleSwarmService(client, id, 3)).rejects.toMatchObject({ code: "not-found" });
    }
    expect(fake.state.updates).toHaveLength(0);
  });
});
