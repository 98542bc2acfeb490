import type { ReactNode } from "react";
import { HydrationBoundary } from "@tanstack/react-query";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clustersQuery } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient } from "@/lib/server/prefetch";
import { mayReadSomething } from "@/lib/server/authz";
import { viewerFleet } from "@/lib/server/viewer";
import { TopBar } from "@/components/top-bar";

/** Every dashboard page: a visitor with no grant (anonymous visitors must sign in) goes to the sign-in page first. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { fleet, actor } = await viewerFleet();
  if (!mayReadSomething(actor)) {
    const here = (await headers()).get("x-fleetdeck-path") ?? "/";
    redirect(`/sign-in?next=${encodeURIComponent(here)}`);
  }
  const queryClient = getServerQueryClient();
  await queryClient.prefetchQuery({ ...clustersQuery(), queryFn: async () => fleet.listClusters(actor) });
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-30 focus:rounded focus:bg-surface focus:px-3 focus:py-1.5"
      >
        Skip to content
      </a>
      <TopBar />
      <main id="main" className="mx-auto max-w-[1920px] px-4 py-3">
        {children}
      </main>
    </HydrationBoundary>
  );
}
