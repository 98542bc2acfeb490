import { describe, expect, it } from "vitest";
import { segment } from "./segment";

describe("segment", () => {
  it("decodes once and tolerates already-decoded text", () => {
    expect(segment("statefulset~default~mysql")).toBe("statefulset~default~mysql");
    expect(segment("a%20b")).toBe("a b");
    expect(segment("100%")).toBe("100%");
  });
});
