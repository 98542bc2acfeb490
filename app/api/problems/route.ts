import { ProblemQuerySchema } from "@/lib/model/queries";
import { getFleet } from "@/lib/server/fleet";
import { api, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Every problem the viewer may see, most severe first, then oldest: ?cluster=&severity=. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, request }) => (await getFleet()).problems(actor, parseSearch(ProblemQuerySchema, request)),
});
