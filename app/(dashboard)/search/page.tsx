import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { fleetSearchFrom, fleetTasksQuery, fleetWorkloadsQuery } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { SearchView } from "@/components/search-view";

export const metadata: Metadata = { title: "Search" };

/** Workloads and tasks across every cluster, by name, label selector, namespace and cluster (issue 14). */
export default async function Page({ searchParams }: { searchParams: RouteSearchParams }) {
  const { workloads, tasks } = fleetSearchFrom(await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // Both tabs, so each can say how many it holds. A failed prefetch (a malformed selector, say) is left out;
  // the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...fleetWorkloadsQuery(workloads), queryFn: () => fleet.fleetWorkloads(actor, workloads) }),
    queryClient.prefetchQuery({ ...fleetTasksQuery(tasks), queryFn: () => fleet.fleetTasks(actor, tasks) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <SearchView />
    </HydrationBoundary>
  );
}
