/**
 * RBAC and impersonation through the real kubectl: it creates roles and
 * bindings (the bindings as protobuf, as typed client-go clients send them)
 * and acts as other users with --as/--as-group, one header line per group.
 * kubectl never sends a bearer token over plain http, so the simulator admits
 * credential-less requests as system:anonymous (see README); impersonating
 * still needs an RBAC grant to system:anonymous, as on a real cluster.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigYaml } from "./index";
import { startKubeSim, type KubeSimHandle } from "./sim";
import type { DeploymentObject, KubeObject } from "./types";

const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`[kubectl tests skipped] no kubectl at ${KUBECTL} (set KUBECTL)`);

let sim: KubeSimHandle;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  if (!hasKubectl) return;
  sim = await startKubeSim({
    timings: "fast",
    tokens: [{ token: "unused-over-http", user: "kubernetes-admin", groups: ["system:masters"] }],
    anonymous: "admin",
  });
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-kubectl-"));
  kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigYaml([{ context: "sim", server: sim.url, token: "unused-over-http" }]));
});

afterAll(async () => {
  if (!hasKubectl) return;
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs kubectl against the simulator: its own HOME and discovery cache, so no run sees another's. */
function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, "cache")}`, ...args],
      // --kubeconfig wins over any KUBECONFIG; HOME keeps ~/.kube out of it.
      { env: { ...process.env, HOME: dir }, timeout: 20_000, encoding: "utf8" },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  expect(r.stderr, `kubectl ${args.join(" ")}`).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

const replicasOf = (name: string, namespace = "default") => sim.get<DeploymentObject>("Deployment", namespace, name)!.spec.replicas;

describe.skipIf(!hasKubectl)("kubectl against the simulator: RBAC and impersonation", () => {
  it("creates a ClusterRole with verbs and resources, including a subresource", async () => {
    expect(await ok("create", "clusterrole", "scaler", "--verb=get,patch", "--resource=deployments,deployments/scale")).toBe(
      "clusterrole.rbac.authorization.k8s.io/scaler created\n",
    );
    const role = JSON.parse(await ok("get", "clusterrole", "scaler", "-o", "json"));
    expect(role).toMatchObject({ kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "scaler" } });
    expect(role.rules).toEqual([{ verbs: ["get", "patch"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"] }]);
    expect(await ok("get", "clusterroles")).toMatch(/^NAME\s+CREATED AT\n(.*\n)*scaler\s+\d{4}-/m);
    // The bootstrap roles are there, as on every cluster.
    expect(sim.get("ClusterRole", undefined, "cluster-admin")).toBeDefined();
  });

  it("refuses impersonation to a user without the impersonate verb, then allows it once bound", async () => {
    // Discovery is cached from the test before (a fresh cache would be refused too: kubectl says "Forbidden: unknown").
    const refused = await kubectl("--as=alice", "get", "deployment", "web");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(
      'Error from server (Forbidden): users "alice" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    await ok("create", "clusterrole", "impersonator", "--verb=impersonate", "--resource=users,groups");
    expect(
      await ok("create", "clusterrolebinding", "anonymous-impersonates", "--clusterrole=impersonator", "--user=system:anonymous"),
    ).toBe("clusterrolebinding.rbac.authorization.k8s.io/anonymous-impersonates created\n");
    const binding = sim.get<KubeObject>("ClusterRoleBinding", undefined, "anonymous-impersonates")!;
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "impersonator" });
    expect(binding.subjects).toEqual([{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "system:anonymous" }]);

    const asAlice = await kubectl("--as=alice", "get", "deployment", "web");
    expect(asAlice.stderr.trim()).toBe(
      'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"',
    );
  });

  it("lets a RoleBinding grant the ClusterRole in its namespace only", async () => {
    const before = replicasOf("web");
    expect(await ok("create", "rolebinding", "alice-scales", "--clusterrole=scaler", "--user=alice", "--namespace=default")).toBe(
      "rolebinding.rbac.authorization.k8s.io/alice-scales created\n",
    );
    expect(await ok("--as=alice", "scale", "deployment", "web", `--replicas=${before + 1}`)).toBe("deployment.apps/web scaled\n");
    expect(replicasOf("web")).toBe(before + 1);

    const coredns = replicasOf("coredns", "kube-system");
    const elsewhere = await kubectl("--as=alice", "--namespace=kube-system", "get", "deployment", "coredns");
    expect(elsewhere.stderr).toContain('User "alice" cannot get resource "deployments" in API group "apps" in the namespace "kube-system"');
    expect(replicasOf("coredns", "kube-system")).toBe(coredns);

    expect(await ok("get", "rolebindings", "-o", "wide")).toMatch(/alice-scales\s+ClusterRole\/scaler\s+\S+\s+alice/);
    await ok("delete", "rolebinding", "alice-scales");
    const revoked = await kubectl("--as=alice", "get", "deployment", "web");
    expect(revoked.stderr).toContain('User "alice" cannot get resource "deployments"');
  });

  it("sends each --as-group as its own header, and a ClusterRoleBinding grants a group everywhere", async () => {
    await ok("create", "clusterrolebinding", "ops-scale", "--clusterrole=scaler", "--group=ops");
    const coredns = replicasOf("coredns", "kube-system");
    // Were the groups one comma-joined header, the apiserver would see one group named "dev, ops".
    expect(
      await ok(
        "--as=carol",
        "--as-group=dev",
        "--as-group=ops",
        "--namespace=kube-system",
        "scale",
        "deployment",
        "coredns",
        `--replicas=${coredns + 1}`,
      ),
    ).toBe("deployment.apps/coredns scaled\n");
    expect(replicasOf("coredns", "kube-system")).toBe(coredns + 1);
    const notInGroup = await kubectl("--as=carol", "--as-group=dev", "--namespace=kube-system", "get", "deployment", "coredns");
    expect(notInGroup.stderr).toContain('User "carol" cannot get resource "deployments"');
  });

  it("refuses invalid bindings with the apiserver's validation message", async () => {
    const bad = await kubectl("create", "clusterrolebinding", "robot", "--clusterrole=scaler", "--serviceaccount=:robot");
    expect(bad.code).not.toBe(0);
    expect(sim.get("ClusterRoleBinding", undefined, "robot")).toBeUndefined();
  });
});
