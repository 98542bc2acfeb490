import { FleetTaskQuerySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { api, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Tasks across the clusters the viewer may see, with the per-cluster list's filters and ?cluster=. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, request }) => (await getFleet()).fleetTasks(actor, parseSearch(FleetTaskQuerySchema, request)),
});
