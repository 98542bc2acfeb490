import { HydrationBoundary } from "@tanstack/react-query";
import { getFleet } from "@/lib/server/fleet";
import { LIST_PAGE, nodesQuery, tasksQuery, usageQuery, workloadQuery, workloadTaskParams } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient, orNotFound, segment } from "@/lib/client/server";
import { WorkloadDetail } from "@/components/workload-detail";

export default async function WorkloadPage({ params }: { params: Promise<{ clusterId: string; workloadId: string }> }) {
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
