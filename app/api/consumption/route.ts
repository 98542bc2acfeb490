import { ConsumptionQuerySchema } from "@/lib/model/queries";
import { consumptionCsv } from "@/lib/server/consumption";
import { csvResponse } from "@/lib/server/csv";
import { getFleet } from "@/lib/server/fleet";
import { api, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Consumption over the clusters the viewer may see: ?groupBy=&range=&cluster=&tenant= and &format=csv. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, request }) => {
    const q = parseSearch(ConsumptionQuerySchema, request);
    const answer = await (await getFleet()).consumption(actor, q);
    if (q.format === "csv") {
      return csvResponse(consumptionCsv(answer.items), `fleetdeck-consumption-${q.groupBy}-${q.range}.csv`);
    }
    return answer;
  },
});
