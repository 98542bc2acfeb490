import { UpdateUserBodySchema } from "@/lib/model/access";
import { describeUser } from "@/lib/server/access";
import { assertAuthorized } from "@/lib/server/authz";
import { NotFoundError } from "@/lib/server/errors";
import { getFleet } from "@/lib/server/fleet";
import { api, checkId, parseJsonBody } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** PATCH { "password"?, "role"?, "clusters"? } and DELETE (admins only); a changed password or a removed user ends their sessions. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ username: string }>({
  GET: async ({ actor, access, params }) => {
    assertAuthorized(actor, "administer", null, access.settings);
    const user = await access.users.get(checkId(params.username, "username"));
    if (!user) throw new NotFoundError(`no user "${params.username}"`);
    return user;
  },
  PATCH: {
    verb: "user-update",
    run: async ({ actor, access, request, params, audit }) => {
      assertAuthorized(actor, "administer", null, access.settings);
      audit.target = checkId(params.username, "username");
      const changes = await parseJsonBody(UpdateUserBodySchema, request);
      (await getFleet()).checkClusterIds(changes.clusters);
      const { before, after } = await access.users.update(audit.target, changes);
      audit.before = describeUser(before);
      audit.after = `${describeUser(after)}${changes.password !== undefined ? "; password changed" : ""}`;
      if (changes.password !== undefined) await access.sessions.endForUser(audit.target);
      return after;
    },
  },
  DELETE: {
    verb: "user-delete",
    run: async ({ actor, access, params, audit }) => {
      assertAuthorized(actor, "administer", null, access.settings);
      audit.target = checkId(params.username, "username");
      const before = await access.users.delete(audit.target);
      audit.before = describeUser(before);
      await access.sessions.endForUser(audit.target);
      return { deleted: audit.target };
    },
  },
});
