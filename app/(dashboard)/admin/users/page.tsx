import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { usersQuery } from "@/lib/client/access";
import { dehydrated, getServerQueryClient } from "@/lib/server/prefetch";
import { getAccess } from "@/lib/server/access";
import { UsersView } from "@/components/admin/users-view";
import { requireAdmin } from "../admin-only";

export const metadata: Metadata = { title: "Users" };

export default async function Page() {
  await requireAdmin();
  const access = await getAccess();
  const queryClient = getServerQueryClient();
  await queryClient.prefetchQuery({ ...usersQuery(), queryFn: () => access.users.list() });
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <UsersView />
    </HydrationBoundary>
  );
}
