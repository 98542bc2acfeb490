import "server-only";
import { cache } from "react";
import { dehydrate, type QueryClient } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { isApiError } from "@/lib/server/errors";
import { makeQueryClient } from "./query-client";

/** One QueryClient per server request: React's cache() scopes it to the render. */
export const getServerQueryClient = cache(() => makeQueryClient("server"));

/** The prefetched queries to hand to <HydrationBoundary>; failed ones are left for the browser to retry and show. */
export function dehydrated(queryClient: QueryClient = getServerQueryClient()) {
  return dehydrate(queryClient);
}

/** Runs a facade call; an unknown cluster, node or workload becomes the 404 page. */
export async function orNotFound<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isApiError(err) && err.status === 404) notFound();
    throw err;
  }
}

export type RouteSearchParams = Promise<Record<string, string | string[] | undefined>>;

export { segment } from "./segment";
