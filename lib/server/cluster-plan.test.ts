import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AdapterModule } from "@/lib/adapters/module";
import { createLogger } from "@/lib/log";
import { addDemoClusters, applyEntries, discoverClusters, wantsDemo, type AdapterModules, type Candidate } from "./cluster-plan";

const log = createLogger("test");

function fakeModule(orchestrator: "kubernetes" | "docker", discover?: AdapterModule["discover"]): AdapterModule<unknown> {
  return {
    orchestrator,
    connectionSchema: z.object({ context: z.string() }).strict(),
    create: () => {
      throw new Error("not in this test");
    },
    discover,
  };
}

const modules: AdapterModules = {
  kubernetes: fakeModule("kubernetes", async () => [
    { id: "kind-dev", name: "kind-dev", connection: { context: "kind-dev" } },
    { id: "old-staging", name: "old-staging", connection: { context: "old-staging" } },
  ]),
  docker: fakeModule("docker", async () => [{ id: "docker-laptop", name: "Docker on laptop", connection: {}, ambient: true }]),
};

const entry = (fields: Record<string, unknown>) => ({ hidden: false, demo: false, ...fields }) as never;

describe("cluster plan", () => {
  it("discovers through every module and survives one that fails", async () => {
    const failing: AdapterModules = {
      ...modules,
      docker: fakeModule("docker", async () => {
        throw new Error("socket refused");
      }),
    };
    const found = await discoverClusters(failing, {}, log);
    expect(found.map((c) => [c.id, c.orchestrator])).toEqual([
      ["kind-dev", "kubernetes"],
      ["old-staging", "kubernetes"],
    ]);
  });

  it("clusters.yaml renames, hides and adds; a hidden or named cluster is no longer ambient", async () => {
    const discovered = await discoverClusters(modules, {}, log);
    const plan = applyEntries(
      discovered,
      [
        entry({ id: "kind-dev", name: "Dev (kind)" }),
        entry({ id: "old-staging", hidden: true }),
        entry({ id: "prod-eu", name: "Production EU", orchestrator: "kubernetes", context: "prod-eu" }),
        entry({ id: "docker-laptop", name: "My laptop" }),
      ],
      modules,
      log,
    );
    expect(plan.map((c: Candidate) => [c.id, c.name])).toEqual([
      ["kind-dev", "Dev (kind)"],
      ["docker-laptop", "My laptop"],
      ["prod-eu", "Production EU"],
    ]);
    expect(plan.find((c) => c.id === "prod-eu")!.connection).toEqual({ context: "prod-eu" });
    expect(plan.find((c) => c.id === "docker-laptop")!.ambient).toBe(false);
  });

  it("names a bad entry", () => {
    expect(() => applyEntries([], [entry({ id: "x", orchestrator: "kubernetes", contxt: "typo" })], modules, log)).toThrow(/cluster "x"/);
    expect(() => applyEntries([], [entry({ id: "y", orchestrator: "nomad" })], modules, log)).toThrow(/does not speak nomad/);
  });

  it("runs the demo fleet when forced, or when only ambient clusters are there", async () => {
    const laptop = await discoverClusters({ docker: modules.docker }, {}, log);
    expect(wantsDemo("auto", [])).toBe(true);
    expect(wantsDemo("auto", laptop)).toBe(true);
    const withKube = await discoverClusters(modules, {}, log);
    expect(wantsDemo("auto", withKube)).toBe(false);
    expect(wantsDemo(true, withKube)).toBe(true);
    expect(wantsDemo(false, [])).toBe(false);
  });

  it("adds demo clusters through their module's schema, after the configured ones", async () => {
    const withDefault: AdapterModules = {
      ...modules,
      docker: { ...fakeModule("docker"), connectionSchema: z.object({ pollSeconds: z.number().default(15) }).strict() },
    };
    const configured = await discoverClusters({ kubernetes: modules.kubernetes }, {}, log);
    const plan = addDemoClusters(
      configured,
      [
        { id: "kind-dev", name: "demo duplicate", orchestrator: "kubernetes", connection: { context: "x" } },
        { id: "demo-docker", name: "Demo Docker", orchestrator: "docker", connection: {} },
      ],
      withDefault,
    );
    expect(plan.map((c) => [c.id, c.demo])).toEqual([
      ["kind-dev", false],
      ["old-staging", false],
      ["demo-docker", true],
    ]);
    // The default filled in, as for a clusters.yaml entry (an adapter reading it raw would see undefined).
    expect(plan.at(-1)!.connection).toEqual({ pollSeconds: 15 });
    expect(() => addDemoClusters([], [{ id: "d", name: "d", orchestrator: "docker", connection: { typo: 1 } }], withDefault)).toThrow();
  });
});
