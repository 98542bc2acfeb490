import { describe, expect, it } from "vitest";
import { describeScale, needsConfirmation } from "./scale";

describe("needsConfirmation", () => {
  it("asks before scaling to zero", () => {
    expect(needsConfirmation(3, 0)).toBe(true);
  });
  it("asks before more than doubling or more than halving", () => {
    expect(needsConfirmation(3, 7)).toBe(true);
    expect(needsConfirmation(10, 4)).toBe(true);
    expect(needsConfirmation(0, 1)).toBe(true);
  });
  it("does not ask for modest changes, no-ops or values the server will refuse", () => {
    expect(needsConfirmation(3, 5)).toBe(false);
    expect(needsConfirmation(3, 6)).toBe(false);
    expect(needsConfirmation(10, 5)).toBe(false);
    expect(needsConfirmation(3, 3)).toBe(false);
    expect(needsConfirmation(3, -1)).toBe(false);
  });
});

describe("describeScale", () => {
  const mysql = { kind: "StatefulSet", name: "mysql", namespace: "default", desired: 3 };
  it("says that scaling to zero stops everything", () => {
    expect(describeScale(mysql, 0)).toBe(
      "StatefulSet default/mysql will go from 3 replicas to 0: all of its pods will be stopped and it will serve nothing until scaled up again.",
    );
  });
  it("counts what is created or stopped", () => {
    expect(describeScale(mysql, 8)).toContain("5 new pods will be created");
    expect(describeScale({ ...mysql, desired: 10 }, 2)).toContain("8 pods will be stopped");
    expect(describeScale({ ...mysql, namespace: null, kind: "NomadTaskGroup" }, 7, "allocation")).toMatch(
      /^NomadTaskGroup mysql .*4 new allocations/,
    );
  });
});
