/**
 * An error as AWS answers it: a `__type` and a message, HTTP 400 unless said
 * otherwise. `namespace` makes the `__type` a Smithy shape id
 * ("com.amazonaws.cloudwatch#InvalidParameterValueException"), as services
 * built on Smithy answer; older JSON services such as ECS send the bare name,
 * and AWS's request layer names its own errors by its namespace
 * ("com.amazon.coral.service#UnrecognizedClientException"). SDKs keep the part
 * after "#". `queryCode` is the "Code;Sender" an awsQueryCompatible service
 * (CloudWatch) adds in the x-amzn-query-error header.
 */
export class SimAwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly options: { namespace?: string; queryCode?: string } = {},
  ) {
    super(message);
  }

  get wireType(): string {
    return this.options.namespace ? `${this.options.namespace}#${this.type}` : this.type;
  }
}

/** ECS's AccessDeniedException is modeled with HTTP 403 (the SDK's Smithy model, `httpError: 403`). */
export const accessDenied = (message: string) => new SimAwsError("AccessDeniedException", message, 403);

export const invalid = (message: string) => new SimAwsError("InvalidParameterException", message);

/** Opaque paging tokens: the offset into a stably sorted list, tied to the operation that made it. */
export function encodeToken(operation: string, offset: number): string {
  return Buffer.from(JSON.stringify({ op: operation, offset })).toString("base64");
}

export function page<T>(
  operation: string,
  items: T[],
  input: { nextToken?: unknown; maxResults?: unknown },
  defaultMax: number,
  limit = 100,
): { items: T[]; nextToken?: string } {
  let max = defaultMax;
  if (input.maxResults !== undefined) {
    if (typeof input.maxResults !== "number" || !Number.isInteger(input.maxResults) || input.maxResults < 1 || input.maxResults > limit) {
      throw invalid(`maxResults must be between 1 and ${limit}.`);
    }
    max = input.maxResults;
  }
  let offset = 0;
  if (input.nextToken !== undefined) {
    try {
      const token = JSON.parse(Buffer.from(String(input.nextToken), "base64").toString("utf8")) as { op?: string; offset?: number };
      if (token.op !== operation || !Number.isInteger(token.offset) || (token.offset as number) < 0) throw new Error("bad token");
      offset = token.offset as number;
    } catch {
      throw invalid("Invalid nextToken.");
    }
  }
  const slice = items.slice(offset, offset + max);
  const more = offset + max < items.length;
  return more ? { items: slice, nextToken: encodeToken(operation, offset + max) } : { items: slice };
}
