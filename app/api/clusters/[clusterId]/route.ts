import { getFleet } from "@/lib/server/fleet";
import { checkId, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ clusterId: string }>(async (_request, { clusterId }) =>
  (await getFleet()).cluster(checkId(clusterId, "cluster id")),
);
