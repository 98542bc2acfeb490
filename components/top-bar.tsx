"use client";

import type { FormEvent } from "react";
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

const SEARCH_LABEL = "Search workloads and tasks";

/**
 * The fleet-wide search (issue 14): a box from a tablet up, an icon button
 * on a phone, where a box would not fit beside the rest. The search page has
 * boxes of its own, so it shows neither. Without script, the form still
 * lands on /search?q=.
 */
function SearchBox() {
  const router = useRouter();
  const pathname = usePathname();
  if (pathname === "/search") return null;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const q = String(new FormData(e.currentTarget).get("q") ?? "").trim();
    router.push(q ? `/search?${new URLSearchParams({ q })}` : "/search");
  };
  return (
    <>
      <form role="search" aria-label={SEARCH_LABEL} action="/search" onSubmit={submit} className="hidden sm:block">
        <input
          type="search"
          name="q"
          aria-label={SEARCH_LABEL}
          placeholder="Search workloads, tasks…"
          spellCheck={false}
          autoComplete="off"
          className="h-7 w-48 rounded border border-border bg-surface-2 px-2 text-[12px] text-foreground placeholder:text-faint focus:border-accent focus:outline-none lg:w-56"
        />
      </form>
      <Link
        href="/search"
        aria-label={SEARCH_LABEL}
        title={SEARCH_LABEL}
        className="inline-flex size-7 items-center justify-center rounded border border-border text-muted hover:bg-surface-2 hover:text-foreground sm:hidden"
      >
        <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round">
          <circle cx="7" cy="7" r="4.5" />
          <path d="m10.5 10.5 3.5 3.5" />
        </svg>
      </Link>
    </>
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
          <SearchBox />
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
