import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulators } from "./fleet";
import type { SimulatorStartOptions, StartSimulator } from "./types";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function fake(id: string, calls: SimulatorStartOptions[], closed: string[]): StartSimulator {
  return async (options) => {
    calls.push(options);
    return {
      label: id,
      urls: [`http://${options.host}:${options.basePort ?? 0}`],
      clusters: [{ id, name: id, orchestrator: "docker", connection: {} }],
      close: async () => {
        closed.push(id);
      },
    };
  };
}

describe("startSimulators", () => {
  it("starts every simulator with its own port block and keeps going when one fails", async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), "fleet-test-")), "nested");
    const calls: SimulatorStartOptions[] = [];
    const closed: string[] = [];
    const broken: StartSimulator = async () => {
      throw new Error("port in use");
    };
    const fleet = await startSimulators([fake("a", calls, closed), broken, fake("c", calls, closed)], { dataDir: dir, basePort: 7400 });
    expect(fleet.clusters.map((c) => c.id)).toEqual(["a", "c"]);
    expect(calls.map((c) => c.basePort)).toEqual([7400, 7420]);
    expect(calls.every((c) => c.host === "127.0.0.1" && c.dataDir === dir)).toBe(true);
    await fleet.close();
    expect(closed.sort()).toEqual(["a", "c"]);
  });

  it("leaves ports free to choose without a base port", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "fleet-test-"));
    const calls: SimulatorStartOptions[] = [];
    const fleet = await startSimulators([fake("a", calls, [])], { dataDir: dir });
    expect(calls[0].basePort).toBeUndefined();
    await fleet.close();
  });
});
