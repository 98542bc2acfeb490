import { getFleet } from "@/lib/server/fleet";
import { api, checkId } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ clusterId: string; nodeId: string }>({
  GET: async ({ actor, params }) =>
    (await getFleet()).node(actor, checkId(params.clusterId, "cluster id"), checkId(params.nodeId, "node id")),
});
