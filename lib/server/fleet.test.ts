import { describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import type { ClusterAdapter, Scalable, SnapshotSink } from "@/lib/adapters/types";
import type { WorkloadCore } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";

const ADMIN: Actor = { kind: "user", name: "root", grants: [{ role: "admin", clusters: "*" }], impersonation: null };
const WORKLOAD = {
  id: "web",
  name: "web",
  namespace: null,
  kind: "NomadTaskGroup",
  labels: {},
  images: [],
  desired: 1,
  ready: 1,
  scalable: true,
  notScalableReason: null,
  createdAt: null,
  selector: null,
  autoscaler: null,
  info: {},
  events: [],
  volumes: [],
} as unknown as WorkloadCore;

/** Records every replicas value that reaches it. */
class RecordingAdapter implements ClusterAdapter, Scalable {
  readonly orchestrator = "nomad" as const;
  readonly asked: number[] = [];
  async run(sink: SnapshotSink, signal: AbortSignal) {
    sink.apply([{ type: "replace", resource: "workloads", items: [WORKLOAD] }]);
    sink.setConnection({ status: "ok", reason: null });
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
  }
  async scale(_id: string, replicas: number): Promise<WorkloadCore> {
    this.asked.push(replicas);
    return { ...WORKLOAD, desired: replicas };
  }
}

describe("Fleet.scale", () => {
  it("checks the replicas once, before any adapter sees them", async () => {
    const adapter = new RecordingAdapter();
    const log = memoryLogger();
    const owner = new ClusterOwner(
      { id: "n", name: "n", orchestrator: "nomad", demo: false, adapter, secrets: new SecretSet() },
      { usageStepSeconds: 15, usageRetainSeconds: 3600, log },
    );
    const fleet = new Fleet([owner], { readOnly: false, maxReplicas: 10, demo: false }, log);
    fleet.start();
    try {
      await owner.listed("workloads");
      for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 11]) {
        const error = await fleet.scale(ADMIN, "n", "web", bad).catch((e: Error) => e);
        expect(error, String(bad)).toMatchObject({ status: 422 });
        expect((error as Error).message, String(bad)).toMatch(/whole number|at most 10/);
      }
      expect(adapter.asked).toEqual([]);
      await fleet.scale(ADMIN, "n", "web", 0);
      await fleet.scale(ADMIN, "n", "web", 10);
      expect(adapter.asked).toEqual([0, 10]);
    } finally {
      await fleet.close();
    }
  });
});
