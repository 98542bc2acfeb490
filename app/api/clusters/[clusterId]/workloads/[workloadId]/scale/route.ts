import { ScaleBodySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { checkId, parseJsonBody, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/**
 * Body { "replicas": n } (and "force": true to scale through a rollout that
 * holds the workload, where the orchestrator can); answers the workload with
 * its new desired count.
 */
export const POST = route<{ clusterId: string; workloadId: string }>(async (request, { clusterId, workloadId }) => {
  const fleet = await getFleet();
  const { replicas, force } = await parseJsonBody(ScaleBodySchema, request);
  return fleet.scale(checkId(clusterId, "cluster id"), checkId(workloadId, "workload id"), replicas, { name: "anonymous" }, { force });
});
