"use client";

import { useLiveStatus } from "./live-events";

const LOOK = {
  live: { dot: "bg-ok", word: "Live", hint: "Receiving changes from the server as they happen" },
  connecting: { dot: "bg-faint", word: "Connecting", hint: "Opening the live update stream" },
  reconnecting: {
    dot: "bg-warn animate-pulse",
    word: "Reconnecting",
    hint: "The live update stream dropped; reconnecting. Data refreshes every minute meanwhile.",
  },
} as const;

export function LiveIndicator() {
  const status = useLiveStatus();
  const look = LOOK[status];
  return (
    <span
      role="status"
      aria-label={`Live updates: ${look.word}`}
      title={look.hint}
      className="inline-flex items-center gap-1.5 text-[12px] text-muted"
    >
      <span aria-hidden className={`inline-block size-2 rounded-full ${look.dot}`} />
      {look.word}
    </span>
  );
}
