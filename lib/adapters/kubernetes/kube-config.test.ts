import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import type { Logger } from "@/lib/log";
import { AdapterError } from "../errors";
import { buildKubeConfig, discoverKubeClusters, kubeconfigPaths } from "./kube-config";

function kubeconfig(contexts: { name: string; server: string; token?: string }[], current?: string) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": current ?? contexts[0]?.name ?? "",
    clusters: contexts.map((c) => ({ name: `${c.name}-cluster`, cluster: { server: c.server } })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: c.token ?? "s3cret-token" } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` } })),
  });
}

function silentLog() {
  const log: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), child: () => log };
  return log;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-kubeconfig-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("kubeconfigPaths", () => {
  it("splits KUBECONFIG and falls back to ~/.kube/config", () => {
    expect(kubeconfigPaths({ KUBECONFIG: `/a${path.delimiter}${path.delimiter}/b` })).toEqual(["/a", "/b"]);
    expect(kubeconfigPaths({ HOME: "/home/op" })).toEqual(["/home/op/.kube/config"]);
    expect(kubeconfigPaths({ KUBECONFIG: "/a" }, "/explicit")).toEqual(["/explicit"]);
  });
});

describe("discoverKubeClusters", () => {
  it("finds every context over several files, first definition winning, with URL-safe ids", async () => {
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    await writeFile(
      a,
      kubeconfig([
        { name: "Prod EU", server: "https://prod.example:6443" },
        { name: "kind-dev", server: "https://127.0.0.1:6443" },
      ]),
    );
    await writeFile(
      b,
      kubeconfig([
        { name: "kind-dev", server: "https://other:6443" },
        { name: "arn:aws:eks:eu-west-1:1:cluster/shop", server: "https://eks" },
      ]),
    );
    const env = { KUBECONFIG: [a, path.join(dir, "missing.yaml"), b].join(path.delimiter) };
    const found = await discoverKubeClusters(env, silentLog(), path.join(dir, "no-sa"));
    expect(found.map((c) => [c.id, c.name])).toEqual([
      ["prod-eu", "Prod EU"],
      ["kind-dev", "kind-dev"],
      ["arn-aws-eks-eu-west-1-1-cluster-shop", "arn:aws:eks:eu-west-1:1:cluster/shop"],
    ]);
    expect(found[0].connection).toEqual({ kubeconfig: env.KUBECONFIG, context: "Prod EU" });
    // The first file's kind-dev wins, as with kubectl.
    const kc = buildKubeConfig(found[1].connection, env);
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
  });

  it("answers no clusters without a kubeconfig, and no error for an unreadable one", async () => {
    const log = silentLog();
    expect(await discoverKubeClusters({ HOME: dir }, log, path.join(dir, "no-sa"))).toEqual([]);
    const broken = path.join(dir, "broken.yaml");
    await writeFile(broken, "clusters: [ {name: x, token: hunter2");
    expect(await discoverKubeClusters({ KUBECONFIG: broken }, log, path.join(dir, "no-sa"))).toEqual([]);
    expect(log.warn).toHaveBeenCalled();
    expect(JSON.stringify(vi.mocked(log.warn).mock.calls)).not.toContain("hunter2");
  });

  it("adds the in-cluster service account when its host and token exist", async () => {
    const sa = path.join(dir, "sa");
    await mkdir(sa);
    await writeFile(path.join(sa, "token"), "token");
    const env = { HOME: dir, KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    expect(await discoverKubeClusters(env, silentLog(), sa)).toEqual([
      { id: "in-cluster", name: "in-cluster", connection: { inCluster: true } },
    ]);
    expect(await discoverKubeClusters({ HOME: dir }, silentLog(), sa)).toEqual([]);
  });
});

describe("buildKubeConfig", () => {
  it("selects the context and lets plain-http servers through", async () => {
    const file = path.join(dir, "config");
    await writeFile(
      file,
      kubeconfig([
        { name: "one", server: "https://one:6443" },
        { name: "sim", server: "http://127.0.0.1:8001" },
      ]),
    );
    const kc = buildKubeConfig({ kubeconfig: file, context: "sim" }, {});
    expect(kc.getCurrentCluster()).toMatchObject({ server: "http://127.0.0.1:8001", skipTLSVerify: true });
    expect(buildKubeConfig({ kubeconfig: file }, {}).getCurrentCluster()).toMatchObject({ server: "https://one:6443" });
    expect(buildKubeConfig({ kubeconfig: file }, {}).getCurrentCluster()?.skipTLSVerify).toBeFalsy();
  });

  it("says what is missing as an invalid-configuration error", async () => {
    const file = path.join(dir, "config");
    await writeFile(file, kubeconfig([{ name: "one", server: "https://one:6443" }]));
    expect(() => buildKubeConfig({ kubeconfig: file, context: "two" }, {})).toThrow(/no context "two"/);
    expect(() => buildKubeConfig({ kubeconfig: path.join(dir, "nope") }, {})).toThrow(AdapterError);
  });
});
