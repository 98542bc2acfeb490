import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { LIST_PAGE, nodesQuery, workloadsQuery, namespacesQuery, taskParamsFrom, tasksQuery, toSearchLike } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams, segment } from "@/lib/client/server";
import { TasksView } from "@/components/tasks-view";

export default async function Page({ params, searchParams }: { params: Promise<{ clusterId: string }>; searchParams: RouteSearchParams }) {
  const clusterId = segment((await params).clusterId);
  const query = taskParamsFrom(toSearchLike(await searchParams));
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (a malformed selector, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, query), queryFn: () => fleet.tasks(actor, clusterId, query) }),
    queryClient.prefetchQuery({ ...namespacesQuery(clusterId), queryFn: () => fleet.namespaces(actor, clusterId) }),
    queryClient.prefetchQuery({ ...nodesQuery(clusterId, { limit: LIST_PAGE }), queryFn: () => fleet.nodes(actor, clusterId, { limit: LIST_PAGE }) }),
    queryClient.prefetchQuery({ ...workloadsQuery(clusterId, { limit: LIST_PAGE }), queryFn: () => fleet.workloads(actor, clusterId, { limit: LIST_PAGE }) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <TasksView clusterId={clusterId} />
    </HydrationBoundary>
  );
}
