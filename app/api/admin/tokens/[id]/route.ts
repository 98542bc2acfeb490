import { assertAuthorized } from "@/lib/server/authz";
import { api, checkId } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Revokes a display token and ends the sessions it opened (admins only). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api<{ id: string }>({
  DELETE: {
    verb: "token-revoke",
    run: async ({ actor, access, params, audit }) => {
      assertAuthorized(actor, "administer", null, access.settings);
      const id = checkId(params.id, "token id");
      audit.target = id;
      const before = await access.tokens.revoke(id);
      audit.target = `${before.name} (${before.id})`;
      audit.before = before.revokedAt ? `revoked ${before.revokedAt}` : "live";
      audit.after = "revoked";
      await access.sessions.endForToken(id);
      return { ...before, revokedAt: before.revokedAt ?? new Date().toISOString() };
    },
  },
});
