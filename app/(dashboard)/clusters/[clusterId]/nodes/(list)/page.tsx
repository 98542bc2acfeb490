import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { nodesQuery, usageQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { listParamsFrom, NodeQuerySchema } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { NodesView } from "@/components/nodes-view";

const CLUSTER_USAGE = { scope: "cluster", range: "15m" } as const;

export default async function Page({ params, searchParams }: { params: Promise<{ clusterId: string }>; searchParams: RouteSearchParams }) {
  const clusterId = segment((await params).clusterId);
  const query = listParamsFrom(NodeQuerySchema, await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (a malformed selector, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...nodesQuery(clusterId, query), queryFn: () => fleet.nodes(actor, clusterId, query) }),
    queryClient.prefetchQuery({
      ...usageQuery(clusterId, CLUSTER_USAGE),
      queryFn: async () => fleet.usage(actor, clusterId, CLUSTER_USAGE),
    }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <NodesView clusterId={clusterId} />
    </HydrationBoundary>
  );
}
