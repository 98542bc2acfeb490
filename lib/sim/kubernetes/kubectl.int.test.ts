/**
 * The real kubectl against the simulator. RBAC and impersonation: it creates
 * roles and bindings (the bindings as protobuf, as typed client-go clients
 * send them) and acts as other users with --as/--as-group, one header line
 * per group. Storage, events and `get all`: what kubectl finds through
 * discovery and prints from the server's Tables.
 * kubectl never sends a bearer token over plain http, so the simulator admits
 * credential-less requests as system:anonymous (see README); impersonating
 * still needs an RBAC grant to system:anonymous, as on a real cluster.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigYaml } from "./index";
import { startKubeSim, type KubeSimHandle } from "./sim";
import type { CoreEventObject, DeploymentObject, KubeObject, PersistentVolumeClaimObject, PersistentVolumeObject, Pod } from "./types";

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

/** Polls until `check` holds, or fails naming `what` after a deadline generous for a loaded machine. */
async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function claims(): Promise<PersistentVolumeClaimObject[]> {
  return (JSON.parse(await ok("get", "pvc", "-o", "json")) as { items: PersistentVolumeClaimObject[] }).items;
}

const mysqlClaim = (ordinal: number) => `mysql-persistent-volume-mysql-${ordinal}`;
const mysqlPods = () => sim.list<Pod>("Pod", "default").filter((p) => /^mysql-\d+$/.test(p.metadata.name));

// Each test waits on the controllers a few times; the deadlines are for a loaded machine, not the usual run.
describe.skipIf(!hasKubectl)("kubectl against the simulator: storage, events and get all", { timeout: 90_000 }, () => {
  it("lists the default StorageClass, a Bound claim per mysql replica and the volumes provisioned for them", async () => {
    expect(await ok("get", "storageclass")).toMatch(/^gp3 \(default\)\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer\s+true\s+\S+$/m);
    const sc = JSON.parse(await ok("get", "sc", "gp3", "-o", "json"));
    expect(sc).toMatchObject({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
    });

    const table = await ok("get", "pvc");
    for (const ordinal of [0, 1, 2]) {
      expect(table).toMatch(new RegExp(`^${mysqlClaim(ordinal)}\\s+Bound\\s+pvc-[0-9a-f-]{36}\\s+1Gi\\s+RWO\\s+gp3\\s`, "m"));
    }
    const volumes = (JSON.parse(await ok("get", "pv", "-o", "json")) as { items: PersistentVolumeObject[] }).items;
    for (const claim of await claims()) {
      const volume = volumes.find((v) => v.metadata.name === claim.spec.volumeName);
      expect(volume, `the volume of ${claim.metadata.name}`).toMatchObject({
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Delete",
          storageClassName: "gp3",
          claimRef: { kind: "PersistentVolumeClaim", namespace: "default", name: claim.metadata.name, uid: claim.metadata.uid },
        },
        status: { phase: "Bound" },
      });
    }
    expect(await ok("get", "pv", volumes[0].metadata.name)).toMatch(
      new RegExp(
        `^${volumes[0].metadata.name}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/mysql-persistent-volume-mysql-\\d\\s+gp3\\s`,
        "m",
      ),
    );
  });

  it("creates and binds a claim for each new replica, keeps them when the set scales down and reuses them", async () => {
    await ok("scale", "statefulset", "mysql", "--replicas=5");
    await eventually(async () => {
      const all = await claims();
      return [0, 1, 2, 3, 4].every((i) => all.some((c) => c.metadata.name === mysqlClaim(i) && c.status.phase === "Bound"));
    }, "five Bound mysql claims");
    const bound = new Map((await claims()).map((c) => [c.metadata.name, c.spec.volumeName]));

    await ok("scale", "statefulset", "mysql", "--replicas=2");
    await eventually(() => mysqlPods().length === 2, "mysql down to two pods");
    const kept = await claims();
    expect(kept.map((c) => `${c.metadata.name} ${c.status.phase}`).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${mysqlClaim(i)} Bound`));

    // A replica that comes back mounts the claim (and volume) it had, not a new one.
    await ok("scale", "statefulset", "mysql", "--replicas=4");
    await eventually(() => mysqlPods().filter((p) => p.status.phase === "Running").length === 4, "mysql back at four running pods");
    expect(new Map((await claims()).map((c) => [c.metadata.name, c.spec.volumeName]))).toEqual(bound);
    const mysql3 = sim.get<Pod>("Pod", "default", "mysql-3")!;
    expect(mysql3.spec.volumes).toContainEqual({ name: "mysql-persistent-volume", persistentVolumeClaim: { claimName: mysqlClaim(3) } });
    await ok("scale", "statefulset", "mysql", "--replicas=3");
  });

  it("lists and prints core/v1 events, with what the volume provisioner recorded", async () => {
    await ok("scale", "statefulset", "mysql", "--replicas=6");
    await eventually(
      async () => (await claims()).some((c) => c.metadata.name === mysqlClaim(5) && c.status.phase === "Bound"),
      "claim 5 Bound",
    );
    const verbose = await kubectl("get", "events", "-A", "-v=6");
    expect(verbose.code).toBe(0);
    // kubectl prefers the core group's events when the server has them.
    expect(verbose.stderr).toMatch(/GET http:\/\/[^ ]+\/api\/v1\/events\?limit=500 200 OK/);
    expect(verbose.stdout).toMatch(/^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(verbose.stdout).toMatch(
      new RegExp(
        `^default\\s+\\S+\\s+Normal\\s+ProvisioningSucceeded\\s+persistentvolumeclaim/${mysqlClaim(5)}\\s+Successfully provisioned volume pvc-`,
        "m",
      ),
    );
    expect(verbose.stdout).toMatch(
      /statefulset\/mysql\s+create Claim mysql-persistent-volume-mysql-5 Pod mysql-5 in StatefulSet mysql success/,
    );

    const selected = JSON.parse(
      await ok(
        "get",
        "events",
        "--field-selector",
        `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${mysqlClaim(5)}`,
        "-o",
        "json",
      ),
    ) as { items: CoreEventObject[] };
    expect(selected.items.map((e) => e.reason)).toEqual(expect.arrayContaining(["Provisioning", "ProvisioningSucceeded"]));
    for (const e of selected.items) {
      expect(e).toMatchObject({ involvedObject: { kind: "PersistentVolumeClaim", name: mysqlClaim(5) }, source: {} });
      expect(e.message).toBeTruthy();
    }
    const one = JSON.parse(await ok("get", "event", selected.items[0].metadata.name, "-o", "json"));
    expect(one).toMatchObject({ apiVersion: "v1", kind: "Event", involvedObject: { name: mysqlClaim(5) } });
    await ok("scale", "statefulset", "mysql", "--replicas=3");
    await eventually(() => mysqlPods().length === 3, "mysql back at three pods");
  });

  it("watches core/v1 events as they are recorded", async () => {
    const watches = sim.activeWatches;
    const child = spawn(
      KUBECTL,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, "cache")}`, "get", "events", "--watch-only"],
      {
        env: { ...process.env, HOME: dir },
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    try {
      await eventually(() => sim.activeWatches > watches, "kubectl's watch to open");
      await ok("scale", "statefulset", "mysql", "--replicas=4");
      const created = /Normal\s+SuccessfulCreate\s+statefulset\/mysql\s+create Pod mysql-3 in StatefulSet mysql successful/;
      await eventually(() => created.test(stdout), `the watch to print mysql-3's creation (printed so far: ${JSON.stringify(stdout)})`);
    } finally {
      child.kill();
    }
    await ok("scale", "statefulset", "mysql", "--replicas=3");
  });

  it("gets everything of the all category", async () => {
    const all = await ok("get", "all", "-A");
    for (const line of [
      /^default\s+pod\/mysql-0\s+1\/1\s+Running/m,
      /^default\s+service\/mysql\s+ClusterIP\s+None/m,
      /^default\s+deployment\.apps\/web\s+\d+\/\d+/m,
      /^default\s+replicaset\.apps\/web-\w+\s+\d+/m,
      /^default\s+statefulset\.apps\/mysql\s+3\/3/m,
      /^kube-system\s+daemonset\.apps\/node-exporter\s+4\s+4/m,
      /^default\s+horizontalpodautoscaler\.autoscaling\/web\s+Deployment\/web/m,
    ]) {
      expect(all).toMatch(line);
    }
    // Not in the category: claims, events, endpoints.
    expect(all).not.toMatch(/persistentvolumeclaim\/|endpoints\//);
  });
});
