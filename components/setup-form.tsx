"use client";

import { useState, type FormEvent } from "react";
import { completeSetup } from "@/lib/client/access";
import { AUTH_INPUT_CLASS, AUTH_SUBMIT_CLASS } from "./auth-card";

/** The setup link's form: the first admin's name and password. */
export function SetupForm({ token }: { token: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await completeSetup(token, String(form.get("username") ?? ""), password);
      // A full load: the server-rendered parts and the browser cache belong to the new viewer.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/admin/users");
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Create the first admin">
      {error ? (
        <p role="alert" className="rounded border border-danger/40 bg-danger-soft px-3 py-2 text-danger">
          {error}
        </p>
      ) : null}
      <label className="block">
        <span className="mb-1 block text-[12px] font-medium">Username</span>
        <input name="username" defaultValue="admin" autoComplete="username" required className={AUTH_INPUT_CLASS} />
      </label>
      <label className="block">
        <span className="mb-1 block text-[12px] font-medium">Password (at least 12 characters)</span>
        <input name="password" type="password" minLength={12} autoComplete="new-password" required className={AUTH_INPUT_CLASS} />
      </label>
      <label className="block">
        <span className="mb-1 block text-[12px] font-medium">Password again</span>
        <input name="confirm" type="password" minLength={12} autoComplete="new-password" required className={AUTH_INPUT_CLASS} />
      </label>
      <button type="submit" disabled={busy} className={AUTH_SUBMIT_CLASS}>
        {busy ? "Creating…" : "Create the admin and sign in"}
      </button>
    </form>
  );
}
