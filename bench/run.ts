/**
 * `npm run bench`: Fleetdeck's server side against the Kubernetes simulator,
 * each figure measured side by side with the naive alternative in one run.
 *
 *   1. Fan-out: many viewers reading through the snapshot store, against the
 *      same reads passed through to the apiserver. Upstream requests per read.
 *   2. Slim store: bytes of the pods as the apiserver sends them, against the
 *      slim tasks the store keeps.
 *   3. Scale convergence: from the scale call until the store shows every
 *      replica ready, with the demo fleet's realistic pod start-up times.
 */
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { createLogger } from "@/lib/log";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import { ClusterOwner } from "@/lib/server/cluster-owner";
import { Fleet } from "@/lib/server/fleet";

const log = createLogger("bench");
process.env.FLEETDECK_LOG ??= "warn";

/** A loopback proxy in front of the simulator that counts what reaches it. */
async function countingProxy(target: string) {
  const upstream = new URL(target);
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function fleetFor(sim: KubeSimHandle, server: string, dir: string): Promise<Fleet> {
  const kubeconfig = path.join(dir, `kubeconfig-${sim.port}`);
  await fs.writeFile(kubeconfig, kubeconfigYaml([{ context: "bench", server, token: "bench-token" }]));
  const adapter = new KubeAdapter({ kubeconfig, context: "bench" }, { clusterId: "bench", log });
  const owner = new ClusterOwner(
    { id: "bench", name: "bench", orchestrator: "kubernetes", demo: true, adapter },
    { usageStepSeconds: 15, usageRetainSeconds: 3600, log },
  );
  const fleet = new Fleet([owner], { readOnly: false, maxReplicas: 1000, demo: true }, log);
  fleet.start();
  for (const kind of ["nodes", "workloads", "tasks"] as const) await owner.listed(kind);
  return fleet;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(reads: number, viewers: number, read: () => Promise<unknown>) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: viewers }, async () => {
      for (let i = 0; i < reads / viewers; i++) {
        const t = performance.now();
        await read();
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function fanOut(dir: string) {
  const sim = await startKubeSim({ timings: "fast", tokens: [{ token: "bench-token", user: "bench" }] });
  const proxy = await countingProxy(sim.url);
  const fleet = await fleetFor(sim, proxy.url, dir);
  const viewers = 50;
  const reads = 3000;

  const before = proxy.count;
  const store = await timed(reads, viewers, () => fleet.tasks("bench", { selector: "app=mysql" }));
  const storeUpstream = proxy.count - before;

  const headers = { Authorization: "Bearer bench-token" };
  const direct = await timed(reads, viewers, async () => {
    const res = await fetch(`${proxy.url}/api/v1/pods?labelSelector=app%3Dmysql`, { headers });
    await res.arrayBuffer();
  });
  const directUpstream = proxy.count - before - storeUpstream;

  console.log(`\n1. Fan-out: ${reads} task-list reads by ${viewers} concurrent viewers`);
  console.log(`   through the snapshot store : ${storeUpstream} upstream requests, p50 ${fmt(store.p50)} ms, p95 ${fmt(store.p95)} ms, ${fmt(reads / store.seconds, 0)} reads/s`);
  console.log(`   passed through to the API  : ${directUpstream} upstream requests, p50 ${fmt(direct.p50)} ms, p95 ${fmt(direct.p95)} ms, ${fmt(reads / direct.seconds, 0)} reads/s`);
  console.log(`   ratio upstream requests store/pass-through: ${fmt(storeUpstream / directUpstream, 4)}; throughput ×${fmt(direct.seconds / store.seconds, 1)}`);

  // 2. What the store keeps per pod against what the apiserver sends.
  const raw = await (await fetch(`${sim.url}/api/v1/pods`, { headers })).text();
  const slim = JSON.stringify((await fleet.tasks("bench")).items);
  const pods = (JSON.parse(raw) as { items: unknown[] }).items.length;
  console.log(`\n2. Slim store: ${pods} pods`);
  console.log(`   apiserver JSON ${fmt(raw.length / 1024, 1)} KiB, store JSON ${fmt(slim.length / 1024, 1)} KiB: ratio ${fmt(slim.length / raw.length, 3)}`);

  await fleet.close();
  await proxy.close();
  await sim.close();
}

async function convergence(dir: string) {
  const sim = await startKubeSim({ timings: "demo", tokens: [{ token: "bench-token", user: "bench" }] });
  const fleet = await fleetFor(sim, sim.url, dir);
  const mysql = "statefulset~default~mysql";
  const readyMysql = async () =>
    (await fleet.tasks("bench", { workload: mysql })).items.filter((t) => t.ready && t.state === "running").length;

  console.log(`\n3. Scale convergence (demo timings), mysql StatefulSet`);
  for (const [from, to] of [
    [3, 5],
    [5, 3],
  ]) {
    const started = performance.now();
    const answer = await fleet.scale("bench", mysql, to, { name: "bench" });
    const answered = performance.now() - started;
    let ready = await readyMysql();
    while (ready !== to || (await fleet.tasks("bench", { workload: mysql })).items.length !== to) {
      await new Promise((r) => setTimeout(r, 25));
      ready = await readyMysql();
    }
    const converged = performance.now() - started;
    console.log(`   ${from} → ${to}: API answered desired=${answer.desired} in ${fmt(answered, 0)} ms; store showed ${to}/${to} ready after ${fmt(converged / 1000, 1)} s`);
  }
  await fleet.close();
  await sim.close();
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-bench-"));
  try {
    console.log(`Fleetdeck bench, Node ${process.version}, ${os.cpus().length} cores`);
    await fanOut(dir);
    await convergence(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
