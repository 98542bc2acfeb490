import { CreateTokenBodySchema, describeGrant } from "@/lib/model/access";
import { assertAuthorized } from "@/lib/server/authz";
import { InvalidInputError } from "@/lib/server/errors";
import { getFleet } from "@/lib/server/fleet";
import { api, parseJsonBody } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Display tokens (admins only). POST { "name", "clusters"?, "expiresAt"? } answers { id, token }: the only time the token is shown. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, access }) => {
    assertAuthorized(actor, "administer", null, access.settings);
    return { items: await access.tokens.list() };
  },
  POST: {
    verb: "token-create",
    run: async ({ actor, access, request, audit }) => {
      assertAuthorized(actor, "administer", null, access.settings);
      const body = await parseJsonBody(CreateTokenBodySchema, request);
      audit.target = body.name;
      (await getFleet()).checkClusterIds(body.clusters);
      const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
      if (expiresAt !== null && expiresAt <= Date.now()) throw new InvalidInputError("expiresAt must be in the future");
      const { token, record } = await access.tokens.create({ name: body.name, clusters: body.clusters, expiresAt, createdBy: actor.name });
      audit.target = `${record.name} (${record.id})`;
      audit.after = `${describeGrant({ role: "viewer", clusters: record.clusters ?? "*" })}${record.expiresAt ? ` until ${record.expiresAt}` : ""}`;
      return Response.json({ ...record, token }, { status: 201, headers: { "Cache-Control": "no-store" } });
    },
  },
});
