/** One tab of a TabList; `highlight` puts its count in the warning colour (something needs a look there). */
export interface Tab<Id extends string> {
  id: Id;
  label: string;
  count?: number;
  highlight?: boolean;
}

/**
 * Tabs over one view whose choice lives in the URL: buttons rather than links,
 * so a switch is a history entry without a server round trip (useUrlParams).
 */
export function TabList<Id extends string>({
  label,
  tabs,
  selected,
  onSelect,
}: {
  label: string;
  tabs: readonly Tab<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
}) {
  return (
    <div role="tablist" aria-label={label} className="flex flex-wrap gap-x-1 border-b border-border">
      {tabs.map((t) => {
        const isSelected = t.id === selected;
        return (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={isSelected}
            onClick={() => onSelect(t.id)}
            className={`-mb-px border-b-2 px-2.5 py-1.5 text-[12px] ${isSelected ? "border-accent font-medium text-foreground" : "border-transparent text-muted hover:text-foreground"}`}
          >
            {t.label}
            {t.count !== undefined ? (
              <span
                className={`figure ml-1.5 rounded px-1 text-[11px] ${t.highlight ? "bg-warn-soft text-warn" : "bg-surface-2 text-muted"}`}
              >
                {t.count}
              </span>
            ) : null}
          </button>
        );
      })}
    </div>
  );
}
