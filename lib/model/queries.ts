import { z } from "zod";
import { parseSelector } from "./selector";
import { USAGE_SCOPES } from "./types";

/**
 * Query parameters of the list and usage endpoints. The same schemas parse
 * route search params on the server and build query keys on the client.
 */

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
export function wholeNumberParam(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^\d{1,9}$/).transform(Number)], { error: "must be a whole number in decimal digits" })
    .pipe(z.number().int().min(min).max(max));
}

const paging = {
  /** Case-insensitive substring of the name. */
  q: optionalText,
  sort: z
    .string()
    .regex(/^[a-zA-Z.]{1,40}$/, "must be a field name")
    .optional(),
  order: z.enum(["asc", "desc"]).optional(),
  limit: wholeNumberParam(1, 5000).optional(),
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

/** Parsed list parameters: what the server filters by and the client builds query keys from. */
export type NodeParams = Partial<z.output<typeof NodeQuerySchema>>;
export type WorkloadParams = Partial<z.output<typeof WorkloadQuerySchema>>;
export type TaskParams = Partial<z.output<typeof TaskQuerySchema>>;
export type ServiceParams = Partial<z.output<typeof ServiceQuerySchema>>;

/** "15m", "1h", "90s": at most the history the server keeps. */
export const RANGE_PATTERN = /^(\d{1,5})(s|m|h)$/;

export const UsageQuerySchema = z
  .object({
    scope: z.enum(USAGE_SCOPES).default("cluster"),
    target: optionalText,
    range: z
      .string()
      .regex(RANGE_PATTERN, 'must look like "15m", "1h" or "90s"')
      .default("15m"),
  })
  .refine((q) => q.scope === "cluster" || q.target !== undefined, {
    message: "target is required for node and workload scope",
    path: ["target"],
  });
export type UsageQuery = z.input<typeof UsageQuerySchema>;

export function rangeSeconds(range: string): number {
  const m = RANGE_PATTERN.exec(range);
  if (!m) throw new Error(`bad range ${range}`);
  const n = Number(m[1]);
  return m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : n;
}

export const ScaleBodySchema = z.object(
  {
    replicas: z
      .number({ error: "replicas must be a number" })
      .int("replicas must be a whole number")
      .min(0, "replicas must not be negative"),
    /** Scale through a rollout that holds the workload, cancelling it (where the orchestrator can). */
    force: z.boolean({ error: "force must be true or false" }).optional(),
  },
  { error: "body must be a JSON object like { \"replicas\": 3 }" },
);
