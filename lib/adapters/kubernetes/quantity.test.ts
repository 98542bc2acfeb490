import { describe, expect, it } from "vitest";
import { cpuMillis, memoryBytes, parseQuantity } from "./quantity";

describe("parseQuantity", () => {
  it.each([
    ["250m", 0.25],
    ["1", 1],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["1E3", 1000],
    ["2e-3", 0.002],
    ["123456789n", 0.123456789],
    ["100u", 0.0001],
    ["512Ki", 512 * 1024],
    ["1.5Gi", 1.5 * 1024 ** 3],
    ["1G", 1e9],
    ["1k", 1000],
    ["2Mi", 2 * 1024 ** 2],
    ["1Ti", 1024 ** 4],
    ["1Pi", 1024 ** 5],
    ["1Ei", 1024 ** 6],
    ["1E", 1e18],
    ["+1", 1],
    ["-1", -1],
    [".5", 0.5],
    ["0", 0],
  ])("%s → %d", (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected, 12);
  });

  it("accepts plain numbers", () => {
    expect(parseQuantity(4)).toBe(4);
  });

  it.each(["", "abc", "1.5.5", "Gi", "1Gb", "1 Gi", "1e", "1ki", "m", "--1", "1e3Gi", "NaN"])("answers null for garbage %j", (input) => {
    expect(parseQuantity(input)).toBeNull();
  });

  it("answers null for missing values", () => {
    expect(parseQuantity(undefined)).toBeNull();
    expect(parseQuantity(null)).toBeNull();
    expect(parseQuantity(Number.NaN)).toBeNull();
  });
});

describe("cpuMillis", () => {
  it("converts to millicores without float noise", () => {
    expect(cpuMillis("250m")).toBe(250);
    expect(cpuMillis("1")).toBe(1000);
    expect(cpuMillis("1.5")).toBe(1500);
    expect(cpuMillis("1.1")).toBe(1100);
    expect(cpuMillis("0.1")).toBe(100);
    expect(cpuMillis("123456789n")).toBe(123.456789);
    expect(cpuMillis("100u")).toBe(0.1);
    expect(cpuMillis("4")).toBe(4000);
  });

  it("answers null for garbage", () => {
    expect(cpuMillis("two cores")).toBeNull();
  });
});

describe("memoryBytes", () => {
  it("converts binary and decimal suffixes", () => {
    expect(memoryBytes("512Ki")).toBe(524288);
    expect(memoryBytes("1.5Gi")).toBe(1610612736);
    expect(memoryBytes("1G")).toBe(1_000_000_000);
    expect(memoryBytes("128974848")).toBe(128974848);
    expect(memoryBytes("129e6")).toBe(129_000_000);
    expect(memoryBytes("123Mi")).toBe(123 * 1048576);
    expect(memoryBytes("16393252Ki")).toBe(16393252 * 1024);
  });

  it("rounds fractional bytes up like Kubernetes", () => {
    expect(memoryBytes("1500m")).toBe(2);
  });

  it("answers null for garbage", () => {
    expect(memoryBytes("lots")).toBeNull();
  });
});
