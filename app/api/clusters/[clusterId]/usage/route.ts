import { UsageQuerySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { checkId, parseSearch, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ clusterId: string }>(async (request, { clusterId }) =>
  (await getFleet()).usage(checkId(clusterId, "cluster id"), parseSearch(UsageQuerySchema, request)),
);
