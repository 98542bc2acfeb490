import type { Resources, UsagePoint } from "@/lib/model/types";

/** One resolution of the history: a sample or bucket every `stepSeconds`, kept `retainSeconds`. */
export interface HistoryTier {
  stepSeconds: number;
  retainSeconds: number;
}

/**
 * The coarse tiers behind the sampling step (the finest tier, at
 * `usage.stepSeconds` for `usage.retainMinutes`): 1 min for a day, 5 min for
 * a week. Each bucket is computed from the raw samples it covers, never from a
 * finer bucket, so its average and maximum are exact.
 */
export const COARSE_TIERS: readonly HistoryTier[] = [
  { stepSeconds: 60, retainSeconds: 86_400 },
  { stepSeconds: 300, retainSeconds: 7 * 86_400 },
];

/** Slots a tier needs to hold its retention: both ends of the range. */
export function tierCapacity(tier: HistoryTier): number {
  return Math.ceil(tier.retainSeconds / tier.stepSeconds) + 1;
}

/** Bytes of the typed arrays of one raw slot (time, cpu, memory) and one coarse bucket (index, samples, sums, maxima, dirty flag). */
const RAW_SLOT_BYTES = 3 * 8;
const BUCKET_SLOT_BYTES = 4 + 4 + 4 * 8 + 1;

/** Bytes of one series' typed arrays over these tiers (the first is the raw one), whatever it has been fed. */
export function seriesBytes(tiers: readonly HistoryTier[]): number {
  return tiers.reduce((sum, tier, i) => sum + tierCapacity(tier) * (i === 0 ? RAW_SLOT_BYTES : BUCKET_SLOT_BYTES), 0);
}

const nullable = (x: number) => (Number.isNaN(x) ? null : x);

/**
 * A fixed-size ring of usage samples in typed arrays: one per cluster, node
 * and workload, so hours of 15 s history cost a few KiB each. NaN marks a gap
 * (no data), which the API answers as null, never as zero.
 */
export class UsageRing {
  private readonly t: Float64Array;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.cpu = new Float64Array(capacity);
    this.mem = new Float64Array(capacity);
  }

  push(t: number, value: Resources | null): void {
    this.t[this.next] = t;
    this.cpu[this.next] = value ? value.cpuMillis : NaN;
    this.mem[this.next] = value ? value.memoryBytes : NaN;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Samples held, at most `capacity`. */
  get length(): number {
    return this.size;
  }

  get lastTime(): number | null {
    return this.size ? this.t[(this.next - 1 + this.capacity) % this.capacity] : null;
  }

  /** The oldest sample's time, or null when empty. */
  get firstTime(): number | null {
    return this.size ? this.t[(this.next - this.size + this.capacity) % this.capacity] : null;
  }

  /** Samples at or after `since` (ms), oldest first. */
  since(since: number): UsagePoint[] {
    const out: UsagePoint[] = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.next - this.size + i + this.capacity) % this.capacity;
      if (this.t[at] < since) continue;
      out.push({ t: this.t[at], cpuMillis: nullable(this.cpu[at]), memoryBytes: nullable(this.mem[at]) });
    }
    return out;
  }
}

/** A sealed or open bucket as storage keeps it: the average, the maximum and how many samples they cover. */
export interface HistoryBucket {
  stepSeconds: number;
  /** Epoch ms of the bucket's start, a multiple of the step. */
  start: number;
  /** Raw samples with a value in the bucket; 0: the bucket saw only gaps. */
  samples: number;
  cpuAvgMillis: number | null;
  cpuMaxMillis: number | null;
  memoryAvgBytes: number | null;
  memoryMaxBytes: number | null;
}

/**
 * Buckets of one coarse tier, by bucket index (start / step) modulo the
 * capacity, each holding the sum, maximum and count of the raw samples in it.
 * A bucket the sampler saw only gaps in has count 0 and answers null; a bucket
 * no sample fell in (the process was down) is not answered at all.
 */
export class BucketRing {
  readonly stepMs: number;
  readonly capacity: number;
  /** Bucket index held by each slot; -1: empty. */
  private readonly index: Int32Array;
  private readonly samples: Uint32Array;
  private readonly cpuSum: Float64Array;
  private readonly cpuMax: Float64Array;
  private readonly memSum: Float64Array;
  private readonly memMax: Float64Array;
  /** Changed since the last flush to storage. */
  private readonly dirty: Uint8Array;
  /** The newest bucket index seen, -1 before the first. */
  private newest = -1;

  constructor(readonly tier: HistoryTier) {
    this.stepMs = tier.stepSeconds * 1000;
    this.capacity = tierCapacity(tier);
    this.index = new Int32Array(this.capacity).fill(-1);
    this.samples = new Uint32Array(this.capacity);
    this.cpuSum = new Float64Array(this.capacity);
    this.cpuMax = new Float64Array(this.capacity);
    this.memSum = new Float64Array(this.capacity);
    this.memMax = new Float64Array(this.capacity);
    this.dirty = new Uint8Array(this.capacity);
  }

  /** The slot for bucket `idx`, emptied if it held an older bucket; -1 when `idx` is older than the ring holds. */
  private slotFor(idx: number): number {
    if (idx <= this.newest - this.capacity) return -1;
    const slot = idx % this.capacity;
    if (this.index[slot] !== idx) {
      if (this.index[slot] > idx) return -1;
      this.index[slot] = idx;
      this.samples[slot] = 0;
      this.cpuSum[slot] = this.memSum[slot] = 0;
      this.cpuMax[slot] = this.memMax[slot] = -Infinity;
    }
    if (idx > this.newest) this.newest = idx;
    return slot;
  }

  add(t: number, value: Resources | null): void {
    const slot = this.slotFor(Math.floor(t / this.stepMs));
    if (slot < 0) return;
    this.dirty[slot] = 1;
    if (!value) return;
    this.samples[slot]++;
    this.cpuSum[slot] += value.cpuMillis;
    this.memSum[slot] += value.memoryBytes;
    if (value.cpuMillis > this.cpuMax[slot]) this.cpuMax[slot] = value.cpuMillis;
    if (value.memoryBytes > this.memMax[slot]) this.memMax[slot] = value.memoryBytes;
  }

  /** Merges a stored bucket in (after a restart): its samples add to those of the same bucket already held. Not marked dirty. */
  restore(b: HistoryBucket): void {
    const slot = this.slotFor(Math.floor(b.start / this.stepMs));
    // A bucket of gaps only is kept as such: it answers null.
    if (slot < 0 || b.samples <= 0 || b.cpuAvgMillis === null || b.memoryAvgBytes === null) return;
    this.samples[slot] += b.samples;
    this.cpuSum[slot] += b.cpuAvgMillis * b.samples;
    this.memSum[slot] += b.memoryAvgBytes * b.samples;
    this.cpuMax[slot] = Math.max(this.cpuMax[slot], b.cpuMaxMillis ?? b.cpuAvgMillis);
    this.memMax[slot] = Math.max(this.memMax[slot], b.memoryMaxBytes ?? b.memoryAvgBytes);
  }

  /** Buckets held, oldest first. */
  private *slots(): Generator<[slot: number, idx: number]> {
    if (this.newest < 0) return;
    for (let idx = Math.max(0, this.newest - this.capacity + 1); idx <= this.newest; idx++) {
      const slot = idx % this.capacity;
      if (this.index[slot] === idx) yield [slot, idx];
    }
  }

  private bucket(slot: number, idx: number): HistoryBucket {
    const n = this.samples[slot];
    return {
      stepSeconds: this.tier.stepSeconds,
      start: idx * this.stepMs,
      samples: n,
      cpuAvgMillis: n ? this.cpuSum[slot] / n : null,
      cpuMaxMillis: n ? this.cpuMax[slot] : null,
      memoryAvgBytes: n ? this.memSum[slot] / n : null,
      memoryMaxBytes: n ? this.memMax[slot] : null,
    };
  }

  get length(): number {
    let n = 0;
    for (let it = this.slots(); !it.next().done;) n++;
    return n;
  }

  /** The oldest bucket's start, or null when empty. */
  get firstTime(): number | null {
    for (const [, idx] of this.slots()) return idx * this.stepMs;
    return null;
  }

  /** Buckets starting at or after `since` (ms), oldest first, each with its average, maximum and sample count. */
  since(since: number): UsagePoint[] {
    const out: UsagePoint[] = [];
    for (const [slot, idx] of this.slots()) {
      if (idx * this.stepMs < since) continue;
      const b = this.bucket(slot, idx);
      out.push({
        t: b.start,
        cpuMillis: b.cpuAvgMillis,
        memoryBytes: b.memoryAvgBytes,
        cpuMaxMillis: b.cpuMaxMillis,
        memoryMaxBytes: b.memoryMaxBytes,
        samples: b.samples,
      });
    }
    return out;
  }

  /** Changed buckets that end by `sealedBy` (ms; Infinity at close, for the open ones too), clearing their flag. */
  takeDirty(sealedBy: number): HistoryBucket[] {
    const out: HistoryBucket[] = [];
    for (const [slot, idx] of this.slots()) {
      if (!this.dirty[slot] || (idx + 1) * this.stepMs > sealedBy) continue;
      this.dirty[slot] = 0;
      out.push(this.bucket(slot, idx));
    }
    return out;
  }

  /** Marks buckets dirty again after a failed write, so the next flush retries them. */
  markDirty(starts: readonly number[]): void {
    for (const start of starts) {
      const idx = Math.floor(start / this.stepMs);
      const slot = idx % this.capacity;
      if (this.index[slot] === idx) this.dirty[slot] = 1;
    }
  }
}

/** One key's history: the raw samples and a bucket ring per coarse tier, all of fixed capacity. */
class Series {
  readonly raw: UsageRing;
  readonly coarse: BucketRing[];
  lastTime = -Infinity;

  constructor(tiers: readonly HistoryTier[]) {
    this.raw = new UsageRing(tierCapacity(tiers[0]));
    this.coarse = tiers.slice(1).map((tier) => new BucketRing(tier));
  }
}

/** Buckets of one key, for storage. */
export interface SeriesBuckets {
  key: string;
  buckets: HistoryBucket[];
}

/**
 * The history of one cluster, by key ("cluster", "node:<id>", "workload:<id>"):
 * raw samples at the sampling step for `rawRetainSeconds`, then the coarse
 * tiers (COARSE_TIERS: 1 min for a day, 5 min for a week), each a fixed ring,
 * so a series costs `bytesPerSeries` however long it is fed.
 *
 * A range is answered from one tier, never a mix (so every point of an answer
 * has the same step): the finest tier whose retention covers `since`; if that
 * tier's data starts after `since` (the process restarted: raw samples are
 * not persisted, buckets are) and a coarser covering tier reaches at least one
 * of its buckets further back, the coarser one answers.
 */
export class UsageHistoryStore {
  private readonly series = new Map<string, Series>();
  readonly tiers: readonly HistoryTier[];
  /** The newest time recorded, the "now" retention is measured from; -Infinity before the first. */
  private lastRecord = -Infinity;

  constructor(
    readonly stepSeconds: number,
    readonly rawRetainSeconds: number,
    coarse: readonly HistoryTier[] = COARSE_TIERS,
  ) {
    // A coarse tier no coarser, or kept no longer, than the one before it would add nothing.
    const tiers: HistoryTier[] = [{ stepSeconds, retainSeconds: rawRetainSeconds }];
    for (const tier of coarse) {
      const last = tiers[tiers.length - 1];
      if (tier.stepSeconds > last.stepSeconds && tier.retainSeconds > last.retainSeconds) tiers.push(tier);
    }
    this.tiers = tiers;
  }

  /** The longest retention of any tier: how far back a range may reach. */
  get retainSeconds(): number {
    return this.tiers[this.tiers.length - 1].retainSeconds;
  }

  /** Bytes of one series' typed arrays, fixed at its creation. */
  get bytesPerSeries(): number {
    return seriesBytes(this.tiers);
  }

  private seriesFor(key: string): Series {
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = new Series(this.tiers)));
    return series;
  }

  /**
   * Records one sampling round. Keys missing from `values` that have a series
   * get nothing (their buckets end); series whose targets have been gone
   * longer than the longest retention are dropped.
   */
  record(t: number, values: Map<string, Resources | null>): void {
    if (t > this.lastRecord) this.lastRecord = t;
    for (const [key, value] of values) {
      const series = this.seriesFor(key);
      series.raw.push(t, value);
      for (const ring of series.coarse) ring.add(t, value);
      if (t > series.lastTime) series.lastTime = t;
    }
    for (const [key, series] of this.series) {
      if (values.has(key)) continue;
      if (series.lastTime < t - this.retainSeconds * 1000) this.series.delete(key);
    }
  }

  /** What the series hold, for the memory bench: count, raw samples plus buckets, and the bytes of their arrays. */
  stats(): { rings: number; samples: number; bytes: number } {
    let samples = 0;
    for (const series of this.series.values()) samples += series.raw.length + series.coarse.reduce((n, r) => n + r.length, 0);
    return { rings: this.series.size, samples, bytes: this.series.size * this.bytesPerSeries };
  }

  /** The tier a range from `since` is answered at for `key` (see the class comment); its index in `tiers`. */
  private tierFor(key: string, since: number): number {
    const now = Number.isFinite(this.lastRecord) ? this.lastRecord : since;
    const last = this.tiers.length - 1;
    let chosen = this.tiers.findIndex((tier) => now - tier.retainSeconds * 1000 <= since);
    if (chosen < 0) chosen = last;
    const series = this.series.get(key);
    if (!series) return chosen;
    const firstOf = (i: number) => (i === 0 ? series.raw.firstTime : series.coarse[i - 1].firstTime);
    let first = firstOf(chosen) ?? Infinity;
    for (let i = chosen + 1; i <= last && first > since; i++) {
      const candidate = firstOf(i);
      if (candidate !== null && candidate <= first - this.tiers[i].stepSeconds * 1000) {
        chosen = i;
        first = candidate;
      }
    }
    return chosen;
  }

  /** The step, in seconds, that `points(key, since)` answers at. */
  stepFor(key: string, since: number): number {
    return this.tiers[this.tierFor(key, since)].stepSeconds;
  }

  /**
   * Usage at or after `since` (ms), oldest first, at the step `stepFor` names:
   * raw samples, or buckets with their average (`cpuMillis`, `memoryBytes`),
   * maximum and sample count. Null values are gaps, never zeros.
   */
  points(key: string, since: number): UsagePoint[] {
    const series = this.series.get(key);
    if (!series) return [];
    const tier = this.tierFor(key, since);
    return tier === 0 ? series.raw.since(since) : series.coarse[tier - 1].since(since);
  }

  /** The newest time recorded or restored (epoch ms); -Infinity when empty. */
  get newestTime(): number {
    return this.lastRecord;
  }

  /**
   * The times a backfill from `from` to `now` samples at: each tier's step
   * within the part of the range only that tier keeps (5 min beyond a day,
   * 1 min beyond the raw retention, the sampling step after that), so every
   * bucket gets a sample and nothing is computed that would be dropped at once.
   */
  backfillTimes(from: number, now: number): number[] {
    const times: number[] = [];
    let t = from;
    for (let i = this.tiers.length - 1; i >= 0; i--) {
      const stepMs = this.tiers[i].stepSeconds * 1000;
      const end = i > 0 ? now - this.tiers[i - 1].retainSeconds * 1000 : now + 1;
      if (t >= end) continue;
      for (let at = Math.ceil(t / stepMs) * stepMs; at < end; at += stepMs) times.push(at);
      t = end;
    }
    return times;
  }

  /** Keys with history. */
  keys(): string[] {
    return [...this.series.keys()];
  }

  /**
   * Changed coarse buckets of every series for storage, clearing their flags:
   * only sealed ones (ended by the newest time recorded), unless `all` (at
   * close, when the open buckets are written too and merged into at the next start).
   */
  takeDirty(all = false): SeriesBuckets[] {
    const out: SeriesBuckets[] = [];
    const sealedBy = all ? Infinity : this.lastRecord;
    for (const [key, series] of this.series) {
      const buckets = series.coarse.flatMap((ring) => ring.takeDirty(sealedBy));
      if (buckets.length) out.push({ key, buckets });
    }
    return out;
  }

  /** Flags buckets a failed write held, so that the next flush writes them again. */
  markDirty(batches: readonly SeriesBuckets[]): void {
    for (const { key, buckets } of batches) {
      const series = this.series.get(key);
      if (!series) continue;
      for (const ring of series.coarse) {
        ring.markDirty(buckets.filter((b) => b.stepSeconds === ring.tier.stepSeconds).map((b) => b.start));
      }
    }
  }

  /** Merges stored buckets in (at start); buckets of a step no tier has are ignored. */
  restore(key: string, buckets: readonly HistoryBucket[]): void {
    if (!buckets.length) return;
    const series = this.seriesFor(key);
    for (const b of buckets) series.coarse.find((r) => r.tier.stepSeconds === b.stepSeconds)?.restore(b);
    const newest = Math.max(...buckets.map((b) => b.start));
    if (newest > series.lastTime) series.lastTime = newest;
    if (newest > this.lastRecord) this.lastRecord = newest;
  }
}
