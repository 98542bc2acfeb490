import { redirect } from "next/navigation";
import { RESOURCE_KINDS } from "@/lib/model/types";
import type { RouteSearchParams } from "@/lib/server/prefetch";

/** A cluster's tabs are its resource kinds. */
const TABS: readonly string[] = RESOURCE_KINDS;

/** /clusters/x opens the nodes tab; ?tab=tasks (a shared link) opens that tab with its filters. */
export default async function ClusterPage({
  params,
  searchParams,
}: {
  params: Promise<{ clusterId: string }>;
  searchParams: RouteSearchParams;
}) {
  const { clusterId } = await params;
  const search = await searchParams;
  const rest = new URLSearchParams();
  let tab = "nodes";
  for (const [key, value] of Object.entries(search)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v === undefined) continue;
    if (key === "tab") {
      if (TABS.includes(v)) tab = v;
    } else rest.set(key, v);
  }
  const qs = rest.toString();
  redirect(`/clusters/${clusterId}/${tab}${qs ? `?${qs}` : ""}`);
}
