import { describe, expect, it } from "vitest";
import { forEachBounded, mapBounded } from "./concurrency";

/** Work that stays in flight until released, so concurrency is counted, not timed. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const work = async <T>(value: T): Promise<T> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
    return value;
  };
  const releaseAll = async () => {
    while (waiting.length) {
      waiting.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { work, releaseAll, peak: () => peak, waiting };
}

describe("mapBounded", () => {
  it("keeps at most `limit` in flight and answers in the order of the items", async () => {
    const g = gate();
    const done = mapBounded([1, 2, 3, 4, 5, 6, 7], 3, (n) => g.work(n * 10));
    await new Promise((r) => setImmediate(r));
    expect(g.waiting).toHaveLength(3);
    await g.releaseAll();
    const results = await done;
    expect(g.peak()).toBe(3);
    expect(results.map((r) => r.value)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it("collects each failure beside its item and goes on with the rest", async () => {
    const results = await mapBounded(["a", "bad", "c"], 2, async (s) => {
      if (s === "bad") throw new Error("gone");
      return s.toUpperCase();
    });
    expect(results.map((r) => [r.item, r.value, (r.error as Error | undefined)?.message])).toEqual([
      ["a", "A", undefined],
      ["bad", undefined, "gone"],
      ["c", "C", undefined],
    ]);
  });

  it("answers an empty list without starting anything", async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});

describe("forEachBounded", () => {
  it("rejects with the first failure and starts no work after it", async () => {
    const started: number[] = [];
    await expect(
      forEachBounded([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error("second failed");
      }),
    ).rejects.toThrow("second failed");
    expect(started).toEqual([1, 2]);
  });

  it("keeps at most `limit` in flight", async () => {
    const g = gate();
    const done = forEachBounded([1, 2, 3, 4], 2, async (n) => void (await g.work(n)));
    await new Promise((r) => setImmediate(r));
    expect(g.waiting).toHaveLength(2);
    await g.releaseAll();
    await done;
    expect(g.peak()).toBe(2);
  });
});
