import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { nodeQuery, nodeTaskParams, tasksQuery, usageQuery, workloadsQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { LIST_PAGE } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, orNotFound } from "@/lib/server/prefetch";
import { NodeDetail } from "@/components/node-detail";

type Params = Promise<{ clusterId: string; nodeId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId, nodeId } = await params;
  const { fleet, actor } = await viewerFleet();
  try {
    const item = await fleet.node(actor, segment(clusterId), segment(nodeId));
    return { title: `${item.name} · ${fleet.cluster(actor, segment(clusterId)).name}` };
  } catch {
    return { title: "Not found" };
  }
}

export default async function NodePage({ params }: { params: Params }) {
  const { clusterId: rawCluster, nodeId: rawNode } = await params;
  const clusterId = segment(rawCluster);
  const nodeId = segment(rawNode);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  const node = await orNotFound(() => fleet.node(actor, clusterId, nodeId));
  queryClient.setQueryData(nodeQuery(clusterId, nodeId).queryKey, node);
  const usage = { scope: "node", target: nodeId, range: "15m" } as const;
  const tasks = nodeTaskParams(nodeId);
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, tasks), queryFn: () => fleet.tasks(actor, clusterId, tasks) }),
    queryClient.prefetchQuery({
      ...workloadsQuery(clusterId, { limit: LIST_PAGE }),
      queryFn: () => fleet.workloads(actor, clusterId, { limit: LIST_PAGE }),
    }),
    queryClient.prefetchQuery({ ...usageQuery(clusterId, usage), queryFn: async () => fleet.usage(actor, clusterId, usage) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <NodeDetail clusterId={clusterId} nodeId={nodeId} />
    </HydrationBoundary>
  );
}
