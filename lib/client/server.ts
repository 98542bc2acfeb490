import "server-only";
import { cache } from "react";
import { dehydrate, type QueryClient } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/server/errors";
import { makeQueryClient } from "./query-client";

/** One QueryClient per server request: React's cache() scopes it to the render. */
export const getServerQueryClient = cache(makeQueryClient);

/** The prefetched queries to hand to <HydrationBoundary>; failed ones are left for the browser to retry and show. */
export function dehydrated(queryClient: QueryClient = getServerQueryClient()) {
  return dehydrate(queryClient);
}

/**
 * By shape, not instanceof: the fleet lives on globalThis and may have been
 * created by another route bundle, whose copy of the error class differs.
 */
function isNotFound(err: unknown): boolean {
  if (err instanceof NotFoundError) return true;
  const e = err as { status?: unknown; code?: unknown } | null;
  return typeof e === "object" && e !== null && e.status === 404 && e.code === "not-found";
}

/** Runs a facade call; an unknown cluster, node or workload becomes the 404 page. */
export async function orNotFound<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isNotFound(err)) notFound();
    throw err;
  }
}

export type RouteSearchParams = Promise<Record<string, string | string[] | undefined>>;

export { segment } from "./segment";
