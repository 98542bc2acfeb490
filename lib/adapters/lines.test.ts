import { describe, expect, it } from "vitest";
import { lines } from "./lines";

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? new TextEncoder().encode(p) : p;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

describe("lines", () => {
  it("joins lines split across chunks, trims them and skips blank ones", async () => {
    expect(await collect(lines(chunks('{"a":', '1}\n\n  {"b":2}  \r\n{"c"', ":3}\n")))).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("decodes a multi-byte character split between chunks", async () => {
    const bytes = new TextEncoder().encode("héllo\n");
    expect(await collect(lines(chunks(bytes.slice(0, 2), bytes.slice(2))))).toEqual(["héllo"]);
  });

  it("drops an unterminated last line unless asked to yield it", async () => {
    expect(await collect(lines(chunks("one\ntwo")))).toEqual(["one"]);
    expect(await collect(lines(chunks("one\ntwo"), { yieldUnterminated: true }))).toEqual(["one", "two"]);
  });

  it("calls onChunk once per chunk", async () => {
    let n = 0;
    await collect(lines(chunks("a", "b\n", "c\n"), { onChunk: () => n++ }));
    expect(n).toBe(3);
  });
});
