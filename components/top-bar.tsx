"use client";

import { segment } from "@/lib/client/segment";
import { Link } from "./link";
import { useParams, usePathname, useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { clustersQuery } from "@/lib/client/queries";
import { RESOURCE_KINDS } from "@/lib/model/types";
import { Badge } from "./badge";
import { Brand } from "./brand";
import { LiveIndicator } from "./live-indicator";
import { useSettings } from "./settings";
import { UserMenu } from "./user-menu";

/** A cluster page's tab is one of its resource kinds. */
const TABS: ReadonlySet<string> = new Set(RESOURCE_KINDS);

function ClusterSwitcher() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useParams<{ clusterId?: string }>();
  const { data: clusters } = useQuery(clustersQuery());
  const current = params.clusterId ? segment(params.clusterId) : "";
  // Switching clusters keeps the tab the operator is on, not its filters (namespaces differ).
  const tab = pathname.split("/")[3];
  return (
    <select
      aria-label="Cluster"
      value={current}
      onChange={(e) => {
        const id = e.target.value;
        router.push(id ? `/clusters/${encodeURIComponent(id)}/${tab && TABS.has(tab) ? tab : "nodes"}` : "/");
      }}
      className="h-7 max-w-64 rounded border border-border bg-surface-2 px-2 text-[12px] text-foreground"
    >
      <option value="">All clusters</option>
      {(clusters ?? []).map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
          {c.status !== "ok" ? ` (${c.status})` : ""}
        </option>
      ))}
      {current && clusters && !clusters.some((c) => c.id === current) ? <option value={current}>{current}</option> : null}
    </select>
  );
}

/** The fleet-wide consumption page (issue 12). */
function ConsumptionLink() {
  const active = usePathname() === "/consumption";
  return (
    <Link
      href="/consumption"
      aria-current={active ? "page" : undefined}
      className={`text-[12px] hover:text-foreground hover:underline ${active ? "font-medium text-foreground" : "text-muted"}`}
    >
      Consumption
    </Link>
  );
}

export function TopBar() {
  const settings = useSettings();
  return (
    <header className="sticky top-0 z-20 border-b border-border bg-surface/95 backdrop-blur">
      <div className="mx-auto flex min-h-11 max-w-[1920px] flex-wrap items-center gap-x-4 gap-y-1 px-4 py-1">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <Brand />
        </Link>
        <nav aria-label="Cluster switcher">
          <ClusterSwitcher />
        </nav>
        <ConsumptionLink />
        <div className="ml-auto flex items-center gap-3">
          {settings.demo ? (
            <Badge tone="demo" title="Simulated clusters running inside Fleetdeck; nothing here is real">
              DEMO
            </Badge>
          ) : null}
          {settings.readOnly ? (
            <Badge tone="warn" title="Read-only mode: no changes can be made from this dashboard">
              READ-ONLY
            </Badge>
          ) : null}
          <LiveIndicator />
          <UserMenu />
        </div>
      </div>
    </header>
  );
}
