/**
 * The credentials a cluster's adapter holds (tokens, passwords, keys), so that
 * nothing an orchestrator echoes back (an error body that repeats the request's
 * headers, a proxy's debug page) carries them into a status line, an API
 * answer, a page or the log. Adapters add what they load; the server redacts
 * every upstream text through redact() before it keeps or shows it.
 */
export const REDACTED = "[redacted]";

// A header's or field's value: up to a space, quote, separator or bracket; not one already redacted.
const FRESH = String.raw`(?!redacted\])`;
const VALUE = String.raw`${FRESH}[^\s"',;&[\]]+`;
// "name: value", "name=value", "name": "value", Go's map[Name:[value]].
const SEP = String.raw`["']?[ \t]*[:=][ \t"'\[]*`;
// For field names that also occur in prose ("password: must be 12 characters"): only name=value or a quoted "name": value.
const STRICT_SEP = String.raw`(?:["']?[ \t]*=[ \t"']*|["'][ \t]*:[ \t"'\[]*)`;

// Shapes of credentials whatever their value: header values, fields, query tokens. Groups: name, separator, kept scheme.
const PATTERNS: RegExp[] = [
  new RegExp(
    String.raw`\b(authorization|proxy-authorization)(${SEP})(bearer\s+|basic\s+|digest\s+|token\s+|negotiate\s+|aws4-hmac-sha256\s+)${VALUE}`,
    "gi",
  ),
  // A bearer token anywhere; it must hold a digit, so that "Bearer authentication failed" stays as it is.
  /\b(bearer)(\s+)()(?=[\w\-.~+/]*\d)[\w\-.~+/]{8,}=*/gi,
  new RegExp(
    String.raw`\b(x-nomad-token|x-vault-token|x-consul-token|x-amz-security-token|x-auth-token|x-api-key|x-registry-auth)(${SEP})()${VALUE}`,
    "gi",
  ),
  // A cookie header's value is a list: redact it to the end of the value, not to the first ";".
  new RegExp(String.raw`\b(cookie|set-cookie)(${SEP})()${FRESH}[^\s"'[\]][^"'\r\n[\]]*`, "gi"),
  new RegExp(
    String.raw`\b(aws_secret_access_key|aws_session_token|secret_?access_?key|session_?token|password|passwd|client_?secret)(${STRICT_SEP})()${VALUE}`,
    "gi",
  ),
  // Query tokens; \b keeps next_token (Nomad's paging cursor, not a secret) out.
  new RegExp(String.raw`\b(token|access_token|id_token|refresh_token|auth_token)(=)()${VALUE}`, "gi"),
];
/** AWS access key ids: long-term (AKIA) and temporary (ASIA). */
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** Secrets shorter than this are not searched for: "ab" would redact half of every message. */
const MIN_SECRET_LENGTH = 6;

export class SecretSet {
  private readonly values = new Set<string>();
  private sorted: string[] | null = null;

  /** Registers credentials; empty and very short values are ignored. */
  add(...secrets: (string | null | undefined)[]): void {
    for (const s of secrets) {
      if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) continue;
      const before = this.values.size;
      // A secret sent in basic auth or a header may come back encoded: base64, URL-encoded, or escaped in JSON.
      for (const form of [s, Buffer.from(s).toString("base64"), encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
        this.values.add(form);
      if (this.values.size !== before) this.sorted = null;
    }
  }

  /** Registers user:password as HTTP basic auth sends it (base64 of it included), and the password alone. */
  addBasicAuth(username: string | null | undefined, password: string | null | undefined): void {
    if (!password) return;
    this.add(password);
    if (username) this.add(`${username}:${password}`);
  }

  get size(): number {
    return this.values.size;
  }

  /** The text with every known secret and every credential-shaped value replaced by [redacted]. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    for (const s of this.sorted) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    for (const pattern of PATTERNS) {
      out = out.replace(pattern, (_m, name: string, sep: string, scheme: string) => `${name}${sep}${scheme}${REDACTED}`);
    }
    return out.replace(AWS_KEY_ID, REDACTED);
  }
}
