"use client";

import { useState, type FormEvent } from "react";
import { signIn } from "@/lib/client/access";
import { AUTH_INPUT_CLASS, AUTH_SUBMIT_CLASS } from "./auth-card";

/** Username and password, and the identity provider's button when one is configured. */
export function SignInForm({ next, oidc, error: initialError }: { next: string; oidc: string | null; error: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get("username") ?? ""), String(form.get("password") ?? ""));
      // A full load: every server-rendered part (top bar, scale controls) is redrawn for the new viewer.
      window.location.assign(next);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <div className="space-y-4">
      {error ? (
        <p role="alert" className="rounded border border-danger/40 bg-danger-soft px-3 py-2 text-danger">
          {error}
        </p>
      ) : null}
      <form onSubmit={submit} className="space-y-3" aria-label="Sign in with a password">
        <label className="block">
          <span className="mb-1 block text-[12px] font-medium">Username</span>
          <input name="username" autoComplete="username" required className={AUTH_INPUT_CLASS} />
        </label>
        <label className="block">
          <span className="mb-1 block text-[12px] font-medium">Password</span>
          <input name="password" type="password" autoComplete="current-password" required className={AUTH_INPUT_CLASS} />
        </label>
        <button type="submit" disabled={busy} className={AUTH_SUBMIT_CLASS}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidc ? (
        <>
          <div className="flex items-center gap-2 text-[12px] text-muted" aria-hidden>
            <span className="h-px flex-1 bg-border" />
            or
            <span className="h-px flex-1 bg-border" />
          </div>
          {/* A plain link: the server answers with a redirect to the identity provider. */}
          <a
            href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}
            className="flex h-8 w-full items-center justify-center rounded border border-border-strong font-medium hover:bg-surface-2"
          >
            {`Sign in with ${oidc}`}
          </a>
        </>
      ) : null}
    </div>
  );
}
