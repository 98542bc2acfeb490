import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADAPTER_MODULES } from "@/lib/adapters";
import { createLogger } from "@/lib/log";
import { applyEntries } from "./cluster-plan";
import { loadSettings } from "./config";

/** The README's clusters.yaml example must stay a valid configuration. */
describe("README clusters.yaml example", () => {
  it("parses with the real settings and connection schemas", async () => {
    const readme = await fs.readFile(path.join(process.cwd(), "README.md"), "utf8");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml, "README.md has a ```yaml block").toBeTruthy();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-readme-"));
    const file = path.join(dir, "clusters.yaml");
    await fs.writeFile(file, yaml!);
    const settings = await loadSettings({ FLEETDECK_CONFIG: file });
    const discovered = [{ id: "kind-dev", name: "kind-dev", orchestrator: "kubernetes" as const, connection: {}, demo: false }];
    const plan = applyEntries(discovered, settings.clusters, ADAPTER_MODULES, createLogger("test"));
    expect(plan.map((c) => c.orchestrator).sort()).toEqual(["ecs", "kubernetes", "kubernetes", "mesos", "nomad", "swarm"]);
    expect(plan.find((c) => c.id === "kind-dev")?.name).toBe("Dev (kind)");
    await fs.rm(dir, { recursive: true });
  });
});
