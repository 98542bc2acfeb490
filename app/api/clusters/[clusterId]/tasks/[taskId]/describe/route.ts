import { getFleet } from "@/lib/server/fleet";
import { api, checkId } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ clusterId: string; taskId: string }>({
  GET: async ({ actor, params }) =>
    (await getFleet()).describeTask(actor, checkId(params.clusterId, "cluster id"), checkId(params.taskId, "task id")),
});
