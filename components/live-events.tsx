"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { Backoff } from "@/lib/adapters/backoff";
import { keysForChange } from "@/lib/client/queries";
import { parseChangeEvent, type LiveStatus } from "@/lib/client/live";

const LiveStatusContext = createContext<LiveStatus>("connecting");

/** Changes arriving within this window are merged into one refetch per query. */
const BATCH_MS = 250;
/** The fleet list (overview cards, switcher) changes with every usage sample of every cluster; refresh it at most this often. */
const FLEET_LIST_MS = 5_000;

/**
 * The tab's one EventSource on /api/events. Each change invalidates the
 * queries of that cluster's resource by key prefix. EventSource reconnects by
 * itself after a dropped stream; when the server refuses the stream outright
 * it gives up, so we reconnect with back-off. After any reconnect everything
 * is refetched, since changes may have been missed meanwhile.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    const backoff = new Backoff(1000, 30_000);
    const pending = new Map<string, { queryKey: QueryKey; exact?: boolean }>();
    let fleetListTimer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let openedBefore = false;

    const flush = () => {
      flushTimer = undefined;
      for (const filter of pending.values()) {
        // cancelRefetch false: a burst of events must not keep cancelling the refetch it started.
        void queryClient.invalidateQueries(filter, { cancelRefetch: false });
      }
      pending.clear();
    };

    const connect = () => {
      source = new EventSource("/api/events");
      source.onopen = () => {
        backoff.reset();
        setStatus("live");
        if (openedBefore) void queryClient.invalidateQueries(undefined, { cancelRefetch: false });
        openedBefore = true;
      };
      source.onmessage = (message: MessageEvent<string>) => {
        const change = parseChangeEvent(message.data);
        if (!change) return;
        for (const filter of keysForChange(change)) {
          if (filter.queryKey.length === 1) {
            fleetListTimer ??= setTimeout(() => {
              fleetListTimer = undefined;
              void queryClient.invalidateQueries(filter, { cancelRefetch: false });
            }, FLEET_LIST_MS);
          } else {
            pending.set(JSON.stringify(filter), filter);
          }
        }
        flushTimer ??= setTimeout(flush, BATCH_MS);
      };
      source.onerror = () => {
        setStatus("reconnecting");
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retryTimer = setTimeout(connect, backoff.next());
        }
      };
    };

    connect();
    return () => {
      source?.close();
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      clearTimeout(fleetListTimer);
    };
  }, [queryClient]);

  return <LiveStatusContext value={status}>{children}</LiveStatusContext>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}
