import { describe, expect, it } from "vitest";
import { describeMissing } from "./missing";

const known = (id: string) => id === "demo-west";

describe("describeMissing", () => {
  it("names an unknown cluster, and sends the visitor back to the fleet", () => {
    expect(describeMissing("/clusters/nope/nodes", known)).toEqual({
      kind: "cluster",
      id: "nope",
      clusterId: null,
      back: { href: "/", label: "Back to the fleet" },
    });
  });

  it("names the node, workload or task in a known cluster, decoded, with its list to go back to", () => {
    expect(describeMissing("/clusters/demo-west/workloads/deployment~shop~n%C3%B6pe", known)).toEqual({
      kind: "workload",
      id: "deployment~shop~nöpe",
      clusterId: "demo-west",
      back: { href: "/clusters/demo-west/workloads", label: "All workloads" },
    });
    expect(describeMissing("/clusters/demo-west/nodes/n9", known).kind).toBe("node");
    expect(describeMissing("/clusters/demo-west/tasks/t9", known).kind).toBe("task");
  });

  it("anything else is a page, inside its cluster when the cluster exists", () => {
    expect(describeMissing("/nothing/here", known)).toMatchObject({ kind: "page", id: "/nothing/here", clusterId: null });
    expect(describeMissing("/clusters/demo-west/nodes/n1/extra", known)).toMatchObject({
      kind: "page",
      clusterId: "demo-west",
      back: { href: "/clusters/demo-west" },
    });
  });
});
