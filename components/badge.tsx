import type { ReactNode } from "react";

export type Tone = "neutral" | "ok" | "warn" | "danger" | "accent" | "demo";

const TONES: Record<Tone, string> = {
  neutral: "bg-info-soft text-muted border-border",
  ok: "bg-ok-soft text-ok border-transparent",
  warn: "bg-warn-soft text-warn border-transparent",
  danger: "bg-danger-soft text-danger border-transparent",
  accent: "bg-accent-soft text-accent border-transparent",
  demo: "bg-demo-soft text-demo border-transparent",
};

/** A tone as text colour alone, for counts in a sentence. */
export const TONE_TEXT: Record<Tone, string> = {
  neutral: "text-muted",
  ok: "text-ok",
  warn: "text-warn",
  danger: "text-danger",
  accent: "text-accent",
  demo: "text-demo",
};

export function Badge({ tone = "neutral", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded border px-1.5 py-px text-[11px] font-medium leading-4 ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}

/** A coloured dot before a word, for states in dense tables. */
export function Dot({ tone }: { tone: Tone }) {
  const colour = {
    neutral: "bg-faint",
    ok: "bg-ok",
    warn: "bg-warn",
    danger: "bg-danger",
    accent: "bg-accent",
    demo: "bg-demo",
  }[tone];
  return <span aria-hidden className={`inline-block size-2 shrink-0 rounded-full ${colour}`} />;
}
