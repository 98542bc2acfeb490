import { getFleet } from "@/lib/server/fleet";
import { checkId, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ clusterId: string; workloadId: string }>(async (_request, { clusterId, workloadId }) =>
  (await getFleet()).workload(checkId(clusterId, "cluster id"), checkId(workloadId, "workload id")),
);
