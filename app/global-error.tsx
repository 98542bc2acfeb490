"use client";

import "./globals.css";

/** When even the root layout fails (the fleet could not start, say): a plain page that says so. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen p-8">
        <div role="alert" className="mx-auto max-w-2xl rounded-md border border-danger/40 bg-danger-soft p-4 text-danger">
          <h1 className="text-base font-semibold">Fleetdeck could not start</h1>
          <p className="mt-1 break-words">{error.message || "An unexpected error occurred on the server; its log has the details."}</p>
          <button type="button" onClick={reset} className="mt-3 rounded border border-danger/40 px-2 py-0.5">
            Try again
          </button>
        </div>
      </body>
    </html>
  );
}
