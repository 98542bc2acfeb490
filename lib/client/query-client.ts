import { QueryClient } from "@tanstack/react-query";
import { REFRESH } from "./queries";

/**
 * Retries network and upstream failures a little, never the operator's own
 * bad input (4xx): an ApiRequestError in the browser, the server's ApiError
 * during a server prefetch; both carry the status.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status >= 400 && status < 500) return false;
  return failureCount < 2;
}

/** On the server a prefetch never retries: a failed one is left for the browser, which retries and shows why. */
export function makeQueryClient(where: "browser" | "server" = "browser"): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: REFRESH.staleMs, retry: where === "server" ? false : shouldRetry },
      mutations: { retry: false },
    },
  });
}

// TanStack's App Router pattern: one client per browser session (a module
// variable in the browser only); the server makes one per request (lib/server/prefetch.ts).
let browserQueryClient: QueryClient | undefined;

export function getBrowserQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
