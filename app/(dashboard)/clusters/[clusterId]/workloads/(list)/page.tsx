import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { workloadsQuery, namespacesQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { listParamsFrom, WorkloadQuerySchema } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { WorkloadsView } from "@/components/workloads-view";

export default async function Page({ params, searchParams }: { params: Promise<{ clusterId: string }>; searchParams: RouteSearchParams }) {
  const clusterId = segment((await params).clusterId);
  const query = listParamsFrom(WorkloadQuerySchema, await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (a malformed selector, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...workloadsQuery(clusterId, query), queryFn: () => fleet.workloads(actor, clusterId, query) }),
    queryClient.prefetchQuery({ ...namespacesQuery(clusterId), queryFn: () => fleet.namespaces(actor, clusterId) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <WorkloadsView clusterId={clusterId} />
    </HydrationBoundary>
  );
}
