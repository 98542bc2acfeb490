"use client";

import { Link } from "./link";
import { usePathname } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { clustersQuery } from "@/lib/client/queries";
import { describeMissing } from "@/lib/client/missing";
import { taskNoun } from "@/lib/client/vocabulary";

/**
 * The 404 page's body: says which cluster, node, workload or task was not
 * found. Inside a cluster that exists it renders under the cluster's header
 * and tabs (app/(dashboard)/clusters/[clusterId]/not-found.tsx).
 */
export function NotFoundMessage() {
  const pathname = usePathname();
  const { data: clusters } = useQuery(clustersQuery());
  // Until the list is known, a cluster counts as known: the cluster's own 404 is the layout's to say.
  const missing = describeMissing(pathname, (id) => !clusters || clusters.some((c) => c.id === id));
  const cluster = clusters?.find((c) => c.id === missing.clusterId);
  const where = cluster ? ` in ${cluster.name}` : "";
  // In the orchestrator's words: a pod, an allocation, a container.
  const noun = missing.kind === "task" && cluster ? taskNoun(cluster.orchestrator) : null;
  const word = noun ? noun.singular.toLowerCase() : missing.kind;
  const backLabel = noun ? `All ${noun.plural.toLowerCase()}` : missing.back.label;
  const title = missing.kind === "page" ? "Page not found" : `No ${word} “${missing.id}”${where}`;
  const detail =
    missing.kind === "page"
      ? `Nothing is served at ${missing.id}.`
      : missing.kind === "cluster"
        ? "No cluster you may see has this id. It may have been removed from the configuration, or you may need to sign in as someone with access."
        : `The orchestrator does not report this ${word}${where}. It may have been removed, replaced or renamed.`;
  // Inside a cluster its header holds the page's h1.
  const Heading = cluster ? "h2" : "h1";
  return (
    <section aria-labelledby="not-found-title" className="mx-auto max-w-xl py-12 text-center">
      <p className="figure text-[12px] text-muted">404</p>
      <Heading id="not-found-title" className="mt-1 break-words text-lg font-semibold">
        {title}
      </Heading>
      <p className="mt-1 text-muted">{detail}</p>
      <Link href={missing.back.href} className="mt-4 inline-block text-accent hover:underline">
        {backLabel}
      </Link>
    </section>
  );
}
