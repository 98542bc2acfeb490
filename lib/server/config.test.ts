import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADAPTER_MODULES } from "@/lib/adapters";
import { createLogger } from "@/lib/log";
import { OPENCOST_LIST_PRICES } from "@/lib/model/consumption";
import { applyEntries, clusterPricing, type Candidate } from "./cluster-plan";
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

describe("pricing", () => {
  const yaml = [
    "consumption:",
    "  pricing: { cpuCoreHour: 0.03, memoryGiBHour: 0.004 }",
    "clusters:",
    "  - id: prod",
    "    orchestrator: kubernetes",
    "    context: prod",
    "    pricing: { cpuCoreHour: 0.05, memoryGiBHour: 0.006, currency: EUR }",
    "  - id: dev",
    "    orchestrator: kubernetes",
    "    context: dev",
    "",
  ].join("\n");

  it("reads a fleet-wide sheet (USD unless said) and a cluster's own, which wins", async () => {
    const s = await withConfig(yaml);
    expect(s.consumption.pricing).toEqual({ cpuCoreHour: 0.03, memoryGiBHour: 0.004, currency: "USD" });
    const plan = applyEntries([], s.clusters, ADAPTER_MODULES, createLogger("test"));
    // The sheet is not part of the connection the adapter is given.
    expect(plan.find((c) => c.id === "prod")).toMatchObject({ pricing: { cpuCoreHour: 0.05, currency: "EUR" } });
    expect(plan.find((c) => c.id === "prod")!.connection).not.toHaveProperty("pricing");
    expect(clusterPricing(plan, s.consumption.pricing)).toEqual({
      prod: { cpuCoreHour: 0.05, memoryGiBHour: 0.006, currency: "EUR" },
      dev: { cpuCoreHour: 0.03, memoryGiBHour: 0.004, currency: "USD" },
    });
  });

  it("prices demo clusters at OpenCost's list prices and leaves unpriced real clusters without a cost", () => {
    const demo: Candidate = { id: "demo-east", name: "East", orchestrator: "kubernetes", connection: {}, demo: true };
    const real: Candidate = { id: "prod", name: "Prod", orchestrator: "kubernetes", connection: {}, demo: false };
    expect(clusterPricing([demo, real], undefined)).toEqual({ "demo-east": OPENCOST_LIST_PRICES });
    expect(OPENCOST_LIST_PRICES).toEqual({ cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, currency: "USD" });
  });

  it("names a bad sheet", async () => {
    await expect(withConfig("consumption:\n  pricing: { cpuCoreHour: -1, memoryGiBHour: 0.004 }\n")).rejects.toThrow(
      /consumption\.pricing\.cpuCoreHour/,
    );
    await expect(withConfig("consumption:\n  pricing: { cpuCoreHour: 0.03 }\n")).rejects.toThrow(/memoryGiBHour/);
    await expect(withConfig("consumption:\n  pricing: { cpuCoreHour: 0.03, memoryGiBHour: 0.004, currency: dollars }\n")).rejects.toThrow(
      /ISO 4217/,
    );
    await expect(withConfig("clusters:\n  - id: a\n    pricing: { cpu: 1 }\n")).rejects.toThrow(/clusters\.0\.pricing/);
  });
});

describe("prometheus", () => {
  const log = createLogger("test");

  it("is read per Kubernetes cluster, kept out of the connection, and named when wrong", async () => {
    const s = await withConfig(
      [
        "clusters:",
        "  - id: prod",
        "    orchestrator: kubernetes",
        "    context: prod",
        "    prometheus: { url: 'http://prometheus:9090', selector: 'cluster=\"prod\"' }",
      ].join("\n"),
    );
    const [prod] = applyEntries([], s.clusters, ADAPTER_MODULES, log);
    expect(prod.prometheus).toEqual({ url: "http://prometheus:9090", selector: 'cluster="prod"' });
    expect(prod.connection).not.toHaveProperty("prometheus");

    await expect(withConfig("clusters:\n  - id: a\n    prometheus: { url: 'ftp://x' }\n")).rejects.toThrow(/clusters\.0\.prometheus\.url/);
    await expect(withConfig("clusters:\n  - id: a\n    prometheus: { url: 'http://u:p@x:9090' }\n")).rejects.toThrow(
      /may not hold credentials/,
    );
    await expect(withConfig("clusters:\n  - id: a\n    prometheus: { url: 'http://x', selector: '{a=\"b\"}' }\n")).rejects.toThrow(
      /braces/,
    );
    const swarm = await withConfig("clusters:\n  - id: s\n    orchestrator: swarm\n    prometheus: { url: 'http://x:9090' }\n");
    expect(() => applyEntries([], swarm.clusters, ADAPTER_MODULES, log)).toThrow(/prometheus applies to Kubernetes clusters/);
  });
});
