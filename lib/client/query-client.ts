import { QueryClient } from "@tanstack/react-query";
import { ApiRequestError } from "./api";
import { REFRESH } from "./queries";

/** Retries network and upstream failures a little, never the operator's own bad input (4xx). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiRequestError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: REFRESH.staleMs, retry: shouldRetry },
      mutations: { retry: false },
    },
  });
}

// TanStack's App Router pattern: one client per browser session (a module
// variable in the browser only); the server makes one per request (server.ts).
let browserQueryClient: QueryClient | undefined;

export function getBrowserQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
