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
 *   4. Soak: the server side as getFleet() starts it for the demo fleet
 *      (createFleet, the settings, every adapter and owner), churned for
 *      BENCH_SOAK_SECONDS (default 75) with scales, SSE-like subscriptions and
 *      reads; heap after forced GC (node --expose-gc), its slope, the active
 *      handles and timers, the store and the usage rings, warm-up against end.
 *      The simulators run in a worker thread (bench/demo-worker.ts), so their
 *      bounded buffers, which take an hour to fill, do not blur the server's heap.
 *   5. Access: what knowing who asks costs a read through the real route
 *      handler (anonymous, a session cookie, a display token: the last two
 *      look up SQLite), side by side; and a password sign-in (argon2id).
 *   6. History memory: bytes per series of the usage history's full tiers
 *      (15 s for the default 4 h, 1 min for a day, 5 min for a week), as
 *      computed from the typed arrays and as measured after forced GC while
 *      100 series are fed 8 days of 15 s samples.
 *
 *   7. Consumption: /api/consumption's answer for the demo fleet over 7 days
 *      (backfilled from the simulators' models), p50/p95 per grouping, side
 *      by side with the same over 1 hour; and how long the backfill took.
 *
 *   8. Faults: each orchestrator's real adapter put through every fault its
 *      simulator injects (lib/testing/fault-rig.ts), BENCH_FAULT_ROUNDS times
 *      (default 2): detect and recover per fault and orchestrator (the
 *      median of the rounds) against their goals, requests to a failing
 *      upstream with and without Retry-After, and heap after forced GC and
 *      active handles and timers after the first round against the last.
 *
 * BENCH_ONLY=history,soak (any of fanout, convergence, soak, access, history,
 * consumption, faults) runs only those parts.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { createLogger } from "@/lib/log";
import type { DemoCluster, StartDemoFleet } from "@/lib/model/demo";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import { startDemoFleet } from "@/lib/sim/fleet";
import { ClusterOwner } from "@/lib/server/cluster-owner";
import { tierCapacity, UsageHistoryStore } from "@/lib/server/history";
import { Worker } from "node:worker_threads";
import { SecretSet } from "@/lib/adapters/secrets";
import type { Actor } from "@/lib/server/authz";
import { createFleet, Fleet } from "@/lib/server/fleet";
import { SESSION_COOKIE } from "@/lib/server/access";
import { openTestAccess } from "@/lib/server/access/testing";
import { replaceOnePerProcess } from "@/lib/server/process-one";
import * as tasksRoute from "@/app/api/clusters/[clusterId]/tasks/route";
import { faultTable, measureFault, settled, type FaultMeasure } from "@/lib/testing/fault-harness";
import { FAULT_GOALS, RIG_ORCHESTRATORS, faultCase, faultNames, requestsWhileFailing, startFaultRig } from "@/lib/testing/fault-rig";

/** The bench acts as an admin of every cluster. */
const BENCH: Actor = { kind: "user", name: "bench", grants: [{ role: "admin", clusters: "*" }], impersonation: null };
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
  const secrets = new SecretSet();
  const adapter = new KubeAdapter({ kubeconfig, context: "bench" }, { clusterId: "bench", log, secrets, env: process.env });
  const owner = new ClusterOwner(
    { id: "bench", name: "bench", orchestrator: "kubernetes", demo: true, adapter, secrets },
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
  const store = await timed(reads, viewers, () => fleet.tasks(BENCH, "bench", { selector: "app=mysql" }));
  const storeUpstream = proxy.count - before;

  const headers = { Authorization: "Bearer bench-token" };
  const direct = await timed(reads, viewers, async () => {
    const res = await fetch(`${proxy.url}/api/v1/pods?labelSelector=app%3Dmysql`, { headers });
    await res.arrayBuffer();
  });
  const directUpstream = proxy.count - before - storeUpstream;

  console.log(`\n1. Fan-out: ${reads} task-list reads by ${viewers} concurrent viewers`);
  console.log(
    `   through the snapshot store : ${storeUpstream} upstream requests, p50 ${fmt(store.p50)} ms, p95 ${fmt(store.p95)} ms, ${fmt(reads / store.seconds, 0)} reads/s`,
  );
  console.log(
    `   passed through to the API  : ${directUpstream} upstream requests, p50 ${fmt(direct.p50)} ms, p95 ${fmt(direct.p95)} ms, ${fmt(reads / direct.seconds, 0)} reads/s`,
  );
  console.log(
    `   ratio upstream requests store/pass-through: ${fmt(storeUpstream / directUpstream, 4)}; throughput ×${fmt(direct.seconds / store.seconds, 1)}`,
  );

  // 2. What the store keeps per pod against what the apiserver sends.
  const raw = await (await fetch(`${sim.url}/api/v1/pods`, { headers })).text();
  const slim = JSON.stringify((await fleet.tasks(BENCH, "bench")).items);
  const pods = (JSON.parse(raw) as { items: unknown[] }).items.length;
  console.log(`\n2. Slim store: ${pods} pods`);
  console.log(
    `   apiserver JSON ${fmt(raw.length / 1024, 1)} KiB, store JSON ${fmt(slim.length / 1024, 1)} KiB: ratio ${fmt(slim.length / raw.length, 3)}`,
  );

  await fleet.close();
  await proxy.close();
  await sim.close();
}

async function convergence(dir: string) {
  const sim = await startKubeSim({ timings: "demo", tokens: [{ token: "bench-token", user: "bench" }] });
  const fleet = await fleetFor(sim, sim.url, dir);
  const mysql = "statefulset~default~mysql";
  const readyMysql = async () =>
    (await fleet.tasks(BENCH, "bench", { workload: mysql })).items.filter((t) => t.ready && t.state === "running").length;

  console.log(`\n3. Scale convergence (demo timings), mysql StatefulSet`);
  for (const [from, to] of [
    [3, 5],
    [5, 3],
  ]) {
    const started = performance.now();
    const answer = await fleet.scale(BENCH, "bench", mysql, to);
    const answered = performance.now() - started;
    let ready = await readyMysql();
    while (ready !== to || (await fleet.tasks(BENCH, "bench", { workload: mysql })).items.length !== to) {
      await new Promise((r) => setTimeout(r, 25));
      ready = await readyMysql();
    }
    const converged = performance.now() - started;
    console.log(
      `   ${from} → ${to}: API answered desired=${answer.desired} in ${fmt(answered, 0)} ms; store showed ${to}/${to} ready after ${fmt(converged / 1000, 1)} s`,
    );
  }
  await fleet.close();
  await sim.close();
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Active handles and timers by type, as process.getActiveResourcesInfo() names them. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const describeResources = (counts: Record<string, number>) =>
  `${total(counts)} (${Object.entries(counts)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")})`;

/** Heap after three forced collections (finalizers and weak references of one free more in the next). */
async function heapAfterGc() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("the soak needs node --expose-gc (npm run bench passes it)");
  for (let i = 0; i < 3; i++) {
    gc();
    await sleepMs(20);
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/** Least-squares slope of (minutes, bytes) points, in KiB per minute. */
function slopeKiBPerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return num / den / 1024;
}

function fleetTotals(fleet: Fleet) {
  const stats = Object.values(fleet.stats());
  const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((a, s) => a + f(s), 0);
  return {
    listeners: sum((s) => s.listeners),
    waiters: sum((s) => s.waiters),
    items: sum((s) => s.items),
    snapshotBytes: sum((s) => s.snapshotBytes),
    // The cluster, node and workload series and the tasks' short ones.
    rings: sum((s) => s.history.rings + s.taskHistory.rings),
    samples: sum((s) => s.history.samples + s.taskHistory.samples),
    ringBytes: sum((s) => s.history.bytes + s.taskHistory.bytes),
  };
}

/** The demo fleet in a worker thread: its own V8 heap, reported apart. */
function demoInWorker(): { start: StartDemoFleet; heapUsed(): Promise<number> } {
  let worker: Worker | null = null;
  const next = (type: string) =>
    new Promise<{ type: string; heapUsed?: number; clusters?: unknown; error?: string }>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type && m.type !== "failed") return;
        worker!.off("message", onMessage);
        resolve(m);
      };
      worker!.on("message", onMessage);
      worker!.once("error", reject);
    });
  return {
    async start({ dataDir }) {
      worker = new Worker(new URL("./demo-worker.ts", import.meta.url), { workerData: { dataDir } });
      const started = await next("started");
      if (started.type === "failed") throw new Error(`demo fleet: ${started.error}`);
      return {
        clusters: started.clusters as DemoCluster[],
        async close() {
          const closed = next("closed");
          worker!.postMessage({ type: "close" });
          await closed;
          await worker!.terminate();
        },
      };
    },
    async heapUsed() {
      const answer = next("heap");
      worker!.postMessage({ type: "heap" });
      return (await answer).heapUsed ?? NaN;
    },
  };
}

async function soak(dir: string) {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 75);
  if (!(seconds >= 10)) throw new Error(`BENCH_SOAK_SECONDS must be at least 10, got "${process.env.BENCH_SOAK_SECONDS}"`);
  const warmupSeconds = 15;
  const stepSeconds = 1;
  // The app's own start-up: demo fleet only, 1 s usage steps, the shortest history the config accepts.
  const config = path.join(dir, "soak-clusters.yaml");
  await fs.writeFile(config, `usage: { stepSeconds: ${stepSeconds}, retainMinutes: 60 }\n`);
  Object.assign(process.env, {
    FLEETDECK_CONFIG: config,
    FLEETDECK_DEMO: "1",
    FLEETDECK_DISCOVER: "0",
    FLEETDECK_SAMPLE_SECONDS: String(stepSeconds),
    FLEETDECK_READ_ONLY: "0",
    // The usage history persists in the storage layer: the bench's own, not the working tree's .data/.
    FLEETDECK_DATA_DIR: path.join(dir, "soak-data"),
  });
  const resourcesBefore = activeResources();
  const demo = demoInWorker();
  const fleet = await createFleet({ startDemo: demo.start });
  const clusters = fleet.listClusters(BENCH);

  // One scalable workload per cluster that can scale: flipped between n and n+2.
  const targets: Array<{ cluster: string; workload: string; from: number; to: number }> = [];
  for (const c of clusters) {
    if (!c.canScale) continue;
    const answer = await fleet.workloads(BENCH, c.id).catch(() => null);
    const w = answer?.items.find((x) => x.scalable && x.desired >= 1 && x.desired <= 3 && x.namespace !== "kube-system");
    if (w) targets.push({ cluster: c.id, workload: w.id, from: w.desired, to: w.desired + 2 });
  }
  let scales = 0;
  let scaleErrors = 0;
  let reads = 0;
  let readErrors = 0;
  let subscriptions = 0;
  let events = 0;
  let flip = false;
  const viewer = async (clusterId: string) => {
    const reads = [
      () => fleet.tasks(BENCH, clusterId),
      () => fleet.workloads(BENCH, clusterId),
      () => fleet.nodes(BENCH, clusterId),
      () => fleet.services(BENCH, clusterId),
      () => fleet.usage(BENCH, clusterId, { scope: "cluster", range: "15m" }),
    ];
    for (const read of reads) {
      try {
        await read();
      } catch {
        readErrors++;
      }
    }
    return reads.length;
  };
  /** One churn round: every target scaled, 25 SSE-like viewers subscribe, read every list, then leave. */
  const round = async () => {
    flip = !flip;
    await Promise.all(
      targets.map(async (t) => {
        try {
          await fleet.scale(BENCH, t.cluster, t.workload, flip ? t.to : t.from);
          scales++;
        } catch {
          scaleErrors++;
        }
      }),
    );
    const unsubscribers = Array.from({ length: 25 }, () => {
      subscriptions++;
      return fleet.subscribe(BENCH, () => events++);
    });
    for (let i = 0; i < 3; i++) {
      for (const c of clusters) reads += await viewer(c.id);
      await sleepMs(300);
    }
    unsubscribers.forEach((u) => u());
  };
  const churnUntil = async (deadline: number, onTick?: () => Promise<void>) => {
    let nextTick = performance.now();
    while (performance.now() < deadline) {
      await round();
      if (onTick && performance.now() >= nextTick) {
        await onTick();
        nextTick = performance.now() + 5_000;
      }
    }
  };

  await churnUntil(performance.now() + warmupSeconds * 1000);
  // The first collections after start-up still age out and flush compiled code; let them settle.
  for (let i = 0; i < 3; i++) await heapAfterGc();
  const warm = await heapAfterGc();
  const warmSims = await demo.heapUsed();
  const warmStore = fleetTotals(fleet);
  const warmResources = activeResources();
  const started = performance.now();
  const samples: Array<[number, number]> = [[0, warm.heapUsed]];
  const handleCounts = [total(warmResources)];
  await churnUntil(started + seconds * 1000, async () => {
    const h = await heapAfterGc();
    samples.push([(performance.now() - started) / 60_000, h.heapUsed]);
    handleCounts.push(total(activeResources()));
  });
  const end = await heapAfterGc();
  const endSims = await demo.heapUsed();
  samples.push([(performance.now() - started) / 60_000, end.heapUsed]);
  const endStore = fleetTotals(fleet);
  const endResources = activeResources();
  handleCounts.push(total(endResources));
  const minutes = (performance.now() - started) / 60_000;
  const secondHalf = samples.filter(([m]) => m >= minutes / 2);

  await Promise.all(targets.map((t) => fleet.scale(BENCH, t.cluster, t.workload, t.from).catch(() => undefined)));
  await fleet.close();
  await sleepMs(500);
  const resourcesAfter = activeResources();

  const mib = (n: number) => `${fmt(n / 1024 / 1024, 1)} MiB`;
  const kib = (n: number) => `${fmt(n / 1024, 1)} KiB`;
  console.log(
    `\n4. Soak: demo fleet through createFleet() as getFleet() runs it (${clusters.length} clusters, usage step ${stepSeconds} s, 60 min kept), ${fmt(minutes * 60, 0)} s of churn after ${warmupSeconds} s warm-up`,
  );
  console.log(
    `   churn: ${scales} scales (${scaleErrors} failed) of ${targets.map((t) => `${t.cluster}/${t.workload}`).join(", ")}; ${subscriptions} subscriptions (${events} events); ${reads} list reads (${readErrors} failed)`,
  );
  console.log(
    `   heap used after GC : warm-up ${mib(warm.heapUsed)}, end ${mib(end.heapUsed)}: ratio end/warm-up ${fmt(end.heapUsed / warm.heapUsed, 3)}`,
  );
  console.log(
    `   heap slope, 2nd half: ${fmt(slopeKiBPerMinute(secondHalf), 0)} KiB/min over ${secondHalf.length} samples (all: ${samples.map(([, y]) => fmt(y / 1024 / 1024, 1)).join(" ")} MiB)`,
  );
  console.log(`   simulators' heap (worker thread, bounded buffers filling): warm-up ${mib(warmSims)}, end ${mib(endSims)}`);
  console.log(
    `   array buffers      : warm-up ${mib(warm.arrayBuffers)}, end ${mib(end.arrayBuffers)}; rss warm-up ${mib(warm.rss)}, end ${mib(end.rss)}`,
  );
  console.log(`   active handles+timers: warm-up ${describeResources(warmResources)}`);
  console.log(`                          end     ${describeResources(endResources)}`);
  console.log(`                          at each sample ${handleCounts.join(" ")}`);
  console.log(`                          before start ${total(resourcesBefore)}, after close ${total(resourcesAfter)}`);
  console.log(
    `   store JSON         : warm-up ${kib(warmStore.snapshotBytes)} (${warmStore.items} items), end ${kib(endStore.snapshotBytes)} (${endStore.items} items)`,
  );
  console.log(
    `   usage rings        : warm-up ${warmStore.rings} rings, ${warmStore.samples} samples, ${mib(warmStore.ringBytes)}; end ${endStore.rings} rings, ${endStore.samples} samples, ${mib(endStore.ringBytes)}`,
  );
  console.log(
    `   owner listeners/waiters left: warm-up ${warmStore.listeners}/${warmStore.waiters}, end ${endStore.listeners}/${endStore.waiters}`,
  );
}

async function access(dir: string) {
  const sim = await startKubeSim({ timings: "fast", tokens: [{ token: "bench-token", user: "bench" }] });
  const fleet = await fleetFor(sim, sim.url, dir);
  const t = await openTestAccess({ publicOrigins: ["http://bench.local"] });
  replaceOnePerProcess("fleetdeck.fleet", fleet);
  t.install();
  await t.access.users.create({ username: "bench-user", password: "a bench password", role: "viewer" });
  const started = performance.now();
  const { secret } = await t.access.signIn("bench-user", "a bench password", null);
  const signInMs = performance.now() - started;
  const { token } = await t.access.tokens.create({ name: "bench-wall", createdBy: "bench" });
  const read = (headers: Record<string, string>) => async () => {
    const response = await tasksRoute.GET(new Request("http://bench.local/api/clusters/bench/tasks?limit=50", { headers }), {
      params: Promise.resolve({ clusterId: "bench" }),
    });
    if (response.status !== 200) throw new Error(`read answered ${response.status}`);
    await response.arrayBuffer();
  };
  const variants: [string, Record<string, string>][] = [
    ["anonymous", {}],
    ["session cookie", { cookie: `${SESSION_COOKIE.plain}=${secret}` }],
    ["display token", { authorization: `Bearer ${token}` }],
  ];
  const perRound = 500;
  const rounds = 4;
  for (const [, headers] of variants) await timed(perRound, 1, read(headers)); // warm every path first
  // Interleaved rounds, so that neither warm-up nor the machine's moods favour one variant; the median round counts.
  const p50s: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [label, headers] of variants) (p50s[label] ??= []).push((await timed(perRound, 1, read(headers))).p50);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\n5. Access: reads of 50 tasks through the route handler, one at a time, ${rounds} interleaved rounds of ${perRound} per variant (SQLite)`,
  );
  const base = median(p50s.anonymous);
  for (const [label] of variants) {
    const m = median(p50s[label]);
    console.log(
      `   ${label.padEnd(15)}: p50 ${fmt(m, 3)} ms (×${fmt(m / base, 2)} of anonymous; rounds ${p50s[label].map((x) => fmt(x, 3)).join(" ")})`,
    );
  }
  console.log(`   password sign-in (argon2id verify + session insert): ${fmt(signInMs, 1)} ms`);
  await fleet.close();
  await t.close();
  await sim.close();
}

async function historyMemory() {
  const seriesCount = 100;
  // The defaults: usage.stepSeconds 15, usage.retainMinutes 240, then COARSE_TIERS.
  const store = new UsageHistoryStore(15, 240 * 60);
  const t0 = Date.UTC(2026, 0, 1);
  const keys = Array.from({ length: seriesCount }, (_, i) => `workload:w${i}`);
  const before = await heapAfterGc();
  const measured: Array<[string, number]> = [];
  const marks = new Map([
    [3600 / 15, "1 h"],
    [86_400 / 15, "1 d"],
    [(8 * 86_400) / 15, "8 d"],
  ]);
  const started = performance.now();
  for (let i = 0; i <= (8 * 86_400) / 15; i++) {
    const values = new Map(keys.map((k, j) => [k, { cpuMillis: (i + j) % 500, memoryBytes: 1e8 + j }]));
    store.record(t0 + i * 15_000, values);
    const mark = marks.get(i);
    if (mark) {
      const h = await heapAfterGc();
      measured.push([mark, (h.heapUsed + h.arrayBuffers - before.heapUsed - before.arrayBuffers) / seriesCount]);
    }
  }
  const feedMs = performance.now() - started;
  const stats = store.stats();
  const kib = (n: number) => `${fmt(n / 1024, 1)} KiB`;
  console.log(`
6. History memory per series (tiers ${store.tiers.map((t) => `${t.stepSeconds} s × ${tierCapacity(t)}`).join(", ")})`);
  console.log(
    `   typed arrays, full 7-day tiers: ${kib(store.bytesPerSeries)} per series (${store.bytesPerSeries} bytes), fixed at creation`,
  );
  console.log(
    `   measured (heap + array buffers after GC, ${seriesCount} series, per series): ${measured.map(([at, b]) => `after ${at} ${kib(b)}`).join(", ")}`,
  );
  console.log(
    `   after 8 days of 15 s samples: ${stats.samples / seriesCount} slots held per series (capacity ${store.tiers.reduce((n, t) => n + tierCapacity(t), 0)}); fed in ${fmt(feedMs / 1000, 1)} s`,
  );
}

async function consumption(dir: string) {
  const config = path.join(dir, "consumption-clusters.yaml");
  await fs.writeFile(config, "{}\n");
  Object.assign(process.env, {
    FLEETDECK_CONFIG: config,
    FLEETDECK_DEMO: "1",
    FLEETDECK_DISCOVER: "0",
    FLEETDECK_SAMPLE_SECONDS: "15",
    FLEETDECK_DATA_DIR: path.join(dir, "consumption-data"),
  });
  const started = performance.now();
  // In this process: the backfill needs the simulators' models, which cannot cross to a worker thread.
  const fleet = await createFleet({ startDemo: (options) => startDemoFleet(options) });
  try {
    const simulated = fleet.listClusters(BENCH).filter((c) => c.demo && c.orchestrator !== "docker" && c.orchestrator !== "swarm");
    const week = { groupBy: "cluster", range: "7d" } as const;
    for (;;) {
      const answer = await fleet.consumption(BENCH, week);
      const covered = answer.items.filter((i) => simulated.some((c) => c.id === i.cluster) && i.coverage > 0.95);
      if (covered.length === simulated.length) break;
      if (performance.now() - started > 180_000)
        throw new Error(`the demo history was not backfilled in 3 minutes (${covered.length}/${simulated.length})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const backfillS = (performance.now() - started) / 1000;
    const stats = fleetTotals(fleet);
    console.log(`
7. Consumption over the demo fleet (${simulated.length} simulated clusters, ${stats.rings} history series; start, settling and 7-day backfill ${fmt(backfillS, 1)} s)`);
    const reads = 30;
    for (const groupBy of ["cluster", "tenant", "team", "workload", "node"] as const) {
      const row: string[] = [];
      for (const range of ["7d", "1h"] as const) {
        const times: number[] = [];
        let items = 0;
        for (let i = 0; i < reads; i++) {
          const t0 = performance.now();
          items = (await fleet.consumption(BENCH, { groupBy, range })).items.length;
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        row.push(`${range}: p50 ${fmt(percentile(times, 50), 1)} ms, p95 ${fmt(percentile(times, 95), 1)} ms (${items} items)`);
      }
      console.log(`   groupBy=${groupBy.padEnd(8)} ${row.join("   ")}`);
    }
  } finally {
    await fleet.close();
  }
}

async function faults() {
  const rounds = Math.max(1, Number(process.env.BENCH_FAULT_ROUNDS ?? 2));
  console.log(`\n8. Faults: every fault on every simulated orchestrator, ${rounds} round(s)`);
  const rig = await startFaultRig();
  try {
    const byCase = new Map<string, FaultMeasure[]>();
    const memory: { heapUsed: number; resources: Record<string, number> }[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const orchestrator of RIG_ORCHESTRATORS) {
        for (const name of faultNames(orchestrator)) {
          const result = await measureFault(rig.target(orchestrator), rig.bystander, faultCase(rig.controls[orchestrator], name));
          const key = `${orchestrator}\u0000${name}`;
          byCase.set(key, [...(byCase.get(key) ?? []), result]);
        }
      }
      // Every owner settled again, so the counts compare like with like.
      for (const owner of Object.values(rig.owners)) await settled(owner);
      memory.push({ heapUsed: (await heapAfterGc()).heapUsed, resources: activeResources() });
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const rows = [...byCase.values()].map((runs) => ({
      ...runs[0],
      detectMs: median(runs.map((r) => r.detectMs)),
      recoverMs: median(runs.map((r) => r.recoverMs)),
      bystanderChangeMs: median(runs.map((r) => r.bystanderChangeMs)),
      bystanderOk: runs.every((r) => r.bystanderOk),
    }));
    console.log(faultTable(rows, FAULT_GOALS));
    console.log("\n   requests to an upstream answering 503, in 4 s once every loop has failed:");
    for (const orchestrator of RIG_ORCHESTRATORS) {
      const owner = rig.owners[orchestrator];
      const control = rig.controls[orchestrator];
      const ownPace = await requestsWhileFailing(owner, control, undefined, 4_000);
      const asked = await requestsWhileFailing(owner, control, 4, 4_000);
      console.log(
        `   ${orchestrator.padEnd(11)} ${String(ownPace).padStart(3)} at its own back-off, ${String(asked).padStart(3)} with Retry-After: 4`,
      );
    }
    const [first, last] = [memory[0], memory[memory.length - 1]];
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    console.log(`\n   heap after GC: after round 1 ${mib(first.heapUsed)}, after round ${rounds} ${mib(last.heapUsed)}`);
    console.log(`   active handles+timers: after round 1 ${describeResources(first.resources)}`);
    console.log(`                          after round ${rounds} ${describeResources(last.resources)}`);
  } finally {
    await rig.close();
  }
}

/** Runs one part of the bench in a fresh process (the same runtime flags), its output inline. */
async function inOwnProcess(part: string): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]], {
    env: { ...process.env, BENCH_ONLY: part },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`bench part ${part} failed (exit ${code})`);
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-bench-"));
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const wanted = (part: string) => !only || only.includes(part);
  try {
    console.log(`Fleetdeck bench, Node ${process.version}, ${os.cpus().length} cores`);
    if (wanted("fanout")) await fanOut(dir);
    if (wanted("convergence")) await convergence(dir);
    if (wanted("soak")) await soak(dir);
    if (wanted("access")) await access(dir);
    if (wanted("history")) await historyMemory();
    // The settings and the storage are read once per process: after the soak, the consumption part gets its own.
    if (wanted("consumption")) await (only?.length === 1 ? consumption(dir) : inOwnProcess("consumption"));
    if (wanted("faults")) await (only?.length === 1 ? faults() : inOwnProcess("faults"));
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
