import "server-only";
import { cache } from "react";
import { dehydrate, type QueryClient } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { makeQueryClient } from "@/lib/client/query-client";
import type { SearchRecord } from "@/lib/model/queries";
import { isApiError } from "./errors";

/**
 * What a server page uses to prefetch the browser's queries: the request's
 * QueryClient, its dehydrated state for <HydrationBoundary>, and the 404 page
 * for an unknown cluster, node or workload.
 */

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

/** A page's searchParams prop, as Next hands it over. */
export type RouteSearchParams = Promise<SearchRecord>;
