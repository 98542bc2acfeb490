import { getFleet } from "@/lib/server/fleet";
import { checkId, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ clusterId: string }>(async (_request, { clusterId }) => ({
  items: await (await getFleet()).namespaces(checkId(clusterId, "cluster id")),
}));
