"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { followChanges, type LiveStatus } from "@/lib/client/live";
import { openSharedSource } from "@/lib/client/shared-source";

const LiveStatusContext = createContext<LiveStatus>("connecting");

/** The browser's one EventSource on /api/events, shared by its tabs (see followChanges and openSharedSource). */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(
    () =>
      followChanges({
        open: () => openSharedSource({ create: () => new EventSource("/api/events") }),
        onStatus: setStatus,
        // cancelRefetch false: a burst of events must not keep cancelling the refetch it started.
        onInvalidate: (filters) => filters.forEach((f) => void queryClient.invalidateQueries(f, { cancelRefetch: false })),
        onResync: () => void queryClient.invalidateQueries(undefined, { cancelRefetch: false }),
      }),
    [queryClient],
  );

  return <LiveStatusContext value={status}>{children}</LiveStatusContext>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}
