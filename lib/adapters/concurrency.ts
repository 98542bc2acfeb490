/** What one item's work came to: its value, or the error it threw. */
export type Settled<T, R> = { item: T; value: R; error?: undefined } | { item: T; value?: undefined; error: unknown };

/**
 * Runs `work` over `items` with at most `limit` in flight, in order of the
 * items. Failures are collected per item, never thrown, so one bad item
 * (a container gone since the list) costs only itself.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<Settled<T, R>[]> {
  const results: Settled<T, R>[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      try {
        results[index] = { item, value: await work(item) };
      } catch (error) {
        results[index] = { item, error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Runs `work` over `items` with at most `limit` in flight and rejects with the
 * first failure, starting no new work after it: for lists that are only
 * useful complete.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  async function worker() {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, items.length)) }, worker));
}
