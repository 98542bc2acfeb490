import { describe, expect, it } from "vitest";
import type { SnapshotChange } from "@/lib/adapters/types";
import { applyChanges, EMPTY_SNAPSHOT, type Snapshot } from "@/lib/server/snapshot";
import { MARATHON_APPS, MASTER_STATE } from "./fixtures";
import { mapMarathonApp, mapMasterState } from "./mappers";
import { RawMarathonAppListSchema, RawMasterStateSchema } from "./raw";
import { MergedSnapshot } from "./snapshot";

/** A sink that keeps what the server store would make of every batch. */
function store() {
  const batches: SnapshotChange[][] = [];
  const state = { snapshot: EMPTY_SNAPSHOT as Snapshot };
  const sink = {
    apply: (changes: SnapshotChange[]) => {
      batches.push(changes);
      state.snapshot = applyChanges(state.snapshot, changes);
    },
    setConnection: () => {},
  };
  return { batches, state, sink };
}

describe("MergedSnapshot", () => {
  const master = mapMasterState(RawMasterStateSchema.parse(MASTER_STATE), { skipFramework: (fw) => fw.name === "marathon" });
  const apps = RawMarathonAppListSchema.parse(MARATHON_APPS).apps.map(mapMarathonApp);

  it("replaces every list with both sources merged, then brings the store to what changed", () => {
    const { batches, state, sink } = store();
    const snapshot = new MergedSnapshot(sink);
    snapshot.master = master;
    for (const bundle of apps) snapshot.apps.set(bundle.appId, bundle);
    snapshot.queue.set("/redis", { count: 1, reason: "Waiting for resource offers", since: null, problem: null });
    snapshot.publish("replace");
    const replaced = Object.fromEntries(batches[0].map((c) => [c.resource, c.type === "replace" ? c.items.length : -1]));
    // 3 agents; spark + 3 apps; 2 spark tasks + 4 web + 1 exporter + 1 waiting redis; 2 services.
    expect(replaced).toEqual({ nodes: 3, workloads: 4, tasks: 8, services: 2 });
    expect(state.snapshot.listed).toEqual(new Set(["nodes", "workloads", "tasks", "services"]));

    // Nothing changed: the store keeps the very same snapshot.
    const listed = state.snapshot;
    snapshot.publish("diff");
    expect(state.snapshot).toBe(listed);

    const redisBefore = listed.workloads.get("app~redis");
    snapshot.apps.delete("/monitoring/node-exporter");
    snapshot.queue.clear();
    snapshot.publish("diff");
    const deletes = batches.at(-1)!.flatMap((c) => (c.type === "delete" ? [`${c.resource} ${c.id}`] : []));
    expect(deletes.sort()).toEqual(
      [
        "workloads app~monitoring~node-exporter",
        "tasks monitoring_node-exporter.instance-5d3b7e0f-7d5e-11ef-9b1a-0242ac110002._app.1",
        "tasks queued~redis~1",
        "services svc~monitoring~node-exporter",
      ].sort(),
    );
    const after = state.snapshot;
    expect([after.nodes.size, after.workloads.size, after.tasks.size, after.services.size]).toEqual([3, 3, 6, 1]);
    expect(after.nodes).toBe(listed.nodes);
    // Redis no longer waits for offers.
    expect(after.workloads.get("app~redis")).not.toEqual(redisBefore);
    expect(after.workloads.get("app~redis")).toEqual(snapshot.current().workloads.find((w) => w.id === "app~redis"));
  });
});
