"use client";

import { useQuery } from "@tanstack/react-query";
import { auditCsvUrl, auditQuery } from "@/lib/client/access";
import { useUrlParams } from "@/lib/client/use-url-params";
import { AUDIT_OUTCOMES, type AuditEntry } from "@/lib/model/access";
import { auditParamsFrom } from "@/lib/model/queries";
import { Badge } from "../badge";
import { DataTable, type Column } from "../data-table";
import { AdminList } from "./admin-list";
import { Field, inputClass } from "./form-bits";

const OUTCOME_TONE = { ok: "ok", refused: "warn", failed: "danger" } as const;

const columns: Column<AuditEntry>[] = [
  {
    key: "at",
    header: "Time",
    width: "165px",
    phone: "minmax(0, 1.4fr)",
    cell: (e) => <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>,
  },
  { key: "actor", header: "Who", width: "minmax(110px, 1fr)", cell: (e) => <span title={e.actorKind}>{e.actor}</span> },
  {
    key: "source",
    header: "From",
    width: "minmax(90px, 0.8fr)",
    cell: (e) => (
      <span className="font-mono text-[12px]" title={e.source ?? undefined}>
        {e.source ?? "—"}
      </span>
    ),
  },
  { key: "verb", header: "Did", width: "110px", phone: "minmax(0, 1fr)", cell: (e) => e.verb },
  {
    key: "target",
    header: "What",
    width: "minmax(160px, 2fr)",
    cell: (e) => <span className="font-mono text-[12px]">{[e.cluster, e.target].filter(Boolean).join(" / ") || "—"}</span>,
  },
  {
    key: "change",
    header: "Before → after",
    width: "minmax(120px, 1.2fr)",
    cell: (e) => (e.before || e.after ? `${e.before ?? "—"} → ${e.after ?? "—"}` : "—"),
  },
  {
    key: "outcome",
    header: "Outcome",
    width: "90px",
    phone: true,
    cell: (e) => <Badge tone={OUTCOME_TONE[e.outcome]}>{`${e.outcome} ${e.status}`}</Badge>,
  },
  {
    key: "message",
    header: "Message",
    width: "minmax(160px, 2fr)",
    cell: (e) => <span title={e.message ?? undefined}>{e.message ?? ""}</span>,
  },
];

/** The audit trail with its filters in the URL, and the same rows as CSV. */
export function AuditView() {
  const [search, update] = useUrlParams();
  const params = auditParamsFrom(search);
  const entries = useQuery(auditQuery(params));
  const text = (name: "cluster" | "actor" | "verb", label: string) => (
    <Field label={label}>
      <input
        defaultValue={params[name] ?? ""}
        onBlur={(e) => update({ [name]: e.target.value.trim() })}
        onKeyDown={(e) => e.key === "Enter" && update({ [name]: e.currentTarget.value.trim() })}
        className={`${inputClass} w-36`}
      />
    </Field>
  );
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-base font-semibold">Audit trail</h1>
        <a href={auditCsvUrl(params)} className="text-[12px] text-accent hover:underline" download>
          Export these rows as CSV
        </a>
      </div>
      <div role="search" aria-label="Filter the audit trail" className="flex flex-wrap items-end gap-2">
        {text("cluster", "Cluster")}
        {text("actor", "Who")}
        {text("verb", "Verb (scale, sign-in, …)")}
        <Field label="Outcome">
          <select value={params.outcome ?? ""} onChange={(e) => update({ outcome: e.target.value })} className={inputClass}>
            <option value="">any</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Since">
          <input
            type="datetime-local"
            defaultValue={params.since ? params.since.slice(0, 16) : ""}
            onChange={(e) => update({ since: e.target.value ? new Date(e.target.value).toISOString() : "" })}
            className={inputClass}
          />
        </Field>
      </div>
      <AdminList
        query={entries}
        noun="the audit trail"
        empty={{ title: "Nothing recorded for these filters", hint: "Every change and every refused attempt appears here." }}
      >
        {(rows) => (
          <DataTable
            label="Audit trail"
            rows={rows}
            columns={columns}
            rowKey={(e) => String(e.id)}
            footer={`${rows.length} newest entries`}
          />
        )}
      </AdminList>
    </div>
  );
}
