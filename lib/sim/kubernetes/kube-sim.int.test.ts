/**
 * The simulator's HTTP surface through the real @kubernetes/client-node (what
 * the adapter uses) and plain fetch (for wire details the library hides).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { waitFor } from "@/lib/testing/recording-sink";
import { startKubeSim, type KubeSimHandle } from "./sim";
import { kubeconfigYaml } from "./index";

const ADMIN = "admin-token-for-tests";
const VIEWER = "viewer-token-for-tests";
/** How long to wait for what takes milliseconds on an idle machine: a deadline, not a speed requirement. */
const PATIENCE_MS = 15_000;

let sim: KubeSimHandle | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await sim?.close();
  sim = undefined;
});

async function start(options: Parameters<typeof startKubeSim>[0] = {}) {
  sim = await startKubeSim({
    timings: "fast",
    bookmarkIntervalMs: 100,
    tokens: [
      { token: ADMIN, user: "kubernetes-admin" },
      { token: VIEWER, user: "system:serviceaccount:fleetdeck:viewer", readOnly: true },
    ],
    ...options,
  });
  return sim;
}

function kubeConfig(s: KubeSimHandle, token = ADMIN): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfigYaml([{ context: "sim", server: s.url, token }]));
  return kc;
}

const get = (s: KubeSimHandle, path: string, token: string | null = ADMIN) =>
  fetch(s.url + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

/** A client-node watch collecting events; resolves `ended` when the server closes it. */
async function watch(kc: k8s.KubeConfig, path: string, params: Record<string, string | boolean | number>) {
  const events: WatchEvent[] = [];
  let endedResolve!: (err: unknown) => void;
  const ended = new Promise<unknown>((r) => (endedResolve = r));
  const controller = await new k8s.Watch(kc).watch(
    path,
    params,
    (type, object) => events.push({ type, object }),
    (err) => endedResolve(err ?? null),
  );
  cleanups.push(() => controller.abort());
  return { events, ended };
}

describe("discovery and reads", () => {
  it("serves version and discovery documents for the served groups", async () => {
    const s = await start();
    const version = await (await get(s, "/version", null)).json();
    expect(version.gitVersion).toBe("v1.31.4-fleetdeck-sim");
    const groups = await (await get(s, "/apis")).json();
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining(["apps", "autoscaling", "discovery.k8s.io", "metrics.k8s.io"]),
    );
    const apps = await (await get(s, "/apis/apps/v1")).json();
    expect(apps.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(["deployments", "deployments/scale", "statefulsets/scale", "daemonsets"]),
    );
    expect(apps.resources.find((r: { name: string }) => r.name === "daemonsets/scale")).toBeUndefined();
    const core = await (await get(s, "/api/v1")).json();
    expect(core.resources.find((r: { name: string }) => r.name === "pods")).toMatchObject({ namespaced: true, kind: "Pod" });
  });

  it("lists through client-node with a resourceVersion, label and field selectors", async () => {
    const s = await start();
    const core = kubeConfig(s).makeApiClient(k8s.CoreV1Api);
    const all = await core.listPodForAllNamespaces();
    expect(all.metadata?.resourceVersion).toBe(s.resourceVersion);
    expect(all.items.length).toBeGreaterThan(15);
    const mysql = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=mysql" });
    expect(mysql.items.map((p) => p.metadata?.name).sort()).toEqual(["mysql-0", "mysql-1", "mysql-2"]);
    const canary = await core.listNamespacedPod({ namespace: "default", labelSelector: "canary=true,tier in (backend)" });
    expect(canary.items.length).toBeGreaterThan(0);
    expect(canary.items.every((p) => p.metadata?.labels?.canary === "true")).toBe(true);
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=east-control-plane" });
    expect(onNode.items.length).toBeGreaterThan(0);
    expect(onNode.items.every((p) => p.spec?.nodeName === "east-control-plane")).toBe(true);
    const node = await core.readNode({ name: "east-worker-c" });
    expect(node.status?.capacity?.cpu).toBe("4");
  });

  it("answers lists like the apiserver: items without kind/apiVersion, single gets with them", async () => {
    const s = await start();
    const list = await (await get(s, "/apis/apps/v1/namespaces/default/deployments")).json();
    expect(list).toMatchObject({ kind: "DeploymentList", apiVersion: "apps/v1" });
    expect(list.items[0].kind).toBeUndefined();
    const one = await (await get(s, "/apis/apps/v1/namespaces/default/deployments/web")).json();
    expect(one).toMatchObject({ kind: "Deployment", apiVersion: "apps/v1", metadata: { name: "web" } });
    const endpoints = await (
      await get(s, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb")
    ).json();
    expect(endpoints.items[0].endpoints).toHaveLength(3);
  });

  it("answers kubectl's Table requests for lists and watches", async () => {
    const s = await start();
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    const table = await (
      await fetch(`${s.url}/apis/apps/v1/namespaces/default/deployments`, { headers: { Authorization: `Bearer ${ADMIN}`, Accept: accept } })
    ).json();
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 4)).toEqual(["Name", "Ready", "Up-to-date", "Available"]);
    expect(table.rows.find((r: { cells: unknown[] }) => r.cells[0] === "web").cells.slice(0, 4)).toEqual(["web", "3/3", 3, 3]);
    const res = await fetch(`${s.url}/apis/apps/v1/namespaces/default/deployments?watch=1&resourceVersion=${s.resourceVersion}`, {
      headers: { Authorization: `Bearer ${ADMIN}`, Accept: accept },
    });
    s.scale("Deployment", "default", "web", 4);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    await reader.cancel();
    const first = JSON.parse(text.split("\n")[0]);
    expect(first).toMatchObject({ type: "MODIFIED", object: { kind: "Table", rows: [{ cells: expect.arrayContaining(["web"]) }] } });
    expect(first.object.columnDefinitions.length).toBeGreaterThan(0);
  });

  it("answers errors as Status objects", async () => {
    const s = await start();
    const missing = await get(s, "/apis/apps/v1/namespaces/default/deployments/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      kind: "Status",
      reason: "NotFound",
      code: 404,
      message: 'deployments.apps "nope" not found',
    });
    const badField = await get(s, "/apis/apps/v1/deployments?fieldSelector=spec.nodeName%3Dx");
    expect(badField.status).toBe(400);
    const noToken = await get(s, "/api/v1/pods", null);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ reason: "Unauthorized", code: 401 });
    const wrongToken = await get(s, "/api/v1/pods", "nope");
    expect(wrongToken.status).toBe(401);
    expect((await get(s, "/apis/apps/v1/namespaces/default/daemonsets/node-exporter/scale")).status).toBe(404);
  });
});

describe("scale subresource", () => {
  it("scales mysql 3 → 5 with a JSON merge patch and converges to 5 ready pods", async () => {
    const s = await start();
    const apps = kubeConfig(s).makeApiClient(k8s.AppsV1Api);
    const scale = await apps.patchNamespacedStatefulSetScale(
      { name: "mysql", namespace: "default", body: { spec: { replicas: 5 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(scale).toMatchObject({ kind: "Scale", spec: { replicas: 5 }, status: { selector: "app=mysql" } });
    await s.waitFor(
      () =>
        s.get<{ status: { readyReplicas?: number } } & import("./types").KubeObject>("StatefulSet", "default", "mysql")!.status
          .readyReplicas === 5,
      PATIENCE_MS,
    );
    const read = await apps.readNamespacedStatefulSetScale({ name: "mysql", namespace: "default" });
    expect(read.status?.replicas).toBe(5);
    const pods = await kubeConfig(s).makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: "default", labelSelector: "app=mysql" });
    expect(pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))).toHaveLength(5);
  });

  it("accepts JSON patch (the library default) and PUT with a resourceVersion precondition", async () => {
    const s = await start();
    const apps = kubeConfig(s).makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeploymentScale({
      name: "api",
      namespace: "default",
      body: [{ op: "replace", path: "/spec/replicas", value: 2 }],
    });
    expect(s.get<import("./types").DeploymentObject>("Deployment", "default", "api")!.spec.replicas).toBe(2);
    const current = await apps.readNamespacedDeploymentScale({ name: "api", namespace: "default" });
    await apps.replaceNamespacedDeploymentScale({ name: "api", namespace: "default", body: { ...current, spec: { replicas: 3 } } });
    expect(s.get<import("./types").DeploymentObject>("Deployment", "default", "api")!.spec.replicas).toBe(3);
    const stale = await apps
      .replaceNamespacedDeploymentScale({ name: "api", namespace: "default", body: { ...current, spec: { replicas: 4 } } })
      .catch((e) => e);
    expect(stale).toBeInstanceOf(k8s.ApiException);
    expect((stale as k8s.ApiException<unknown>).code).toBe(409);
  });

  it("deletes a Deployment over HTTP; its ReplicaSet and pods are collected", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    await kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDeployment({ name: "worker", namespace: "default" });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await waitFor("worker pods gone", () => s.list("Pod", "default").every((p) => !p.metadata.name.startsWith("worker-")), PATIENCE_MS);
    expect((await core.listNamespacedPod({ namespace: "default", labelSelector: "app=worker" })).items).toHaveLength(0);
    const again = await kc
      .makeApiClient(k8s.AppsV1Api)
      .deleteNamespacedDeployment({ name: "worker", namespace: "default" })
      .catch((e) => e);
    expect((again as k8s.ApiException<unknown>).code).toBe(404);
  });

  it("rejects negative replicas with 422 Invalid", async () => {
    const s = await start();
    const res = await fetch(`${s.url}/apis/apps/v1/namespaces/default/deployments/web/scale`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: -1 } }),
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({ kind: "Status", reason: "Invalid", code: 422 });
    expect(body.message).toContain("spec.replicas: Invalid value: -1");
    expect(s.get<import("./types").DeploymentObject>("Deployment", "default", "web")!.spec.replicas).toBe(3);
  });

  it("forbids scaling to a read-only token with the apiserver's wording, but lets it read", async () => {
    const s = await start();
    const apps = kubeConfig(s, VIEWER).makeApiClient(k8s.AppsV1Api);
    expect((await apps.listDeploymentForAllNamespaces()).items.length).toBeGreaterThan(0);
    const err = await apps
      .patchNamespacedDeploymentScale(
        { name: "web", namespace: "default", body: { spec: { replicas: 9 } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect(err.code).toBe(403);
    const status = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    expect(status.message).toBe(
      'deployments.apps "web" is forbidden: User "system:serviceaccount:fleetdeck:viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"',
    );
  });

  it("lets credential-less requests act as system:anonymous when configured", async () => {
    const s = await start({ anonymous: "read-only" });
    expect((await get(s, "/api/v1/pods", null)).status).toBe(200);
    expect((await get(s, "/api/v1/pods", "wrong")).status).toBe(401);
    const res = await fetch(`${s.url}/apis/apps/v1/namespaces/default/deployments/web/scale`, {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: 4 } }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).message).toContain('User "system:anonymous" cannot patch resource "deployments/scale"');
  });

  it("can deny one resource to a token (for degraded-cluster tests)", async () => {
    const s = await start({ tokens: [{ token: ADMIN, user: "limited", deny: ["endpointslices"] }] });
    const res = await get(s, "/apis/discovery.k8s.io/v1/endpointslices");
    expect(res.status).toBe(403);
    expect((await res.json()).message).toBe(
      'endpointslices.discovery.k8s.io is forbidden: User "limited" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope',
    );
    expect((await get(s, "/api/v1/pods")).status).toBe(200);
  });
});

describe("create", () => {
  it("creates a Deployment from kubectl's sketch, defaults it and runs its pods spread over nodes", async () => {
    const s = await start();
    const apps = kubeConfig(s).makeApiClient(k8s.AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "hello", labels: { app: "hello" } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "hello" } },
          template: {
            metadata: { labels: { app: "hello" } },
            spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] },
          },
        },
      },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec?.template.spec?.restartPolicy).toBe("Always");
    expect(created.spec?.template.spec?.containers[0].imagePullPolicy).toBe("IfNotPresent");
    await s.waitFor(
      () => s.get<import("./types").DeploymentObject>("Deployment", "default", "hello")?.status.readyReplicas === 3,
      PATIENCE_MS,
    );
    const nodes = new Set(
      s
        .list<import("./types").Pod>("Pod", "default")
        .filter((p) => p.metadata.labels?.app === "hello")
        .map((p) => p.spec.nodeName),
    );
    // Spread over the two big workers; east-worker-c is packed by the ETL job.
    expect(nodes.size).toBeGreaterThanOrEqual(2);
  });

  it("refuses duplicates (409), a selector that misses the template (422) and unknown namespaces (404)", async () => {
    const s = await start();
    const apps = kubeConfig(s).makeApiClient(k8s.AppsV1Api);
    const body = (name: string, selector: string) => ({
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: selector } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } },
      },
    });
    const dup = await apps.createNamespacedDeployment({ namespace: "default", body: body("web", "web") }).catch((e) => e);
    expect(dup.code).toBe(409);
    const mismatch = await apps.createNamespacedDeployment({ namespace: "default", body: body("x", "y") }).catch((e) => e);
    expect(mismatch.code).toBe(422);
    expect(JSON.parse(mismatch.body).message).toContain("`selector` does not match template `labels`");
    const nons = await apps.createNamespacedDeployment({ namespace: "nope", body: body("x", "x") }).catch((e) => e);
    expect(nons.code).toBe(404);
    const viewer = await kubeConfig(s, VIEWER)
      .makeApiClient(k8s.AppsV1Api)
      .createNamespacedDeployment({ namespace: "default", body: body("v", "v") })
      .catch((e) => e);
    expect(viewer.code).toBe(403);
  });

  it("allocates a cluster IP and node ports for a new Service", async () => {
    const s = await start();
    const core = kubeConfig(s).makeApiClient(k8s.CoreV1Api);
    const svc = await core.createNamespacedService({
      namespace: "default",
      body: { metadata: { name: "hello" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]).toMatchObject({ protocol: "TCP", targetPort: 80 });
    expect(svc.spec?.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    await s.waitFor(
      () =>
        ((s.get("Endpoints", "default", "hello") as { subsets?: { addresses?: unknown[] }[] } | undefined)?.subsets?.[0]?.addresses
          ?.length ?? 0) === 3,
      PATIENCE_MS,
    );
  });
});

describe("watch", () => {
  it("streams changes from a list's resourceVersion, with bookmarks", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    const list = await kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: "default" });
    const w = await watch(kc, "/apis/apps/v1/namespaces/default/deployments", {
      resourceVersion: list.metadata!.resourceVersion!,
      allowWatchBookmarks: true,
    });
    s.scale("Deployment", "default", "web", 4);
    await waitFor("web MODIFIED", () => w.events.some((e) => e.type === "MODIFIED" && e.object.metadata?.name === "web"), PATIENCE_MS);
    await waitFor("a bookmark", () => w.events.some((e) => e.type === "BOOKMARK"), PATIENCE_MS);
    const bookmark = w.events.find((e) => e.type === "BOOKMARK")!;
    expect(Object.keys(bookmark.object.metadata!)).toEqual(["resourceVersion"]);
    const rvs = w.events.filter((e) => e.type !== "BOOKMARK").map((e) => Number(e.object.metadata!.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(list.metadata!.resourceVersion));
  });

  it("replays missed events when resuming from an older resourceVersion, and filters by label", async () => {
    const s = await start();
    const rv = s.resourceVersion;
    s.scale("StatefulSet", "default", "mysql", 4);
    await s.waitFor(() => s.get("Pod", "default", "mysql-3") !== undefined);
    const w = await watch(kubeConfig(s), "/api/v1/namespaces/default/pods", { resourceVersion: rv, labelSelector: "app=mysql" });
    await waitFor("mysql-3 ADDED", () => w.events.some((e) => e.type === "ADDED" && e.object.metadata?.name === "mysql-3"), PATIENCE_MS);
    expect(w.events.every((e) => e.object.metadata?.name?.startsWith("mysql-"))).toBe(true);
  });

  it("sends ADDED for every object when watching without a resourceVersion", async () => {
    const s = await start();
    const w = await watch(kubeConfig(s), "/api/v1/nodes", {});
    await waitFor("initial nodes", () => w.events.length >= 4, PATIENCE_MS);
    expect(w.events.every((e) => e.type === "ADDED" && e.object.kind === "Node")).toBe(true);
  });

  it("answers an ERROR event with 410 Expired for a compacted resourceVersion, and ends open watches", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    const rv = s.resourceVersion;
    const open = await watch(kc, "/api/v1/pods", { resourceVersion: rv });
    await waitFor("the watch to register", () => s.activeWatches === 1, PATIENCE_MS);
    s.compact();
    await open.ended;
    const w = await watch(kc, "/api/v1/pods", { resourceVersion: rv });
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
  });

  it("expires resourceVersions that fell out of the retained history", async () => {
    const s = await start({ historySize: 5 });
    const rv = s.resourceVersion;
    s.scale("Deployment", "default", "api", 8);
    await s.waitFor(() => Number(s.resourceVersion) > Number(rv) + 10);
    const w = await watch(kubeConfig(s), "/api/v1/pods", { resourceVersion: rv });
    await w.ended;
    expect(w.events[0].object).toMatchObject({ code: 410 });
  });

  it("closes at timeoutSeconds", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    // The same watch without timeoutSeconds: whatever ends the other one early would end this too.
    const control = await watch(kc, "/api/v1/pods", { resourceVersion: s.resourceVersion });
    let controlEnded = false;
    void control.ended.then(() => (controlEnded = true));
    const started = Date.now();
    const w = await watch(kc, "/api/v1/pods", { resourceVersion: s.resourceVersion, timeoutSeconds: 1 });
    let ended: { error: unknown } | null = null;
    void w.ended.then((error) => (ended = { error }));
    await waitFor("the watch to end", () => ended, PATIENCE_MS);
    // A clean close by the server, no sooner than the second asked for (a lower bound: load only delays it).
    expect(ended).toEqual({ error: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await waitFor("the server to drop the closed watch", () => s.activeWatches === 1, PATIENCE_MS);
    expect(controlEnded).toBe(false);
  });

  it("cuts watches on restart and serves again on the same port with the same state", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    const w = await watch(kc, "/api/v1/pods", { resourceVersion: s.resourceVersion });
    await waitFor("the watch to register", () => s.activeWatches === 1, PATIENCE_MS);
    const rv = s.resourceVersion;
    const port = s.port;
    await s.restart();
    await w.ended;
    expect(s.port).toBe(port);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces();
    expect(Number(list.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
    // A watch resumed from before the restart still gets the events in between.
    s.scale("Deployment", "default", "web", 4);
    const resumed = await watch(kc, "/apis/apps/v1/deployments", { resourceVersion: rv });
    await waitFor("web after restart", () => resumed.events.some((e) => e.object.metadata?.name === "web"), PATIENCE_MS);
  });

  it("pausing leaves watches open but silent: no events, no bookmarks", async () => {
    const s = await start();
    const kc = kubeConfig(s);
    const w = await watch(kc, "/apis/apps/v1/deployments", { resourceVersion: s.resourceVersion, allowWatchBookmarks: true });
    await waitFor("a first bookmark", () => w.events.some((e) => e.type === "BOOKMARK"), PATIENCE_MS);
    s.pauseWatches();
    // Anything sent after the pause carries a newer resourceVersion (the scale below bumps it at once);
    // judging by that, not by a count, a bookmark still in flight from before the pause does not matter.
    const rvAtPause = Number(s.resourceVersion);
    const sentAfterPause = () => w.events.filter((e) => Number(e.object.metadata?.resourceVersion) > rvAtPause);
    s.scale("Deployment", "default", "web", 5);
    await s.waitFor(
      () => Number(s.get<import("./types").DeploymentObject>("Deployment", "default", "web")!.status.readyReplicas) === 5,
      PATIENCE_MS,
    );
    await new Promise((r) => setTimeout(r, 400)); // at least four bookmark periods
    expect(sentAfterPause()).toEqual([]);
    expect(s.activeWatches).toBe(1);
    s.resumeWatches();
    const fresh = await watch(kc, "/apis/apps/v1/deployments", { resourceVersion: s.resourceVersion, allowWatchBookmarks: true });
    await waitFor("bookmarks on a new watch", () => fresh.events.some((e) => e.type === "BOOKMARK"), PATIENCE_MS);
    expect(sentAfterPause()).toEqual([]);
  });
});

describe("metrics.k8s.io", () => {
  it("reports node and pod use in nanocores and Ki through client-node's Metrics", async () => {
    const s = await start();
    const metrics = new k8s.Metrics(kubeConfig(s));
    const nodes = await metrics.getNodeMetrics();
    expect(nodes.items).toHaveLength(4);
    for (const n of nodes.items) {
      expect(n.usage.cpu).toMatch(/^\d+n$/);
      expect(n.usage.memory).toMatch(/^\d+Ki$/);
    }
    const pods = await metrics.getPodMetrics("default");
    const mysql0 = pods.items.find((p) => p.metadata.name === "mysql-0")!;
    const cpuMillis = Number(mysql0.containers[0].usage.cpu.slice(0, -1)) / 1e6;
    // mysql requests 500m and its profile averages 40% of that.
    expect(cpuMillis).toBeGreaterThan(50);
    expect(cpuMillis).toBeLessThan(500);
  });

  it("404s like a cluster without metrics-server when turned off", async () => {
    const s = await start({ metrics: false });
    expect((await get(s, "/apis/metrics.k8s.io/v1beta1/nodes")).status).toBe(404);
    const groups = await (await get(s, "/apis")).json();
    expect(groups.groups.map((g: { name: string }) => g.name)).not.toContain("metrics.k8s.io");
    s.setMetricsEnabled(true);
    expect((await get(s, "/apis/metrics.k8s.io/v1beta1/nodes")).status).toBe(200);
  });
});
