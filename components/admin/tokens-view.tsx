"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { accessKeys, createToken, revokeToken, tokensQuery } from "@/lib/client/access";
import type { DisplayToken } from "@/lib/model/access";
import { Badge } from "../badge";
import { DataTable, type Column } from "../data-table";
import { Panel } from "../details";
import { AdminList } from "./admin-list";
import { buttonClass, clusterList, Field, inputClass, Notice, primaryClass, when } from "./form-bits";

function status(t: DisplayToken) {
  if (t.revokedAt) return <Badge tone="danger">revoked</Badge>;
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return <Badge tone="warn">expired</Badge>;
  return <Badge tone="ok">live</Badge>;
}

/** Read-only tokens for wall displays: the token is shown once, with its kiosk URL. */
export function TokensView() {
  const queryClient = useQueryClient();
  const tokens = useQuery(tokensQuery());
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: accessKeys.tokens });
  const create = useMutation({
    mutationFn: createToken,
    onSuccess: (t) => {
      setCreated({ name: t.name, token: t.token });
      setError(null);
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const revoke = useMutation({ mutationFn: revokeToken, onSuccess: refresh, onError: (e: Error) => setError(e.message) });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const expires = String(form.get("expires") ?? "");
    create.mutate({
      name: String(form.get("name")),
      clusters: clusterList(String(form.get("clusters") ?? "")),
      ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
    });
  }

  const columns: Column<DisplayToken>[] = [
    { key: "name", header: "Name", width: "minmax(140px, 1fr)", phone: true, cell: (t) => <span className="font-medium">{t.name}</span> },
    { key: "status", header: "Status", width: "80px", phone: true, cell: status },
    { key: "clusters", header: "Clusters", width: "minmax(120px, 1fr)", cell: (t) => (t.clusters ? t.clusters.join(", ") : "all") },
    { key: "by", header: "Created by", width: "110px", cell: (t) => t.createdBy },
    { key: "expires", header: "Expires", width: "160px", cell: (t) => when(t.expiresAt) },
    { key: "used", header: "Last used", width: "160px", cell: (t) => when(t.lastUsedAt) },
    {
      key: "actions",
      header: "",
      width: "80px",
      cell: (t) =>
        t.revokedAt ? null : (
          <button
            type="button"
            className={`${buttonClass} text-danger`}
            onClick={() => window.confirm(`Revoke ${t.name}? Displays using it stop at once.`) && revoke.mutate(t.id)}
          >
            Revoke
          </button>
        ),
    },
  ];

  return (
    <div className="space-y-3">
      <h1 className="text-base font-semibold">Display tokens</h1>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {created ? (
        <Panel title={`Token for ${created.name}: copy it now, it is not shown again`}>
          <p className="mb-1 text-[12px] text-muted">
            As a header: Authorization: Bearer &lt;token&gt;. As a kiosk URL (the token leaves the address bar at once):
          </p>
          <code className="block break-all rounded bg-surface-2 px-2 py-1 font-mono text-[12px]">{`${window.location.origin}/?token=${created.token}`}</code>
          <button type="button" className={`${buttonClass} mt-2`} onClick={() => setCreated(null)}>
            Done
          </button>
        </Panel>
      ) : null}
      <Panel title="Create a display token">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Create a display token">
          <Field label="Name">
            <input name="name" required maxLength={100} className={inputClass} placeholder="ops-room wall" />
          </Field>
          <Field label="Clusters (comma-separated; empty: all)">
            <input name="clusters" className={`${inputClass} w-64`} placeholder="all clusters" />
          </Field>
          <Field label="Expires (optional)">
            <input name="expires" type="datetime-local" className={inputClass} />
          </Field>
          <button type="submit" className={primaryClass} disabled={create.isPending}>
            Create
          </button>
        </form>
      </Panel>
      <AdminList
        query={tokens}
        noun="display tokens"
        empty={{ title: "No display tokens", hint: "Create one for each wall display; each is read-only and can be revoked alone." }}
      >
        {(rows) => <DataTable label="Display tokens" rows={rows} columns={columns} rowKey={(t) => t.id} maxHeight="60vh" />}
      </AdminList>
    </div>
  );
}
