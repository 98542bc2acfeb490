import type { ReactNode } from "react";
import { Brand } from "./brand";

/** The fields and the submit button of the sign-in and setup forms. */
export const AUTH_INPUT_CLASS = "h-8 w-full rounded border border-border bg-surface-2 px-2";
export const AUTH_SUBMIT_CLASS = "h-8 w-full rounded bg-accent font-medium text-white dark:text-black hover:opacity-90 disabled:opacity-60";

/** The frame of the sign-in and setup pages: the brand, a title, a card. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center px-4 pt-[12vh]">
      <div className="w-full max-w-sm">
        <p className="mb-4 flex items-center justify-center gap-2 text-base font-semibold tracking-tight">
          <Brand size="size-6" />
        </p>
        <section aria-labelledby="auth-title" className="rounded-md border border-border bg-surface p-5">
          <h1 id="auth-title" className="mb-4 text-sm font-semibold">
            {title}
          </h1>
          {children}
        </section>
      </div>
    </main>
  );
}
