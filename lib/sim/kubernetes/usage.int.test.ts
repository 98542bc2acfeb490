import { afterEach, describe, expect, it } from "vitest";
import { demoTaskKey } from "@/lib/model/demo";
import { startKubeSim, type KubeSimHandle } from "./sim";
import { prometheusScrapeConfig, fleetClustersYaml } from "./prometheus-config";
import { KUBE_STATE_METRICS_PATH } from "./server";
import { dailyCycle } from "../usage-model";
import type { Pod } from "./types";

let sim: KubeSimHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const nanocores = (q: string) => Number(q.slice(0, -1)) / 1e6;
const ki = (q: string) => Number(q.slice(0, -2)) * 1024;

/** Prometheus text format → samples (name, labels, value); enough for what the simulator writes. */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, "$1");
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const TOKEN = { token: "prom", user: "prometheus" };

describe("usageAt", () => {
  it("agrees with metrics.k8s.io for every running pod and node", async () => {
    for (const content of ["demo-east", "demo-west"] as const) {
      sim = await startKubeSim({ content, timings: "fast", tokens: [TOKEN] });
      const auth = { headers: { Authorization: "Bearer prom" } };
      // Metrics are computed at the moment of the request; bracket it and compare with both ends' model.
      const t0 = Date.now();
      const [pods, nodes] = await Promise.all(
        ["pods", "nodes"].map(async (r) => (await fetch(`${sim!.url}/apis/metrics.k8s.io/v1beta1/${r}`, auth)).json()),
      );
      const t1 = Date.now();
      const [a, b] = [sim.usageAt(t0), sim.usageAt(t1)];
      const near = (x: number, lo: number, hi: number, slack: number) => {
        expect(x).toBeGreaterThanOrEqual(Math.min(lo, hi) * 0.97 - slack);
        expect(x).toBeLessThanOrEqual(Math.max(lo, hi) * 1.03 + slack);
      };
      expect(pods.items.length).toBe(a.tasks.size);
      for (const p of pods.items as {
        metadata: { namespace: string; name: string };
        containers: { usage: { cpu: string; memory: string } }[];
      }[]) {
        const key = demoTaskKey(p.metadata.namespace, p.metadata.name);
        const cpu = p.containers.reduce((n, c) => n + nanocores(c.usage.cpu), 0);
        const memory = p.containers.reduce((n, c) => n + ki(c.usage.memory), 0);
        near(cpu, a.tasks.get(key)!.cpuMillis, b.tasks.get(key)!.cpuMillis, 0.01);
        near(memory, a.tasks.get(key)!.memoryBytes, b.tasks.get(key)!.memoryBytes, 1024);
      }
      expect(nodes.items.length).toBe(a.nodes.size);
      for (const n of nodes.items as { metadata: { name: string }; usage: { cpu: string; memory: string } }[]) {
        near(nanocores(n.usage.cpu), a.nodes.get(n.metadata.name)!.cpuMillis, b.nodes.get(n.metadata.name)!.cpuMillis, 0.01);
        near(ki(n.usage.memory), a.nodes.get(n.metadata.name)!.memoryBytes, b.nodes.get(n.metadata.name)!.memoryBytes, 1024);
      }
      await sim.close();
    }
  });

  it("has a daily cycle, idle workloads and one leaking to its limit", async () => {
    sim = await startKubeSim({ content: "demo-east", timings: "fast" });
    const now = Date.now();

    const day = Date.UTC(2026, 0, 5); // a Monday
    expect(dailyCycle(day + 13 * 3600_000)).toBeGreaterThan(0.9);
    expect(dailyCycle(day + 3 * 3600_000)).toBeLessThan(0.05);
    const at = (hour: number) =>
      [...sim!.usageAt(day + hour * 3600_000).tasks].filter(([k]) => k.startsWith("default/api-")).reduce((n, [, u]) => n + u.cpuMillis, 0);
    expect(at(13)).toBeGreaterThan(1.5 * at(3));

    const reports = [...sim.usageAt(now).tasks].filter(([k]) => k.startsWith("default/reports-"));
    expect(reports).toHaveLength(2);
    for (const [, u] of reports) expect(u.cpuMillis).toBeLessThan(0.1 * 500);

    const worker = sim.list<Pod>("Pod", "default").find((p) => p.metadata.name.startsWith("worker-"))!;
    const memory = Array.from(
      { length: 2000 },
      (_, i) => sim!.usageAt(now - i * 60_000).tasks.get(`default/${worker.metadata.name}`)!.memoryBytes,
    ).sort((x, y) => x - y);
    const limit = 2 * 1024 ** 3;
    expect(memory.at(-1)).toBeLessThanOrEqual(limit);
    expect(memory[Math.floor(memory.length * 0.95)]).toBeGreaterThan(0.9 * limit);
  });

  it("reports the OOM kills the model schedules: OOMKilled last state, rising restarts, a Warning event", async () => {
    sim = await startKubeSim({ content: "demo-west", timings: "fast" });
    const catalog = sim.list<Pod>("Pod", "shop").filter((p) => p.metadata.name.startsWith("catalog-"));
    expect(catalog).toHaveLength(2);
    // Bootstrapped an hour back with ~30-minute leaks: each has been killed at least once.
    for (const p of catalog) {
      const s = p.status.containerStatuses![0];
      expect(s.restartCount).toBeGreaterThan(0);
      expect(s.lastState.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    }
    const events = sim.list<{ regarding: { name: string }; type: string; reason: string } & import("./types").KubeObject>("Event", "shop");
    expect(events.some((e) => e.type === "Warning" && e.reason === "OOMKilling" && e.regarding.name.startsWith("catalog-"))).toBe(true);
  });
});

describe("cAdvisor and kube-state-metrics", () => {
  it("serves both in Prometheus text format, with values from the model, to the bearer token only", async () => {
    sim = await startKubeSim({ content: "demo-east", timings: "fast", tokens: [TOKEN] });
    const auth = { headers: { Authorization: "Bearer prom" } };
    const node = "east-worker-a";
    const path = `/api/v1/nodes/${node}/proxy/metrics/cadvisor`;
    expect((await fetch(`${sim.url}${path}`)).status).toBe(401);
    const scrape = async () => parseExposition(await (await fetch(`${sim!.url}${path}`, auth)).text());
    const first = await scrape();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1200));
    const second = await scrape();
    const t1 = Date.now();
    const cpu = (samples: typeof first) =>
      new Map(samples.filter((s) => s.name === "container_cpu_usage_seconds_total").map((s) => [s.labels.id, s]));
    const [c0, c1] = [cpu(first), cpu(second)];
    expect(c0.get("/")).toBeDefined();
    const onNode = sim.list<Pod>("Pod").filter((p) => p.spec.nodeName === node && p.status.phase === "Running");
    expect(
      [...c1.values()]
        .filter((s) => s.labels.container)
        .map((s) => s.labels.pod)
        .sort(),
    ).toEqual(onNode.map((p) => p.metadata.name).sort());
    const usage = sim.usageAt(t1);
    for (const [id, s] of c1) {
      expect(s.value).toBeGreaterThanOrEqual(c0.get(id)!.value);
      if (!s.labels.container) continue;
      expect(s.labels).toMatchObject({
        namespace: expect.any(String),
        image: expect.any(String),
        name: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(s.labels.id).toMatch(/^\/kubepods\.slice\/.*\.scope$/);
      // The counter's slope is the model's use (one container per pod in the demo).
      const rate = ((s.value - c0.get(id)!.value) / (t1 - t0)) * 1e6;
      const model = usage.tasks.get(demoTaskKey(s.labels.namespace, s.labels.pod))!.cpuMillis;
      expect(rate).toBeGreaterThan(model * 0.5);
      expect(rate).toBeLessThan(model * 1.6 + 5);
    }
    const mem = second.find((s) => s.name === "container_memory_working_set_bytes" && s.labels.id === "/")!;
    expect(mem.value / usage.nodes.get(node)!.memoryBytes).toBeCloseTo(1, 1);
    expect(second.find((s) => s.name === "machine_cpu_cores")!.value).toBe(8);

    const ksm = parseExposition(await (await fetch(`${sim.url}${KUBE_STATE_METRICS_PATH}`, auth)).text());
    const of = (name: string, labels: Record<string, string>) =>
      ksm.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const worker =
      onNode.find((p) => p.metadata.name.startsWith("worker-")) ??
      sim.list<Pod>("Pod", "default").find((p) => p.metadata.name.startsWith("worker-"))!;
    expect(of("kube_pod_container_resource_requests", { pod: worker.metadata.name, resource: "cpu", unit: "core" })[0].value).toBe(1);
    expect(of("kube_pod_container_resource_limits", { pod: worker.metadata.name, resource: "memory", unit: "byte" })[0].value).toBe(
      2 * 1024 ** 3,
    );
    expect(of("kube_pod_owner", { pod: worker.metadata.name, owner_kind: "ReplicaSet" })).toHaveLength(1);
    expect(of("kube_pod_info", { pod: worker.metadata.name, node: worker.spec.nodeName! })).toHaveLength(1);
    expect(of("kube_pod_container_status_restarts_total", { pod: worker.metadata.name })[0].value).toBe(
      worker.status.containerStatuses![0].restartCount,
    );
    expect(of("kube_pod_container_status_last_terminated_reason", { reason: "OOMKilled" }).length).toBeGreaterThan(0);
    expect(of("kube_node_status_allocatable", { node: "east-worker-c", resource: "cpu" })[0].value).toBe(3.9);
    expect(of("kube_node_status_capacity", { node: "east-worker-c", resource: "memory" })[0].value).toBe(16 * 1024 ** 3);
    // The over-committed node: requests above 90% of allocatable CPU.
    const requested = of("kube_pod_container_resource_requests", { node: "east-worker-c", resource: "cpu" }).reduce(
      (n, s) => n + s.value,
      0,
    );
    expect(requested / 3.9).toBeGreaterThan(0.9);
    expect(of("kube_deployment_labels", { deployment: "worker", label_team: "payments" })).toHaveLength(1);
  });

  it("writes a scrape config and clusters.yaml in the shapes Prometheus and Fleetdeck read", async () => {
    const { parse } = await import("yaml");
    const config = parse(
      prometheusScrapeConfig({
        clusters: [{ context: "demo-east", server: "http://127.0.0.1:7400", token: "t", nodes: ["a", "b"] }],
        scrapeIntervalSeconds: 5,
      }),
    );
    expect(config.global.scrape_interval).toBe("5s");
    expect(config.scrape_configs).toHaveLength(3);
    expect(config.scrape_configs[0]).toMatchObject({
      metrics_path: "/api/v1/nodes/a/proxy/metrics/cadvisor",
      scheme: "http",
      authorization: { credentials: "t" },
      static_configs: [{ targets: ["127.0.0.1:7400"], labels: { job: "kubernetes-cadvisor", cluster: "demo-east", node: "a" } }],
    });
    expect(config.scrape_configs[2]).toMatchObject({
      metrics_path: KUBE_STATE_METRICS_PATH,
      static_configs: [{ labels: { job: "kube-state-metrics", cluster: "demo-east" } }],
    });
    expect(parse(fleetClustersYaml({ kubeconfig: "/k", contexts: ["demo-east"] })).clusters[0]).toEqual({
      id: "demo-east",
      orchestrator: "kubernetes",
      kubeconfig: "/k",
      context: "demo-east",
      prometheus: { url: "http://127.0.0.1:9090", selector: 'cluster="demo-east"' },
    });
  });
});
