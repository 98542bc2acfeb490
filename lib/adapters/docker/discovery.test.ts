import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { dockerAdapterModule, swarmAdapterModule } from "./index";

/** A stand-in engine that is no swarm member and counts the probes (GET /_ping) it gets. */
async function fakeEngine() {
  const probes = { count: 0 };
  const server = http.createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.url === "/_ping") {
      probes.count++;
      return send("OK");
    }
    if (req.url === "/version") return send({ Version: "26.1.5", ApiVersion: "1.45", MinAPIVersion: "1.24" });
    if (req.url === "/v1.41/info")
      return send({ Name: "box", NCPU: 2, MemTotal: 2 ** 31, ServerVersion: "26.1.5", Swarm: { LocalNodeState: "inactive" } });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { probes, host, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("docker discovery", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it("probes the engine once and answers it in the mode it is in", async () => {
    const engine = await fakeEngine();
    cleanup.push(engine.close);
    const env = { DOCKER_HOST: engine.host };
    expect(await dockerAdapterModule.discover(env, memoryLogger())).toEqual([
      { id: "docker-box", name: "Docker on box", orchestrator: "docker", connection: { host: engine.host }, ambient: false },
    ]);
    expect(engine.probes.count).toBe(1);
    // The swarm module leaves discovery to the docker module: one probe for the family.
    expect(swarmAdapterModule.discover).toBeUndefined();
  });
});
