import { z } from "zod";
import { AUDIT_OUTCOMES } from "./access";
import { CONSUMPTION_GROUPS, CONSUMPTION_RANGES } from "./consumption";
import { PROBLEM_SEVERITIES } from "./health";
import { parseSelector } from "./selector";
import { USAGE_SCOPES } from "./types";

/**
 * Query parameters of the list, usage and audit endpoints: one schema per
 * resource, and one reading of a URL's search params with it for every side.
 * A route handler refuses a bad value with a 400 naming it (readQuery, through
 * parseSearch in lib/server/http.ts); a server page (from Next's searchParams
 * record) and the browser (from URLSearchParams) read the same schema without
 * ever failing (listParamsFrom, auditParamsFrom), so they agree on the query
 * key the page prefetched.
 */

/** Search params as Next hands them to a server page. */
export type SearchRecord = Record<string, string | string[] | undefined>;
/** Search params from either side: the browser's URLSearchParams (or Next's read-only kind) or a server page's record. */
export type SearchInput = URLSearchParams | SearchRecord;

/** One value per name: the first of a repeated name; an empty one (?limit=) is no value. */
export function searchValues(search: SearchInput): Record<string, string> {
  const pairs =
    search instanceof URLSearchParams
      ? [...search]
      : Object.entries(search).map(([name, v]) => [name, Array.isArray(v) ? v[0] : v] as const);
  const values: Record<string, string> = {};
  for (const [name, value] of pairs) if (value && !Object.hasOwn(values, name)) values[name] = value;
  return values;
}

/** For a route handler: the query, or the issues that make it a 400. */
export function readQuery<S extends z.ZodType>(schema: S, search: SearchInput) {
  return schema.safeParse(searchValues(search));
}

/**
 * Each parameter of `schema` read on its own (trimmed), so that one bad value
 * cannot spoil the others; `refused` gives what stands for a value the schema
 * refuses (undefined: left out).
 */
function eachParam(
  schema: z.ZodObject,
  search: SearchInput,
  refused: (name: string, raw: string) => string | undefined,
): Record<string, unknown> {
  const values = searchValues(search);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const raw = values[name]?.trim();
    if (!raw) continue;
    const parsed = field.safeParse(raw);
    const value = parsed.success ? parsed.data : refused(name, raw);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const optionalText = z
  .string()
  .trim()
  .max(256, "must be at most 256 characters")
  .optional()
  .transform((v) => (v ? v : undefined));

/** A label selector in Kubernetes syntax, checked here so a typo is a 400, not an empty list. */
const selectorParam = optionalText.superRefine((value, ctx) => {
  if (value === undefined) return;
  try {
    parseSelector(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

/**
 * A whole number from a query string (decimal digits only: "0x10", "1e3",
 * " 7" and "" are refused) or from code.
 */
function wholeNumberParam(min: number, max: number) {
  return z
    .union(
      [
        z.number(),
        z
          .string()
          .regex(/^\d{1,9}$/)
          .transform(Number),
      ],
      { error: "must be a whole number in decimal digits" },
    )
    .pipe(z.number().int().min(min).max(max));
}

/** The largest page a list answers. */
export const LIST_LIMIT_MAX = 5000;
/** The page the UI asks for first; a list longer than that offers "show more", which adds as much again. */
export const LIST_PAGE = 500;

const paging = {
  /** Case-insensitive substring of the name. */
  q: optionalText,
  sort: z
    .string()
    .regex(/^[a-zA-Z.]{1,40}$/, "must be a field name")
    .optional(),
  order: z.enum(["asc", "desc"]).optional(),
  limit: wholeNumberParam(1, LIST_LIMIT_MAX).optional(),
  offset: wholeNumberParam(0, 100_000_000).optional(),
};

export const NodeQuerySchema = z.object({ selector: selectorParam, ...paging });
export type NodeQuery = z.input<typeof NodeQuerySchema>;

export const WorkloadQuerySchema = z.object({
  namespace: optionalText,
  selector: selectorParam,
  ...paging,
});
export type WorkloadQuery = z.input<typeof WorkloadQuerySchema>;

export const TaskQuerySchema = z.object({
  namespace: optionalText,
  selector: selectorParam,
  node: optionalText,
  workload: optionalText,
  ...paging,
});
export type TaskQuery = z.input<typeof TaskQuerySchema>;

export const ServiceQuerySchema = z.object({
  namespace: optionalText,
  selector: selectorParam,
  ...paging,
});
export type ServiceQuery = z.input<typeof ServiceQuerySchema>;

/** The fleet-wide lists (/api/workloads, /api/tasks): a cluster's filters, and which cluster. */
export const FleetWorkloadQuerySchema = WorkloadQuerySchema.extend({ cluster: optionalText });
export type FleetWorkloadQuery = z.input<typeof FleetWorkloadQuerySchema>;
export const FleetTaskQuerySchema = TaskQuerySchema.extend({ cluster: optionalText });
export type FleetTaskQuery = z.input<typeof FleetTaskQuerySchema>;

/** GET /api/problems: ?cluster=&severity= (one severity: critical or warning). */
export const ProblemQuerySchema = z.object({
  cluster: optionalText,
  severity: z.enum(PROBLEM_SEVERITIES, { error: `severity must be one of ${PROBLEM_SEVERITIES.join(", ")}` }).optional(),
});
export type ProblemQuery = z.input<typeof ProblemQuerySchema>;

/** Parsed list parameters: what the server filters by and the client builds query keys from. */
export type NodeParams = Partial<z.output<typeof NodeQuerySchema>>;
export type WorkloadParams = Partial<z.output<typeof WorkloadQuerySchema>>;
export type TaskParams = Partial<z.output<typeof TaskQuerySchema>>;
export type ServiceParams = Partial<z.output<typeof ServiceQuerySchema>>;
export type FleetWorkloadParams = Partial<z.output<typeof FleetWorkloadQuerySchema>>;
export type FleetTaskParams = Partial<z.output<typeof FleetTaskQuerySchema>>;

type ListQuerySchema =
  | typeof NodeQuerySchema
  | typeof WorkloadQuerySchema
  | typeof TaskQuerySchema
  | typeof ServiceQuerySchema
  | typeof FleetWorkloadQuerySchema
  | typeof FleetTaskQuerySchema;

/** A list page's own controls (column headers, "show more"), as opposed to the filters the operator types. */
const PAGE_CONTROLS: ReadonlySet<string> = new Set(["sort", "order", "limit", "offset"]);

/**
 * A list page's parameters from its URL, read the same way by the server page
 * and the browser; never fails. A filter the schema refuses is kept as
 * written (trimmed), so that the list's request answers why and the page
 * shows it beside the filters; a bad sort or order is left out. The limit is
 * LIST_PAGE unless the URL asks for more (up to LIST_LIMIT_MAX); offset is not
 * read, as the pages grow the limit instead.
 */
export function listParamsFrom<S extends ListQuerySchema>(schema: S, search: SearchInput): Partial<z.output<S>> {
  const params = eachParam(schema, search, (name, raw) => (PAGE_CONTROLS.has(name) ? undefined : raw));
  delete params.offset;
  params.limit = Math.max(LIST_PAGE, (params.limit as number | undefined) ?? LIST_PAGE);
  return params as Partial<z.output<S>>;
}

/** The list pages, by path, and the schema of the list each shows: its filters are the list's. */
const LIST_PAGES: readonly [RegExp, ListQuerySchema][] = [
  [/^\/clusters\/[^/]+\/nodes\/?$/, NodeQuerySchema],
  [/^\/clusters\/[^/]+\/workloads\/?$/, WorkloadQuerySchema],
  [/^\/clusters\/[^/]+\/tasks\/?$/, TaskQuerySchema],
  [/^\/clusters\/[^/]+\/services\/?$/, ServiceQuerySchema],
  [/^\/search\/?$/, FleetWorkloadQuerySchema],
];

/**
 * Why a list page's filters are refused (what its list's request answers 400
 * with), or null when they pass or the path is no list page. The page still
 * shows the refusal beside its filters; this makes its status say so too.
 * Its own controls (sort, order, limit) are not filters: a bad one is left out.
 */
export function refusedPageFilters(pathname: string, search: SearchInput): string | null {
  const schema = LIST_PAGES.find(([path]) => path.test(pathname))?.[1];
  if (!schema) return null;
  const filters = Object.fromEntries(Object.entries(searchValues(search)).filter(([name]) => !PAGE_CONTROLS.has(name)));
  const parsed = schema.safeParse(filters);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `${issue.path.join(".") || "query"}: ${issue.message}`;
}

/** "15m", "1h", "7d", "90s": at most the history the server keeps. */
const RANGE_PATTERN = /^(\d{1,5})(s|m|h|d)$/;

/** The ranges the usage charts offer (the URL's `usage` parameter), shortest first. */
export const USAGE_CHART_RANGES = ["15m", "1h", "6h", "24h", "7d"] as const;
export type UsageChartRange = (typeof USAGE_CHART_RANGES)[number];

/** The charts' range from the URL's `usage` parameter; anything else is the default. */
export function usageChartRangeFrom(value: string | null | undefined, fallback: UsageChartRange = "1h"): UsageChartRange {
  return (USAGE_CHART_RANGES as readonly string[]).includes(value ?? "") ? (value as UsageChartRange) : fallback;
}

export const UsageQuerySchema = z
  .object({
    scope: z.enum(USAGE_SCOPES).default("cluster"),
    target: optionalText,
    range: z.string().regex(RANGE_PATTERN, 'must look like "15m", "1h", "7d" or "90s"').default("15m"),
  })
  .refine((q) => q.scope === "cluster" || q.target !== undefined, {
    message: "target is required for node, workload and task scope",
    path: ["target"],
  });
export type UsageQuery = z.input<typeof UsageQuerySchema>;

export function rangeSeconds(range: string): number {
  const m = RANGE_PATTERN.exec(range);
  if (!m) throw new Error(`bad range ${range}`);
  const n = Number(m[1]);
  return n * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
}

/** GET /api/audit: ?cluster=&actor=&verb=&outcome=&since=&until=&limit= and &format=csv. */
export const AuditQuerySchema = z.object({
  cluster: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
  verb: z.string().max(64).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO-8601 time" }).optional(),
  until: z.iso.datetime({ offset: true, error: "until must be an ISO-8601 time" }).optional(),
  limit: wholeNumberParam(1, 10_000).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

/** The audit page's filters (the format is its CSV link's). */
export type AuditParams = Omit<z.output<typeof AuditQuerySchema>, "format">;

/** The audit page's filters from its URL, read the same way by the server page and the browser; a bad value is left out. */
export function auditParamsFrom(search: SearchInput): AuditParams {
  return eachParam(AuditQuerySchema.omit({ format: true }), search, () => undefined) as AuditParams;
}

/** GET /api/consumption: ?groupBy=&range=&cluster=&tenant= and &format=csv. */
export const ConsumptionQuerySchema = z.object({
  groupBy: z.enum(CONSUMPTION_GROUPS, { error: `groupBy must be one of ${CONSUMPTION_GROUPS.join(", ")}` }).default("cluster"),
  range: z.enum(CONSUMPTION_RANGES, { error: `range must be one of ${CONSUMPTION_RANGES.join(", ")}` }).default("24h"),
  cluster: optionalText,
  tenant: optionalText,
  format: z.enum(["json", "csv"], { error: "format must be json or csv" }).optional(),
});
export type ConsumptionQuery = z.input<typeof ConsumptionQuerySchema>;

/** The most series /api/consumption/series draws. */
export const CONSUMPTION_TOP_MAX = 50;

/** GET /api/consumption/series: the same filters and &top= (the largest consumers by average CPU; 10 unless asked). */
export const ConsumptionSeriesQuerySchema = ConsumptionQuerySchema.omit({ format: true }).extend({
  top: wholeNumberParam(1, CONSUMPTION_TOP_MAX).default(10),
});
export type ConsumptionSeriesQuery = z.input<typeof ConsumptionSeriesQuerySchema>;

export const ScaleBodySchema = z.object(
  {
    replicas: z
      .number({ error: "replicas must be a number" })
      .int("replicas must be a whole number")
      .min(0, "replicas must not be negative"),
    /** Scale through a rollout that holds the workload, cancelling it (where the orchestrator can). */
    force: z.boolean({ error: "force must be true or false" }).optional(),
  },
  { error: 'body must be a JSON object like { "replicas": 3 }' },
);
