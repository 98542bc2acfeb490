import { CreateUserBodySchema } from "@/lib/model/access";
import { describeUser } from "@/lib/server/access";
import { assertAuthorized } from "@/lib/server/authz";
import { getFleet } from "@/lib/server/fleet";
import { api, parseJsonBody } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Local accounts (admins only). POST { "username", "password", "role", "clusters"? }. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, access }) => {
    assertAuthorized(actor, "administer", null, access.settings);
    return { items: await access.users.list() };
  },
  POST: {
    verb: "user-create",
    run: async ({ actor, access, request, audit }) => {
      assertAuthorized(actor, "administer", null, access.settings);
      const body = await parseJsonBody(CreateUserBodySchema, request);
      audit.target = body.username;
      (await getFleet()).checkClusterIds(body.clusters);
      const user = await access.users.create(body);
      audit.after = describeUser(user);
      return Response.json(user, { status: 201 });
    },
  },
});
