import { z } from "zod";
import { AdapterError, codeForUpstreamStatus, fromNetworkError } from "../errors";

/**
 * The part of Prometheus's HTTP API (v1) that consumption history needs:
 * range queries. Any Prometheus-compatible server (Thanos, Mimir,
 * VictoriaMetrics) answers the same.
 */

export const PrometheusSourceSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "prometheus.url must be an http(s) URL" })
      // fetch refuses such URLs, and the URL is quoted in messages.
      .refine((url) => !new URL(url).username && !new URL(url).password, "prometheus.url may not hold credentials"),
    /** A label matcher added to every query, e.g. cluster="prod-eu". */
    selector: z
      .string()
      .regex(/^[^{}]+$/, { error: 'prometheus.selector is what goes inside a query\'s braces, e.g. cluster="prod-eu"' })
      .optional(),
  })
  .strict();
export type PrometheusSource = z.infer<typeof PrometheusSourceSchema>;

const MatrixAnswerSchema = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("matrix"),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});

const ErrorAnswerSchema = z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() });

/** One series of a range query: its labels and its values by time (epoch ms); NaN and infinities are left out. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: { t: number; value: number }[];
}

export interface RangeQuery {
  /** Epoch ms of the first and the last evaluation. */
  start: number;
  end: number;
  stepSeconds: number;
}

const QUERY_TIMEOUT_MS = 10_000;

export class PrometheusClient {
  constructor(
    private readonly source: PrometheusSource,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Where it is, for messages (never holds credentials: the URL's user info is dropped). */
  get where(): string {
    const url = new URL(this.source.url);
    return `Prometheus at ${url.origin}${url.pathname.replace(/\/$/, "")}`;
  }

  /** The configured label matchers, to put inside a query's braces ("" when none). */
  get selector(): string {
    return this.source.selector?.trim() ?? "";
  }

  async queryRange(query: string, range: RangeQuery, signal?: AbortSignal): Promise<RangeSeries[]> {
    const base = new URL(this.source.url.endsWith("/") ? this.source.url : `${this.source.url}/`);
    const url = new URL("api/v1/query_range", base);
    // Parameters of the configured URL stay (VictoriaMetrics' extra_label, a tenant's id).
    url.search = base.search;
    const body = new URLSearchParams({
      query,
      start: String(range.start / 1000),
      end: String(range.end / 1000),
      step: `${range.stepSeconds}s`,
    });
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(QUERY_TIMEOUT_MS)]) : AbortSignal.timeout(QUERY_TIMEOUT_MS),
      });
    } catch (err) {
      throw fromNetworkError(err, this.where);
    }
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdapterError(
        response.ok ? "upstream" : codeForUpstreamStatus(response.status),
        `${this.where} answered HTTP ${response.status} with something other than JSON: ${text.slice(0, 200)}`,
      );
    }
    const failed = ErrorAnswerSchema.safeParse(json);
    if (failed.success || !response.ok) {
      const why = failed.success ? `${failed.data.errorType ?? "error"}: ${failed.data.error}` : text.slice(0, 200);
      throw new AdapterError(codeForUpstreamStatus(response.status), `${this.where} refused the query (HTTP ${response.status}): ${why}`);
    }
    const parsed = MatrixAnswerSchema.safeParse(json);
    if (!parsed.success) throw new AdapterError("upstream", `${this.where} answered a range query with an unexpected shape`);
    return parsed.data.data.result.map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), value: Number(v) })).filter((p) => Number.isFinite(p.value)),
    }));
  }
}
