import type { Resources, UsagePoint } from "@/lib/model/types";

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

  /** Samples at or after `since` (ms), oldest first. */
  since(since: number): UsagePoint[] {
    const out: UsagePoint[] = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.next - this.size + i + this.capacity) % this.capacity;
      if (this.t[at] < since) continue;
      out.push({
        t: this.t[at],
        cpuMillis: Number.isNaN(this.cpu[at]) ? null : this.cpu[at],
        memoryBytes: Number.isNaN(this.mem[at]) ? null : this.mem[at],
      });
    }
    return out;
  }
}

/** The rings of one cluster, by key ("cluster", "node:<id>", "workload:<id>"). */
export class UsageHistoryStore {
  private readonly rings = new Map<string, UsageRing>();

  constructor(
    readonly stepSeconds: number,
    readonly retainSeconds: number,
  ) {}

  private get capacity(): number {
    return Math.ceil(this.retainSeconds / this.stepSeconds) + 1;
  }

  /**
   * Records one sampling round. Keys missing from `values` that have a ring
   * get a gap; rings whose targets have been gone longer than the retention
   * are dropped.
   */
  record(t: number, values: Map<string, Resources | null>): void {
    for (const [key, value] of values) {
      let ring = this.rings.get(key);
      if (!ring) this.rings.set(key, (ring = new UsageRing(this.capacity)));
      ring.push(t, value);
    }
    for (const [key, ring] of this.rings) {
      if (values.has(key)) continue;
      if ((ring.lastTime ?? 0) < t - this.retainSeconds * 1000) this.rings.delete(key);
    }
  }

  /** What the rings hold, for the memory bench: count, samples and the bytes of their arrays. */
  stats(): { rings: number; samples: number; bytes: number } {
    let samples = 0;
    let bytes = 0;
    for (const ring of this.rings.values()) {
      samples += ring.length;
      bytes += ring.capacity * 3 * Float64Array.BYTES_PER_ELEMENT;
    }
    return { rings: this.rings.size, samples, bytes };
  }

  points(key: string, since: number): UsagePoint[] {
    return this.rings.get(key)?.since(since) ?? [];
  }
}
