import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatCores, formatCpu, formatPercent, MISSING, niceTicks, plural, ratio } from "./format";

describe("formatCpu", () => {
  it("shows millicores below one core", () => {
    expect(formatCpu(250)).toBe("250m");
    expect(formatCpu(0)).toBe("0m");
    expect(formatCpu(7.11)).toBe("7m");
    expect(formatCpu(999.4)).toBe("999m");
    expect(formatCpu(999.6)).toBe("1 core");
    expect(formatCpu(0.25)).toBe("0.3m");
    expect(formatCpu(0.01)).toBe("<0.1m");
  });
  it("shows cores from one core up", () => {
    expect(formatCpu(1000)).toBe("1 core");
    expect(formatCpu(1500)).toBe("1.5 cores");
    expect(formatCpu(2250)).toBe("2.25 cores");
    expect(formatCpu(12_345)).toBe("12.3 cores");
    expect(formatCpu(128_000)).toBe("128 cores");
  });
  it("shows a dash for missing values, not zero", () => {
    expect(formatCpu(null)).toBe(MISSING);
    expect(formatCpu(undefined)).toBe(MISSING);
    expect(formatCpu(Number.NaN)).toBe(MISSING);
  });
  it("formats axis cores", () => {
    expect(formatCores(500)).toBe("0.5");
    expect(formatCores(2500)).toBe("2.5");
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(512 * 1024 ** 2)).toBe("512 MiB");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
    expect(formatBytes(16 * 1024 ** 3)).toBe("16 GiB");
    expect(formatBytes(2 * 1024 ** 4)).toBe("2 TiB");
  });
  it("carries to the next unit instead of printing 1024", () => {
    expect(formatBytes(1024 ** 3 - 1)).toBe("1 GiB");
  });
  it("keeps decimal-looking values honest", () => {
    // 1G (decimal) is a little less than 1 GiB.
    expect(formatBytes(1e9)).toBe("954 MiB");
  });
  it("shows a dash for missing values", () => {
    expect(formatBytes(null)).toBe(MISSING);
  });
});

describe("formatPercent and ratio", () => {
  it("rounds to whole percent", () => {
    expect(formatPercent(1, 4)).toBe("25%");
    expect(formatPercent(2, 3)).toBe("67%");
    expect(formatPercent(0, 4)).toBe("0%");
    expect(formatPercent(5, 4)).toBe("125%");
  });
  it("marks tiny shares and unknown wholes", () => {
    expect(formatPercent(1, 1000)).toBe("<1%");
    expect(formatPercent(1, 0)).toBe(MISSING);
    expect(formatPercent(null, 4)).toBe(MISSING);
  });
  it("clamps ratios for bars", () => {
    expect(ratio(1, 2)).toBe(0.5);
    expect(ratio(3, 2)).toBe(1);
    expect(ratio(1, 0)).toBeNull();
  });
});

describe("formatAge", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("uses the largest whole unit like kubectl", () => {
    expect(formatAge("2026-01-10T11:59:15Z", now)).toBe("45s");
    expect(formatAge("2026-01-10T11:57:00Z", now)).toBe("3m");
    expect(formatAge("2026-01-10T09:30:00Z", now)).toBe("2h");
    expect(formatAge("2026-01-05T11:00:00Z", now)).toBe("5d");
    expect(formatAge("2024-01-01T00:00:00Z", now)).toBe("2y");
  });
  it("accepts dates and epoch milliseconds", () => {
    expect(formatAge(new Date(now - 90_000), now)).toBe("1m");
    expect(formatAge(now - 5_000, now)).toBe("5s");
  });
  it("never shows negative ages and dashes unknown times", () => {
    expect(formatAge(now + 10_000, now)).toBe("0s");
    expect(formatAge(null, now)).toBe(MISSING);
    expect(formatAge("not a date", now)).toBe(MISSING);
  });
});

describe("plural", () => {
  it("picks the form by count", () => {
    expect(plural(1, "node")).toBe("1 node");
    expect(plural(3, "node")).toBe("3 nodes");
    expect(plural(2, "replica")).toBe("2 replicas");
  });
});

describe("niceTicks", () => {
  it("steps CPU in round decimal amounts", () => {
    expect(niceTicks(730, "cpu")).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks(1100, "cpu")).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(3900, "cpu")).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(niceTicks(0.8, "cpu")).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });
  it("steps memory in binary units so labels are whole", () => {
    expect(niceTicks(2.24 * 1024 ** 3, "memory")).toEqual([0, 1, 2, 3].map((g) => g * 1024 ** 3));
    expect(niceTicks(700 * 1024 ** 2, "memory").map((b) => formatBytes(b))).toEqual(["0 B", "256 MiB", "512 MiB", "768 MiB"]);
  });
  it("answers a lone zero tick when there is nothing to scale", () => {
    expect(niceTicks(0, "memory")).toEqual([0]);
    expect(niceTicks(Number.NaN, "cpu")).toEqual([0]);
  });
});
