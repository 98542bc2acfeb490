"use client";

import { useQuery } from "@tanstack/react-query";
import { clusterQuery, nodeQuery, nodeTaskParams } from "@/lib/client/queries";
import { taskNoun } from "@/lib/client/vocabulary";
import { formatBytes, formatCpu } from "@/lib/format";
import { Age, useNow } from "./age";
import { Badge } from "./badge";
import { Facts, Labels, Panel } from "./details";
import { ResourceBar } from "./resource-bar";
import { ErrorState, Skeleton } from "./states";
import { NodeStatus } from "./status";
import { TasksTable } from "./tasks-view";
import { UsageHistoryPanel } from "./usage-chart";

export function NodeDetail({ clusterId, nodeId }: { clusterId: string; nodeId: string }) {
  const now = useNow();
  const cluster = useQuery(clusterQuery(clusterId)).data;
  const { data: node, error, isPending, refetch } = useQuery(nodeQuery(clusterId, nodeId));
  const noun = cluster ? taskNoun(cluster.orchestrator) : { singular: "Task", plural: "Tasks" };

  if (isPending) return <Skeleton className="h-64 w-full" />;
  if (error) return <ErrorState title="Could not load this node" error={error} onRetry={() => refetch()} />;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-base font-semibold">{node.name}</h2>
        <NodeStatus node={node} />
        {node.schedulable ? null : <Badge tone="warn">Cordoned</Badge>}
        {node.roles.map((r) => (
          <Badge key={r}>{r}</Badge>
        ))}
        {node.statusReason ? <span className="text-[12px] text-muted">{node.statusReason}</span> : null}
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        <Panel title="Resources">
          <div className="space-y-3">
            <ResourceBar
              kind="cpu"
              used={node.usage?.cpuMillis ?? null}
              requested={node.requested.cpuMillis}
              allocatable={node.allocatable.cpuMillis}
            />
            <ResourceBar
              kind="memory"
              used={node.usage?.memoryBytes ?? null}
              requested={node.requested.memoryBytes}
              allocatable={node.allocatable.memoryBytes}
            />
            {node.usage === null && node.usageNote ? <p className="text-[12px] text-muted">{`No live use: ${node.usageNote}`}</p> : null}
            <Facts
              items={[
                ["Capacity", `${formatCpu(node.capacity.cpuMillis)} · ${formatBytes(node.capacity.memoryBytes)}`],
                ["Allocatable", `${formatCpu(node.allocatable.cpuMillis)} · ${formatBytes(node.allocatable.memoryBytes)}`],
                [noun.plural, String(node.taskCount)],
              ]}
            />
          </div>
        </Panel>
        <Panel title="Details">
          <Facts
            items={[
              ["Age", <Age key="age" since={node.createdAt} now={now} />],
              ...Object.entries(node.info).map(([k, v]): [string, string] => [k, v]),
              ["Labels", <Labels key="labels" labels={node.labels} />],
            ]}
          />
        </Panel>
      </div>
      <UsageHistoryPanel clusterId={clusterId} scope="node" target={nodeId} usageAvailable={cluster?.usageAvailable ?? true} />
      <section aria-label={`${noun.plural} on this node`}>
        <h2 className="mb-2 text-sm font-semibold">{`${noun.plural} on this node`}</h2>
        <TasksTable clusterId={clusterId} params={nodeTaskParams(nodeId)} hide={["node"]} maxHeight="60vh" />
      </section>
    </div>
  );
}
