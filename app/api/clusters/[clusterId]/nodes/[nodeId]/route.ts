import { getFleet } from "@/lib/server/fleet";
import { checkId, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ clusterId: string; nodeId: string }>(async (_request, { clusterId, nodeId }) =>
  (await getFleet()).node(checkId(clusterId, "cluster id"), checkId(nodeId, "node id")),
);
