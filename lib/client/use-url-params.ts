"use client";

import { useCallback } from "react";
import { usePathname, useSearchParams } from "next/navigation";

/**
 * Filters, sort and tab state live in the URL so a view can be shared and
 * survives a reload. Every update is a committed choice (a select, Enter, a
 * click), so it is a history entry and Back undoes it. history.pushState is
 * observed by Next's router: the page's client components re-read the params
 * and fetch through the API without a server round trip.
 */
export function useUrlParams() {
  const search = useSearchParams();
  const pathname = usePathname();
  const update = useCallback(
    (changes: Record<string, string | undefined | null>) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === null || value === "") next.delete(key);
        else next.set(key, value);
      }
      const qs = next.toString();
      if (qs === window.location.search.slice(1)) return;
      window.history.pushState(null, "", qs ? `${pathname}?${qs}` : pathname);
    },
    [pathname],
  );
  return [search, update] as const;
}
