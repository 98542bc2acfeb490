import { ScaleBodySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { api, checkId, parseJsonBody } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/**
 * Body { "replicas": n } (and "force": true to scale through a rollout that
 * holds the workload, where the orchestrator can); answers the workload with
 * its new desired count. Audited: who, which workload, before → after.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ clusterId: string; workloadId: string }>({
  POST: {
    verb: "scale",
    run: async ({ actor, params, request, audit }) => {
      audit.cluster = checkId(params.clusterId, "cluster id");
      audit.target = checkId(params.workloadId, "workload id");
      const { replicas, force } = await parseJsonBody(ScaleBodySchema, request);
      audit.after = String(replicas);
      const fleet = await getFleet();
      // Read first, so that a refused or failed scale is recorded with where it started too.
      audit.before = await fleet.workload(actor, audit.cluster, audit.target).then(
        (w) => String(w.desired),
        () => null,
      );
      return fleet.scale(actor, audit.cluster, audit.target, replicas, { force });
    },
  },
});
