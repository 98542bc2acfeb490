import { describe, expect, it } from "vitest";
import { applyChanges, EMPTY_SNAPSHOT } from "@/lib/server/snapshot";
import type { Service } from "@/lib/model/types";
import { changesBetween, replaceAll } from "./changes";

const service = (id: string, port = 80): Service =>
  ({
    id,
    name: id,
    namespace: null,
    type: "ClusterIP",
    ports: [{ port, protocol: "TCP" }],
    endpoints: 1,
    selector: {},
  }) as unknown as Service;

describe("changesBetween", () => {
  it("deletes what is gone and upserts what is there", () => {
    const changes = changesBetween("services", ["a", "b"], [service("b"), service("c")]);
    expect(changes).toEqual([
      { type: "delete", resource: "services", id: "a" },
      { type: "upsert", resource: "services", item: service("b") },
      { type: "upsert", resource: "services", item: service("c") },
    ]);
  });

  it("relies on the store to drop what did not change: the same snapshot comes back", () => {
    const listed = applyChanges(EMPTY_SNAPSHOT, replaceAll({ services: [service("a"), service("b")] }));
    const again = applyChanges(listed, changesBetween("services", listed.services.keys(), [service("a"), service("b")]));
    expect(again).toBe(listed);
    const moved = applyChanges(listed, changesBetween("services", listed.services.keys(), [service("a", 8080)]));
    expect([...moved.services.keys()]).toEqual(["a"]);
    expect(moved.services.get("a")).toEqual(service("a", 8080));
  });
});

describe("replaceAll", () => {
  it("replaces the given lists only, in the store's order", () => {
    expect(replaceAll({ services: [], nodes: [] }).map((c) => [c.type, c.resource])).toEqual([
      ["replace", "nodes"],
      ["replace", "services"],
    ]);
  });
});
