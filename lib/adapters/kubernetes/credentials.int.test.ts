import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import { SecretSet } from "../secrets";
import { stringify } from "yaml";
import { FAST } from "./int-support";
import { KubeAdapter } from "./kube-adapter";

/**
 * Credentials that change under a running adapter, as kubectl users and
 * cloud clusters see them: a kubeconfig rewritten with a new token, and a
 * token the cluster stops accepting.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(accepted: string[]) {
  const sim = await startKubeSim({
    content: "demo-east",
    timings: "fast",
    bookmarkIntervalMs: 300,
    tokens: accepted.map((token) => ({ token, user: "kubernetes-admin" })),
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-credentials-"));
  cleanups.push(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  const kubeconfig = path.join(dir, "kubeconfig");
  /** Rewrites the kubeconfig the way kubectl and editors do: a new file renamed over the old one. */
  const writeKubeconfig = async (sim: KubeSimHandle, token: string) => {
    const next = `${kubeconfig}.tmp`;
    await writeFile(next, kubeconfigYaml([{ context: "east", server: sim.url, token }]));
    await rename(next, kubeconfig);
  };
  return { sim, kubeconfig, writeKubeconfig };
}

function run(kubeconfig: string) {
  const adapter = new KubeAdapter(
    { kubeconfig, context: "east" },
    { clusterId: "east", log: createLogger("test"), secrets: new SecretSet(), env: {} },
    FAST,
  );
  const sink = new RecordingSink();
  const controller = new AbortController();
  const done = adapter.run(sink, controller.signal);
  cleanups.push(async () => {
    controller.abort();
    await done;
  });
  return sink;
}

describe("KubeAdapter when its credentials change", () => {
  it("says unauthorized, not unreachable or degraded, when every request is refused its token", async () => {
    const { sim, kubeconfig, writeKubeconfig } = await setup(["the-valid-token"]);
    await writeKubeconfig(sim, "a-revoked-token");
    const sink = run(kubeconfig);
    await waitFor("unauthorized", () => sink.connection?.status === "unauthorized");
    expect(sink.connection?.reason).toMatch(/Unauthorized/);
    expect(sink.connection?.reason).not.toContain("a-revoked-token");
  });

  it("follows a kubeconfig rewritten with a new token, without a restart", async () => {
    const { sim, kubeconfig, writeKubeconfig } = await setup(["the-new-token"]);
    await writeKubeconfig(sim, "the-old-token");
    const sink = run(kubeconfig);
    await waitFor("unauthorized", () => sink.connection?.status === "unauthorized");

    await writeKubeconfig(sim, "the-new-token");
    await waitFor("ok with the new token", () => sink.connection?.status === "ok", 15_000);
    await waitFor("listed", () => sink.items.tasks.size > 0);
    // And it follows the cluster from then on.
    const deployment = sim
      .list("Deployment")
      .find((d) => !sim.list("HorizontalPodAutoscaler").some((h) => h.metadata.name === d.metadata.name))!;
    const { namespace, name } = deployment.metadata;
    sim.scale("Deployment", namespace!, name, 5);
    await waitFor("the scale seen", () => [...sink.items.workloads.values()].find((w) => w.name === name)?.desired === 5);
  });

  it("follows a kubeconfig that points at another apiserver, relisting from it", async () => {
    const first = await setup(["token"]);
    const second = await startKubeSim({ content: "demo-west", timings: "fast", tokens: [{ token: "token", user: "kubernetes-admin" }] });
    cleanups.push(() => second.close());
    await first.writeKubeconfig(first.sim, "token");
    const sink = run(first.kubeconfig);
    await waitFor("ok", () => sink.connection?.status === "ok");
    const nodesOf = (sim: KubeSimHandle) =>
      sim
        .list("Node")
        .map((n) => n.metadata.name)
        .sort();
    await waitFor("first cluster's nodes", () => sink.items.nodes.size === nodesOf(first.sim).length);

    await first.writeKubeconfig(second, "token");
    await waitFor(
      "the second cluster's nodes",
      () => JSON.stringify([...sink.items.nodes.values()].map((n) => n.name).sort()) === JSON.stringify(nodesOf(second)),
      15_000,
    );
  });

  it("runs an exec plugin again once its credential expires, so short-lived tokens follow without a 401", async () => {
    const { sim, kubeconfig } = await setup(["token-1"]);
    const dir = path.dirname(kubeconfig);
    const tokenFile = path.join(dir, "token");
    const runs = path.join(dir, "runs");
    const plugin = path.join(dir, "plugin.mjs");
    await writeFile(tokenFile, "token-1");
    await writeFile(runs, "");
    // As `aws eks get-token` does: a token and when it expires (here 1.5 s from now).
    await writeFile(
      plugin,
      `import { appendFileSync, readFileSync } from "node:fs";
appendFileSync(${JSON.stringify(runs)}, "run\\n");
process.stdout.write(JSON.stringify({
  apiVersion: "client.authentication.k8s.io/v1",
  kind: "ExecCredential",
  status: { token: readFileSync(${JSON.stringify(tokenFile)}, "utf8"), expirationTimestamp: new Date(Date.now() + 1500).toISOString() },
}));`,
    );
    await writeFile(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "east",
        clusters: [{ name: "east", cluster: { server: sim.url } }],
        users: [
          {
            name: "exec",
            user: {
              exec: { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: [plugin], interactiveMode: "Never" },
            },
          },
        ],
        contexts: [{ name: "east", context: { cluster: "east", user: "exec" } }],
      }),
    );
    const sink = run(kubeconfig);
    await waitFor("ok", () => sink.connection?.status === "ok" && sink.items.tasks.size > 0, 15_000);
    const okStates = sink.connections.length;

    // The issuer moves on; both tokens are good until every token-1 handed out has expired, then only the new one.
    await writeFile(tokenFile, "token-2");
    sim.setTokens(["token-1", "token-2"].map((token) => ({ token, user: "kubernetes-admin" })));
    await new Promise((r) => setTimeout(r, 1_600));
    sim.setTokens([{ token: "token-2", user: "kubernetes-admin" }]);
    sim.closeWatches();

    const deployment = sim.list("Deployment")[0];
    const { namespace, name } = deployment.metadata;
    const replicas = ((deployment.spec as { replicas?: number }).replicas ?? 1) + 1;
    sim.scale("Deployment", namespace!, name, replicas);
    await waitFor("the scale seen", () => [...sink.items.workloads.values()].find((w) => w.name === name)?.desired === replicas, 15_000);
    expect((await readFile(runs, "utf8")).split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(2);
    // The expired token was never sent: not one request refused, and the cluster never read as anything but ok.
    expect(sim.refusedCredentials).toBe(0);
    expect(sink.connections.slice(okStates).filter((c) => c.status !== "ok")).toEqual([]);
  }, 30_000);
});
