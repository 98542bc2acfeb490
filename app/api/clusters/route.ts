import { getFleet } from "@/lib/server/fleet";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Every cluster; a broken one is listed with its status and named in `errors`, never dropped. */
export const GET = route(async () => {
  const clusters = (await getFleet()).listClusters();
  const errors = Object.fromEntries(
    clusters
      .filter((c) => c.status === "unreachable")
      .map((c) => [c.id, { code: "upstream-unreachable", message: c.statusReason ?? "not reachable" }]),
  );
  return { items: clusters, errors };
});
