import { describe, expect, it } from "vitest";
import { NotFoundError } from "@/lib/server/errors";
import { getServerQueryClient, orNotFound, segment } from "./server";

describe("orNotFound", () => {
  it("turns a not-found from the fleet into Next's 404, even from another bundle's error class", async () => {
    const foreign = Object.assign(new Error('no cluster "x"'), { status: 404, code: "not-found" });
    for (const err of [new NotFoundError('no cluster "x"'), foreign]) {
      const caught = await orNotFound(() => {
        throw err;
      }).catch((e: unknown) => e);
      expect((caught as { digest?: string }).digest).toMatch(/404/);
    }
  });
  it("lets other failures through and answers values", async () => {
    await expect(orNotFound(() => Promise.reject(new Error("upstream down")))).rejects.toThrow("upstream down");
    await expect(orNotFound(() => 42)).resolves.toBe(42);
  });
});

describe("segment", () => {
  it("decodes once and tolerates already-decoded text", () => {
    expect(segment("statefulset~default~mysql")).toBe("statefulset~default~mysql");
    expect(segment("a%20b")).toBe("a b");
    expect(segment("100%")).toBe("100%");
  });
});

describe("getServerQueryClient", () => {
  it("makes a client (one per request under React's cache)", () => {
    expect(getServerQueryClient().getQueryCache().getAll()).toEqual([]);
  });
});
