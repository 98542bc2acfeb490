/**
 * The fault rig: one simulator per orchestrator that has them (Kubernetes,
 * Nomad, Mesos with Marathon, ECS), each followed by its real adapter and a
 * ClusterOwner, plus a bystander Kubernetes cluster that no fault touches.
 * The fault-harness tests and `npm run bench` (faults) both run on it.
 *
 * Timings are the adapters' own, shortened alike (a 2 s request timeout, a
 * 1.5 s stream watchdog, back-off capped at 1 s, a 1 s poll where a poll is
 * all there is), so the goals scale with them.
 */

import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { EcsAdapter } from "@/lib/adapters/ecs/adapter";
import { EcsConnectionSchema } from "@/lib/adapters/ecs/connection";
import { KubeAdapter } from "@/lib/adapters/kubernetes";
import { MesosAdapter } from "@/lib/adapters/mesos/adapter";
import { NomadAdapter } from "@/lib/adapters/nomad/adapter";
import { NomadConnectionSchema } from "@/lib/adapters/nomad/connection";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import type { ClusterOwner } from "@/lib/server/cluster-owner";
import type { Snapshot } from "@/lib/server/snapshot";
import { DEMO_CREDENTIALS, seedDemoWorld } from "@/lib/sim/ecs";
import { startEcsSim, type EcsSim } from "@/lib/sim/ecs/server";
import type { FaultSpec } from "@/lib/sim/faults";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle } from "@/lib/sim/kubernetes";
import type { DeploymentObject } from "@/lib/sim/kubernetes/types";
import { startMesosSim, type MesosSim } from "@/lib/sim/mesos";
import { seedNomadDemo, startNomadSim, type NomadSim } from "@/lib/sim/nomad";
import type { SimulatorControl } from "@/lib/sim/types";
import { ownerFor, settled, type FaultCase, type FaultTarget } from "./fault-harness";

const REQUEST_TIMEOUT_MS = 2_000;
const BACKOFF = { baseMs: 100, maxMs: 1_000 };

/** Streams (watches, event streams) that send nothing for this long are restarted. */
const STREAM_WATCHDOG_MS = 1_500;

/**
 * Detect: a hang is seen only when a request times out, and a stream already
 * open only when its watchdog fires and its reconnect times out in turn, so
 * within a watchdog and two request timeouts. Recover within two back-offs
 * and a relist. The bystander's change arrives as a watch event does, far
 * sooner than any poll.
 */
export const FAULT_GOALS = {
  detectMs: STREAM_WATCHDOG_MS + 2 * REQUEST_TIMEOUT_MS,
  recoverMs: 2 * BACKOFF.maxMs + 3_000,
  bystanderChangeMs: 2_000,
};

export const RIG_ORCHESTRATORS = ["kubernetes", "nomad", "mesos", "ecs"] as const;
export type RigOrchestrator = (typeof RIG_ORCHESTRATORS)[number];

/** The faults every simulator injects, and what the owner must say about each. */
const FAULTS: (Omit<FaultCase, "apply" | "clear"> & { streams?: true; spec?: FaultSpec })[] = [
  { name: "connections refused", expect: { status: "unreachable", reason: /ECONNREFUSED/ } },
  { name: "accepts, never answers", spec: { hang: true, stallStreams: true }, expect: { status: "unreachable", reason: /no answer/ } },
  {
    name: "every request 503 with Retry-After",
    // A server that starts failing drops its open streams too, so they reconnect into the fault.
    spec: { failShare: 1, failStatus: 503, retryAfterSeconds: 1, cutOpen: true },
    expect: { status: "degraded", reason: /Service unavailable/ },
  },
  {
    name: "malformed bodies",
    spec: { malformed: true, cutOpen: true },
    expect: { status: "degraded", reason: /JSON|not a Kubernetes list/ },
  },
  {
    name: "streams go silent",
    spec: { stallStreams: true },
    streams: true,
    expect: { status: "degraded", reason: /sent nothing|no answer/ },
  },
];

/** The faults an orchestrator is put through: ECS polls, so it has no streams to go silent. */
export function faultNames(orchestrator: RigOrchestrator): string[] {
  return FAULTS.filter((f) => !f.streams || orchestrator !== "ecs").map((f) => f.name);
}

export function faultCase(control: SimulatorControl, name: string): FaultCase {
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`no fault named "${name}"`);
  const { spec, ...rest } = fault;
  return spec
    ? { ...rest, apply: () => control.faults.set(spec), clear: () => control.faults.clear() }
    : { ...rest, apply: () => control.stop(), clear: () => control.start() };
}

export interface FaultRig {
  kube: KubeSimHandle;
  nomad: NomadSim;
  mesos: MesosSim;
  ecs: EcsSim;
  /** A Kubernetes cluster no fault touches, and a change to see arrive there meanwhile. */
  bystander: FaultTarget;
  owners: Record<RigOrchestrator, ClusterOwner>;
  controls: Record<RigOrchestrator, SimulatorControl>;
  /** Each orchestrator's owner and a change made upstream to see arrive. */
  target(orchestrator: RigOrchestrator): FaultTarget;
  /** Rewrites the Kubernetes cluster's kubeconfig (whole, by rename) with another token. */
  writeKubeconfig(token: string): Promise<void>;
  close(): Promise<void>;
}

/** The Kubernetes cluster's first token (its kubeconfig starts with it). */
export const RIG_KUBE_TOKEN = "the-token";

/** A workload's desired count, changed upstream; seen when the owner's snapshot has the new count. */
function desiredIs(name: string, desired: number) {
  return (snapshot: Snapshot) => [...snapshot.workloads.values()].some((w) => w.name === name && w.desired === desired);
}
const nextCount = (count: number) => (count % 4) + 1;

export async function startFaultRig(): Promise<FaultRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-faults-"));
  const kube = await startKubeSim({
    content: "demo-east",
    timings: "fast",
    bookmarkIntervalMs: 300,
    tokens: [{ token: RIG_KUBE_TOKEN, user: "admin" }],
  });
  const bystanderSim = await startKubeSim({ content: "demo-west", timings: "fast", bookmarkIntervalMs: 300 });
  const nomad = await startNomadSim({ tickMs: 50, heartbeatMs: 500, seed: (w) => seedNomadDemo(w) });
  const mesos = await startMesosSim({ timings: { sseHeartbeatMs: 500 } });
  const ecs = await startEcsSim({ timings: { tickMs: 100 }, seed: seedDemoWorld });

  const kubeconfig = path.join(dir, "kubeconfig");
  const writeKubeconfig = async (token: string) => {
    await writeFile(`${kubeconfig}.new`, kubeconfigYaml([{ context: "east", server: kube.url, token }]));
    await rename(`${kubeconfig}.new`, kubeconfig);
  };
  await writeKubeconfig(RIG_KUBE_TOKEN);
  const bystanderConfig = path.join(dir, "bystander");
  await writeFile(bystanderConfig, kubeconfigYaml([{ context: "west", server: bystanderSim.url, token: "any" }]));

  const context = (clusterId: string) => ({ clusterId, log: createLogger("faults"), secrets: new SecretSet(), env: {} });
  const kubeAdapter = (file: string, clusterId: string) =>
    new KubeAdapter({ kubeconfig: file, context: clusterId }, context(clusterId), {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      watchdogMs: STREAM_WATCHDOG_MS,
      resyncMs: 120_000,
      backoff: BACKOFF,
    });
  const owners: Record<RigOrchestrator, ClusterOwner> = {
    kubernetes: ownerFor("east", "kubernetes", kubeAdapter(kubeconfig, "east")),
    nomad: ownerFor(
      "nomad",
      "nomad",
      new NomadAdapter(NomadConnectionSchema.parse({ address: nomad.url }), context("nomad"), {
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        streamIdleMs: STREAM_WATCHDOG_MS,
        blockingWaitMs: 1_000,
        backoff: BACKOFF,
      }),
    ),
    mesos: ownerFor(
      "mesos",
      "mesos",
      new MesosAdapter({ master: { url: mesos.masterUrl }, marathon: { url: mesos.marathonUrl } }, context("mesos"), {
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        streamIdleMs: STREAM_WATCHDOG_MS,
        pollMs: 1_000,
        backoff: BACKOFF,
      }),
    ),
    ecs: ownerFor(
      "ecs",
      "ecs",
      new EcsAdapter(
        EcsConnectionSchema.parse({ region: "eu-west-1", cluster: "shop-ec2", endpoint: ecs.endpoint, credentials: DEMO_CREDENTIALS }),
        context("ecs"),
        // ECS has no watch: its poll period is its resync, and the SDK's own retries are left to one.
        { requestTimeoutMs: REQUEST_TIMEOUT_MS, resyncMs: 1_000, usageRefreshMs: 0, maxAttempts: 1, backoff: BACKOFF },
      ),
    ),
  };
  const bystander = ownerFor("west", "kubernetes", kubeAdapter(bystanderConfig, "west"));
  const all = [...Object.values(owners), bystander];
  await Promise.all(all.map((o) => settled(o)));

  const scaleFirstDeployment = (sim: KubeSimHandle) => () => {
    const deployment = sim.list<DeploymentObject>("Deployment")[0];
    const replicas = nextCount(deployment.spec.replicas ?? 1);
    sim.scale("Deployment", deployment.metadata.namespace!, deployment.metadata.name, replicas);
    return desiredIs(deployment.metadata.name, replicas);
  };
  const changes: Record<RigOrchestrator, () => (snapshot: Snapshot) => boolean> = {
    kubernetes: scaleFirstDeployment(kube),
    nomad() {
      const job = [...nomad.world.jobs.values()].find((j) => j.Type === "service")!;
      const group = job.TaskGroups[0];
      const count = nextCount(group.Count);
      nomad.scheduler.scale(job, group, count);
      return desiredIs(`${job.ID}.${group.Name}`, count);
    },
    mesos() {
      const app = mesos.world.apps.get("/shop/worker")!;
      const instances = nextCount(app.instances);
      mesos.controller.scale(app, instances, true);
      return desiredIs(app.id, instances);
    },
    ecs() {
      const service = ecs.world.clusters.get("shop-ec2")!.services.get("worker")!;
      service.desiredCount = nextCount(service.desiredCount);
      return desiredIs(service.name, service.desiredCount);
    },
  };

  return {
    kube,
    nomad,
    mesos,
    ecs,
    bystander: { owner: bystander, change: scaleFirstDeployment(bystanderSim) },
    owners,
    controls: { kubernetes: kube, nomad, mesos, ecs: { faults: ecs.network, stop: ecs.stop, start: ecs.start } },
    target: (orchestrator) => ({ owner: owners[orchestrator], change: changes[orchestrator] }),
    writeKubeconfig,
    async close() {
      await Promise.all(all.map((o) => o.stop()));
      await Promise.all([kube.close(), bystanderSim.close(), nomad.close(), mesos.close(), ecs.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Requests a failing upstream receives in a window once every loop has
 * failed: with Retry-After the loops wait as long as asked, without it they
 * follow their own back-off (capped at 1 s here).
 */
export async function requestsWhileFailing(
  owner: ClusterOwner,
  control: SimulatorControl,
  retryAfterSeconds: number | undefined,
  windowMs: number,
): Promise<number> {
  await settled(owner);
  control.faults.set({ failShare: 1, failStatus: 503, retryAfterSeconds, cutOpen: true });
  try {
    // Every loop fails and falls into its waiting before counting starts.
    await new Promise((r) => setTimeout(r, 1_500));
    const before = control.faults.requestsSeen;
    await new Promise((r) => setTimeout(r, windowMs));
    return control.faults.requestsSeen - before;
  } finally {
    control.faults.clear();
  }
}
