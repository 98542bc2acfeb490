import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { getFleet } from "@/lib/server/fleet";
import { LIST_PAGE, nodeQuery, nodeTaskParams, tasksQuery, usageQuery, workloadsQuery } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, orNotFound, segment } from "@/lib/client/server";
import { NodeDetail } from "@/components/node-detail";

type Params = Promise<{ clusterId: string; nodeId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId, nodeId } = await params;
  const fleet = await getFleet();
  try {
    const item = await fleet.node(segment(clusterId), segment(nodeId));
    return { title: `${item.name} · ${fleet.cluster(segment(clusterId)).name}` };
  } catch {
    return { title: "Not found" };
  }
}

export default async function NodePage({ params }: { params: Params }) {
  const { clusterId: rawCluster, nodeId: rawNode } = await params;
  const clusterId = segment(rawCluster);
  const nodeId = segment(rawNode);
  const fleet = await getFleet();
  const queryClient = getServerQueryClient();
  const node = await orNotFound(() => fleet.node(clusterId, nodeId));
  queryClient.setQueryData(nodeQuery(clusterId, nodeId).queryKey, node);
  const usage = { scope: "node", target: nodeId, range: "15m" } as const;
  const tasks = nodeTaskParams(nodeId);
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, tasks), queryFn: () => fleet.tasks(clusterId, tasks) }),
    queryClient.prefetchQuery({ ...workloadsQuery(clusterId, { limit: LIST_PAGE }), queryFn: () => fleet.workloads(clusterId, { limit: LIST_PAGE }) }),
    queryClient.prefetchQuery({ ...usageQuery(clusterId, usage), queryFn: async () => fleet.usage(clusterId, usage) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <NodeDetail clusterId={clusterId} nodeId={nodeId} />
    </HydrationBoundary>
  );
}
