import { describe, expect, it } from "vitest";
import type { SnapshotChange } from "@/lib/adapters/types";
import { MARATHON_APPS, MASTER_STATE } from "./fixtures";
import { mapMarathonApp, mapMasterState } from "./mappers";
import { RawMarathonAppListSchema, RawMasterStateSchema } from "./raw";
import { MergedSnapshot } from "./snapshot";

function recorder() {
  const batches: SnapshotChange[][] = [];
  return { batches, sink: { apply: (c: SnapshotChange[]) => batches.push(c), setConnection: () => {} } };
}

describe("MergedSnapshot", () => {
  const master = mapMasterState(RawMasterStateSchema.parse(MASTER_STATE), { skipFramework: (fw) => fw.name === "marathon" });
  const apps = RawMarathonAppListSchema.parse(MARATHON_APPS).apps.map(mapMarathonApp);

  it("replaces every list with both sources merged, then sends only what changed", () => {
    const { batches, sink } = recorder();
    const snapshot = new MergedSnapshot(sink);
    snapshot.master = master;
    for (const bundle of apps) snapshot.apps.set(bundle.appId, bundle);
    snapshot.queue.set("/redis", { count: 1, reason: "Waiting for resource offers", since: null });
    snapshot.publish("replace");
    const replaced = Object.fromEntries(batches[0].map((c) => [c.resource, c.type === "replace" ? c.items.length : -1]));
    // 3 agents; spark + 3 apps; 2 spark tasks + 4 web + 1 exporter + 1 waiting redis; 2 services.
    expect(replaced).toEqual({ nodes: 3, workloads: 4, tasks: 8, services: 2 });

    snapshot.publish("diff");
    expect(batches).toHaveLength(1);

    snapshot.apps.delete("/monitoring/node-exporter");
    snapshot.queue.clear();
    snapshot.publish("diff");
    const changes = batches[1].map((c) => `${c.type} ${c.resource} ${c.type === "delete" ? c.id : c.type === "upsert" ? c.item.id : "all"}`);
    expect(changes.sort()).toEqual(
      [
        "upsert workloads app~redis",
        "delete workloads app~monitoring~node-exporter",
        "delete tasks monitoring_node-exporter.instance-5d3b7e0f-7d5e-11ef-9b1a-0242ac110002._app.1",
        "delete tasks queued~redis~1",
        "delete services svc~monitoring~node-exporter",
      ].sort(),
    );
  });
});
