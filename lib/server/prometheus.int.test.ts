import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { startSimWithKubeconfig } from "@/lib/adapters/kubernetes/int-support";
import { PrometheusClient } from "@/lib/adapters/prometheus/client";
import { SecretSet } from "@/lib/adapters/secrets";
import { gridFor } from "@/lib/model/consumption";
import { prometheusScrapeConfig } from "@/lib/sim/kubernetes";
import { freePort } from "@/lib/testing/free-port";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";
import { prometheusHistory } from "./prometheus-history";

/**
 * The Prometheus path against a real Prometheus (Debian's, as CI installs
 * it) scraping the Kubernetes simulator's cAdvisor through the node proxy,
 * while the same cluster's built-in history samples metrics.k8s.io every
 * second. Both read the simulator's one model, so over the same windows the
 * figures must agree: CPU within 10% (rate() over a counter the simulator
 * integrates in 5 s steps), memory within 5%.
 */

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
const available = existsSync(PROMETHEUS);
if (!available && process.env.CI) throw new Error(`CI must run the Prometheus tests: ${PROMETHEUS} is missing (.ci/run installs it)`);

const TOKEN = "prometheus-test-token";
const ADMIN: Actor = { kind: "user", name: "test", grants: [{ role: "admin", clusters: "*" }], impersonation: null };
/** rate() reads a minute (kubernetesUsageQueries): a window needs that much scraping behind it. */
const WINDOW_MS = 60_000;
const STEP_MS = 15_000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!available)("consumption history from a real Prometheus", () => {
  let env: Awaited<ReturnType<typeof startSimWithKubeconfig>>;
  let dir: string;
  let prometheus: ChildProcess;
  let prometheusUrl: string;
  let owner: ClusterOwner;
  let client: PrometheusClient;
  const stderr: string[] = [];

  beforeAll(async () => {
    env = await startSimWithKubeconfig(
      { content: "demo-east", timings: "fast", tokens: [{ token: TOKEN, user: "admin", groups: ["system:masters"] }] },
      { east: TOKEN },
    );
    dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-prometheus-"));
    const nodes = [...env.sim.usageAt(Date.now()).nodes.keys()];
    const config = path.join(dir, "prometheus.yml");
    await writeFile(
      config,
      prometheusScrapeConfig({ clusters: [{ context: "east", server: env.sim.url, token: TOKEN, nodes }], scrapeIntervalSeconds: 1 }),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    for (let i = 0; ; i++) {
      const ready = await fetch(`${prometheusUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 200 || prometheus.exitCode !== null) throw new Error(`Prometheus did not start: ${stderr.join("").slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const log = memoryLogger();
    client = new PrometheusClient({ url: prometheusUrl, selector: 'cluster="east"' });
    owner = new ClusterOwner(
      {
        id: "east",
        name: "East",
        orchestrator: "kubernetes",
        demo: false,
        adapter: new KubeAdapter(
          { kubeconfig: env.kubeconfig, context: "east" },
          { clusterId: "east", log, secrets: new SecretSet(), env: {} },
        ),
        secrets: new SecretSet(),
        prometheus: client,
      },
      { usageStepSeconds: 1, usageRetainSeconds: 3600, log },
    );
    owner.start();
  }, 60_000);

  afterAll(async () => {
    await owner?.stop();
    prometheus?.kill("SIGTERM");
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the targets are up: every node's cAdvisor through the API server's node proxy, and kube-state-metrics", async () => {
    let targets: { health: string; labels: Record<string, string>; lastError: string }[] = [];
    for (let i = 0; i < 100; i++) {
      const body = await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json();
      targets = body.data.activeTargets;
      if (targets.length && targets.every((t) => t.health === "up")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(targets.map((t) => [t.labels.job, t.labels.cluster, t.health, t.lastError])).toEqual(
      targets.map((t) => [t.labels.job, "east", "up", ""]),
    );
    expect(new Set(targets.map((t) => t.labels.job))).toEqual(new Set(["kubernetes-cadvisor", "kube-state-metrics"]));
  }, 30_000);

  it("matches the built-in history over the same windows: CPU within 10%, memory within 5%", async () => {
    // Enough scraping for several whole windows of both.
    await new Promise((r) => setTimeout(r, WINDOW_MS + 4 * STEP_MS + 5_000));
    const grid = gridFor("1h", Date.now());
    const fromPrometheus = await prometheusHistory(client, owner.snapshot, grid);
    const since = grid.from;
    const compared: string[] = [];
    for (const workload of owner.snapshot.workloads.values()) {
      const key = `workload:${workload.id}`;
      const own = owner.history.points(key, since).filter((p) => p.cpuMillis !== null && p.memoryBytes !== null);
      if (own.length === 0) continue;
      const windows = fromPrometheus
        .points(key, since)
        // A point at t holds the window ending at t + step; only windows the built-in history saw whole.
        .filter((p) => p.t + STEP_MS - WINDOW_MS >= own[0].t + 1_000 && p.t + STEP_MS <= own.at(-1)!.t);
      if (windows.length < 3) continue;
      const ownIn = (end: number) => own.filter((p) => p.t > end - WINDOW_MS && p.t <= end);
      const ownCpu = mean(windows.map((p) => mean(ownIn(p.t + STEP_MS).map((s) => s.cpuMillis!))));
      const ownMemory = mean(windows.map((p) => mean(ownIn(p.t + STEP_MS).map((s) => s.memoryBytes!))));
      const promCpu = mean(windows.map((p) => p.cpuMillis!));
      const promMemory = mean(windows.map((p) => p.memoryBytes!));
      expect(Math.abs(promCpu - ownCpu) / ownCpu, `${workload.name} CPU: Prometheus ${promCpu} m, built-in ${ownCpu} m`).toBeLessThan(0.1);
      expect(Math.abs(promMemory - ownMemory) / ownMemory, `${workload.name} memory: ${promMemory} B vs ${ownMemory} B`).toBeLessThan(0.05);
      compared.push(workload.name);
    }
    // Every running workload of the preset takes part, not a lucky few.
    expect(compared.length).toBeGreaterThanOrEqual(Math.min(5, owner.snapshot.workloads.size));
  }, 150_000);

  it("serves /api/consumption from Prometheus; a query it refuses and a Prometheus that is gone say so", async () => {
    const fleet = new Fleet([owner], { readOnly: true, maxReplicas: 10, demo: false }, memoryLogger());
    const answer = await fleet.consumption(ADMIN, { groupBy: "workload", range: "1h" });
    expect(answer.source).toBe("prometheus");
    expect(answer.sources).toEqual({ east: "prometheus" });
    expect(answer.errors).toEqual({});
    expect(answer.items.some((i) => (i.cpu.usedAvgMillis ?? 0) > 0)).toBe(true);

    await expect(client.queryRange("sum by (", { start: Date.now() - 60_000, end: Date.now(), stepSeconds: 15 })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/refused the query \(HTTP 400\): bad_data: .*parse error/),
    });

    prometheus.kill("SIGTERM");
    await new Promise((resolve) => prometheus.once("exit", resolve));
    // Another range than above: nothing reused. The built-in history answers, and the error names the Prometheus.
    const fallback = await fleet.consumption(ADMIN, { groupBy: "workload", range: "6h" });
    expect(fallback.source).toBe("history");
    expect(fallback.errors.east).toMatchObject({ code: "upstream-prometheus" });
    expect(fallback.errors.east.message).toContain(`Prometheus at ${prometheusUrl}`);
    expect(fallback.errors.east.message).toMatch(/ECONNREFUSED.*figures from Fleetdeck's own history/);
    expect(fallback.items.some((i) => (i.cpu.usedAvgMillis ?? 0) > 0)).toBe(true);
  }, 60_000);
});
