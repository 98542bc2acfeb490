import type { Metadata } from "next";
import { HydrationBoundary } from "@tanstack/react-query";
import { viewerFleet } from "@/lib/server/viewer";
import { taskQuery, workloadQuery } from "@/lib/client/queries";
import { segment } from "@/lib/client/segment";
import { dehydrated, getServerQueryClient, orNotFound } from "@/lib/server/prefetch";
import { TaskDetail } from "@/components/task-detail";

type Params = Promise<{ clusterId: string; taskId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { clusterId, taskId } = await params;
  const { fleet, actor } = await viewerFleet();
  try {
    const item = await fleet.task(actor, segment(clusterId), segment(taskId));
    return { title: `${item.name} · ${fleet.cluster(actor, segment(clusterId)).name}` };
  } catch {
    return { title: "Not found" };
  }
}

export default async function TaskPage({ params }: { params: Params }) {
  const { clusterId: rawCluster, taskId: rawTask } = await params;
  const clusterId = segment(rawCluster);
  const taskId = segment(rawTask);
  const { fleet, actor } = await viewerFleet();
  const queryClient = getServerQueryClient();
  const task = await orNotFound(() => fleet.task(actor, clusterId, taskId));
  queryClient.setQueryData(taskQuery(clusterId, taskId).queryKey, task);
  const workloadId = task.workloadId;
  // Its workload names it and holds its events; one that is gone is left for the browser to say.
  if (workloadId) {
    await queryClient.prefetchQuery({
      ...workloadQuery(clusterId, workloadId),
      queryFn: () => fleet.workload(actor, clusterId, workloadId),
    });
  }
  return (
    <HydrationBoundary state={dehydrated(queryClient)}>
      <TaskDetail clusterId={clusterId} taskId={taskId} />
    </HydrationBoundary>
  );
}
