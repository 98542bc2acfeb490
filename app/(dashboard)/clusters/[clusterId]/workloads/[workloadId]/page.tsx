import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { nodesQuery, tasksQuery, usageQuery, workloadQuery, workloadTaskParams } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { LIST_PAGE } from "@/lib/model/queries";
import { dehydrated, getServerQueryClient, orNotFound } from "@/lib/server/prefetch";
import { WorkloadDetail } from "@/components/workload-detail";

type Params = Promise<{ clusterId: string; workloadId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId, workloadId } = await params;
  const { fleet, actor } = await viewerFleet();
  try {
    const item = await fleet.workload(actor, segment(clusterId), segment(workloadId));
    return { title: `${item.name} · ${fleet.cluster(actor, segment(clusterId)).name}` };
  } catch {
    return { title: "Not found" };
  }
}

export default async function WorkloadPage({ params }: { params: Params }) {
  const { clusterId: rawCluster, workloadId: rawWorkload } = await params;
  const clusterId = segment(rawCluster);
  const workloadId = segment(rawWorkload);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  const workload = await orNotFound(() => fleet.workload(actor, clusterId, workloadId));
  queryClient.setQueryData(workloadQuery(clusterId, workloadId).queryKey, workload);
  const usage = { scope: "workload", target: workloadId, range: "15m" } as const;
  const tasks = workloadTaskParams(workloadId);
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, tasks), queryFn: () => fleet.tasks(actor, clusterId, tasks) }),
    queryClient.prefetchQuery({
      ...nodesQuery(clusterId, { limit: LIST_PAGE }),
      queryFn: () => fleet.nodes(actor, clusterId, { limit: LIST_PAGE }),
    }),
    queryClient.prefetchQuery({ ...usageQuery(clusterId, usage), queryFn: async () => fleet.usage(actor, clusterId, usage) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <WorkloadDetail clusterId={clusterId} workloadId={workloadId} />
    </HydrationBoundary>
  );
}
