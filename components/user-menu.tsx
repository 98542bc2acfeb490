"use client";

import { Link } from "./link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { signOut } from "@/lib/client/access";
import { describeGrant } from "@/lib/model/access";
import { useSettings } from "./settings";

/**
 * Who am I, what may I do, and the way out: a disclosure in the top bar.
 * Anonymous visitors get a "Sign in" link instead.
 */
export function UserMenu() {
  const { me } = useSettings();
  const pathname = usePathname();
  const [error, setError] = useState<string | null>(null);
  if (me.via === "anonymous") {
    return (
      <Link
        href={`/sign-in?next=${encodeURIComponent(pathname)}`}
        className="rounded border border-border px-2 py-0.5 text-[12px] hover:bg-surface-2"
      >
        Sign in
      </Link>
    );
  }
  const mainRole = me.roles[0]?.role ?? "no role";
  return (
    <details className="relative">
      <summary
        aria-label={`Account: ${me.user} ${mainRole}`}
        className="flex cursor-pointer list-none items-center gap-1.5 rounded border border-border px-2 py-0.5 text-[12px] hover:bg-surface-2"
      >
        {/* The visible words, in order, are part of the name (WCAG 2.5.3). */}
        <span className="max-w-32 truncate font-medium">{me.user}</span> <span className="text-muted">{mainRole}</span>
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-64 rounded-md border border-border bg-surface p-3 text-[12px] shadow-lg">
        <p className="text-muted">{me.via === "token" ? `Display token ${me.user} (read-only)` : `Signed in as ${me.user}`}</p>
        <ul className="mt-2 space-y-0.5" aria-label="Roles">
          {me.roles.map((g, i) => (
            <li key={i}>{describeGrant(g)}</li>
          ))}
        </ul>
        {me.admin ? (
          <nav aria-label="Administration" className="mt-2 flex flex-col gap-1 border-t border-border pt-2">
            <Link href="/admin/users" className="text-accent hover:underline">
              Users
            </Link>
            <Link href="/admin/tokens" className="text-accent hover:underline">
              Display tokens
            </Link>
            <Link href="/admin/audit" className="text-accent hover:underline">
              Audit trail
            </Link>
          </nav>
        ) : null}
        <button
          type="button"
          className="mt-3 w-full rounded border border-border px-2 py-1 hover:bg-surface-2"
          onClick={async () => {
            try {
              await signOut();
              // A full load drops the browser cache, which holds what the signed-out viewer could see.
              // eslint-disable-next-line @next/next/no-location-assign-relative-destination
              window.location.assign("/sign-in");
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          Sign out
        </button>
        {error ? (
          <p role="alert" className="mt-1 text-danger">
            {error}
          </p>
        ) : null}
      </div>
    </details>
  );
}
