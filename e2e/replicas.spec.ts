import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import type { AuditEntry } from "../lib/model/access";
import { demoKubernetesCluster, E2E_ADMIN_PASSWORD, E2E_REPLICA_PORTS, ensureReplicas, snap, workloadByName } from "./helpers";

/**
 * Two Fleetdeck servers on one PostgreSQL database, as replicas behind a load
 * balancer run (playwright.config.ts starts them when
 * FLEETDECK_TEST_DATABASE_URL is set): a user created on one signs in on the
 * other, a session begun on one is good on the other and ends on both, and
 * both read one audit trail. Each replica runs its own demo fleet, so each
 * scales its own "mysql"; the audit rows name the same cluster id and are
 * told apart by the request id each answer carries.
 */

const A = `http://localhost:${E2E_REPLICA_PORTS.a}`;
const B = `http://localhost:${E2E_REPLICA_PORTS.b}`;
const OLGA = "olga";
const PASSWORD = "a password for olga on both replicas";
const SESSION_COOKIE = /^(__Host-)?fleetdeck-session$/;

/** The session cookie a sign-in answer set, as a Cookie header. */
function sessionCookie(response: APIResponse): string {
  const cookie = response
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value.split(";")[0])
    .find((pair) => SESSION_COOKIE.test(pair.split("=")[0]));
  if (!cookie) throw new Error(`no session cookie in the sign-in answer (${response.status()})`);
  return cookie;
}

async function signIn(request: APIRequestContext, username: string, password: string): Promise<string> {
  const response = await request.post("/api/auth/sign-in", { data: { username, password } });
  expect(response.status(), await response.text()).toBe(200);
  return sessionCookie(response);
}

async function me(request: APIRequestContext, cookie: string): Promise<{ user: string; via: string }> {
  const response = await request.get("/api/auth/me", { headers: { cookie } });
  expect(response.status()).toBe(200);
  return response.json();
}

/** Scales `name` on the replica `request` talks to, as `cookie`; answers the request id of the scale. */
async function scale(request: APIRequestContext, cookie: string, name: string, replicas: number): Promise<string> {
  const cluster = await demoKubernetesCluster(request);
  const workload = await workloadByName(request, cluster.id, name);
  const response = await request.post(`/api/clusters/${cluster.id}/workloads/${workload.id}/scale`, {
    headers: { cookie },
    data: { replicas },
  });
  expect(response.status(), await response.text()).toBe(200);
  const requestId = response.headers()["x-request-id"];
  expect(requestId, "a scale answer names its request").toBeTruthy();
  return requestId;
}

async function scaleAudit(request: APIRequestContext, cookie: string): Promise<AuditEntry[]> {
  const response = await request.get("/api/audit?verb=scale", { headers: { cookie } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { items: AuditEntry[] }).items;
}

test("two replicas on one PostgreSQL share users, sessions and one audit trail", async ({ playwright }, testInfo) => {
  test.setTimeout(180_000);
  // No cookie jar carries anything between the replicas: each call names its cookie itself.
  const onA = await playwright.request.newContext({ baseURL: A, storageState: { cookies: [], origins: [] } });
  const onB = await playwright.request.newContext({ baseURL: B, storageState: { cookies: [], origins: [] } });
  try {
    // Both fleets up, mysql where the test leaves it (anonymous visitors operate demo clusters).
    const clusterA = await demoKubernetesCluster(onA);
    const clusterB = await demoKubernetesCluster(onB);
    expect(clusterB.id).toBe(clusterA.id);
    await ensureReplicas(onA, clusterA.id, "mysql", 3);
    await ensureReplicas(onB, clusterB.id, "mysql", 3);

    // The admin (FLEETDECK_ADMIN_PASSWORD, created by whichever replica started first) creates olga on A.
    const admin = await signIn(onA, "admin", E2E_ADMIN_PASSWORD);
    const created = await onA.post("/api/admin/users", {
      headers: { cookie: admin },
      data: { username: OLGA, password: PASSWORD, role: "operator" },
    });
    // A retry runs on the same database (the replicas are not restarted): olga is there from the first try.
    expect(testInfo.retry > 0 ? [201, 409] : [201], await created.text()).toContain(created.status());

    // olga signs in on B: the user is shared.
    const olga = await signIn(onB, OLGA, PASSWORD);
    expect(await me(onB, olga)).toMatchObject({ user: OLGA, via: "session" });
    // The session B began is good on A.
    expect(await me(onA, olga)).toMatchObject({ user: OLGA, via: "session" });

    // olga scales mysql on each replica (each has its own demo fleet), then puts it back.
    const upOnA = await scale(onA, olga, "mysql", 4);
    const upOnB = await scale(onB, olga, "mysql", 4);
    await expect.poll(async () => (await workloadByName(onA, clusterA.id, "mysql")).desired).toBe(4);
    await expect.poll(async () => (await workloadByName(onB, clusterB.id, "mysql")).desired).toBe(4);
    const downOnA = await scale(onA, olga, "mysql", 3);
    const downOnB = await scale(onB, olga, "mysql", 3);
    expect(new Set([upOnA, upOnB, downOnA, downOnB]).size).toBe(4);

    // One trail: A and B each read all four rows, whichever replica wrote them.
    const adminOnB = await signIn(onB, "admin", E2E_ADMIN_PASSWORD);
    for (const [reader, cookie] of [
      [onA, admin],
      [onB, adminOnB],
    ] as const) {
      const rows = await scaleAudit(reader, cookie);
      for (const [requestId, before, after] of [
        [upOnA, "3", "4"],
        [upOnB, "3", "4"],
        [downOnA, "4", "3"],
        [downOnB, "4", "3"],
      ]) {
        const matching = rows.filter((r) => r.requestId === requestId);
        expect(matching, `one audit row for request ${requestId}`).toHaveLength(1);
        expect(matching[0]).toMatchObject({ actor: OLGA, verb: "scale", cluster: clusterA.id, before, after, outcome: "ok", status: 200 });
      }
    }

    // olga signs out on A: the session ends on B too.
    const signedOut = await onA.post("/api/auth/sign-out", { headers: { cookie: olga }, data: {} });
    expect(signedOut.status()).toBe(200);
    for (const replica of [onB, onA]) {
      const after = await me(replica, olga);
      expect(after.via).toBe("anonymous");
      expect(after.user).not.toBe(OLGA);
    }

    await ensureReplicas(onA, clusterA.id, "mysql", 3);
    await ensureReplicas(onB, clusterB.id, "mysql", 3);
  } finally {
    await onA.dispose();
    await onB.dispose();
  }
});

test("in Chromium, a user created on replica A signs in on replica B", async ({ page, playwright }) => {
  // A user of this test only, made on A through the API.
  const onA = await playwright.request.newContext({ baseURL: A, storageState: { cookies: [], origins: [] } });
  const username = `olga-browser-${Date.now().toString(36)}`;
  try {
    const admin = await signIn(onA, "admin", E2E_ADMIN_PASSWORD);
    const created = await onA.post("/api/admin/users", {
      headers: { cookie: admin },
      data: { username, password: PASSWORD, role: "operator" },
    });
    expect(created.status(), await created.text()).toBe(201);
  } finally {
    await onA.dispose();
  }

  await page.goto(`${B}/sign-in`);
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByLabel(`Account: ${username}`, { exact: false })).toBeVisible();
  await snap(page, "replica-b-signed-in");

  // The browser's session, begun on B, opens A's pages too (a cookie is the host's, whatever the port).
  await page.goto(`${A}/`);
  await expect(page.getByRole("banner").getByLabel(`Account: ${username}`, { exact: false })).toBeVisible();
  await snap(page, "replica-a-same-session");
});
