import http from "node:http";
import type net from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "@/lib/log";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { SecretSet } from "../secrets";
import { KubeAdapter, type KubeTimings } from "./kube-adapter";
import { WATCHED_RESOURCES } from "./resources";

/**
 * Protocol corners the simulator does not script, against a tiny apiserver
 * stand-in that follows only nodes: paged lists, opaque resourceVersions,
 * bookmarks, HTTP 410 on a watch, periodic resync, garbage on the stream.
 */

type WatchHandler = (res: http.ServerResponse, resourceVersion: string, n: number) => void;

interface FakeApi {
  url: string;
  lists: string[];
  watches: string[];
  /** Answer 410 to this many continue requests (an expired continue token). */
  expireContinue: number;
  onWatch: WatchHandler;
  /** Answers requests for any other path; 404 by default. */
  onOther: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

const node = (name: string, rv: string) => ({
  metadata: { name, resourceVersion: rv },
  status: { conditions: [{ type: "Ready", status: "True" }], capacity: { cpu: "2", memory: "4Gi" } },
});

async function startFakeApi(): Promise<FakeApi> {
  const sockets = new Set<net.Socket>();
  const api: FakeApi = {
    url: "",
    lists: [],
    watches: [],
    expireContinue: 0,
    // By default a watch stays open and sends nothing.
    onWatch: () => {},
    onOther: (_req, res) => {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", code: 404, message: "not here" }));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/version") return json(200, { gitVersion: "v1.30.0-fake" });
    if (url.pathname !== "/api/v1/nodes") return api.onOther(req, res);
    if (url.searchParams.get("watch")) {
      const rv = url.searchParams.get("resourceVersion") ?? "";
      api.watches.push(rv);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      return api.onWatch(res, rv, api.watches.length);
    }
    api.lists.push(url.search);
    // Two pages; only the first page's resourceVersion counts. Deliberately not numbers.
    if (!url.searchParams.get("continue")) {
      return json(200, { kind: "NodeList", metadata: { resourceVersion: "rv-A", continue: "page-2" }, items: [node("n1", "x1")] });
    }
    if (api.expireContinue > 0) {
      api.expireContinue--;
      return json(410, { kind: "Status", code: 410, reason: "Expired", message: "The provided continue parameter is too old" });
    }
    return json(200, { kind: "NodeList", metadata: { resourceVersion: "rv-Z" }, items: [node("n2", "x2"), { junk: true }] });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return api;
}

const event = (res: http.ServerResponse, type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");

let api: FakeApi;
let dir: string;
let stop: (() => Promise<void>) | null = null;

beforeEach(async () => {
  api = await startFakeApi();
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-fakeapi-"));
});
afterEach(async () => {
  await stop?.();
  stop = null;
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

async function adapterFor(options: Partial<KubeTimings> = {}) {
  const kubeconfig = path.join(dir, "config");
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "fake",
      clusters: [{ name: "fake", cluster: { server: api.url } }],
      users: [{ name: "fake", user: { token: "t" } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
    }),
  );
  return new KubeAdapter(
    { kubeconfig },
    { clusterId: "fake", log: createLogger("test"), secrets: new SecretSet(), env: {} },
    { watchdogMs: 2000, backoff: { baseMs: 20, maxMs: 100 }, pageSize: 1, ...options },
    WATCHED_RESOURCES.filter((r) => r.name === "nodes"),
  );
}

async function run(options: Partial<KubeTimings> = {}) {
  const adapter = await adapterFor(options);
  const sink = new RecordingSink();
  const controller = new AbortController();
  const done = adapter.run(sink, controller.signal);
  stop = async () => {
    controller.abort();
    await done;
  };
  return sink;
}

describe("KubeAdapter watch protocol", () => {
  it("lists page by page and watches from the first page's opaque resourceVersion", async () => {
    const sink = await run();
    await waitFor("a watch", () => api.watches.length === 1);
    expect(api.lists).toEqual(["?limit=1", "?limit=1&continue=page-2"]);
    expect([...sink.items.nodes.keys()]).toEqual(["n1", "n2"]);
    expect(api.watches).toEqual(["rv-A"]);
    expect(sink.connection).toEqual({ status: "ok", reason: null, version: "v1.30.0-fake" });
  });

  it("starts a paged list over when its continue token expired, without reporting trouble", async () => {
    api.expireContinue = 1;
    const sink = await run();
    await waitFor("a watch", () => api.watches.length === 1);
    expect(api.lists).toEqual(["?limit=1", "?limit=1&continue=page-2", "?limit=1", "?limit=1&continue=page-2"]);
    expect(sink.countsByResource.nodes.replace).toBe(1);
    expect(sink.connections.map((s) => s.status)).toEqual(["ok"]);
  });

  it("resumes from the last bookmark after the server ends a watch, without relisting", async () => {
    api.onWatch = (res, _rv, n) => {
      if (n === 1) {
        event(res, "ADDED", node("n3", "x3"));
        event(res, "BOOKMARK", { kind: "Node", apiVersion: "v1", metadata: { resourceVersion: "bm-7" } });
        res.end();
      }
    };
    const sink = await run();
    await waitFor("a second watch", () => api.watches.length === 2);
    expect(api.watches).toEqual(["rv-A", "bm-7"]);
    expect(sink.items.nodes.has("n3")).toBe(true);
    expect(api.lists.length).toBe(2);
  });

  it("relists when the watch answers HTTP 410 Gone", async () => {
    api.onWatch = (res, _rv, n) => {
      if (n === 1) {
        res.statusCode = 410;
        res.end(JSON.stringify({ kind: "Status", code: 410, reason: "Gone", message: "too old resource version" }));
      }
    };
    const sink = await run();
    await waitFor("a watch after the relist", () => api.watches.length === 2);
    expect(api.lists.length).toBe(4);
    expect(sink.countsByResource.nodes.replace).toBe(2);
  });

  it("relists when the watch sends an ERROR event with code 410", async () => {
    api.onWatch = (res, _rv, n) => {
      if (n === 1) {
        event(res, "ERROR", {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: "too old resource version: 1 (99)",
          reason: "Expired",
          code: 410,
        });
        res.end();
      }
    };
    const sink = await run();
    await waitFor("a watch after the relist", () => api.watches.length === 2);
    expect(sink.countsByResource.nodes.replace).toBe(2);
  });

  it("reports a stream that is not JSON, then relists and recovers", async () => {
    api.onWatch = (res, _rv, n) => {
      if (n === 1) {
        event(res, "DELETED", node("n1", "x9"));
        res.write("<html>proxy error</html>\n");
      }
    };
    const sink = await run();
    await waitFor("a relist after the garbage", () => sink.countsByResource.nodes.replace === 2);
    expect(sink.items.nodes.has("n1")).toBe(true);
    const degraded = sink.connections.find((s) => s.status === "degraded");
    expect(degraded?.reason).toMatch(/watch nodes: .*not JSON/);
    await waitFor("ok after the relist", () => sink.connection?.status === "ok");
  });

  it("relists periodically even while the watch is healthy", async () => {
    api.onWatch = (res) => {
      const t = setInterval(() => event(res, "BOOKMARK", { metadata: { resourceVersion: "bm" } }), 50);
      res.on("close", () => clearInterval(t));
    };
    const sink = await run({ resyncMs: 300 });
    await waitFor("two resyncs", () => sink.countsByResource.nodes.replace >= 3, 15_000);
    // Relisted on schedule, not because the watch failed: no trouble was reported.
    expect(sink.connections.map((s) => s.status)).toEqual(["ok"]);
  });

  it("keeps a watch that only sends bookmarks, and restarts a silent one", async () => {
    // Long beside the 20 ms bookmarks: only a stall of the whole process this long could fire it.
    const watchdogMs = 1500;
    let bookmarks = 0;
    let silence = () => {};
    api.onWatch = (res, _rv, n) => {
      if (n !== 1) return; // later watches are silent
      // Far more often than the watchdog period, so a busy machine does not starve it.
      const t = setInterval(() => {
        event(res, "BOOKMARK", { metadata: { resourceVersion: "bm-1" } });
        bookmarks++;
      }, 20);
      silence = () => clearInterval(t);
      res.on("close", silence);
    };
    await run({ watchdogMs });
    await waitFor("the first watch", () => api.watches.length === 1);
    // At least three watchdog periods of nothing but bookmarks (a lower bound: a slow machine only waits longer).
    await new Promise((r) => setTimeout(r, 3 * watchdogMs));
    expect(bookmarks).toBeGreaterThan(0);
    expect(api.watches).toEqual(["rv-A"]);
    // Now the watch goes silent: the watchdog restarts it from the last bookmark.
    silence();
    await waitFor("the watchdog restart", () => api.watches.length >= 2, 15_000);
    expect(api.watches[1]).toBe("bm-1");
  });
});

describe("KubeAdapter scale errors", () => {
  it("sends a merge patch to the scale subresource and maps a 409 to conflict", async () => {
    const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
    api.onOther = (req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, type: req.headers["content-type"], body });
        res.writeHead(409, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            code: 409,
            reason: "Conflict",
            message: "the object has been modified; please apply your changes to the latest version and try again",
          }),
        );
      });
    };
    const adapter = await adapterFor();
    await expect(adapter.scale("deployment~shop~web", 4)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/has been modified/),
    });
    expect(seen).toEqual([
      {
        method: "PATCH",
        url: "/apis/apps/v1/namespaces/shop/deployments/web/scale",
        type: "application/merge-patch+json",
        body: '{"spec":{"replicas":4}}',
      },
    ]);
  });

  it("gives up on an apiserver that does not answer, as a timeout", async () => {
    api.onOther = () => {}; // never answers
    const adapter = await adapterFor({ requestTimeoutMs: 200 });
    await expect(adapter.scale("statefulset~shop~db", 1)).rejects.toMatchObject({ code: "timeout" });
  });
});

describe("KubeAdapter usage", () => {
  it("answers null while the metrics API is registered but down (503), and throws other failures", async () => {
    let status = 503;
    api.onOther = (_req, res) => {
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(
        status === 503
          ? "service unavailable"
          : JSON.stringify({ kind: "Status", code: status, message: "nodes.metrics.k8s.io is forbidden" }),
      );
    };
    const adapter = await adapterFor();
    expect(await adapter.sampleUsage()).toBeNull();
    status = 403;
    await expect(adapter.sampleUsage()).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/forbidden/) });
  });

  it("keeps the pods' figures when only node metrics fail, naming every followed node as unavailable", async () => {
    api.onOther = (req, res) => {
      const pods = req.url?.startsWith("/apis/metrics.k8s.io/v1beta1/pods");
      res.writeHead(pods ? 200 : 500, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify(
          pods
            ? {
                kind: "PodMetricsList",
                items: [
                  { metadata: { name: "web-1", namespace: "shop" }, containers: [{ name: "app", usage: { cpu: "250m", memory: "64Mi" } }] },
                ],
              }
            : { kind: "Status", code: 500, message: "unable to fetch node metrics" },
        ),
      );
    };
    const adapter = await adapterFor();
    const sink = new RecordingSink();
    const controller = new AbortController();
    const done = adapter.run(sink, controller.signal);
    stop = async () => {
      controller.abort();
      await done;
    };
    await waitFor("nodes listed", () => sink.items.nodes.size === 2);
    const sample = await adapter.sampleUsage();
    expect(sample?.tasks).toEqual(new Map([["shop~web-1", { cpuMillis: 250, memoryBytes: 64 * 1024 ** 2 }]]));
    expect(sample?.nodes.size).toBe(0);
    expect(sample?.unavailable.nodes).toEqual(
      new Map([
        ["n1", "node metrics: unable to fetch node metrics"],
        ["n2", "node metrics: unable to fetch node metrics"],
      ]),
    );
    expect(sample?.unavailable.tasks.size).toBe(0);
  });
});
