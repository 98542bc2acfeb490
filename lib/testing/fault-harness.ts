/**
 * The fault harness: a ClusterOwner over a real adapter against a simulator,
 * a fault injected, and what the owner says measured: how long until its
 * status and reason are right (detect), and how long after the fault clears
 * until it is ok and shows a change made upstream after the clearing
 * (recover: what an operator's `kubectl scale` would see), while a bystander
 * cluster must stay ok and current throughout.
 */

import { createLogger } from "@/lib/log";
import { SecretSet } from "@/lib/adapters/secrets";
import type { ClusterAdapter } from "@/lib/adapters/types";
import type { ClusterStatus, Orchestrator } from "@/lib/model/types";
import { ClusterOwner } from "@/lib/server/cluster-owner";
import type { Snapshot } from "@/lib/server/snapshot";

export interface FaultCase {
  name: string;
  apply(): Promise<void> | void;
  clear(): Promise<void> | void;
  expect: { status: ClusterStatus; reason: RegExp };
}

/** A cluster under test: its owner, and a way to change something upstream and see it arrive. */
export interface FaultTarget {
  owner: ClusterOwner;
  /** Makes a change upstream; answers whether a snapshot shows it. */
  change(): (snapshot: Snapshot) => boolean;
}

export interface FaultMeasure {
  fault: string;
  orchestrator: Orchestrator;
  detectMs: number;
  recoverMs: number;
  /** The bystander stayed ok throughout. */
  bystanderOk: boolean;
  /** While the fault was in force, how long a change on the bystander took to show. */
  bystanderChangeMs: number;
  reason: string | null;
}

export function ownerFor(id: string, orchestrator: Orchestrator, adapter: ClusterAdapter, secrets = new SecretSet()): ClusterOwner {
  const owner = new ClusterOwner(
    { id, name: id, orchestrator, demo: false, adapter, secrets },
    { usageStepSeconds: 3600, usageRetainSeconds: 7200, log: createLogger(`fault-harness/${id}`) },
  );
  owner.start();
  return owner;
}

async function until(what: string, check: () => boolean, timeoutMs: number, seen: () => string = () => ""): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms${seen() && ` (last seen: ${seen()})`}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

/** Waits until the owner is ok and listed: the state every case starts from and must come back to. */
export function settled(owner: ClusterOwner, timeoutMs = 30_000): Promise<number> {
  return until(`${owner.id} ok`, () => owner.info().status === "ok" && owner.info().synced, timeoutMs);
}

export async function measureFault(
  target: FaultTarget,
  bystander: FaultTarget,
  fault: FaultCase,
  timeoutMs = 60_000,
): Promise<FaultMeasure> {
  const { owner } = target;
  await settled(owner, timeoutMs);
  let bystanderOk = true;
  const watch = setInterval(() => {
    if (bystander.owner.info().status !== "ok") bystanderOk = false;
  }, 50);
  const seen = () => `${owner.info().status}: ${owner.info().statusReason}`;
  let cleared = false;
  try {
    await fault.apply();
    const detectMs = await until(
      `${owner.id} ${fault.name} detected`,
      () => owner.info().status === fault.expect.status && fault.expect.reason.test(owner.info().statusReason ?? ""),
      timeoutMs,
      seen,
    );
    const reason = owner.info().statusReason;
    // The bystander keeps following its cluster meanwhile.
    const bystanderShows = bystander.change();
    const bystanderChangeMs = await until(
      `${bystander.owner.id} shows a change`,
      () => bystanderShows(bystander.owner.snapshot),
      timeoutMs,
    );
    await fault.clear();
    cleared = true;
    const shows = target.change();
    const recoverMs = await until(
      `${owner.id} ${fault.name} recovered`,
      () => owner.info().status === "ok" && shows(owner.snapshot),
      timeoutMs,
      seen,
    );
    return { fault: fault.name, orchestrator: owner.definition.orchestrator, detectMs, recoverMs, bystanderOk, bystanderChangeMs, reason };
  } finally {
    clearInterval(watch);
    // The next case starts from a healthy upstream, whatever this one did.
    if (!cleared) await fault.clear();
  }
}

/** The table the harness prints: fault × orchestrator → detect, recover, and the goals they are held to. */
export function faultTable(rows: FaultMeasure[], goals: { detectMs: number; recoverMs: number; bystanderChangeMs: number }): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `| fault | orchestrator | detect | recover | bystander | goal: detect ≤ ${s(goals.detectMs)}, recover ≤ ${s(goals.recoverMs)}, bystander's change ≤ ${s(goals.bystanderChangeMs)} |`,
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const met =
      r.detectMs <= goals.detectMs && r.recoverMs <= goals.recoverMs && r.bystanderOk && r.bystanderChangeMs <= goals.bystanderChangeMs;
    lines.push(
      `| ${r.fault} | ${r.orchestrator} | ${s(r.detectMs)} | ${s(r.recoverMs)} | ${r.bystanderOk ? `ok, a change showed in ${s(r.bystanderChangeMs)}` : "DISTURBED"} | ${met ? "met" : "MISSED"} |`,
    );
  }
  return lines.join("\n");
}
