"use client";

import { ErrorState } from "@/components/states";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-2xl py-10">
      <ErrorState title="This page could not be shown" error={error} onRetry={reset} />
    </div>
  );
}
