import "server-only";
import type { ExpressionBuilder } from "kysely";
import type { Logger } from "@/lib/log";
import { getAccess } from "./access";
import type { HistoryBucket, SeriesBuckets, UsageHistoryStore } from "./history";
import type { Db, Tables } from "./storage";

/** Rows per INSERT: 9 parameters each, well under SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 500;
/** How often sealed buckets are written. */
export const HISTORY_FLUSH_MS = 60_000;
/** How often rows past their tier's retention are deleted (at most, process-wide). */
export const HISTORY_PRUNE_MS = 3600_000;

/**
 * The usage history's coarse buckets in the one storage layer (the Storage
 * Access opened: SQLite in the data directory, or PostgreSQL). Only sealed
 * buckets are written, once a minute, plus the open ones at close; raw
 * samples are not kept. A failing database never breaks the dashboard: the
 * history stays in memory, the first failure is logged and the rest are not
 * until it works again.
 *
 * Several replicas on one PostgreSQL each sample every cluster and upsert
 * their own buckets under the same primary key (cluster, key, step, start):
 * the last writer's bucket wins. Each is a complete bucket of that replica's
 * own samples of the same cluster, so the answer is right to within the two
 * replicas' sampling moments; buckets are never summed across replicas.
 */
export class HistoryArchive {
  private failing = false;
  private lastPrune = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  private failed(what: string, err: unknown): void {
    if (!this.failing) this.log.warn(`usage history: cannot ${what}; keeping it in memory only`, { error: (err as Error).message });
    this.failing = true;
  }

  private worked(): void {
    if (this.failing) this.log.info("usage history: storage works again");
    this.failing = false;
  }

  /** Writes the buckets; false (logged once) when the database refuses. */
  async save(cluster: string, batches: readonly SeriesBuckets[]): Promise<boolean> {
    const rows = batches.flatMap(({ key, buckets }) => buckets.map((b) => toRow(cluster, key, b)));
    if (!rows.length) return true;
    try {
      await this.db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          await tx
            .insertInto("usage_history")
            .values(rows.slice(i, i + ROWS_PER_INSERT))
            .onConflict((oc) =>
              oc.columns(["cluster", "key", "step_seconds", "bucket_start"]).doUpdateSet((eb) => ({
                samples: eb.ref("excluded.samples"),
                cpu_avg_millis: eb.ref("excluded.cpu_avg_millis"),
                cpu_max_millis: eb.ref("excluded.cpu_max_millis"),
                memory_avg_bytes: eb.ref("excluded.memory_avg_bytes"),
                memory_max_bytes: eb.ref("excluded.memory_max_bytes"),
              })),
            )
            .execute();
        }
      });
      this.worked();
      return true;
    } catch (err) {
      this.failed("write it", err);
      return false;
    }
  }

  /** Writes what changed (sealed buckets, or every one with `all`); a failed write is retried at the next flush. */
  async flush(cluster: string, store: UsageHistoryStore, options: { all?: boolean } = {}): Promise<void> {
    const batches = store.takeDirty(options.all ?? false);
    if (!(await this.save(cluster, batches))) store.markDirty(batches);
  }

  /**
   * Puts back a cluster's buckets still within their tier's retention at
   * `now` (ms), one series at a time, so that a large cluster's week of rows
   * never sits in memory as objects all at once.
   */
  async load(cluster: string, store: UsageHistoryStore, now: number): Promise<void> {
    const coarse = store.tiers.slice(1);
    if (!coarse.length) return;
    const within = (eb: ExpressionBuilder<Tables, "usage_history">) =>
      eb.or(
        coarse.map((tier) =>
          eb.and([eb("step_seconds", "=", tier.stepSeconds), eb("bucket_start", ">=", now - tier.retainSeconds * 1000)]),
        ),
      );
    try {
      const keys = await this.db
        .selectFrom("usage_history")
        .select("key")
        .distinct()
        .where("cluster", "=", cluster)
        .where(within)
        .execute();
      for (const { key } of keys) {
        const rows = await this.db
          .selectFrom("usage_history")
          .selectAll()
          .where("cluster", "=", cluster)
          .where("key", "=", key)
          .where(within)
          .orderBy("bucket_start")
          .execute();
        store.restore(key, rows.map(fromRow));
      }
      this.worked();
    } catch (err) {
      this.failed("read it", err);
    }
  }

  /**
   * Deletes rows past their tier's retention at `now` (and of steps no tier
   * has any more), for every cluster, at most once per HISTORY_PRUNE_MS
   * unless `force`: so each series keeps at most its tiers' capacities.
   */
  async prune(store: UsageHistoryStore, now: number, options: { force?: boolean } = {}): Promise<void> {
    if (!options.force && now - this.lastPrune < HISTORY_PRUNE_MS) return;
    this.lastPrune = now;
    const coarse = store.tiers.slice(1);
    try {
      await this.db
        .deleteFrom("usage_history")
        .where((eb) =>
          eb.or([
            ...coarse.map((tier) =>
              eb.and([eb("step_seconds", "=", tier.stepSeconds), eb("bucket_start", "<", now - tier.retainSeconds * 1000)]),
            ),
            ...(coarse.length
              ? [
                  eb(
                    "step_seconds",
                    "not in",
                    coarse.map((t) => t.stepSeconds),
                  ),
                ]
              : []),
          ]),
        )
        .execute();
      this.worked();
    } catch (err) {
      this.failed("prune it", err);
    }
  }
}

type Row = {
  cluster: string;
  key: string;
  step_seconds: number;
  bucket_start: number;
  samples: number;
  cpu_avg_millis: number | null;
  cpu_max_millis: number | null;
  memory_avg_bytes: number | null;
  memory_max_bytes: number | null;
};

function toRow(cluster: string, key: string, b: HistoryBucket): Row {
  return {
    cluster,
    key,
    step_seconds: b.stepSeconds,
    bucket_start: b.start,
    samples: b.samples,
    cpu_avg_millis: b.cpuAvgMillis,
    cpu_max_millis: b.cpuMaxMillis,
    memory_avg_bytes: b.memoryAvgBytes,
    memory_max_bytes: b.memoryMaxBytes,
  };
}

// PostgreSQL's double precision comes back as a number, SQLite's REAL too; Number() guards a driver answering text.
const num = (x: number | string | null) => (x === null ? null : Number(x));

function fromRow(row: Row): HistoryBucket {
  return {
    stepSeconds: Number(row.step_seconds),
    start: Number(row.bucket_start),
    samples: Number(row.samples),
    cpuAvgMillis: num(row.cpu_avg_millis),
    cpuMaxMillis: num(row.cpu_max_millis),
    memoryAvgBytes: num(row.memory_avg_bytes),
    memoryMaxBytes: num(row.memory_max_bytes),
  };
}

/**
 * The archive over the process's one Storage (the one Access opened, see
 * getAccess), or null, logged, when it cannot be opened: the history then
 * lives in memory only.
 */
export async function openHistoryArchive(log: Logger): Promise<HistoryArchive | null> {
  try {
    const access = await getAccess();
    return new HistoryArchive(access.storage.db, log.child("history"));
  } catch (err) {
    log.warn("usage history: no storage; keeping it in memory only", { error: (err as Error).message });
    return null;
  }
}
