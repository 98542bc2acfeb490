import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { emptyUsageSample, type ClusterAdapter, type SnapshotSink, type UsageSample } from "@/lib/adapters/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { ClusterOwner } from "./cluster-owner";
import { HistoryArchive } from "./history-archive";
import { openStorage } from "./storage";

/**
 * The owner keeps its usage history through a restart: it writes the buckets
 * to storage (each minute, and the open ones when stopped) and puts them back
 * when it starts again. Fake timers drive the sampler and the clock.
 */

const T0 = 20_000 * 300_000;

/** A usage source whose tasks use what `cpu` says; it reports no snapshot. */
class SamplingAdapter implements ClusterAdapter {
  readonly orchestrator = "kubernetes" as const;
  cpu = 100;
  run(_sink: SnapshotSink, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
  async sampleUsage(): Promise<UsageSample> {
    const sample = emptyUsageSample();
    sample.tasks.set("t1", { cpuMillis: this.cpu, memoryBytes: 1024 });
    return sample;
  }
}

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-owner-history-"));
});
afterEach(async () => {
  vi.useRealTimers();
  await fs.rm(dir, { recursive: true, force: true });
});

async function ownerOn(adapter: SamplingAdapter) {
  const log = memoryLogger();
  const storage = await openStorage({ dataDir: dir, log });
  const owner = new ClusterOwner(
    { id: "c1", name: "east", orchestrator: "kubernetes", demo: false, adapter, secrets: new SecretSet() },
    { usageStepSeconds: 15, usageRetainSeconds: 3600, log, historyArchive: new HistoryArchive(storage.db, log) },
  );
  return { owner, storage };
}

it("writes its history to storage and reads it back when it starts again", async () => {
  vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  const adapter = new SamplingAdapter();
  let { owner, storage } = await ownerOn(adapter);
  owner.start();
  await vi.advanceTimersByTimeAsync(10 * 60_000 + 1_000); // 10 minutes of 15 s samples; 10 flushes
  const rows = await storage.db.selectFrom("usage_history").select(["step_seconds", "samples"]).where("key", "=", "cluster").execute();
  expect(rows.filter((r) => r.step_seconds === 60)).toHaveLength(9); // the sealed minutes, not the open one
  adapter.cpu = 300;
  await vi.advanceTimersByTimeAsync(30_000);
  const before = owner.history.points("cluster", Date.now() - 2 * 3600_000);
  await owner.stop();
  await storage.close();

  ({ owner, storage } = await ownerOn(adapter));
  owner.start();
  await vi.advanceTimersByTimeAsync(0);
  const after = owner.history.points("cluster", Date.now() - 2 * 3600_000);
  expect(after.length).toBe(11);
  expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
  // The minute that was open at the stop goes on filling: the restarted owner's first sample joins it.
  expect(after.at(-1)!.samples).toBe(before.at(-1)!.samples! + 1);
  expect(after.at(-1)!.cpuMaxMillis).toBe(300);
  await owner.stop();
  await storage.close();
});
