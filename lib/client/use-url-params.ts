"use client";

import { useCallback } from "react";
import { usePathname, useSearchParams } from "next/navigation";

/**
 * Filters, sort and tab state live in the URL so a view can be shared and
 * survives a reload. Updates use history.replaceState, which Next's router
 * observes: the page's client components re-read the params and fetch through
 * the API without a server round trip.
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
      window.history.replaceState(null, "", qs ? `${pathname}?${qs}` : pathname);
    },
    [pathname],
  );
  return [search, update] as const;
}
