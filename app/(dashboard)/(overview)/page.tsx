import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { clustersQuery, usageQuery } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient } from "@/lib/server/prefetch";
import { Overview } from "@/components/overview";

export default async function OverviewPage() {
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  const clusters = fleet.listClusters(actor);
  await Promise.all([
    queryClient.prefetchQuery({ ...clustersQuery(), queryFn: async () => clusters }),
    ...clusters
      .filter((c) => c.usageAvailable)
      .map((c) => {
        const params = { scope: "cluster", range: "15m" } as const;
        return queryClient.prefetchQuery({ ...usageQuery(c.id, params), queryFn: async () => fleet.usage(actor, c.id, params) });
      }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <Overview />
    </HydrationBoundary>
  );
}
