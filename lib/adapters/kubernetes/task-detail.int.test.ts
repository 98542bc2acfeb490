import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskDetailSchema } from "@/lib/model/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { waitFor } from "@/lib/testing/recording-sink";
import type { KubeSimHandle } from "@/lib/sim/kubernetes";
import { AdapterError } from "../errors";
import { SecretSet } from "../secrets";
import { FAST, startSimWithKubeconfig } from "./int-support";
import { KubeAdapter } from "./kube-adapter";

/** A pod read in full over real HTTP from the simulator: GET the pod, then its events by uid. */

const ADMIN = "admin-token-for-describe";
const NO_EVENTS = "no-events-token-for-describe";

let sim: KubeSimHandle;
let kubeconfig: string;
let close = async () => {};

beforeAll(async () => {
  ({ sim, kubeconfig, close } = await startSimWithKubeconfig(
    {
      content: "demo-east",
      timings: "fast",
      tokens: [
        { token: ADMIN, user: "kubernetes-admin" },
        { token: NO_EVENTS, user: "no-events", readOnly: true, deny: ["events"] },
      ],
    },
    { admin: ADMIN, "no-events": NO_EVENTS },
  ));
});

afterAll(() => close());

const adapterAs = (context: string) =>
  new KubeAdapter({ kubeconfig, context }, { clusterId: context, log: memoryLogger(), secrets: new SecretSet(), env: {} }, FAST);

/** The one pod of a workload added to the simulator, as the adapter names it. */
function podOf(app: string): string | null {
  const pod = sim.list("Pod").find((p) => p.metadata.labels?.app === app);
  return pod ? `${pod.metadata.namespace}~${pod.metadata.name}` : null;
}

describe("Kubernetes describeTask", () => {
  it("reads a crash-looping pod's container (restarts, the last exit) and its steps, the kubelet's BackOff among them", async () => {
    sim.add((b) =>
      b.deployment({
        namespace: "default",
        name: "describe-crash",
        image: "busybox:1.36",
        replicas: 1,
        labels: { app: "describe-crash" },
        requests: { cpu: "10m", memory: "16Mi" },
        crashLoop: true,
      }),
    );
    const adapter = adapterAs("admin");
    const id = await waitFor("the pod", () => podOf("describe-crash"));
    const detail = await waitFor("a restart and a BackOff", async () => {
      const d = await adapter.describeTask(id);
      return d.containers[0]?.restarts > 0 && d.history.some((s) => s.what === "BackOff") ? d : null;
    });
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.containers).toHaveLength(1);
    const [container] = detail.containers;
    expect(container).toMatchObject({ name: "describe-crash", image: "busybox:1.36" });
    expect(container.lastExit).toMatchObject({ reason: "Error" });
    expect(container.lastExit!.exitCode).not.toBe(0);
    const backOff = detail.history.find((s) => s.what === "BackOff")!;
    expect(backOff).toMatchObject({ level: "warning", container: null });
    expect(backOff.detail).toContain("Back-off restarting failed container");
    expect(detail.history.some((s) => s.what === "Terminated" && s.level === "warning" && /exit code [1-9]/.test(s.detail ?? ""))).toBe(
      true,
    );
    expect(detail.history.some((s) => s.what === "Scheduled")).toBe(true);
    const times = detail.history.map((s) => Date.parse(s.at!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("says a pod that fits on no node was not scheduled, and why", async () => {
    sim.add((b) =>
      b.deployment({
        namespace: "default",
        name: "describe-too-big",
        image: "busybox:1.36",
        replicas: 1,
        labels: { app: "describe-too-big" },
        requests: { cpu: "64", memory: "1Gi" },
      }),
    );
    const adapter = adapterAs("admin");
    const id = await waitFor("the pod", () => podOf("describe-too-big"));
    const detail = await waitFor("FailedScheduling", async () => {
      const d = await adapter.describeTask(id);
      return d.history.some((s) => s.what === "FailedScheduling") ? d : null;
    });
    expect(detail.containers[0]).toMatchObject({ state: "waiting", ready: null, restarts: 0 });
    expect(detail.history.find((s) => s.what === "Not PodScheduled")).toMatchObject({ level: "warning" });
    expect(detail.history.find((s) => s.what === "Not PodScheduled")!.detail).toContain("Unschedulable");
  });

  it("still describes the pod when its events may not be read, and says so first", async () => {
    const id = await waitFor("a demo pod", () => podOf("web"));
    const detail = await adapterAs("no-events").describeTask(id);
    expect(detail.containers.length).toBeGreaterThan(0);
    expect(detail.history[0]).toMatchObject({ at: null, what: "Events unreadable", level: "warning" });
    expect(detail.history.some((s) => s.what === "Ready")).toBe(true);
  });

  it("answers not-found for a pod that does not exist or an id that names no pod", async () => {
    const adapter = adapterAs("admin");
    for (const id of ["default~no-such-pod", "not-a-pod-id", "a~b~c"]) {
      const err = await adapter.describeTask(id).catch((e: unknown) => e);
      expect(err, id).toBeInstanceOf(AdapterError);
      expect((err as AdapterError).code, id).toBe("not-found");
    }
  });
});
