import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { auditQuery } from "@/lib/client/access";
import { auditParamsFrom } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, type RouteSearchParams } from "@/lib/server/prefetch";
import { auditFilter, getAccess } from "@/lib/server/access";
import { AuditView } from "@/components/admin/audit-view";
import { requireAdmin } from "../admin-only";

export const metadata: Metadata = { title: "Audit trail" };

export default async function Page({ searchParams }: { searchParams: RouteSearchParams }) {
  await requireAdmin();
  const params = auditParamsFrom(await searchParams);
  const access = await getAccess();
  const queryClient = getServerQueryClient();
  await queryClient.prefetchQuery({ ...auditQuery(params), queryFn: () => access.audit.query(auditFilter(params)) });
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <AuditView />
    </HydrationBoundary>
  );
}
