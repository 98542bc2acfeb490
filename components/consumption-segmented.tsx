/** A labelled row of toggle buttons, one of them pressed: the page's group-by, range and figures pickers. */
export function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="flex items-center gap-1.5 text-[12px] text-muted">
      <span>{label}</span>
      <div role="group" aria-label={label} className="flex overflow-hidden rounded border border-border text-[12px]">
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            aria-pressed={value === o.value}
            onClick={() => onChange(o.value)}
            className={`border-l border-border px-2 py-0.5 first:border-l-0 ${value === o.value ? "bg-accent-soft font-medium text-accent" : "text-muted hover:bg-surface-2 hover:text-foreground"}`}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}
