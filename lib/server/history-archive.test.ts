import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { UsageHistoryStore } from "./history";
import { HistoryArchive } from "./history-archive";
import { openStorage, type Storage } from "./storage";

/**
 * The usage history through a restart: written to SQLite in a temporary data
 * directory and (with FLEETDECK_TEST_DATABASE_URL, which CI sets) to a real
 * PostgreSQL, each test in its own directory or schema. Times are given, never
 * read from the clock.
 */

const PG = process.env.FLEETDECK_TEST_DATABASE_URL;
if (!PG && process.env.CI) throw new Error("CI must run the PostgreSQL tests: set FLEETDECK_TEST_DATABASE_URL (.ci/run starts one)");
const DIALECTS: [string, string | undefined][] = [["sqlite", undefined], ...(PG ? [["postgres", PG] as [string, string]] : [])];

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = 20_000 * 5 * MIN;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(DIALECTS)("the usage history on %s", (_name, databaseUrl) => {
  /** A database that outlives the Storage opened on it: `open` again is a restarted process. */
  async function database() {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-history-"));
    const schema = databaseUrl ? `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}` : undefined;
    const log = memoryLogger();
    const opened: Storage[] = [];
    const open = async () => {
      const storage = await openStorage({ databaseUrl, dataDir: dir, schema, log });
      opened.push(storage);
      return { storage, archive: new HistoryArchive(storage.db, log) };
    };
    cleanups.push(async () => {
      if (schema) {
        const s = await openStorage({ databaseUrl, dataDir: dir, schema, log });
        await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(s.db);
        await s.close();
      }
      for (const s of opened) await s.close().catch(() => {});
      await fs.rm(dir, { recursive: true, force: true });
    });
    return { open, log };
  }

  const feed = (store: UsageHistoryStore, from: number, to: number, value: (t: number) => number | null) => {
    for (let t = from; t < to; t += 15_000) {
      const v = value(t);
      store.record(
        t,
        new Map([
          ["cluster", v === null ? null : { cpuMillis: v, memoryBytes: v * 1024 }],
          ["node:n1", { cpuMillis: 7, memoryBytes: 7 }],
        ]),
      );
    }
  };
  // A daily-ish wave with a gap of five minutes.
  const wave = (t: number) => (t >= T0 + 30 * MIN && t < T0 + 35 * MIN ? null : 100 + ((t / 15_000) % 37) * 3);

  it("keeps the buckets through a restart: averages, maxima, sample counts and gaps alike", async () => {
    const { open } = await database();
    const end = T0 + 3 * 3600_000 + 20_000;
    let { storage, archive } = await open();
    const before = new UsageHistoryStore(15, 3600);
    feed(before, T0, end, wave);
    await archive.flush("c1", before); // sealed buckets, as the minute timer does
    await archive.flush("c1", before, { all: true }); // and the open ones, at close
    await storage.close();

    ({ storage, archive } = await open());
    const after = new UsageHistoryStore(15, 3600);
    await archive.load("c1", after, end);
    for (const since of [end - 2 * 3600_000, end - 3 * DAY]) {
      expect(after.stepFor("cluster", since)).toBe(before.stepFor("cluster", since));
      expect(after.points("cluster", since)).toEqual(before.points("cluster", since));
      expect(after.points("node:n1", since)).toEqual(before.points("node:n1", since));
    }
    const gapMinute = after.points("cluster", end - 4 * 3600_000).find((p) => p.t === T0 + 31 * MIN);
    expect(gapMinute).toEqual({
      t: T0 + 31 * MIN,
      cpuMillis: null,
      memoryBytes: null,
      cpuMaxMillis: null,
      memoryMaxBytes: null,
      samples: 0,
    });
    // The raw samples are not kept: the last 15 minutes come from the restored 1-minute buckets.
    expect(after.stepFor("cluster", end - 15 * MIN)).toBe(60);
    expect(after.points("cluster", end - 15 * MIN)).toHaveLength(15);
    // Another cluster's history is its own.
    const other = new UsageHistoryStore(15, 3600);
    await archive.load("c2", other, end);
    expect(other.keys()).toEqual([]);
  });

  it("writes sealed buckets each once, upserts the open one and continues it after a restart", async () => {
    const { open } = await database();
    let { storage, archive } = await open();
    const store = new UsageHistoryStore(15, 3600);
    feed(store, T0, T0 + 90_000, () => 10); // minute 0 sealed (4 samples), minute 1 open (2)
    await archive.flush("c1", store);
    const rows = () =>
      storage.db
        .selectFrom("usage_history")
        .selectAll()
        .where("key", "=", "cluster")
        .orderBy("step_seconds")
        .orderBy("bucket_start")
        .execute();
    expect((await rows()).map((r) => [r.step_seconds, r.bucket_start - T0, r.samples])).toEqual([[60, 0, 4]]);
    await archive.flush("c1", store, { all: true });
    expect((await rows()).map((r) => [r.step_seconds, r.bucket_start - T0, r.samples])).toEqual([
      [60, 0, 4],
      [60, MIN, 2],
      [300, 0, 6],
    ]);
    await storage.close();

    ({ storage, archive } = await open());
    const restarted = new UsageHistoryStore(15, 3600);
    await archive.load("c1", restarted, T0 + 90_000);
    feed(restarted, T0 + 90_000, T0 + 150_000, () => 30); // two more samples in minute 1, then two in minute 2
    await archive.flush("c1", restarted, { all: true });
    expect((await rows()).map((r) => [r.step_seconds, r.bucket_start - T0, r.samples, r.cpu_avg_millis, r.cpu_max_millis])).toEqual([
      [60, 0, 4, 10, 10],
      [60, MIN, 4, 20, 30],
      [60, 2 * MIN, 2, 30, 30],
      [300, 0, 10, 18, 30],
    ]);
  });

  it("keeps no more rows per series than its tiers hold, pruning what is past their retention", async () => {
    const { open } = await database();
    const { storage, archive } = await open();
    const store = new UsageHistoryStore(15, 3600);
    const end = T0 + 8 * DAY;
    for (let from = T0; from < end; from += DAY) {
      feed(store, from, from + DAY, () => 5);
      await archive.flush("c1", store);
      await archive.prune(store, from + DAY);
    }
    await archive.prune(store, end, { force: true });
    const counts = await storage.db
      .selectFrom("usage_history")
      .select(["step_seconds", (eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.min("bucket_start").as("oldest")])
      .where("key", "=", "cluster")
      .groupBy("step_seconds")
      .orderBy("step_seconds")
      .execute();
    expect(counts.map((c) => [c.step_seconds, Number(c.n), Number(c.oldest)])).toEqual([
      // The newest bucket of each tier is still open: written at close, not by the minute's flush.
      [60, 1439, end - DAY],
      [300, 2015, end - 7 * DAY],
    ]);
    const restarted = new UsageHistoryStore(15, 3600);
    await archive.load("c1", restarted, end);
    expect(restarted.points("cluster", end - 7 * DAY)).toHaveLength(2015);
  });

  it("keeps the history in memory when storage fails, logs that once, and writes it when storage is back", async () => {
    const { open, log } = await database();
    const first = await open();
    const store = new UsageHistoryStore(15, 3600);
    feed(store, T0, T0 + 5 * MIN, () => 1);
    await first.storage.close();
    await first.archive.flush("c1", store);
    feed(store, T0 + 5 * MIN, T0 + 10 * MIN, () => 1);
    await first.archive.flush("c1", store);
    await first.archive.load("c1", new UsageHistoryStore(15, 3600), T0);
    expect(log.lines.filter((l) => l.includes("usage history: cannot"))).toHaveLength(1);
    expect(store.points("cluster", T0 - 2 * 3600_000)).toHaveLength(10);

    const second = await open();
    await second.archive.flush("c1", store);
    const restarted = new UsageHistoryStore(15, 3600);
    await second.archive.load("c1", restarted, T0 + 10 * MIN);
    expect(restarted.points("cluster", T0 - 2 * 3600_000).map((p) => p.samples)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4]);
  });
});
