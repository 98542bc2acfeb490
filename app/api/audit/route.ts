import { AuditQuerySchema } from "@/lib/model/queries";
import { auditCsv, auditFilter } from "@/lib/server/access";
import { assertAuthorized } from "@/lib/server/authz";
import { csvResponse } from "@/lib/server/csv";
import { api, parseSearch } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The audit trail, newest first (admins only): ?cluster=&actor=&verb=&outcome=&since=&until=&limit= and &format=csv. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, access, request }) => {
    assertAuthorized(actor, "administer", null, access.settings);
    const q = parseSearch(AuditQuerySchema, request);
    const items = await access.audit.query(auditFilter(q));
    if (q.format === "csv") {
      return csvResponse(auditCsv(items), "fleetdeck-audit.csv");
    }
    return { items };
  },
});
