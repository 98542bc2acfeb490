import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { tokensQuery } from "@/lib/client/access";
import { dehydrated, getServerQueryClient } from "@/lib/server/prefetch";
import { getAccess } from "@/lib/server/access";
import { TokensView } from "@/components/admin/tokens-view";
import { requireAdmin } from "../admin-only";

export const metadata: Metadata = { title: "Display tokens" };

export default async function Page() {
  await requireAdmin();
  const access = await getAccess();
  const queryClient = getServerQueryClient();
  await queryClient.prefetchQuery({ ...tokensQuery(), queryFn: () => access.tokens.list() });
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <TokensView />
    </HydrationBoundary>
  );
}
