import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings } from "./config";

async function withConfig(yaml: string, env: Record<string, string> = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-config-"));
  const file = path.join(dir, "clusters.yaml");
  await fs.writeFile(file, yaml);
  return loadSettings({ FLEETDECK_CONFIG: file, ...env });
}

describe("loadSettings", () => {
  it("has safe defaults without a file", async () => {
    const s = await loadSettings({ FLEETDECK_CONFIG: undefined });
    expect(s).toMatchObject({ readOnly: false, demo: "auto", discover: true, maxReplicas: 1000, usageStepSeconds: 15 });
    expect(s.usageRetainSeconds).toBeGreaterThanOrEqual(3600);
  });

  it("reads clusters.yaml, and the environment wins", async () => {
    const s = await withConfig(
      "readOnly: false\ndemo: false\nmaxReplicas: 50\nclusters:\n  - id: prod\n    name: Production\n    orchestrator: kubernetes\n    context: prod\n",
      {
        FLEETDECK_READ_ONLY: "1",
      },
    );
    expect(s.readOnly).toBe(true);
    expect(s.demo).toBe(false);
    expect(s.maxReplicas).toBe(50);
    expect(s.clusters[0]).toMatchObject({ id: "prod", name: "Production", orchestrator: "kubernetes", context: "prod", hidden: false });
  });

  it("names what is wrong in a bad file", async () => {
    await expect(withConfig("maxReplicas: -1\n")).rejects.toThrow(/maxReplicas/);
    await expect(withConfig("clusters:\n  - id: Bad Id\n")).rejects.toThrow(/clusters\.0\.id/);
    await expect(withConfig("clusters:\n  - id: a\n  - id: a\n")).rejects.toThrow(/appears twice/);
    await expect(withConfig("colour: blue\n")).rejects.toThrow(/colour/);
    await expect(withConfig("clusters:\n  - id: a\n    orchestrator: openshift\n")).rejects.toThrow(/orchestrator/);
  });

  it("rejects a bad environment flag and a named file that is missing", async () => {
    await expect(withConfig("{}", { FLEETDECK_READ_ONLY: "maybe" })).rejects.toThrow(/FLEETDECK_READ_ONLY/);
    await expect(loadSettings({ FLEETDECK_CONFIG: "/nonexistent/clusters.yaml" })).rejects.toThrow(/cannot read/);
  });

  it("holds environment numbers to the file's bounds", async () => {
    expect((await withConfig("{}", { FLEETDECK_SAMPLE_SECONDS: "5", FLEETDECK_MAX_REPLICAS: "20" })).usageStepSeconds).toBe(5);
    // A sub-second step would make huge usage rings and sample without pause.
    await expect(withConfig("{}", { FLEETDECK_SAMPLE_SECONDS: "0.01" })).rejects.toThrow(/FLEETDECK_SAMPLE_SECONDS.*0\.01/);
    await expect(withConfig("{}", { FLEETDECK_SAMPLE_SECONDS: "900" })).rejects.toThrow(/FLEETDECK_SAMPLE_SECONDS/);
    await expect(withConfig("{}", { FLEETDECK_MAX_REPLICAS: "2.5" })).rejects.toThrow(/FLEETDECK_MAX_REPLICAS/);
    await expect(withConfig("{}", { FLEETDECK_MAX_REPLICAS: "many" })).rejects.toThrow(/FLEETDECK_MAX_REPLICAS/);
  });
});
