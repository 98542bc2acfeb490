/**
 * Scaling as the Fleetdeck user who asks (impersonate: true), against the
 * simulator over real HTTP: its RBAC decides, as a cluster's would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import type { KubeSimHandle, RbacManifest } from "@/lib/sim/kubernetes";
import { AdapterError } from "../errors";
import { SecretSet } from "../secrets";
import type { Requester } from "../types";
import { FAST, startSimWithKubeconfig } from "./int-support";
import { KubeAdapter } from "./kube-adapter";

const IMPERSONATOR = "impersonator-token-for-tests";
const PLAIN = "plain-token-for-tests";

const RBAC = "rbac.authorization.k8s.io";
const rbac: RbacManifest[] = [
  // Fleetdeck's own identity may impersonate anyone (and nothing else is granted to it by RBAC).
  {
    kind: "ClusterRole",
    metadata: { name: "impersonator" },
    rules: [{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }],
  },
  {
    kind: "ClusterRoleBinding",
    metadata: { name: "fleetdeck-impersonates" },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "impersonator" },
    subjects: [{ kind: "User", apiGroup: RBAC, name: "fleetdeck" }],
  },
  // Scaling Deployments in default: alice by name, the ops group by membership.
  {
    kind: "Role",
    metadata: { name: "deployment-scaler", namespace: "default" },
    rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }],
  },
  {
    kind: "RoleBinding",
    metadata: { name: "alice-scales", namespace: "default" },
    roleRef: { apiGroup: RBAC, kind: "Role", name: "deployment-scaler" },
    subjects: [{ kind: "User", apiGroup: RBAC, name: "alice" }],
  },
  {
    kind: "RoleBinding",
    metadata: { name: "ops-scale", namespace: "default" },
    roleRef: { apiGroup: RBAC, kind: "Role", name: "deployment-scaler" },
    subjects: [{ kind: "Group", apiGroup: RBAC, name: "ops" }],
  },
];

let sim: KubeSimHandle;
let kubeconfig: string;
let close = async () => {};

beforeAll(async () => {
  ({ sim, kubeconfig, close } = await startSimWithKubeconfig(
    {
      content: "demo-east",
      timings: "fast",
      rbac,
      tokens: [
        { token: IMPERSONATOR, user: "fleetdeck" },
        { token: PLAIN, user: "fleetdeck-plain" },
      ],
    },
    { fleetdeck: IMPERSONATOR, plain: PLAIN },
  ));
});

afterAll(() => close());

function adapter(context: "fleetdeck" | "plain", impersonate = true) {
  return new KubeAdapter(
    { kubeconfig, context, impersonate },
    { clusterId: context, log: createLogger("test"), secrets: new SecretSet(), env: {} },
    FAST,
  );
}

const person = (name: string, ...groups: string[]): Requester => ({ name, groups, anonymous: false });
const replicas = (name: string, namespace = "default") =>
  (sim.get("Deployment", namespace, name) as unknown as { spec: { replicas: number } }).spec.replicas;

async function refusal(promise: Promise<unknown>): Promise<AdapterError> {
  const err = await promise.then(
    () => new Error("the scale was not refused"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdapterError);
  return err as AdapterError;
}

describe("KubeAdapter with impersonate: true", () => {
  it("scales as a user whom a RoleBinding allows to patch deployments/scale", async () => {
    const before = replicas("web");
    const answered = await adapter("fleetdeck").scale("deployment~default~web", before + 1, undefined, person("alice"));
    expect(answered).toMatchObject({ id: "deployment~default~web", desired: before + 1 });
    expect(replicas("web")).toBe(before + 1);
    await adapter("fleetdeck").scale("deployment~default~web", before, undefined, person("alice"));
  });

  it("refuses a user without the grant with the apiserver's message, naming verb and resource", async () => {
    const before = replicas("web");
    const err = await refusal(adapter("fleetdeck").scale("deployment~default~web", before + 2, undefined, person("bob", "dev")));
    expect(err.code).toBe("forbidden");
    expect(err.message).toBe(
      'deployments.apps "web" is forbidden: User "bob" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"',
    );
    expect(replicas("web")).toBe(before);
  });

  it("sends every group as its own header line, so a grant to one of several groups counts", async () => {
    const before = replicas("api");
    await adapter("fleetdeck").scale("deployment~default~api", before + 1, undefined, person("carol", "dev", "ops"));
    expect(replicas("api")).toBe(before + 1);
    await adapter("fleetdeck").scale("deployment~default~api", before, undefined, person("carol", "ops"));
    expect(replicas("api")).toBe(before);
  });

  it("grants only what the role says: another namespace and another kind are refused", async () => {
    const coredns = replicas("coredns", "kube-system");
    const elsewhere = await refusal(adapter("fleetdeck").scale("deployment~kube-system~coredns", coredns + 1, undefined, person("alice")));
    expect(elsewhere.message).toBe(
      'deployments.apps "coredns" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "kube-system"',
    );
    const statefulSet = await refusal(adapter("fleetdeck").scale("statefulset~default~mysql", 4, undefined, person("alice")));
    expect(statefulSet.message).toContain('User "alice" cannot patch resource "statefulsets/scale"');
    expect(replicas("coredns", "kube-system")).toBe(coredns);
  });

  it("sends an anonymous requester as system:anonymous, whom the cluster refuses", async () => {
    const err = await refusal(
      adapter("fleetdeck").scale("deployment~default~web", 7, undefined, { name: "", groups: [], anonymous: true }),
    );
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain('User "system:anonymous" cannot patch resource "deployments/scale"');
    expect(replicas("web")).not.toBe(7);
  });

  it("refuses to act as Fleetdeck itself when no requester is given", async () => {
    const err = await refusal(adapter("fleetdeck").scale("deployment~default~web", 7));
    expect(err.code).toBe("forbidden");
    expect(err.message).toMatch(/names no user/);
    expect(replicas("web")).not.toBe(7);
  });

  it("is refused when Fleetdeck's own credentials may not impersonate", async () => {
    const err = await refusal(adapter("plain").scale("deployment~default~web", 7, undefined, person("alice")));
    expect(err.code).toBe("forbidden");
    expect(err.message).toBe(
      'users "alice" is forbidden: User "fleetdeck-plain" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    expect(replicas("web")).not.toBe(7);
  });

  it("is opt-in: without impersonate, the change goes out as Fleetdeck's own identity", async () => {
    const before = replicas("worker");
    await adapter("plain", false).scale("deployment~default~worker", before + 1, undefined, person("bob"));
    expect(replicas("worker")).toBe(before + 1);
    await adapter("plain", false).scale("deployment~default~worker", before);
  });
});
