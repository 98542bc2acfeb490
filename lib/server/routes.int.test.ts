import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterModule as kubernetes } from "@/lib/adapters/kubernetes";
import { FAST } from "@/lib/adapters/kubernetes/int-support";
import { startSimWithKubeconfig } from "@/lib/adapters/kubernetes/int-support";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import * as clustersRoute from "@/app/api/clusters/route";
import * as clusterRoute from "@/app/api/clusters/[clusterId]/route";
import * as tasksRoute from "@/app/api/clusters/[clusterId]/tasks/route";
import * as taskRoute from "@/app/api/clusters/[clusterId]/tasks/[taskId]/route";
import * as describeTaskRoute from "@/app/api/clusters/[clusterId]/tasks/[taskId]/describe/route";
import * as nodesRoute from "@/app/api/clusters/[clusterId]/nodes/route";
import * as nodeRoute from "@/app/api/clusters/[clusterId]/nodes/[nodeId]/route";
import * as workloadRoute from "@/app/api/clusters/[clusterId]/workloads/[workloadId]/route";
import * as servicesRoute from "@/app/api/clusters/[clusterId]/services/route";
import * as namespacesRoute from "@/app/api/clusters/[clusterId]/namespaces/route";
import * as usageRoute from "@/app/api/clusters/[clusterId]/usage/route";
import * as tokenExchangeRoute from "@/app/api/auth/token/route";
import * as workloadsRoute from "@/app/api/clusters/[clusterId]/workloads/route";
import * as scaleRoute from "@/app/api/clusters/[clusterId]/workloads/[workloadId]/scale/route";
import * as eventsRoute from "@/app/api/events/route";
import * as signInRoute from "@/app/api/auth/sign-in/route";
import * as signOutRoute from "@/app/api/auth/sign-out/route";
import * as meRoute from "@/app/api/auth/me/route";
import * as usersRoute from "@/app/api/admin/users/route";
import * as userRoute from "@/app/api/admin/users/[username]/route";
import * as tokensRoute from "@/app/api/admin/tokens/route";
import * as tokenRoute from "@/app/api/admin/tokens/[id]/route";
import * as auditRoute from "@/app/api/audit/route";
import * as notFoundRoute from "@/app/api/[...path]/route";
import * as problemsRoute from "@/app/api/problems/route";
import * as fleetWorkloadsRoute from "@/app/api/workloads/route";
import * as fleetTasksRoute from "@/app/api/tasks/route";
import type { AuditEntry } from "@/lib/model/access";
import type { ClusterInfo } from "@/lib/model/types";
import { SESSION_COOKIE } from "./access";
import { openTestAccess } from "./access/testing";
import type { Actor } from "./authz";
import { ClusterOwner } from "./cluster-owner";
import { Fleet } from "./fleet";
import { replaceOnePerProcess } from "./process-one";

/**
 * Every route walked as each kind of actor (anonymous under each setting,
 * viewer, operator, admin, a display token, a revoked one), the cross-site
 * variants an attacker would try, read-only mode, and a scan of everything
 * the server answered or logged for the secrets it holds.
 */

const ORIGIN = "http://fleetdeck.test";
const WEB = "deployment~default~web";
const PASSWORD = "a long enough password";
const KUBE_TOKENS = { demo: "fleetdeck-demo-token-4f9a2c", prod: "fleetdeck-prod-token-8e1d7b" };
const SYSTEM: Actor = { kind: "user", name: "test", grants: [{ role: "admin", clusters: "*" }], impersonation: null };

type Module = Record<string, unknown>;
type Handler = (request: Request, context: { params: Promise<unknown> }) => Promise<Response>;
const ROUTES: [RegExp, Module, string[]][] = [
  [/^\/api\/clusters$/, clustersRoute, []],
  [/^\/api\/clusters\/([^/]+)$/, clusterRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/tasks$/, tasksRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/tasks\/([^/]+)$/, taskRoute, ["clusterId", "taskId"]],
  [/^\/api\/clusters\/([^/]+)\/tasks\/([^/]+)\/describe$/, describeTaskRoute, ["clusterId", "taskId"]],
  [/^\/api\/clusters\/([^/]+)\/nodes$/, nodesRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/nodes\/([^/]+)$/, nodeRoute, ["clusterId", "nodeId"]],
  [/^\/api\/clusters\/([^/]+)\/workloads\/([^/]+)$/, workloadRoute, ["clusterId", "workloadId"]],
  [/^\/api\/clusters\/([^/]+)\/services$/, servicesRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/namespaces$/, namespacesRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/usage$/, usageRoute, ["clusterId"]],
  [/^\/api\/auth\/token$/, tokenExchangeRoute, []],
  [/^\/api\/clusters\/([^/]+)\/workloads$/, workloadsRoute, ["clusterId"]],
  [/^\/api\/clusters\/([^/]+)\/workloads\/([^/]+)\/scale$/, scaleRoute, ["clusterId", "workloadId"]],
  [/^\/api\/events$/, eventsRoute, []],
  [/^\/api\/auth\/sign-in$/, signInRoute, []],
  [/^\/api\/auth\/sign-out$/, signOutRoute, []],
  [/^\/api\/auth\/me$/, meRoute, []],
  [/^\/api\/admin\/users$/, usersRoute, []],
  [/^\/api\/admin\/users\/([^/]+)$/, userRoute, ["username"]],
  [/^\/api\/admin\/tokens$/, tokensRoute, []],
  [/^\/api\/admin\/tokens\/([^/]+)$/, tokenRoute, ["id"]],
  [/^\/api\/audit$/, auditRoute, []],
  [/^\/api\/problems$/, problemsRoute, []],
  [/^\/api\/workloads$/, fleetWorkloadsRoute, []],
  [/^\/api\/tasks$/, fleetTasksRoute, []],
  [/^\/api\/.*$/, notFoundRoute, []],
];

/** Everything the server said: API bodies and log lines, scanned for secrets at the end. */
const seen: string[] = [];

interface Call {
  method?: string;
  body?: unknown;
  /** Extra or replacing headers; `null` removes the default JSON content type. */
  headers?: Record<string, string | null>;
  as?: { cookie?: string; bearer?: string };
}

async function call(path: string, { method = "GET", body, headers = {}, as = {} }: Call = {}) {
  const url = new URL(path, ORIGIN);
  const match = ROUTES.find(([re]) => re.test(url.pathname));
  if (!match) throw new Error(`no route for ${path}`);
  const [re, mod, names] = match;
  const values = re.exec(url.pathname)!.slice(1).map(decodeURIComponent);
  const h = new Headers();
  if (body !== undefined) h.set("content-type", "application/json");
  if (as.cookie) h.set("cookie", as.cookie);
  if (as.bearer) h.set("authorization", `Bearer ${as.bearer}`);
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) h.delete(k);
    else h.set(k, v);
  }
  const request = new Request(url, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const handler = mod[method] as Handler;
  const response = await handler(request, { params: Promise.resolve(Object.fromEntries(names.map((n, i) => [n, values[i]]))) });
  const text = method === "HEAD" || response.headers.get("content-type")?.includes("event-stream") ? "" : await response.text();
  seen.push(text);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // CSV, empty
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: json as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

const sessionCookie = (headers: Headers) => {
  const set = headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE.plain}=`));
  return set ? set.split(";")[0] : undefined;
};

let demo: Awaited<ReturnType<typeof startSimWithKubeconfig>>;
let prod: Awaited<ReturnType<typeof startSimWithKubeconfig>>;
let owners: ClusterOwner[];
let fleet: Fleet;
let t: Awaited<ReturnType<typeof openTestAccess>>;
const cookies: Record<string, string> = {};
let displayToken: string;
let revokedToken: string;
const writes: string[] = [];
const realWrite = process.stderr.write.bind(process.stderr);

function ownerFor(id: string, demoCluster: boolean, kubeconfig: string) {
  const secrets = new SecretSet();
  const log = createLogger(`fleet/${id}`, { redact: (text) => secrets.redact(text) });
  const adapter = kubernetes.create({ kubeconfig, context: id, ...FAST }, { clusterId: id, log, secrets, env: process.env });
  return new ClusterOwner(
    { id, name: id, orchestrator: "kubernetes", demo: demoCluster, adapter, secrets },
    { usageStepSeconds: 1, usageRetainSeconds: 3600, log },
  );
}

function useFleet(f: Fleet) {
  replaceOnePerProcess("fleetdeck.fleet", f);
}

const replicas = (sim: typeof demo) =>
  (sim.sim.get("Deployment", "default", "web") as unknown as { spec: { replicas: number } }).spec.replicas;

beforeAll(async () => {
  // Everything written to the log during the walk is scanned too.
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    writes.push(String(chunk));
    return (realWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  demo = await startSimWithKubeconfig(
    { timings: "fast", tokens: [{ token: KUBE_TOKENS.demo, user: "fleetdeck" }] },
    { "demo-k": KUBE_TOKENS.demo },
  );
  prod = await startSimWithKubeconfig(
    { timings: "fast", tokens: [{ token: KUBE_TOKENS.prod, user: "fleetdeck" }] },
    { "prod-k": KUBE_TOKENS.prod },
  );
  owners = [ownerFor("demo-k", true, demo.kubeconfig), ownerFor("prod-k", false, prod.kubeconfig)];
  fleet = new Fleet(owners, { readOnly: false, maxReplicas: 50, demo: true }, createLogger("fleet"));
  fleet.start();
  useFleet(fleet);
  t = await openTestAccess({ publicOrigins: [ORIGIN] });
  t.install();
  await fleet.workloads(SYSTEM, "demo-k");
  await fleet.workloads(SYSTEM, "prod-k");
  await t.access.users.create({ username: "root", password: PASSWORD, role: "admin" });
  await t.access.users.create({ username: "olga", password: PASSWORD, role: "operator", clusters: ["prod-k"] });
  await t.access.users.create({ username: "vera", password: PASSWORD, role: "viewer" });
  for (const name of ["root", "olga", "vera"]) {
    const r = await call("/api/auth/sign-in", { method: "POST", body: { username: name, password: PASSWORD } });
    expect(r.status).toBe(200);
    cookies[name] = sessionCookie(r.headers)!;
  }
  displayToken = (await t.access.tokens.create({ name: "wall", createdBy: "root" })).token;
  const revoked = await t.access.tokens.create({ name: "old-wall", createdBy: "root" });
  revokedToken = revoked.token;
  await t.access.tokens.revoke(revoked.record.id);
}, 60_000);

afterAll(async () => {
  process.stderr.write = realWrite;
  await fleet?.close();
  await demo?.close();
  await prod?.close();
  await t?.close();
});

describe("sessions over HTTP", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie; 401 for a bad password; sign-out ends the session on the server", async () => {
    const ok = await call("/api/auth/sign-in", { method: "POST", body: { username: "vera", password: PASSWORD } });
    const header = ok.headers.getSetCookie().join("\n");
    expect(header).toMatch(/fleetdeck-session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=lax/i);
    expect(ok.json).toMatchObject({ user: "vera", via: "session", roles: [{ role: "viewer", clusters: "*" }] });
    const cookie = sessionCookie(ok.headers)!;
    expect((await call("/api/auth/sign-out", { method: "POST", body: {}, as: { cookie } })).status).toBe(200);
    expect((await call("/api/auth/me", { as: { cookie } })).json).toMatchObject({ via: "anonymous" });
    const bad = await call("/api/auth/sign-in", { method: "POST", body: { username: "vera", password: "not it at all" } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toMatch(/Bearer/);
  });

  it("rate-limits a guessed account with 429 and a clear message", async () => {
    await t.access.users.create({ username: "target", password: PASSWORD, role: "viewer" });
    for (let i = 0; i < 5; i++)
      expect((await call("/api/auth/sign-in", { method: "POST", body: { username: "target", password: `guess ${i} guess` } })).status).toBe(
        401,
      );
    const limited = await call("/api/auth/sign-in", { method: "POST", body: { username: "target", password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.json.error?.message).toMatch(/too many sign-in attempts for this account; try again in up to 15 minutes/);
  });
});

describe("who may do what, route by route", () => {
  it("anonymous visitors (default): see every cluster, may scale demo clusters only", async () => {
    const list = await call("/api/clusters");
    expect((list.json.items as ClusterInfo[]).map((c) => [c.id, c.canScale, c.scaleNote])).toEqual([
      ["demo-k", true, null],
      ["prod-k", false, "Sign in as an operator to scale workloads here."],
    ]);
    expect((await call(`/api/clusters/prod-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 2 } })).status).toBe(401);
    expect(replicas(prod)).toBe(3);
    expect((await call(`/api/clusters/demo-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 3 } })).status).toBe(200);
    expect((await call("/api/admin/users")).status).toBe(401);
  });

  it("a viewer reads everything and changes nothing; the API refuses what the UI hides", async () => {
    const as = { cookie: cookies.vera };
    expect((await call("/api/clusters/prod-k/tasks", { as })).status).toBe(200);
    expect(((await call("/api/clusters", { as })).json.items as ClusterInfo[]).every((c) => !c.canScale)).toBe(true);
    const refused = await call(`/api/clusters/demo-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 4 }, as });
    expect(refused.status).toBe(403);
    expect(refused.json.error?.message).toBe('vera may not scale workloads on cluster "demo-k"');
    expect(replicas(demo)).toBe(3);
    expect((await call("/api/admin/tokens", { as })).status).toBe(403);
    expect((await call("/api/audit", { as })).status).toBe(403);
  });

  it("an operator of one cluster sees and scales only that one; the others do not exist for them", async () => {
    const as = { cookie: cookies.olga };
    expect(((await call("/api/clusters", { as })).json.items as ClusterInfo[]).map((c) => c.id)).toEqual(["prod-k"]);
    const node = ((await call("/api/clusters/prod-k/nodes", { as })).json.items as { id: string }[])[0].id;
    const task = ((await call("/api/clusters/prod-k/tasks", { as })).json.items as { id: string }[])[0].id;
    for (const path of [
      "",
      "/tasks",
      `/tasks/${encodeURIComponent(task)}`,
      `/tasks/${encodeURIComponent(task)}/describe`,
      `/usage?scope=task&target=${encodeURIComponent(task)}`,
      "/nodes",
      `/nodes/${node}`,
      "/workloads",
      `/workloads/${WEB}`,
      "/services",
      "/namespaces",
      "/usage",
    ]) {
      expect((await call(`/api/clusters/prod-k${path}`, { as })).status, `prod-k${path}`).toBe(200);
      const hidden = await call(`/api/clusters/demo-k${path}`, { as });
      expect(hidden.status, `demo-k${path}`).toBe(404);
      expect(hidden.json.error?.message).toBe('no cluster "demo-k"');
    }
    for (const path of ["/api/problems", "/api/workloads", "/api/tasks"]) {
      const all = await call(path, { as });
      expect(all.status, path).toBe(200);
      const clusters = (all.json.items as { clusterId: string }[]).map((i) => i.clusterId);
      expect(clusters.length, path).toBeGreaterThan(0);
      expect(new Set(clusters), path).toEqual(new Set(["prod-k"]));
      const hidden = await call(`${path}?cluster=demo-k`, { as });
      expect(hidden.status, `${path}?cluster=demo-k`).toBe(404);
      expect(hidden.json.error?.message).toBe('no cluster "demo-k"');
    }
    expect((await call(`/api/clusters/demo-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 4 }, as })).status).toBe(404);
    const scaled = await call(`/api/clusters/prod-k/workloads/${WEB}/scale`, {
      method: "POST",
      body: { replicas: 4 },
      as,
      headers: { origin: ORIGIN },
    });
    expect(scaled.status).toBe(200);
    expect(replicas(prod)).toBe(4);
    expect((await call("/api/admin/users", { as })).status).toBe(403);
  });

  it("the audit trail says who scaled what, before → after, and what was refused", async () => {
    const rows = (await call("/api/audit?verb=scale&limit=50", { as: { cookie: cookies.root } })).json.items as AuditEntry[];
    expect(rows.find((r) => r.actor === "olga" && r.outcome === "ok")).toMatchObject({
      cluster: "prod-k",
      target: WEB,
      before: "3",
      after: "4",
      status: 200,
      actorKind: "user",
    });
    expect(rows.find((r) => r.actor === "vera")).toMatchObject({
      outcome: "refused",
      status: 403,
      cluster: "demo-k",
      before: "3",
      after: "4",
      message: expect.stringMatching(/may not scale/),
    });
    expect(rows.find((r) => r.actor === "anonymous" && r.cluster === "prod-k")).toMatchObject({ outcome: "refused", status: 401 });
    const csv = await call("/api/audit?verb=scale&format=csv", { as: { cookie: cookies.root } });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.text.split("\r\n")[0]).toBe(
      "at,actor,actorKind,source,cluster,target,verb,before,after,outcome,status,message,requestId,id",
    );
    expect(csv.text).toContain(`,olga,user,`);
  });

  it("admins manage users and tokens; a display token reads and never writes; a revoked one is refused", async () => {
    const root = { cookie: cookies.root };
    const created = await call("/api/admin/users", {
      method: "POST",
      body: { username: "nina", password: PASSWORD, role: "viewer", clusters: ["demo-k"] },
      as: root,
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toMatch(/argon2|password/i);
    expect(
      (
        await call("/api/admin/users", {
          method: "POST",
          body: { username: "bad", password: PASSWORD, role: "viewer", clusters: ["nope"] },
          as: root,
        })
      ).json.error?.message,
    ).toBe('clusters: no cluster "nope"');
    expect((await call("/api/admin/users/nina", { method: "PATCH", body: { role: "operator" }, as: root })).json).toMatchObject({
      role: "operator",
    });
    expect((await call("/api/admin/users/root", { method: "DELETE", as: root })).status).toBe(409);

    const token = await call("/api/admin/tokens", { method: "POST", body: { name: "lobby", clusters: ["demo-k"] }, as: root });
    expect(token.status).toBe(201);
    const secret = token.json.token as string;
    expect((await call("/api/admin/tokens", { as: root })).text).not.toContain(secret);
    const bearer = { bearer: secret };
    expect(((await call("/api/clusters", { as: bearer })).json.items as ClusterInfo[]).map((c) => c.id)).toEqual(["demo-k"]);
    expect((await call("/api/auth/me", { as: bearer })).json).toMatchObject({ user: "lobby", via: "token", admin: false });
    expect(
      (await call(`/api/clusters/demo-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 5 }, as: bearer })).json.error
        ?.message,
    ).toBe("display tokens are read-only");
    expect((await call("/api/admin/users", { as: bearer })).status).toBe(403);
    expect((await call(`/api/admin/tokens/${token.json.id}`, { method: "DELETE", as: root })).status).toBe(200);
    expect((await call("/api/clusters", { as: bearer })).status).toBe(401);
    expect((await call("/api/clusters", { as: { bearer: revokedToken } })).status).toBe(401);
    expect((await call("/api/clusters", { as: { bearer: displayToken } })).status).toBe(200);
  });

  it("events: each viewer hears only about clusters they may see", async () => {
    const response = await eventsRoute.GET(new Request(`${ORIGIN}/api/events`, { headers: { cookie: cookies.olga } }), {
      params: Promise.resolve({}),
    });
    const reader = response.body!.getReader();
    const heard: string[] = [];
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        heard.push(new TextDecoder().decode(value));
      }
    })();
    await fleet.scale(SYSTEM, "demo-k", WEB, 2);
    await fleet.scale(SYSTEM, "prod-k", WEB, 3);
    await waitUntil(() => heard.join("").includes('"clusterId":"prod-k"'));
    expect(heard.join("")).not.toContain("demo-k");
    await reader.cancel();
    await reading.catch(() => {});
  });
});

describe("cookies over HTTPS and kiosk URLs", () => {
  it("over HTTPS the session cookie is __Host- and Secure, and a plain-named cookie opens nothing", async () => {
    const https = { "x-forwarded-proto": "https" };
    const r = await call("/api/auth/sign-in", { method: "POST", body: { username: "vera", password: PASSWORD }, headers: https });
    const set = r.headers.getSetCookie().find((c) => c.startsWith("__Host-fleetdeck-session="))!;
    expect(set).toMatch(/; Path=\/; .*Secure/);
    expect(set).not.toMatch(/Domain=/i);
    const secret = set.split(";")[0].split("=")[1];
    expect((await call("/api/auth/me", { headers: { ...https, cookie: `__Host-fleetdeck-session=${secret}` } })).json.user).toBe("vera");
    // The same secret under the plain name (planted over HTTP or by a sibling domain) is no one over HTTPS.
    expect((await call("/api/auth/me", { headers: { ...https, cookie: `fleetdeck-session=${secret}` } })).json.via).toBe("anonymous");
  });

  it("a kiosk URL's token becomes a session cookie and a relative redirect; revoking the token ends that session", async () => {
    const { token, record } = await t.access.tokens.create({ name: "lobby-tv", clusters: ["demo-k"], createdBy: "root" });
    const r = await call(`/api/auth/token?${new URLSearchParams({ token, next: "/clusters/demo-k/nodes" })}`);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/clusters/demo-k/nodes");
    const cookie = sessionCookie(r.headers)!;
    expect((await call("/api/auth/me", { as: { cookie } })).json).toMatchObject({
      user: "lobby-tv",
      via: "session",
      roles: [{ role: "viewer", clusters: ["demo-k"] }],
    });
    expect((await call("/api/auth/token?token=fdt_nonsense")).headers.get("location")).toMatch(/^\/sign-in\?error=/);
    // A HEAD (a link checker) exchanges nothing.
    expect((await call(`/api/auth/token?token=${token}`, { method: "HEAD" })).status).toBe(405);
    await t.access.tokens.revoke(record.id);
    expect((await call("/api/auth/me", { as: { cookie } })).json.via).toBe("anonymous");
  });
});

describe("anonymous settings", () => {
  it.each([
    ["none", 401, 401],
    ["viewer", 200, 401],
    ["operator", 200, 200],
  ] as const)("anonymous: %s → reads %i, scales a real cluster %i", async (anonymous, read, scale) => {
    const other = await openTestAccess({ publicOrigins: [ORIGIN], anonymous });
    other.install();
    try {
      expect((await call("/api/clusters")).status).toBe(read);
      expect((await call(`/api/clusters/prod-k/workloads/${WEB}/scale`, { method: "POST", body: { replicas: 3 } })).status).toBe(scale);
      // Signing in stays possible however closed the door is.
      expect((await call("/api/auth/me")).status).toBe(200);
    } finally {
      t.install();
      await other.close();
    }
  });
});

describe("cross-site requests", () => {
  const scale = (headers: Record<string, string | null>, body: unknown = { replicas: 9 }) =>
    call(`/api/clusters/demo-k/workloads/${WEB}/scale`, { method: "POST", body, headers });
  it.each([
    ["text/plain (no CORS preflight)", { "content-type": "text/plain" }, '{"replicas":9}', 415],
    [
      "a form with enctype=text/plain, from another site",
      { "content-type": "text/plain", origin: "https://evil.example" },
      '{"replicas":9,"x":"="}',
      403,
    ],
    ["a urlencoded form", { "content-type": "application/x-www-form-urlencoded" }, "replicas=9", 415],
    ["JSON from another origin", { origin: "https://evil.example" }, { replicas: 9 }, 403],
    ["Origin: null (sandboxed iframe)", { origin: "null" }, { replicas: 9 }, 403],
    ["a foreign Host with its own Origin (DNS rebinding)", { host: "evil.example", origin: "http://evil.example" }, { replicas: 9 }, 403],
    ["Sec-Fetch-Site: cross-site without Origin", { "sec-fetch-site": "cross-site" }, { replicas: 9 }, 403],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }, { replicas: 9 }, 403],
  ] as const)("refuses %s and changes nothing", async (_label, headers, body, status) => {
    const before = replicas(demo);
    const r = await scale(headers as Record<string, string>, body);
    expect(r.status).toBe(status);
    expect(replicas(demo)).toBe(before);
  });

  it("accepts the same origin, and a script that sends neither Origin nor Sec-Fetch-Site", async () => {
    expect((await scale({ origin: ORIGIN }, { replicas: 2 })).status).toBe(200);
    expect((await scale({ "sec-fetch-site": "same-origin" }, { replicas: 3 })).status).toBe(200);
    expect((await scale({}, { replicas: 2 })).status).toBe(200);
  });

  it("records refused cross-site attempts in the audit trail", async () => {
    const rows = await t.access.audit.query({ verb: "scale", outcome: "refused", limit: 100 });
    expect(rows.some((r) => r.status === 403 && /cross-site request refused: https:\/\/evil.example/.test(r.message ?? ""))).toBe(true);
    expect(rows.some((r) => r.status === 415)).toBe(true);
  });
});

describe("malformed requests get a clear 4xx", () => {
  it("405 with Allow and an error body for a method the route lacks; JSON 404 for unknown API paths", async () => {
    const r = await call("/api/clusters", { method: "DELETE" });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(r.json.error).toMatchObject({ code: "method-not-allowed" });
    for (const path of ["/api/problems", "/api/workloads", "/api/tasks"]) {
      const post = await call(path, { method: "POST", body: {} });
      expect(post.status, path).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
      expect((await call(`${path}?cluster=%00`)).status, path).toBe(404);
      expect((await call(`${path}?${path === "/api/problems" ? "severity" : "limit"}=x`)).status, path).toBe(400);
    }
    const options = await call("/api/admin/users/x", { method: "OPTIONS" });
    expect(options.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
    const task = await call("/api/clusters/demo-k/tasks/no-such-task");
    expect(task.status).toBe(404);
    expect(task.json.error?.message).toBe('no task "no-such-task" in cluster "demo-k"');
    const described = await call("/api/clusters/demo-k/tasks/no-such-task/describe");
    expect(described.status).toBe(404);
    expect(described.json.error?.message).toBe('no task "no-such-task" in cluster "demo-k"');
    expect((await call("/api/clusters/demo-k/tasks/x/describe", { method: "POST", body: {} })).status).toBe(405);
    const pod = ((await call("/api/clusters/demo-k/tasks")).json.items as { id: string }[])[0].id;
    const longRange = await call(`/api/clusters/demo-k/usage?scope=task&target=${encodeURIComponent(pod)}&range=1h`);
    expect(longRange.status).toBe(400);
    expect(longRange.json.error?.message).toContain("at most 15m, the history kept for a task");
    const unknown = await call("/api/nothing/here");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.message).toBe("no API at /api/nothing/here");
  });

  it.each(["0x10", "1e3", " 7", "-1", "1.5", ""])("limit=%s is a 400, not a number JavaScript guessed", async (value) => {
    const r = await call(`/api/clusters/demo-k/tasks?limit=${encodeURIComponent(value)}`);
    expect(r.status, r.text).toBe(value === "" ? 200 : 400);
  });

  it("HEAD /api/events subscribes to nothing, however often it is asked", async () => {
    const listeners = () => Object.values(fleet.stats()).reduce((n, s) => n + s.listeners, 0);
    const before = listeners();
    for (let i = 0; i < 20; i++) expect((await call("/api/events", { method: "HEAD" })).status).toBe(200);
    expect(listeners()).toBe(before);
  });
});

describe("read-only mode", () => {
  it("still lets admins manage users and tokens (it stops changes to clusters, not to Fleetdeck)", async () => {
    const readOnly = await openTestAccess({ publicOrigins: [ORIGIN], readOnly: true });
    readOnly.install();
    try {
      await readOnly.access.users.create({ username: "boss", password: PASSWORD, role: "admin" });
      const { secret } = await readOnly.access.signIn("boss", PASSWORD, null);
      const as = { cookie: `${SESSION_COOKIE.plain}=${secret}` };
      expect(
        (await call("/api/admin/users", { method: "POST", body: { username: "walt", password: PASSWORD, role: "viewer" }, as })).status,
      ).toBe(201);
      expect((await call("/api/admin/tokens", { method: "POST", body: { name: "wall" }, as })).status).toBe(201);
    } finally {
      t.install();
      await readOnly.close();
    }
  });

  it("reports canScale false with the reason, and refuses every scale, admins' included", async () => {
    useFleet(new Fleet(owners, { readOnly: true, maxReplicas: 50, demo: true }, createLogger("fleet")));
    try {
      const list = await call("/api/clusters", { as: { cookie: cookies.root } });
      expect(
        (list.json.items as ClusterInfo[]).every(
          (c) => !c.canScale && c.scaleNote === "Read-only mode: scaling is disabled on this dashboard.",
        ),
      ).toBe(true);
      const r = await call(`/api/clusters/demo-k/workloads/${WEB}/scale`, {
        method: "POST",
        body: { replicas: 1 },
        as: { cookie: cookies.root },
      });
      expect(r.status).toBe(403);
      expect(r.json.error?.message).toMatch(/read-only/);
    } finally {
      useFleet(fleet);
    }
  });
});

describe("secrets", () => {
  it("no answer and no log line carries a cluster token, a password, a password hash or a display token", async () => {
    const hashes = (await t.access.storage.db.selectFrom("users").select("password_hash").execute()).map((r) => r.password_hash);
    const everything = [...seen, ...writes].join("\n");
    expect(everything.length).toBeGreaterThan(10_000);
    for (const secret of [...Object.values(KUBE_TOKENS), PASSWORD, ...hashes, displayToken, revokedToken]) {
      expect(everything.includes(secret), `found ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});

async function waitUntil(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}
