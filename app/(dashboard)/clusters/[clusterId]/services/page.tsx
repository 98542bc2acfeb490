import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { servicesQuery, namespacesQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { listParamsFrom, ServiceQuerySchema } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { ServicesView } from "@/components/services-view";

export default async function Page({ params, searchParams }: { params: Promise<{ clusterId: string }>; searchParams: RouteSearchParams }) {
  const clusterId = segment((await params).clusterId);
  const query = listParamsFrom(ServiceQuerySchema, await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (a malformed selector, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...servicesQuery(clusterId, query), queryFn: () => fleet.services(actor, clusterId, query) }),
    queryClient.prefetchQuery({ ...namespacesQuery(clusterId), queryFn: () => fleet.namespaces(actor, clusterId) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <ServicesView clusterId={clusterId} />
    </HydrationBoundary>
  );
}
