import type { ConsumptionItem, FlagKind } from "@/lib/model/consumption";
import type { Tone } from "./badge";
import type { Resource } from "./consumption-bars";
import { figuresOf } from "./consumption-figures";

/** The table's tabs, its flags, and how its rows are picked and sorted. */
export const TABS = [
  { id: "all", label: "All" },
  { id: "top", label: "Top consumers" },
  { id: "idle", label: "Idle" },
  { id: "starved", label: "Starved" },
  { id: "over-committed", label: "Over-committed" },
] as const;
export type TabId = (typeof TABS)[number]["id"];
const TOP_COUNT = 10;

export const FLAG: Record<FlagKind, { label: string; tone: Tone; weight: number }> = {
  "over-committed": { label: "over-committed", tone: "danger", weight: 4 },
  oom: { label: "OOM killed", tone: "danger", weight: 4 },
  starved: { label: "starved", tone: "danger", weight: 4 },
  idle: { label: "idle", tone: "warn", weight: 3 },
  unreserved: { label: "unreserved", tone: "accent", weight: 1 },
};

const problemScore = (item: ConsumptionItem) => item.flags.reduce((sum, f) => sum + FLAG[f.kind].weight, 0);

const SORT_KEYS = [
  "name",
  "cluster",
  "capacity",
  "reserved",
  "limit",
  "usedAvg",
  "usedP95",
  "usedMax",
  "efficiency",
  "idleReserved",
  "coverage",
  "cost",
  "idleCost",
  "flags",
  "frees",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const isSortKey = (s: string): s is SortKey => (SORT_KEYS as readonly string[]).includes(s);

/** Sorted by the column; missing figures last whichever the order; problems first breaks ties by the idle reservation. */
export function sortItems(
  items: ConsumptionItem[],
  sort: SortKey,
  order: "asc" | "desc",
  resource: Resource,
  clusterName: (id: string | null) => string,
) {
  const sign = order === "desc" ? -1 : 1;
  const value = (item: ConsumptionItem): number | string | null => {
    if (sort === "name") return item.name.toLowerCase();
    if (sort === "cluster") return clusterName(item.cluster).toLowerCase();
    if (sort === "coverage") return item.coverage;
    if (sort === "cost") return item.cost?.reserved ?? null;
    if (sort === "idleCost") return item.cost?.idle ?? null;
    if (sort === "flags") return problemScore(item);
    return figuresOf(item, resource)[sort] ?? null;
  };
  return [...items].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const primary = typeof va === "string" ? va.localeCompare(String(vb)) : va - (vb as number);
    if (primary !== 0) return sign * primary;
    return figuresOf(b, resource).idleReserved - figuresOf(a, resource).idleReserved || a.key.localeCompare(b.key);
  });
}

export function tabItems(tab: TabId, items: ConsumptionItem[], resource: Resource): ConsumptionItem[] {
  const has = (...kinds: FlagKind[]) => items.filter((i) => i.flags.some((f) => kinds.includes(f.kind)));
  if (tab === "idle") return has("idle");
  if (tab === "starved") return has("starved", "oom");
  if (tab === "over-committed") return has("over-committed");
  if (tab === "top")
    return items
      .filter((i) => (figuresOf(i, resource).usedAvg ?? 0) > 0)
      .sort((a, b) => (figuresOf(b, resource).usedAvg ?? 0) - (figuresOf(a, resource).usedAvg ?? 0))
      .slice(0, TOP_COUNT);
  return items;
}
