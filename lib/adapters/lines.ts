/**
 * Splits a streamed body (JSON-lines watches and event streams) into trimmed,
 * non-empty lines, decoding UTF-8 across chunk boundaries.
 */
export interface LinesOptions {
  /** Runs for every chunk, before its lines: a watchdog can feed on it. */
  onChunk?: () => void;
  /** Whether text after the last newline is yielded when the body ends (otherwise it is dropped). */
  yieldUnterminated?: boolean;
}

export async function* lines(body: AsyncIterable<Uint8Array>, options: LinesOptions = {}): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    options.onChunk?.();
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
    }
  }
  if (!options.yieldUnterminated) return;
  buffered += decoder.decode();
  if (buffered.trim()) yield buffered.trim();
}
