import { NodeQuerySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { api, checkId, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ clusterId: string }>({
  GET: async ({ actor, params, request }) =>
    (await getFleet()).nodes(actor, checkId(params.clusterId, "cluster id"), parseSearch(NodeQuerySchema, request)),
});
