import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { nodesQuery, workloadsQuery, namespacesQuery, tasksQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { LIST_PAGE, listParamsFrom, TaskQuerySchema } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { TasksView } from "@/components/tasks-view";

export default async function Page({ params, searchParams }: { params: Promise<{ clusterId: string }>; searchParams: RouteSearchParams }) {
  const clusterId = segment((await params).clusterId);
  const query = listParamsFrom(TaskQuerySchema, await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (a malformed selector, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, query), queryFn: () => fleet.tasks(actor, clusterId, query) }),
    queryClient.prefetchQuery({ ...namespacesQuery(clusterId), queryFn: () => fleet.namespaces(actor, clusterId) }),
    queryClient.prefetchQuery({
      ...nodesQuery(clusterId, { limit: LIST_PAGE }),
      queryFn: () => fleet.nodes(actor, clusterId, { limit: LIST_PAGE }),
    }),
    queryClient.prefetchQuery({
      ...workloadsQuery(clusterId, { limit: LIST_PAGE }),
      queryFn: () => fleet.workloads(actor, clusterId, { limit: LIST_PAGE }),
    }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <TasksView clusterId={clusterId} />
    </HydrationBoundary>
  );
}
