import { describe, expect, it } from "vitest";
import { goTimeToIso, mbToBytes, mhzPerCore, mhzToMillis, nanosToIso } from "./units";

describe("Nomad units", () => {
  it("reads a node's MHz per core as cpu.totalcompute ÷ cpu.numcores", () => {
    // From Nomad's Read Node sample: 8 cores, 32000 MHz total.
    expect(mhzPerCore({ "cpu.totalcompute": "32000", "cpu.numcores": "8", "cpu.frequency": "4000" })).toBe(4000);
    // Turbo-less clouds report a total that is not frequency × cores; the ratio wins.
    expect(mhzPerCore({ "cpu.totalcompute": "23200", "cpu.numcores": "8", "cpu.frequency": "3500" })).toBe(2900);
  });

  it("falls back to cpu.frequency, then to shares over TotalCpuCores, else null", () => {
    expect(mhzPerCore({ "cpu.frequency": "2450" })).toBe(2450);
    expect(mhzPerCore({}, 9800, 4)).toBe(2450);
    expect(mhzPerCore({ "cpu.numcores": "0", "cpu.totalcompute": "0" })).toBeNull();
    expect(mhzPerCore(null)).toBeNull();
  });

  it("converts MHz to millicores on the node's core speed", () => {
    expect(mhzToMillis(32000, 4000)).toBe(8000);
    expect(mhzToMillis(500, 2900)).toBe(172);
    expect(mhzToMillis(2450, 2450)).toBe(1000);
    expect(mhzToMillis(0, 2900)).toBe(0);
    expect(mhzToMillis(100, 0)).toBe(0);
  });

  it("treats Nomad's MB as MiB (MemoryMB = memory.totalbytes / 2^20)", () => {
    expect(mbToBytes(15803)).toBe(15803 * 1048576);
    expect(Math.floor(16571674624 / mbToBytes(1))).toBe(15803);
    expect(mbToBytes(null)).toBe(0);
  });

  it("reads nanosecond timestamps and Go's zero time", () => {
    expect(nanosToIso(1523490066575461000)).toBe("2018-04-11T23:41:06.575Z");
    expect(nanosToIso(0)).toBeNull();
    expect(goTimeToIso("0001-01-01T00:00:00Z")).toBeNull();
    expect(goTimeToIso("2019-08-26T12:22:50.762716458+02:00")).toBe("2019-08-26T10:22:50.762Z");
  });
});
