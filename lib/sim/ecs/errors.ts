/** An error as AWS answers it: a `__type` and a message, HTTP 400 unless said otherwise. */
export class SimAwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new SimAwsError("InvalidParameterException", message);

/** Opaque paging tokens: the offset into a stably sorted list, tied to the operation that made it. */
export function encodeToken(operation: string, offset: number): string {
  return Buffer.from(JSON.stringify({ op: operation, offset })).toString("base64");
}

export function page<T>(operation: string, items: T[], input: { nextToken?: unknown; maxResults?: unknown }, defaultMax: number, limit = 100): { items: T[]; nextToken?: string } {
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
