"use client";

import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { namespacesQuery, nodesQuery } from "@/lib/client/queries";
import { useUrlParams } from "@/lib/client/use-url-params";
import { ApiRequestError } from "@/lib/client/api";
import { LIST_PAGE } from "@/lib/model/queries";

type FilterField = "namespace" | "node" | "selector" | "q";

const inputClass =
  "h-7 rounded border border-border bg-surface px-2 text-[12px] text-foreground placeholder:text-faint focus:border-accent focus:outline-none";

/** Is this the operator's own bad filter (a 4xx), to show beside the inputs rather than as a page error? */
export function isFilterError(error: unknown): error is ApiRequestError {
  return error instanceof ApiRequestError && (error.status === 400 || error.status === 422);
}

function NamespaceSelect({ clusterId, label }: { clusterId: string; label: string }) {
  const [search, update] = useUrlParams();
  const { data } = useQuery(namespacesQuery(clusterId));
  const value = search.get("namespace") ?? "";
  return (
    <label className="flex items-center gap-1.5 text-[12px] text-muted">
      {label}
      <select aria-label={label} value={value} onChange={(e) => update({ namespace: e.target.value })} className={inputClass}>
        <option value="">All</option>
        {(data ?? []).map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
        {value && data && !data.includes(value) ? <option value={value}>{value}</option> : null}
      </select>
    </label>
  );
}

function NodeSelect({ clusterId }: { clusterId: string }) {
  const [search, update] = useUrlParams();
  const { data } = useQuery(nodesQuery(clusterId, { limit: LIST_PAGE }));
  const value = search.get("node") ?? "";
  return (
    <label className="flex items-center gap-1.5 text-[12px] text-muted">
      Node
      <select aria-label="Node" value={value} onChange={(e) => update({ node: e.target.value })} className={inputClass}>
        <option value="">All</option>
        {(data?.items ?? []).map((n) => (
          <option key={n.id} value={n.id}>
            {n.name}
          </option>
        ))}
        {value && data && !data.items.some((n) => n.id === value) ? <option value={value}>{value}</option> : null}
      </select>
    </label>
  );
}

/** A text filter applied on Enter (a selector half-typed is not worth a request per keystroke). */
type TextFilterProps = { name: "selector" | "q" | "namespace"; label: string; placeholder: string; width: string };

export function TextFilter(props: TextFilterProps) {
  const [search] = useUrlParams();
  const applied = search.get(props.name) ?? "";
  // Keyed by the applied value: when the URL changes from elsewhere (back button, a link) the draft follows.
  return <TextFilterInput key={applied} applied={applied} {...props} />;
}

function TextFilterInput({ name, label, placeholder, width, applied }: TextFilterProps & { applied: string }) {
  const [, update] = useUrlParams();
  const [draft, setDraft] = useState(applied);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ [name]: draft.trim() });
  };
  return (
    <form role="search" aria-label={label} onSubmit={submit} className="flex items-center gap-1.5 text-[12px] text-muted">
      <label className="flex items-center gap-1.5">
        {label}
        <input
          type="search"
          aria-label={label}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            // Clearing the box (its ✕ button) clears the filter at once.
            if (e.target.value === "" && applied) update({ [name]: "" });
          }}
          onBlur={() => draft.trim() !== applied && update({ [name]: draft.trim() })}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          className={`${inputClass} font-mono ${width}`}
        />
      </label>
    </form>
  );
}

export function ListFilters({
  clusterId,
  fields,
  namespaceLabel = "Namespace",
  error,
  summary,
}: {
  clusterId: string;
  fields: FilterField[];
  namespaceLabel?: string;
  error?: unknown;
  summary?: string;
}) {
  return (
    <div className="mb-2">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        {fields.includes("q") ? <TextFilter name="q" label="Name" placeholder="contains…" width="w-40" /> : null}
        {fields.includes("namespace") ? <NamespaceSelect clusterId={clusterId} label={namespaceLabel} /> : null}
        {fields.includes("node") ? <NodeSelect clusterId={clusterId} /> : null}
        {fields.includes("selector") ? (
          <TextFilter name="selector" label="Label selector" placeholder="app=mysql, tier in (db,cache), !canary" width="w-72" />
        ) : null}
        {summary ? <span className="figure ml-auto text-[12px] text-muted">{summary}</span> : null}
      </div>
      <FilterError error={error} />
    </div>
  );
}

/** The API's word on a filter it refused (a malformed selector), beside the inputs; nothing for any other error. */
export function FilterError({ error }: { error: unknown }) {
  if (!isFilterError(error)) return null;
  return (
    <p role="alert" className="mt-1.5 rounded border border-danger/40 bg-danger-soft px-2 py-1 text-[12px] text-danger">
      {error.message}
    </p>
  );
}
