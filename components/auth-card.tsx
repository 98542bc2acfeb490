import type { ReactNode } from "react";

/** The frame of the sign-in and setup pages: the brand, a title, a card. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center px-4 pt-[12vh]">
      <div className="w-full max-w-sm">
        <p className="mb-4 flex items-center justify-center gap-2 text-base font-semibold tracking-tight">
          <svg aria-hidden viewBox="0 0 20 20" className="size-6 text-accent" fill="currentColor">
            <rect x="2" y="3" width="7" height="6" rx="1.5" />
            <rect x="11" y="3" width="7" height="6" rx="1.5" opacity="0.6" />
            <rect x="2" y="11" width="7" height="6" rx="1.5" opacity="0.6" />
            <rect x="11" y="11" width="7" height="6" rx="1.5" />
          </svg>
          Fleetdeck
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
