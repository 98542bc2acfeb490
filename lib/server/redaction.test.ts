import { describe, expect, it, vi } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import {
  emptyUsageSample,
  type ClusterAdapter,
  type Scalable,
  type SnapshotSink,
  type UsageSample,
  type UsageSource,
} from "@/lib/adapters/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { WorkloadCore } from "@/lib/model/types";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";

/**
 * An upstream that echoes Fleetdeck's credentials back (in a status it
 * reports, in a scale's error): what the server keeps and answers has them
 * redacted.
 */

const TOKEN = "s3cr3t-nomad-token-0b5e";
const ADMIN: Actor = { kind: "user", name: "root", grants: [{ role: "admin", clusters: "*" }], impersonation: null };
const WORKLOAD: WorkloadCore = {
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

class EchoingAdapter implements ClusterAdapter, Scalable, UsageSource {
  readonly orchestrator = "nomad" as const;
  async run(sink: SnapshotSink, signal: AbortSignal) {
    sink.apply([
      { type: "replace", resource: "nodes", items: [] },
      { type: "replace", resource: "workloads", items: [WORKLOAD] },
      { type: "replace", resource: "tasks", items: [] },
      { type: "replace", resource: "services", items: [] },
    ]);
    sink.setConnection({ status: "degraded", reason: `403 from upstream: request had X-Nomad-Token: ${TOKEN}` });
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
  }
  async scale(): Promise<WorkloadCore> {
    throw new AdapterError("forbidden", `Permission denied for token ${TOKEN}`);
  }
  async sampleUsage(): Promise<UsageSample> {
    const sample = emptyUsageSample();
    sample.unavailable.nodes.set("n1", `stats: 403 for token ${TOKEN}`);
    return sample;
  }
}

describe("redaction at the server's edge", () => {
  it("keeps a status reason and answers a scale error without the cluster's credentials", async () => {
    const secrets = new SecretSet();
    secrets.add(TOKEN);
    const log = memoryLogger();
    const owner = new ClusterOwner(
      { id: "n", name: "n", orchestrator: "nomad", demo: false, adapter: new EchoingAdapter(), secrets },
      { usageStepSeconds: 15, usageRetainSeconds: 3600, log },
    );
    const fleet = new Fleet([owner], { readOnly: false, maxReplicas: 10, demo: false }, log);
    fleet.start();
    try {
      await owner.listed("workloads");
      await new Promise((r) => setTimeout(r, 0));
      const reason = fleet.cluster(ADMIN, "n").statusReason ?? "";
      expect(reason).toMatch(/X-Nomad-Token: \[redacted\]/);
      const error = await fleet.scale(ADMIN, "n", "web", 2).catch((e: Error) => e);
      expect(error).toMatchObject({ code: "forbidden", message: "Permission denied for token [redacted]" });
      // A usage note quotes the upstream's error: kept redacted too.
      await vi.waitFor(() => expect(owner.usage).not.toBeNull());
      expect(owner.usage?.unavailable.nodes.get("n1")).toBe("stats: 403 for token [redacted]");
      expect(log.lines.join("\n")).not.toContain(TOKEN);
    } finally {
      await fleet.close();
    }
  });
});
