import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSettings } from "./config";
import { createFleet, getFleet, provideDemoFleet } from "./fleet";
import { replaceOnePerProcess } from "./process-one";

/** lib/server cannot import the simulators: the demo fleet's starter is handed to getFleet() from above (instrumentation.ts). */

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-demo-starter-"));
  const config = path.join(dir, "clusters.yaml");
  await fs.writeFile(config, "clusters: []\n");
  replaceOnePerProcess(
    "fleetdeck.settings",
    await loadSettings({ FLEETDECK_CONFIG: config, FLEETDECK_DEMO: "1", FLEETDECK_DISCOVER: "0" }),
  );
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("the demo fleet's starter", () => {
  it("is required when the demo is wanted, rather than serving an empty dashboard", async () => {
    await expect(createFleet()).rejects.toThrow(/no starter was given/);
  });

  it("is what getFleet() starts the demo with once provided, and closed with the Fleet", async () => {
    const close = vi.fn(async () => {});
    const start = vi.fn(async () => ({ clusters: [], close }));
    provideDemoFleet(start);
    const fleet = await getFleet();
    expect(start).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledWith({ dataDir: expect.stringContaining("fleetdeck-demo-") });
    expect(fleet.settings.demo).toBe(true);
    await fleet.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
