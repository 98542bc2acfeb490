"use client";

import { useEffect, useState } from "react";
import { formatAge } from "@/lib/format";

/** The current time, ticking every 10 s so ages stay true on a page left open for days. */
export function useNow(intervalMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function Age({ since, now }: { since: string | null; now: number }) {
  return (
    // Server and browser clocks differ by the render delay; the next tick corrects it.
    <time
      suppressHydrationWarning
      dateTime={since ?? undefined}
      title={since ? new Date(since).toLocaleString() : undefined}
      className="figure"
    >
      {formatAge(since, now)}
    </time>
  );
}
