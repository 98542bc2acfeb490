import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { consumptionParamsFrom, consumptionQuery, consumptionSeriesQuery, CONSUMPTION_CHART_TOP } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { ConsumptionView } from "@/components/consumption-view";

export const metadata: Metadata = { title: "Consumption" };

/** Who uses what, against what they reserved and what exists, over the fleet (issue 12). */
export default async function Page({ searchParams }: { searchParams: RouteSearchParams }) {
  const params = consumptionParamsFrom(await searchParams);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  // A failed prefetch (an unknown cluster, say) is left out; the browser asks again and shows the API's message.
  await Promise.all([
    queryClient.prefetchQuery({ ...consumptionQuery(params), queryFn: () => fleet.consumption(actor, params) }),
    queryClient.prefetchQuery({
      ...consumptionSeriesQuery(params),
      queryFn: () => fleet.consumptionSeries(actor, { ...params, top: CONSUMPTION_CHART_TOP }),
    }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <ConsumptionView />
    </HydrationBoundary>
  );
}
