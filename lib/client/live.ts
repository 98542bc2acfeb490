import type { QueryKey } from "@tanstack/react-query";
import { z } from "zod";
import { Backoff } from "@/lib/model/backoff";
import type { ChangeEvent } from "@/lib/model/types";
import { isFleetWide, keysForChange } from "./queries";
import { RESOURCE_KINDS } from "@/lib/model/types";

/** One SSE message of /api/events, checked before it touches the cache. */
const ChangeEventSchema = z.object({
  clusterId: z.string().min(1),
  resources: z.array(z.enum([...RESOURCE_KINDS, "cluster", "usage"])),
}) satisfies z.ZodType<ChangeEvent>;

export function parseChangeEvent(data: string): ChangeEvent | null {
  try {
    const parsed = ChangeEventSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type LiveStatus = "connecting" | "live" | "reconnecting";

/** The part of EventSource the follower uses, so tests can hand in a fake. */
export interface ChangeSource {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent<string>) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

/** EventSource.CLOSED, without touching the browser global at import time. */
const CLOSED = 2;

interface FollowOptions {
  open: () => ChangeSource;
  onStatus: (status: LiveStatus) => void;
  /** Stale query filters, batched. */
  onInvalidate: (filters: { queryKey: QueryKey; exact?: boolean }[]) => void;
  /** Once the stream is open (again): everything may have changed meanwhile. */
  onResync: () => void;
  batchMs?: number;
  /**
   * What spans clusters (the cluster list, problems, the fleet-wide lists)
   * changes with every usage sample of every cluster; refresh it at most this often.
   */
  fleetWideMs?: number;
  backoff?: Backoff;
}

/**
 * Follows /api/events: each change marks its cluster's resource queries
 * stale, batched. EventSource reconnects by itself after a dropped stream;
 * when the server refuses the stream outright it gives up, so we reopen with
 * back-off. Answers a function that stops following.
 */
export function followChanges(options: FollowOptions): () => void {
  const { open, onStatus, onInvalidate, onResync, batchMs = 250, fleetWideMs = 5_000 } = options;
  const backoff = options.backoff ?? new Backoff({ baseMs: 1000, maxMs: 30_000 });
  const pending = new Map<string, { queryKey: QueryKey; exact?: boolean }>();
  const fleetWide = new Map<string, { queryKey: QueryKey; exact?: boolean }>();
  let source: ChangeSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let fleetWideTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const flush = () => {
    flushTimer = undefined;
    if (pending.size) onInvalidate([...pending.values()]);
    pending.clear();
  };

  const connect = () => {
    if (stopped) return;
    source = open();
    source.onopen = () => {
      backoff.reset();
      onStatus("live");
      // Also on the first open: the server-rendered data predates the stream, and a
      // change in between (a cluster finishing its first sync) would be missed.
      onResync();
    };
    source.onmessage = (message) => {
      const change = parseChangeEvent(message.data);
      if (!change) return;
      for (const filter of keysForChange(change)) {
        if (isFleetWide(filter.queryKey)) {
          fleetWide.set(JSON.stringify(filter), filter);
          fleetWideTimer ??= setTimeout(() => {
            fleetWideTimer = undefined;
            onInvalidate([...fleetWide.values()]);
            fleetWide.clear();
          }, fleetWideMs);
        } else {
          pending.set(JSON.stringify(filter), filter);
        }
      }
      flushTimer ??= setTimeout(flush, batchMs);
    };
    source.onerror = () => {
      onStatus("reconnecting");
      if (source?.readyState === CLOSED) {
        source.close();
        retryTimer = setTimeout(connect, backoff.next());
      }
    };
  };

  connect();
  return () => {
    stopped = true;
    source?.close();
    clearTimeout(retryTimer);
    clearTimeout(flushTimer);
    clearTimeout(fleetWideTimer);
  };
}
