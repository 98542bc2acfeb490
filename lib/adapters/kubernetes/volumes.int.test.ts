import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { WorkloadCoreSchema } from "@/lib/model/types";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import type { KubeSimHandle } from "@/lib/sim/kubernetes";
import { SecretSet } from "../secrets";
import { FAST, startSimWithKubeconfig } from "./int-support";
import { KubeAdapter } from "./kube-adapter";

/**
 * Workload volumes against the Kubernetes simulator over real HTTP: the
 * mysql StatefulSet's claim template joined with the claims the simulator
 * creates and binds per replica, as they change.
 */

const ADMIN = "admin-token-for-volume-tests";
const NO_CLAIMS = "no-claims-token-for-volume-tests";
const MYSQL = "statefulset~default~mysql";
const GiB = 1024 ** 3;
/** For a loaded machine: the simulator's fast timings settle each step in well under a second. */
const DEADLINE = 20_000;

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
        { token: NO_CLAIMS, user: "no-claims", deny: ["persistentvolumeclaims"] },
      ],
    },
    { admin: ADMIN, "no-claims": NO_CLAIMS },
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

async function follow(context: string) {
  const adapter = new KubeAdapter(
    { kubeconfig, context },
    { clusterId: context, log: createLogger("test"), secrets: new SecretSet(), env: {} },
    FAST,
  );
  const sink = new RecordingSink();
  const controller = new AbortController();
  running.push({ controller, done: adapter.run(sink, controller.signal) });
  await waitFor("first sync", () => sink.connection?.status === "ok" || sink.connection?.status === "degraded", DEADLINE);
  return { adapter, sink };
}

const mysqlVolume = (sink: RecordingSink) => sink.items.workloads.get(MYSQL)?.volumes.find((v) => v.name === "mysql-persistent-volume");

describe("KubeAdapter: workload volumes", { timeout: 90_000 }, () => {
  it("lists the mysql claim template with 1 GiB, Pending while a new replica's claim waits and Bound once the simulator binds it", async () => {
    const { adapter, sink } = await follow("admin");
    expect(mysqlVolume(sink)).toEqual({
      name: "mysql-persistent-volume",
      type: "persistentVolumeClaim",
      claim: "mysql-persistent-volume-mysql-{0..2}",
      capacityBytes: GiB,
      accessModes: ["ReadWriteOnce"],
      status: "Bound",
    });
    WorkloadCoreSchema.parse(sink.items.workloads.get(MYSQL));

    // With every node cordoned the new replica cannot be placed, so its claim waits for its first consumer.
    const nodes = sim.list("Node").map((n) => n.metadata.name);
    for (const n of nodes) sim.setNodeSchedulable(n, false);
    try {
      const answered = await adapter.scale(MYSQL, 4);
      // The scale's answer joins the claims the adapter knows, as the watched workload does.
      expect(answered.volumes).toEqual([expect.objectContaining({ claim: "mysql-persistent-volume-mysql-{0..3}", status: "Pending" })]);
      await waitFor(
        "the fourth claim to exist, unbound",
        () => sim.get("PersistentVolumeClaim", "default", "mysql-persistent-volume-mysql-3") !== undefined,
        DEADLINE,
      );
      await waitFor(
        "the template Pending over four replicas",
        () => mysqlVolume(sink)?.claim === "mysql-persistent-volume-mysql-{0..3}" && mysqlVolume(sink)?.status === "Pending",
        DEADLINE,
      );
    } finally {
      for (const n of nodes) sim.setNodeSchedulable(n, true);
    }
    await waitFor("the template Bound once the simulator bound the fourth claim", () => mysqlVolume(sink)?.status === "Bound", DEADLINE);
    expect(mysqlVolume(sink)).toMatchObject({ claim: "mysql-persistent-volume-mysql-{0..3}", capacityBytes: GiB });

    // Scaled back down, the claims stay (the simulator keeps them) but only the current replicas' count.
    await adapter.scale(MYSQL, 3);
    await waitFor("the template over three replicas", () => mysqlVolume(sink)?.claim === "mysql-persistent-volume-mysql-{0..2}", DEADLINE);
    expect(mysqlVolume(sink)?.status).toBe("Bound");
    expect(sim.get("PersistentVolumeClaim", "default", "mysql-persistent-volume-mysql-3")).toBeDefined();
  });

  it("stays ok without the right to list claims, and says their status is unknown", async () => {
    const { sink } = await follow("no-claims");
    expect(sink.connection?.status).toBe("ok");
    await waitFor("mysql listed", () => mysqlVolume(sink) !== undefined, DEADLINE);
    // Whatever the replica count the test before left: the claims' status is what it cannot know.
    expect(mysqlVolume(sink)).toMatchObject({
      claim: expect.stringMatching(/^mysql-persistent-volume-mysql-/),
      capacityBytes: GiB,
      status: "unknown",
    });
  });
});
