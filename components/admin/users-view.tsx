"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { accessKeys, createUser, deleteUser, updateUser, usersQuery } from "@/lib/client/access";
import { ROLES, type Role, type User } from "@/lib/model/access";
import { DataTable, type Column } from "../data-table";
import { Panel } from "../details";
import { AdminList } from "./admin-list";
import { buttonClass, clusterList, Field, inputClass, Notice, primaryClass, when } from "./form-bits";

function RoleSelect({ value, onChange, label }: { value: Role; onChange: (role: Role) => void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as Role)} className={inputClass}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

/** Local accounts: create, change role, scope or password, remove. Every change is in the audit trail. */
export function UsersView() {
  const queryClient = useQueryClient();
  const users = useQuery(usersQuery());
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [role, setRole] = useState<Role>("viewer");
  const done = (text: string) => {
    setMessage({ tone: "info", text });
    void queryClient.invalidateQueries({ queryKey: accessKeys.users });
  };
  const fail = (err: Error) => setMessage({ tone: "error", text: err.message });
  const create = useMutation({ mutationFn: createUser, onSuccess: (u) => done(`Created ${u.username} (${u.role}).`), onError: fail });
  const update = useMutation({
    mutationFn: (v: { username: string; changes: Parameters<typeof updateUser>[1] }) => updateUser(v.username, v.changes),
    onSuccess: (u) => done(`Updated ${u.username}.`),
    onError: fail,
  });
  const remove = useMutation({ mutationFn: deleteUser, onSuccess: (r) => done(`Removed ${r.deleted}.`), onError: fail });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate(
      {
        username: String(form.get("username")),
        password: String(form.get("password")),
        role,
        clusters: clusterList(String(form.get("clusters") ?? "")),
      },
      { onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  }

  const columns: Column<User>[] = [
    {
      key: "name",
      header: "User",
      width: "minmax(140px, 1fr)",
      phone: true,
      cell: (u) => <span className="font-medium">{u.username}</span>,
    },
    {
      key: "role",
      header: "Role",
      width: "120px",
      phone: true,
      cell: (u) => (
        <RoleSelect
          label={`Role of ${u.username}`}
          value={u.role}
          onChange={(r) => update.mutate({ username: u.username, changes: { role: r } })}
        />
      ),
    },
    { key: "clusters", header: "Clusters", width: "minmax(140px, 1.5fr)", cell: (u) => (u.clusters ? u.clusters.join(", ") : "all") },
    { key: "updated", header: "Changed", width: "170px", cell: (u) => when(u.updatedAt) },
    {
      key: "actions",
      header: "",
      width: "190px",
      cell: (u) => (
        <span className="flex gap-1">
          <button
            type="button"
            className={buttonClass}
            onClick={() => {
              const password = window.prompt(`New password for ${u.username} (at least 12 characters)`);
              if (password) update.mutate({ username: u.username, changes: { password } });
            }}
          >
            Set password
          </button>
          <button
            type="button"
            className={`${buttonClass} text-danger`}
            onClick={() => {
              if (window.confirm(`Remove ${u.username}? Their sessions end now.`)) remove.mutate(u.username);
            }}
          >
            Remove
          </button>
        </span>
      ),
    },
  ];

  return (
    <div className="space-y-3">
      <h1 className="text-base font-semibold">Users</h1>
      {message ? <Notice tone={message.tone}>{message.text}</Notice> : null}
      <Panel title="Add a user">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Add a user">
          <Field label="Username">
            <input name="username" required className={inputClass} autoComplete="off" />
          </Field>
          <Field label="Password (12+ characters)">
            <input name="password" type="password" required minLength={12} className={inputClass} autoComplete="new-password" />
          </Field>
          <Field label="Role">
            <RoleSelect label="Role" value={role} onChange={setRole} />
          </Field>
          <Field label="Clusters (comma-separated; empty: all)">
            <input name="clusters" className={`${inputClass} w-64`} placeholder="all clusters" />
          </Field>
          <button type="submit" className={primaryClass} disabled={create.isPending}>
            Add
          </button>
        </form>
      </Panel>
      <AdminList
        query={users}
        noun="users"
        empty={{ title: "No local users", hint: "Add one above; people who sign in through the identity provider need no account here." }}
      >
        {(rows) => <DataTable label="Users" rows={rows} columns={columns} rowKey={(u) => u.username} maxHeight="60vh" />}
      </AdminList>
    </div>
  );
}
