import type { ConsumptionParams } from "@/lib/client/queries";

/** The page's words for a grouping and a range, shared by the view, its table, its totals and its chart. */
export const GROUP_LABEL: Record<ConsumptionParams["groupBy"], string> = {
  cluster: "Cluster",
  tenant: "Tenant",
  team: "Team",
  workload: "Workload",
  node: "Node",
};
export const GROUP_PLURAL: Record<ConsumptionParams["groupBy"], string> = {
  cluster: "clusters",
  tenant: "tenants",
  team: "teams",
  workload: "workloads",
  node: "nodes",
};
export const RANGE_LABEL: Record<ConsumptionParams["range"], string> = { "1h": "1 h", "6h": "6 h", "24h": "24 h", "7d": "7 d" };

/** What the page says before the first sample. */
export const NO_HISTORY = "No usage history yet — it builds up from the first minute.";
