import { ConsumptionSeriesQuerySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { api, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The top consumers over time, for the charts: ?groupBy=&range=&cluster=&tenant=&top=. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, request }) => (await getFleet()).consumptionSeries(actor, parseSearch(ConsumptionSeriesQuerySchema, request)),
});
