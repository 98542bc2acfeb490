"use client";

import type { ReactNode } from "react";

/** Small form pieces shared by the admin pages. */
export const inputClass = "h-7 rounded border border-border bg-surface-2 px-2 text-[12px]";
export const buttonClass = "h-7 rounded border border-border-strong px-2 text-[12px] hover:bg-surface-2 disabled:opacity-50";
export const primaryClass =
  "h-7 rounded bg-accent px-3 text-[12px] font-medium text-white hover:opacity-90 disabled:opacity-50 dark:text-black";

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-0.5">
      <span className="text-[11px] font-medium text-muted">{label}</span>
      {children}
    </label>
  );
}

export function Notice({ tone, children }: { tone: "error" | "info"; children: ReactNode }) {
  return (
    <p
      role={tone === "error" ? "alert" : "status"}
      className={`rounded border px-3 py-1.5 text-[12px] ${tone === "error" ? "border-danger/40 bg-danger-soft text-danger" : "border-border bg-info-soft"}`}
    >
      {children}
    </p>
  );
}

/** "a, b ,c" → ["a","b","c"]; empty → null (all clusters). */
export function clusterList(value: string): string[] | null {
  const ids = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length ? ids : null;
}

export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}
