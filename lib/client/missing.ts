import { segment } from "./segment";

/** What a 404 page is about, read from the path the visitor asked for. */
export interface Missing {
  /** "cluster", "node", "workload" or "task"; "page" for any other path. */
  kind: "cluster" | "node" | "workload" | "task" | "page";
  /** The id asked for (decoded), or the path itself for a page. */
  id: string;
  /** The cluster the missing node, workload or task was looked for in. */
  clusterId: string | null;
  /** Where to go instead: the list the missing object would be in, or the fleet. */
  back: { href: string; label: string };
}

const LISTS = { nodes: "node", workloads: "workload", tasks: "task" } as const;

/**
 * /clusters/x → no cluster "x"; /clusters/x/nodes/y → no node "y" in x;
 * anything else → no page at that path. A 404 inside a cluster keeps its
 * header and tabs, so the page only has to say what was not found.
 */
export function describeMissing(pathname: string, knownCluster: (id: string) => boolean): Missing {
  const parts = pathname.split("/").filter(Boolean).map(segment);
  const fleet = { href: "/", label: "Back to the fleet" };
  if (parts[0] !== "clusters" || parts.length < 2) return { kind: "page", id: pathname, clusterId: null, back: fleet };
  const clusterId = parts[1];
  if (!knownCluster(clusterId)) return { kind: "cluster", id: clusterId, clusterId: null, back: fleet };
  const list = parts[2] as keyof typeof LISTS | undefined;
  const base = `/clusters/${encodeURIComponent(clusterId)}`;
  if (list && LISTS[list] && parts.length === 4) {
    return { kind: LISTS[list], id: parts[3], clusterId, back: { href: `${base}/${list}`, label: `All ${list}` } };
  }
  return { kind: "page", id: pathname, clusterId, back: { href: base, label: "Back to the cluster" } };
}
