import { DEFAULT_ADAPTER_TIMINGS, type AdapterTimings } from "@/lib/adapters/timings";

export interface NomadTimings extends AdapterTimings {
  /** ?wait= of blocking queries; Nomad's servers cut it to 300 s (nomad/rpc.go maxQueryTime). */
  blockingWaitMs: number;
  /** Nomad's event stream sends a {} heartbeat at once and every 30 s; a stream silent for longer than this is reconnected. */
  streamIdleMs: number;
  /** Items per page of a list (per_page); tests make it small to read many pages. */
  pageSize: number;
}

export const DEFAULT_NOMAD_TIMINGS: NomadTimings = {
  ...DEFAULT_ADAPTER_TIMINGS,
  // Longer than the kit's: a large cluster's lists take a while, and as the event stream carries every change, a relist is only a safety net.
  requestTimeoutMs: 15_000,
  resyncMs: 300_000,
  blockingWaitMs: 60_000,
  streamIdleMs: 45_000,
  pageSize: 200,
};
