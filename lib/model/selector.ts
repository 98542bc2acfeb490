/**
 * Kubernetes label selectors (the `kubectl get --selector` syntax), applied to
 * the labels of every orchestrator's objects:
 *   app=mysql   tier==db   env!=prod   tier in (db,cache)   env notin (dev)
 *   canary      !canary    replicas>2  replicas<5            a=b,c!=d
 * Semantics follow k8s.io/apimachinery/pkg/labels: `!=` and `notin` also
 * match objects that lack the key; all requirements must hold.
 */

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: ">" | "<"; value: number };

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): string {
  const slash = key.indexOf("/");
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [null, key];
  if (prefix !== null && (prefix.length > 253 || !PREFIX.test(prefix))) {
    throw new SelectorError(`invalid label key "${key}": the prefix must be a DNS subdomain`);
  }
  if (!NAME.test(name)) {
    throw new SelectorError(
      `invalid label key "${key}": names are up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
    );
  }
  return key;
}

function checkValue(value: string): string {
  if (value !== "" && !NAME.test(value)) {
    throw new SelectorError(
      `invalid label value "${value}": values are up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
    );
  }
  return value;
}

type Token = { kind: "word" | "op" | "(" | ")" | "," | "!"; text: string; at: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, text: c, at: i++ });
    } else if (c === "!" && input[i + 1] === "=") {
      tokens.push({ kind: "op", text: "!=", at: i });
      i += 2;
    } else if (c === "!") {
      tokens.push({ kind: "!", text: c, at: i++ });
    } else if (c === "=") {
      const text = input[i + 1] === "=" ? "==" : "=";
      tokens.push({ kind: "op", text, at: i });
      i += text.length;
    } else if (c === ">" || c === "<") {
      tokens.push({ kind: "op", text: c, at: i++ });
    } else {
      const start = i;
      while (i < input.length && !" \t(),!=<>".includes(input[i])) i++;
      tokens.push({ kind: "word", text: input.slice(start, i), at: start });
    }
  }
  return tokens;
}

/** Parses a selector; the empty string selects everything. Throws SelectorError naming the problem. */
export function parseSelector(input: string): Requirement[] {
  const tokens = tokenize(input);
  const requirements: Requirement[] = [];
  let pos = 0;
  const peek = () => tokens[pos];
  const describe = (t: Token | undefined) => (t ? `"${t.text}" at position ${t.at + 1}` : "end of selector");
  const expectWord = (what: string): string => {
    const t = tokens[pos];
    if (t?.kind !== "word") throw new SelectorError(`expected ${what}, found ${describe(t)}`);
    pos++;
    return t.text;
  };

  if (tokens.length === 0) return requirements;
  for (;;) {
    if (peek()?.kind === "!") {
      pos++;
      requirements.push({ key: checkKey(expectWord('a label key after "!"')), op: "!exists" });
    } else {
      const key = checkKey(expectWord("a label key"));
      const t = peek();
      if (!t || t.kind === ",") {
        requirements.push({ key, op: "exists" });
      } else if (t.kind === "op") {
        pos++;
        if (t.text === ">" || t.text === "<") {
          const raw = expectWord(`a number after "${t.text}"`);
          if (!/^-?\d+$/.test(raw)) throw new SelectorError(`"${t.text}" needs a whole number, found "${raw}"`);
          requirements.push({ key, op: t.text, value: Number(raw) });
        } else {
          // A value may be empty: "tier=" selects objects whose tier label is "".
          const next = peek();
          const value = next?.kind === "word" ? (pos++, next.text) : "";
          requirements.push({ key, op: t.text === "!=" ? "!=" : "=", value: checkValue(value) });
        }
      } else if (t.kind === "word" && (t.text === "in" || t.text === "notin")) {
        pos++;
        if (peek()?.kind !== "(") throw new SelectorError(`expected "(" after "${t.text}", found ${describe(peek())}`);
        pos++;
        const values: string[] = [];
        for (;;) {
          const v = peek();
          if (v?.kind === "word") {
            values.push(checkValue(v.text));
            pos++;
          } else if (v?.kind === "," || v?.kind === ")") {
            values.push(""); // "in (a,,b)" and "in ()" carry empty values, as in Kubernetes
          } else {
            throw new SelectorError(`expected a value or ")" in the "${t.text}" list, found ${describe(v)}`);
          }
          const sep = peek();
          pos++;
          if (sep?.kind === ")") break;
          if (sep?.kind !== ",") throw new SelectorError(`expected "," or ")" in the "${t.text}" list, found ${describe(sep)}`);
        }
        requirements.push({ key, op: t.text, values });
      } else {
        throw new SelectorError(`expected an operator (=, ==, !=, in, notin, >, <) after "${key}", found ${describe(t)}`);
      }
    }
    const sep = peek();
    if (!sep) return requirements;
    if (sep.kind !== ",") throw new SelectorError(`expected "," between requirements, found ${describe(sep)}`);
    pos++;
  }
}

export function matches(requirements: readonly Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case "=":
        return has && value === r.value;
      case "!=":
        return !has || value !== r.value;
      case "in":
        return has && r.values.includes(value);
      case "notin":
        return !has || !r.values.includes(value);
      case "exists":
        return has;
      case "!exists":
        return !has;
      case ">":
      case "<": {
        if (!has || !/^-?\d+$/.test(value)) return false;
        const n = Number(value);
        return r.op === ">" ? n > r.value : n < r.value;
      }
    }
  });
}

/** Renders requirements back into selector syntax (e.g. from a workload's matchLabels). */
export function formatSelector(requirements: readonly Requirement[]): string {
  return requirements
    .map((r) => {
      switch (r.op) {
        case "=":
        case "!=":
          return `${r.key}${r.op}${r.value}`;
        case "in":
        case "notin":
          return `${r.key} ${r.op} (${r.values.join(",")})`;
        case "exists":
          return r.key;
        case "!exists":
          return `!${r.key}`;
        case ">":
        case "<":
          return `${r.key}${r.op}${r.value}`;
      }
    })
    .join(",");
}
