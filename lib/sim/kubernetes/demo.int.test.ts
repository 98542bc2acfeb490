import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { startKubernetesDemo } from "./index";
import type { RunningSimulator } from "../types";

let running: RunningSimulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("startKubernetesDemo", () => {
  it("starts two clusters and writes one kubeconfig whose contexts are the cluster ids", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kube-demo-"));
    running = await startKubernetesDemo({ dataDir: dir, host: "127.0.0.1" });
    const kubeconfig = path.join(dir, "kubeconfig");
    expect(running.clusters.map(({ usageAt, ...c }) => ({ ...c, usageAt: typeof usageAt }))).toEqual([
      {
        id: "demo-east",
        name: "demo-east",
        orchestrator: "kubernetes",
        connection: { kubeconfig, context: "demo-east" },
        usageAt: "function",
      },
      {
        id: "demo-west",
        name: "demo-west",
        orchestrator: "kubernetes",
        connection: { kubeconfig, context: "demo-west" },
        usageAt: "function",
      },
    ]);
    expect((await stat(kubeconfig)).mode & 0o077).toBe(0);
    // The token is in the file for clients, never in what is printed.
    expect(running.urls.join(" ")).not.toMatch(/token/i);
    expect(await readFile(kubeconfig, "utf8")).toMatch(/token: /);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    expect(kc.getContexts().map((c) => c.name)).toEqual(["demo-east", "demo-west"]);
    const names: Record<string, string[]> = {};
    for (const ctx of ["demo-east", "demo-west"]) {
      kc.setCurrentContext(ctx);
      const deployments = await kc.makeApiClient(k8s.AppsV1Api).listDeploymentForAllNamespaces();
      names[ctx] = deployments.items.map((d) => d.metadata!.name!);
    }
    expect(names["demo-east"]).toEqual(expect.arrayContaining(["web", "api", "worker", "coredns"]));
    expect(names["demo-west"]).toEqual(expect.arrayContaining(["storefront", "cart", "checkout"]));
    expect(names["demo-west"]).not.toContain("web");

    // A wrong token is refused; no credentials at all is allowed (kubectl sends none over http).
    const server = kc.getCluster("demo-east")!.server;
    expect((await fetch(`${server}/api/v1/pods`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${server}/api/v1/pods`)).status).toBe(200);
  });
});
