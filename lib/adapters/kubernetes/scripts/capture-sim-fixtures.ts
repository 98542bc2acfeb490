/**
 * Captures a few objects as the Kubernetes simulator serves them over HTTP,
 * for the mapper tests. Run from the repo root:
 * `npx tsx lib/adapters/kubernetes/scripts/capture-sim-fixtures.ts`.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { startKubeSim } from "@/lib/sim/kubernetes";

async function main() {
  const sim = await startKubeSim({ content: "demo-east", timings: "fast", seed: 7 });
  const get = async (p: string) => {
    const res = await fetch(sim.url + p);
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    return res.json();
  };
  try {
    await sim.waitFor(
      () => sim.list("Pod").every((p) => (p as { status?: { phase?: string } }).status?.phase === "Running"),
      10_000,
      "pods running",
    );
    const pick = async (p: string, names: string[]) => {
      const list = (await get(p)) as { items: { metadata: { name: string } }[] };
      return names.map((n) => {
        const found = list.items.find((i) => i.metadata.name === n || i.metadata.name.startsWith(n));
        if (!found) throw new Error(`${p}: no ${n}`);
        return found;
      });
    };
    const fixtures = {
      nodes: await pick("/api/v1/nodes", ["east-control-plane", "east-worker-a"]),
      pods: await pick("/api/v1/pods", ["mysql-0", "web-"]),
      replicaSets: await pick("/apis/apps/v1/replicasets", ["web-"]),
      deployments: await pick("/apis/apps/v1/deployments", ["web"]),
      statefulSets: await pick("/apis/apps/v1/statefulsets", ["mysql"]),
      horizontalPodAutoscalers: await pick("/apis/autoscaling/v2/horizontalpodautoscalers", ["web"]),
      services: await pick("/api/v1/services", ["mysql", "web"]),
      endpointSlices: await pick("/apis/discovery.k8s.io/v1/endpointslices", ["mysql-"]),
      persistentVolumeClaims: await pick(
        "/api/v1/persistentvolumeclaims",
        [0, 1, 2].map((i) => `mysql-persistent-volume-mysql-${i}`),
      ),
      nodeMetrics: await pick("/apis/metrics.k8s.io/v1beta1/nodes", ["east-worker-a"]),
      podMetrics: await pick("/apis/metrics.k8s.io/v1beta1/pods", ["mysql-0"]),
    };
    const out = path.resolve("lib/adapters/kubernetes/fixtures/sim-demo-east.json");
    await writeFile(out, JSON.stringify(fixtures, null, 2) + "\n");
    console.log(`wrote ${out}`);
  } finally {
    await sim.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
