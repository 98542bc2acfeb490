import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { getFleet } from "@/lib/server/fleet";
import { LIST_PAGE, nodesQuery, tasksQuery, usageQuery, workloadQuery, workloadTaskParams } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, orNotFound, segment } from "@/lib/client/server";
import { WorkloadDetail } from "@/components/workload-detail";

type Params = Promise<{ clusterId: string; workloadId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId, workloadId } = await params;
  const fleet = await getFleet();
  try {
    const item = await fleet.workload(segment(clusterId), segment(workloadId));
    return { title: `${item.name} · ${fleet.cluster(segment(clusterId)).name}` };
  } catch {
    return { title: "Not found" };
  }
}

export default async function WorkloadPage({ params }: { params: Params }) {
  const { clusterId: rawCluster, workloadId: rawWorkload } = await params;
  const clusterId = segment(rawCluster);
  const workloadId = segment(rawWorkload);
  const fleet = await getFleet();
  const queryClient = getServerQueryClient();
  const workload = await orNotFound(() => fleet.workload(clusterId, workloadId));
  queryClient.setQueryData(workloadQuery(clusterId, workloadId).queryKey, workload);
  const usage = { scope: "workload", target: workloadId, range: "15m" } as const;
  const tasks = workloadTaskParams(workloadId);
  await Promise.all([
    queryClient.prefetchQuery({ ...tasksQuery(clusterId, tasks), queryFn: () => fleet.tasks(clusterId, tasks) }),
    queryClient.prefetchQuery({ ...nodesQuery(clusterId, { limit: LIST_PAGE }), queryFn: () => fleet.nodes(clusterId, { limit: LIST_PAGE }) }),
    queryClient.prefetchQuery({ ...usageQuery(clusterId, usage), queryFn: async () => fleet.usage(clusterId, usage) }),
  ]);
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <WorkloadDetail clusterId={clusterId} workloadId={workloadId} />
    </HydrationBoundary>
  );
}
