import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WorkloadCoreSchema } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import type { KubeSimHandle } from "@/lib/sim/kubernetes";
import { FAST, startSimWithKubeconfig } from "./int-support";
import { SecretSet } from "../secrets";
import { KubeAdapter } from "./kube-adapter";

/** Kubernetes Events on workloads: the adapter against the simulator's events.k8s.io/v1 over real HTTP. */

const ADMIN = "admin-token-for-events";
const NO_EVENTS = "no-events-token";

let sim: KubeSimHandle;
let kubeconfig: string;
let close = async () => {};

beforeAll(async () => {
  ({ sim, kubeconfig, close } = await startSimWithKubeconfig(
    {
      content: "demo-east",
      timings: "fast",
      bookmarkIntervalMs: 300,
      tokens: [
        { token: ADMIN, user: "kubernetes-admin" },
        { token: NO_EVENTS, user: "no-events", readOnly: true, deny: ["events"] },
      ],
    },
    { admin: ADMIN, "no-events": NO_EVENTS },
  ));
});

afterAll(() => close());

const running: { controller: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.controller.abort();
    await r.done;
  }
});

async function follow(context = "admin") {
  const log = memoryLogger();
  const { lines } = log;
  const adapter = new KubeAdapter({ kubeconfig, context }, { clusterId: context, log, secrets: new SecretSet(), env: {} }, FAST);
  const sink = new RecordingSink();
  // Every event message each workload ever showed: with fast timings, newer ones push older ones out of the 10 shown.
  const seen = new Map<string, Set<string>>();
  const apply = sink.apply.bind(sink);
  sink.apply = (changes) => {
    for (const c of changes) {
      const items =
        c.type === "replace" && c.resource === "workloads" ? c.items : c.type === "upsert" && c.resource === "workloads" ? [c.item] : [];
      for (const w of items as { id: string; events: { level: string; message: string }[] }[]) {
        const set = seen.get(w.id) ?? new Set<string>();
        for (const e of w.events) set.add(`${e.level} ${e.message}`);
        seen.set(w.id, set);
      }
    }
    apply(changes);
  };
  const controller = new AbortController();
  running.push({ controller, done: adapter.run(sink, controller.signal) });
  await waitFor("first sync", () => sink.connection !== null && sink.items.workloads.size > 0);
  return { adapter, sink, lines, seen: (id: string) => [...(seen.get(id) ?? [])] };
}

const messages = (sink: RecordingSink, id: string) => (sink.items.workloads.get(id)?.events ?? []).map((e) => `${e.level} ${e.message}`);

describe("Kubernetes Events on workloads", () => {
  it("shows a Deployment's ScalingReplicaSet, its ReplicaSet's SuccessfulCreate and its pods' kubelet events", async () => {
    const { adapter, sink, seen } = await follow();
    sim.add((b) =>
      b.deployment({
        namespace: "default",
        name: "events-web",
        image: "nginx:1.27",
        replicas: 1,
        labels: { app: "events-web" },
        requests: { cpu: "10m", memory: "16Mi" },
      }),
    );
    const id = "deployment~default~events-web";
    await waitFor("events-web to appear", () => sink.items.workloads.get(id)?.ready === 1);
    await adapter.scale(id, 3);
    await waitFor("ScalingReplicaSet to 3", () =>
      seen(id).some((m) => /^normal ScalingReplicaSet: Scaled up replica set events-web-\w+ to 3 from 1$/.test(m)),
    );
    await waitFor(
      "pods' Started events",
      () => seen(id).filter((m) => /^normal Started: Started container events-web — pod events-web-\w+-\w{5}$/.test(m)).length >= 2,
    );
    const all = seen(id);
    expect(all.some((m) => /^normal SuccessfulCreate: Created pod: events-web-\w+-\w{5}$/.test(m))).toBe(true);
    expect(all.some((m) => /^normal Scheduled: Successfully assigned default\/events-web-\w+-\w{5} to east-/.test(m))).toBe(true);
    const workload = WorkloadCoreSchema.parse(sink.items.workloads.get(id));
    // Newest first, at most 10.
    const times = workload.events.map((e) => Date.parse(e.at!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(workload.events.length).toBeLessThanOrEqual(10);
    // Events of one workload stay off the others.
    expect(messages(sink, "deployment~default~web").some((m) => m.includes("events-web"))).toBe(false);
  });

  it("shows the StatefulSet controller's creates when mysql scales 3 → 5", async () => {
    const { adapter, seen } = await follow();
    const id = "statefulset~default~mysql";
    await adapter.scale(id, 5);
    await waitFor("create events for mysql-3 and mysql-4", () => {
      const m = seen(id);
      return (
        m.some((x) => x.startsWith("normal SuccessfulCreate: create Pod mysql-3 in StatefulSet mysql successful")) &&
        m.some((x) => x.startsWith("normal SuccessfulCreate: create Pod mysql-4 in StatefulSet mysql successful"))
      );
    });
    await adapter.scale(id, 3);
    await waitFor("delete event for mysql-4", () =>
      seen(id).some((x) => x.startsWith("normal SuccessfulDelete: delete Pod mysql-4 in StatefulSet mysql successful")),
    );
  });

  it("reports a pod that fits on no node as a FailedScheduling warning on its workload", async () => {
    const { sink } = await follow();
    sim.add((b) =>
      b.deployment({
        namespace: "default",
        name: "too-big",
        image: "busybox:1.36",
        replicas: 1,
        labels: { app: "too-big" },
        requests: { cpu: "64", memory: "1Gi" },
      }),
    );
    const id = "deployment~default~too-big";
    await waitFor("FailedScheduling", () =>
      messages(sink, id).some((m) =>
        /^warning FailedScheduling: 0\/\d+ nodes are available: .*Insufficient cpu\. — pod too-big-\w+-\w{5}$/.test(m),
      ),
    );
    sim.remove("Deployment", "default", "too-big");
  });

  it("without access to events (403) syncs everything else and stays ok, logging it once at info", async () => {
    const { sink, lines } = await follow("no-events");
    await waitFor("ok", () => sink.connection?.status === "ok");
    expect(sink.items.nodes.size).toBe(sim.list("Node").length);
    expect(sink.items.tasks.size).toBe(sim.list("Pod").length);
    expect(sink.items.workloads.get("statefulset~default~mysql")).toMatchObject({ events: [] });
    expect([...sink.items.workloads.values()].every((w) => w.events.length === 0)).toBe(true);
    const refused = lines.filter((l) => l.includes("not following an optional resource"));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^info /);
    expect(lines.filter((l) => l.startsWith("warn ") && l.includes("events"))).toEqual([]);
  });
});
