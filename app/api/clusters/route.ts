import { isCutOff } from "@/lib/model/types";
import { getFleet } from "@/lib/server/fleet";
import { api } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The clusters the viewer may see; a broken one is listed with its status and named in `errors`, never dropped. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor }) => {
    const clusters = (await getFleet()).listClusters(actor);
    const errors = Object.fromEntries(
      clusters
        .filter((c) => isCutOff(c.status))
        .map((c) => [c.id, { code: `upstream-${c.status}`, message: c.statusReason ?? "not reachable" }]),
    );
    return { items: clusters, errors };
  },
});
