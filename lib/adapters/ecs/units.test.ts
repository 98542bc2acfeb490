import { describe, expect, it } from "vitest";
import { cpuUnitsToMillis, mibToBytes, parseCpuUnits, parseMemoryMiB } from "./units";

describe("ECS units", () => {
  it("converts CPU units (1024 per vCPU) to millicores", () => {
    expect(cpuUnitsToMillis(1024)).toBe(1000);
    expect(cpuUnitsToMillis(256)).toBe(250);
    expect(cpuUnitsToMillis(8192)).toBe(8000);
    expect(cpuUnitsToMillis(10)).toBe(10);
    expect(cpuUnitsToMillis(0)).toBe(0);
  });

  it("converts MiB to bytes", () => {
    expect(mibToBytes(512)).toBe(536_870_912);
    expect(mibToBytes(15_482)).toBe(15_482 * 1_048_576);
  });

  it("parses task cpu strings as DescribeTasks and task definitions write them", () => {
    expect(parseCpuUnits("256")).toBe(256);
    expect(parseCpuUnits("1 vCPU")).toBe(1024);
    expect(parseCpuUnits("0.5 vcpu")).toBe(512);
    expect(parseCpuUnits(512)).toBe(512);
    expect(parseCpuUnits(undefined)).toBeNull();
    expect(parseCpuUnits("lots")).toBeNull();
  });

  it("parses task memory strings in MiB or GB (GiB in ECS)", () => {
    expect(parseMemoryMiB("512")).toBe(512);
    expect(parseMemoryMiB("2 GB")).toBe(2048);
    expect(parseMemoryMiB("0.5GB")).toBe(512);
    expect(parseMemoryMiB("1024 MiB")).toBe(1024);
    expect(parseMemoryMiB(null)).toBeNull();
    expect(parseMemoryMiB("-1")).toBeNull();
  });
});
