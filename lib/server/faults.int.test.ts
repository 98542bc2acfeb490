import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { NomadAdapter } from "@/lib/adapters/nomad/adapter";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { SecretSet } from "@/lib/adapters/secrets";
import { EcsAdapter } from "@/lib/adapters/ecs/adapter";
import { EcsConnectionSchema } from "@/lib/adapters/ecs/connection";
import { MesosAdapter } from "@/lib/adapters/mesos/adapter";
import { DEMO_CREDENTIALS, seedDemoWorld } from "@/lib/sim/ecs";
import { startEcsSim, type EcsSim } from "@/lib/sim/ecs/server";
import { startMesosSim, type MesosSim } from "@/lib/sim/mesos";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import type { DeploymentObject } from "@/lib/sim/kubernetes/types";
import { seedNomadDemo, startNomadSim, type NomadSim } from "@/lib/sim/nomad";
import type { FaultSpec } from "@/lib/sim/faults";
import {
  faultTable,
  measureFault,
  ownerFor,
  settled,
  type FaultCase,
  type FaultMeasure,
  type FaultTarget,
} from "@/lib/testing/fault-harness";
import type { Snapshot } from "./snapshot";
import type { ClusterOwner } from "./cluster-owner";

/**
 * Every fault a simulator can inject, against the real adapter and owner:
 * the status and reason must come right, the cluster must come back by
 * itself once the fault clears, and a bystander cluster must not notice.
 * Timings are the adapters' own, shortened alike (a 2 s request timeout, a
 * 1.5 s watchdog, back-off capped at 1 s), so the goals scale with them.
 */

const REQUEST_TIMEOUT_MS = 2_000;
const BACKOFF = { baseMs: 100, maxMs: 1_000 };
// Detect within two request timeouts (a hang is seen only when one ends); recover within a back-off plus a relist.
const GOALS = { detectMs: 2 * REQUEST_TIMEOUT_MS + 1_000, recoverMs: 2 * BACKOFF.maxMs + 3_000 };

let dir = "";
let kube: KubeSimHandle;
let bystanderSim: KubeSimHandle;
let nomad: NomadSim;
let mesos: MesosSim;
let ecs: EcsSim;
const owners: ClusterOwner[] = [];
let kubeOwner: ClusterOwner;
let nomadOwner: ClusterOwner;
let mesosOwner: ClusterOwner;
let ecsOwner: ClusterOwner;
let bystander: ClusterOwner;
const measured: FaultMeasure[] = [];

const TOKEN = "the-token";
const kubeconfig = () => path.join(dir, "kubeconfig");
async function writeKubeconfig(token: string) {
  await writeFile(`${kubeconfig()}.new`, kubeconfigYaml([{ context: "east", server: kube.url, token }]));
  await rename(`${kubeconfig()}.new`, kubeconfig());
}

function kubeAdapter(file: string, context: string) {
  return new KubeAdapter(
    { kubeconfig: file, context },
    { clusterId: context, log: createLogger("faults"), secrets: new SecretSet(), env: {} },
    { requestTimeoutMs: REQUEST_TIMEOUT_MS, watchdogMs: 1_500, resyncMs: 120_000, backoff: BACKOFF },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-faults-"));
  kube = await startKubeSim({ content: "demo-east", timings: "fast", bookmarkIntervalMs: 300, tokens: [{ token: TOKEN, user: "admin" }] });
  bystanderSim = await startKubeSim({ content: "demo-west", timings: "fast", bookmarkIntervalMs: 300 });
  nomad = await startNomadSim({ tickMs: 50, heartbeatMs: 500, seed: (w) => seedNomadDemo(w) });
  mesos = await startMesosSim({ timings: { sseHeartbeatMs: 500 } });
  ecs = await startEcsSim({ timings: { tickMs: 100 }, seed: seedDemoWorld });
  await writeKubeconfig(TOKEN);
  const bystanderConfig = path.join(dir, "bystander");
  await writeFile(bystanderConfig, kubeconfigYaml([{ context: "west", server: bystanderSim.url, token: "any" }]));

  kubeOwner = ownerFor("east", "kubernetes", kubeAdapter(kubeconfig(), "east"));
  bystander = ownerFor("west", "kubernetes", kubeAdapter(bystanderConfig, "west"));
  nomadOwner = ownerFor(
    "nomad",
    "nomad",
    new NomadAdapter(
      NomadConnectionSchema.parse({ address: nomad.url }),
      { clusterId: "nomad", log: createLogger("faults"), secrets: new SecretSet(), env: {} },
      { requestTimeoutMs: REQUEST_TIMEOUT_MS, streamIdleMs: 1_500, blockingWaitMs: 1_000, backoff: BACKOFF },
    ),
  );
  const context = (clusterId: string) => ({ clusterId, log: createLogger("faults"), secrets: new SecretSet(), env: {} });
  mesosOwner = ownerFor(
    "mesos",
    "mesos",
    new MesosAdapter({ master: { url: mesos.masterUrl }, marathon: { url: mesos.marathonUrl } }, context("mesos"), {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      streamIdleMs: 1_500,
      pollMs: 1_000,
      backoff: BACKOFF,
    }),
  );
  ecsOwner = ownerFor(
    "ecs",
    "ecs",
    new EcsAdapter(
      EcsConnectionSchema.parse({ region: "eu-west-1", cluster: "shop-ec2", endpoint: ecs.endpoint, credentials: DEMO_CREDENTIALS }),
      context("ecs"),
      // ECS has no watch: its poll period is its resync, and the SDK's own retries are left to one.
      { requestTimeoutMs: REQUEST_TIMEOUT_MS, resyncMs: 1_000, usageRefreshMs: 0, maxAttempts: 1, backoff: BACKOFF },
    ),
  );
  owners.push(kubeOwner, bystander, nomadOwner, mesosOwner, ecsOwner);
  await Promise.all(owners.map((o) => settled(o)));
}, 60_000);

afterAll(async () => {
  console.log(`\nFaults: detect and recover\n${faultTable(measured, GOALS)}\n`);
  await Promise.all(owners.map((o) => o.stop()));
  await Promise.all([kube?.close(), bystanderSim?.close(), nomad?.close(), mesos?.close(), ecs?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Injectable {
  faults: { set(spec: FaultSpec): void; clear(): void; readonly requestsSeen: number };
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A simulator started in beforeAll, reached when a case runs (cases are collected before it starts). */
function late(sim: () => Injectable): Injectable {
  return {
    faults: {
      set: (spec) => sim().faults.set(spec),
      clear: () => sim().faults.clear(),
      get requestsSeen() {
        return sim().faults.requestsSeen;
      },
    },
    stop: () => sim().stop(),
    start: () => sim().start(),
  };
}

/** The faults every simulator injects, and what the owner must say about each. */
function commonFaults(sim: Injectable): FaultCase[] {
  const fault = (spec: FaultSpec) => ({ apply: () => sim.faults.set(spec), clear: () => sim.faults.clear() });
  return [
    {
      name: "connections refused",
      apply: () => sim.stop(),
      clear: () => sim.start(),
      expect: { status: "unreachable", reason: /ECONNREFUSED/ },
    },
    {
      name: "accepts, never answers",
      ...fault({ hang: true, stallStreams: true }),
      expect: { status: "unreachable", reason: /no answer/ },
    },
    {
      name: "every request 503 with Retry-After",
      // A server that starts failing drops its open streams too, so they reconnect into the fault.
      ...fault({ failShare: 1, failStatus: 503, retryAfterSeconds: 1, cutOpen: true }),
      expect: { status: "degraded", reason: /Service unavailable/ },
    },
    {
      name: "malformed bodies",
      ...fault({ malformed: true, cutOpen: true }),
      expect: { status: "degraded", reason: /JSON|not a Kubernetes list/ },
    },
    {
      name: "streams go silent",
      ...fault({ stallStreams: true }),
      expect: { status: "degraded", reason: /sent nothing|silent|no answer/ },
    },
  ];
}

async function check(target: FaultTarget, fault: FaultCase) {
  const result = await measureFault(target, bystander, fault);
  measured.push(result);
  expect(result.detectMs, `${fault.name}: detect`).toBeLessThanOrEqual(GOALS.detectMs);
  expect(result.recoverMs, `${fault.name}: recover`).toBeLessThanOrEqual(GOALS.recoverMs);
  expect(result.bystanderOk, `${fault.name}: the bystander stayed ok`).toBe(true);
  // The bystander's data stays current: never older than a sampling tick or two.
  expect(result.bystanderMaxAgeMs).toBeLessThan(1_000);
}

/** A workload's desired count, changed upstream; seen when the owner's snapshot has the new count. */
function desiredIs(name: string, desired: number) {
  return (snapshot: Snapshot) => [...snapshot.workloads.values()].some((w) => w.name === name && w.desired === desired);
}
const nextCount = (count: number) => (count % 4) + 1;

const kubeTarget = (): FaultTarget => ({
  owner: kubeOwner,
  change() {
    const deployment = kube.list<DeploymentObject>("Deployment")[0];
    const replicas = ((deployment.spec.replicas ?? 1) % 4) + 1;
    kube.scale("Deployment", deployment.metadata.namespace!, deployment.metadata.name, replicas);
    return desiredIs(deployment.metadata.name, replicas);
  },
});

const mesosTarget = (): FaultTarget => ({
  owner: mesosOwner,
  change() {
    const app = mesos.world.apps.get("/shop/worker")!;
    const instances = nextCount(app.instances);
    mesos.controller.scale(app, instances, true);
    return desiredIs(app.id, instances);
  },
});

const ecsTarget = (): FaultTarget => ({
  owner: ecsOwner,
  change() {
    const service = ecs.world.clusters.get("shop-ec2")!.services.get("worker")!;
    service.desiredCount = nextCount(service.desiredCount);
    return desiredIs(service.name, service.desiredCount);
  },
});

const nomadTarget = (): FaultTarget => ({
  owner: nomadOwner,
  change() {
    const job = [...nomad.world.jobs.values()].find((j) => j.Type === "service")!;
    const group = job.TaskGroups[0];
    const count = (group.Count % 4) + 1;
    nomad.scheduler.scale(job, group, count);
    return desiredIs(`${job.ID}.${group.Name}`, count);
  },
});

describe("Kubernetes: every fault detected, recovered from, and kept to its cluster", () => {
  for (const fault of commonFaults(late(() => kube))) it(fault.name, () => check(kubeTarget(), fault), 150_000);

  it("credentials revoked, then a kubeconfig with new ones", async () => {
    await check(kubeTarget(), {
      name: "credentials revoked",
      // Open watches outlive a revoked token on a real apiserver until they end; close them as its restart would.
      apply: () => {
        kube.setTokens([{ token: "rotated", user: "admin" }]);
        kube.closeWatches();
      },
      clear: () => writeKubeconfig("rotated"),
      expect: { status: "unauthorized", reason: /Unauthorized/ },
    });
  }, 150_000);

  it("watch history compacted (410 Gone): a change made meanwhile arrives, the status never leaves ok", async () => {
    const target = kubeTarget();
    await settled(kubeOwner);
    const okSince = kubeOwner.info().statusSince;
    // Watches held back, a change made, history compacted past it: resuming is refused with 410 and a relist must bring it.
    kube.pauseWatches();
    const shows = target.change();
    kube.compact();
    kube.resumeWatches();
    const deadline = Date.now() + 10_000;
    while (!shows(kubeOwner.snapshot) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(shows(kubeOwner.snapshot)).toBe(true);
    // Any change of status or reason, however brief, would have moved statusSince.
    expect(kubeOwner.info()).toMatchObject({ status: "ok", statusSince: okSince });
  }, 30_000);
});

describe("Nomad: every fault detected, recovered from, and kept to its cluster", () => {
  for (const fault of commonFaults(late(() => nomad))) it(fault.name, () => check(nomadTarget(), fault), 150_000);
});

describe("Mesos and Marathon: every fault detected, recovered from, and kept to its cluster", () => {
  for (const fault of commonFaults(late(() => mesos))) it(fault.name, () => check(mesosTarget(), fault), 150_000);
});

describe("ECS: every fault detected, recovered from, and kept to its cluster", () => {
  // ECS has no streams to go silent: it polls.
  for (const fault of commonFaults(late(() => ({ faults: ecs.network, stop: ecs.stop, start: ecs.start }))).filter(
    (f) => f.name !== "streams go silent",
  ))
    it(fault.name, () => check(ecsTarget(), fault), 150_000);
});

/**
 * Requests a failing upstream receives in a window once every loop has
 * failed: with Retry-After the loops wait as long as asked, without it they
 * follow their own back-off (capped at 1 s here). Measured side by side.
 */
async function pressure(target: FaultTarget, sim: Injectable, retryAfterSeconds: number | undefined, windowMs: number) {
  await settled(target.owner);
  sim.faults.set({ failShare: 1, failStatus: 503, retryAfterSeconds, cutOpen: true });
  try {
    // Every loop fails and falls into its waiting before counting starts.
    await new Promise((r) => setTimeout(r, 1_500));
    const before = sim.faults.requestsSeen;
    await new Promise((r) => setTimeout(r, windowMs));
    return sim.faults.requestsSeen - before;
  } finally {
    sim.faults.clear();
  }
}

describe("Retry-After is honoured: a failing upstream asked to wait is not pressed harder", () => {
  const cases: [string, () => FaultTarget, Injectable][] = [
    ["kubernetes", kubeTarget, late(() => kube)],
    ["nomad", nomadTarget, late(() => nomad)],
    ["mesos", mesosTarget, late(() => mesos)],
    ["ecs", ecsTarget, late(() => ({ faults: ecs.network, stop: ecs.stop, start: ecs.start }))],
  ];
  for (const [name, target, sim] of cases)
    it(
      name,
      async () => {
        const windowMs = 4_000;
        const ownPace = await pressure(target(), sim, undefined, windowMs);
        const asked = await pressure(target(), sim, 4, windowMs);
        console.log(`${name}: ${ownPace} requests in ${windowMs / 1000} s at its own back-off, ${asked} when asked to wait 4 s`);
        // Each loop retries about four times in the window at its own pace, once (twice at a boundary) when asked to wait 4 s.
        expect(ownPace).toBeGreaterThan(0);
        expect(asked * 2).toBeLessThanOrEqual(ownPace);
      },
      60_000,
    );
});
