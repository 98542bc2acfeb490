import type { ReactNode } from "react";
import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { clusterQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { dehydrated, getServerQueryClient, orNotFound } from "@/lib/server/prefetch";
import { ClusterHeader } from "@/components/cluster-header";

type Params = Promise<{ clusterId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId } = await params;
  const { fleet, actor } = await viewerFleet();
  try {
    return { title: fleet.cluster(actor, segment(clusterId)).name };
  } catch {
    return { title: "Unknown cluster" };
  }
}

export default async function ClusterLayout({ children, params }: { children: ReactNode; params: Params }) {
  const clusterId = segment((await params).clusterId);
  const { fleet, actor } = await viewerFleet();
  const cluster = await orNotFound(() => fleet.cluster(actor, clusterId));
  const queryClient = getServerQueryClient();
  queryClient.setQueryData(clusterQuery(clusterId).queryKey, cluster);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <ClusterHeader clusterId={clusterId} initial={cluster} />
      {children}
    </HydrationBoundary>
  );
}
