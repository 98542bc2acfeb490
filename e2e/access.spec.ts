import { expect, test, type Page } from "@playwright/test";
import { demoKubernetesCluster, E2E_ADMIN_PASSWORD as ADMIN_PASSWORD, ensureReplicas, signIn, snap, workloadByName } from "./helpers";

/**
 * Who may change what, in Chromium: an admin creates a viewer and an
 * operator; the viewer sees no scale control and the API refuses them
 * anyway; the operator scales; the audit page says who, what and
 * before → after. The demo server starts with FLEETDECK_ADMIN_PASSWORD
 * (playwright.config.ts).
 */

const PASSWORD = "a password for e2e users";

test("a viewer sees no scale control and is refused by the API; an operator scales and the audit trail shows it", async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const cluster = await demoKubernetesCluster(request);
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 3);

  // The admin creates two users (the API answers the same whichever page or script asks).
  const admin = await browser.newPage();
  await signIn(admin, "admin", ADMIN_PASSWORD);
  const stamp = Date.now().toString(36);
  const viewer = `vic-${stamp}`;
  const operator = `olivia-${stamp}`;
  for (const [username, role] of [
    [viewer, "viewer"],
    [operator, "operator"],
  ]) {
    const created = await admin.request.post("/api/admin/users", { data: { username, password: PASSWORD, role } });
    expect(created.status(), await created.text()).toBe(201);
  }
  await admin.goto("/admin/users");
  await expect(admin.getByRole("row").filter({ hasText: viewer })).toBeVisible();
  await snap(admin, "admin-users");

  const asViewer = await browser.newPage();
  await signIn(asViewer, viewer, PASSWORD);
  await asViewer.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  await expect(asViewer.getByRole("status", { name: "Replica status" })).toBeVisible();
  await expect(asViewer.getByText("Your role does not allow scaling on this cluster; an operator or admin of it can.")).toBeVisible();
  await expect(asViewer.getByRole("button", { name: "Apply" })).toHaveCount(0);
  await snap(asViewer, "viewer-workload");
  const refused = await asViewer.request.post(`/api/clusters/${cluster.id}/workloads/${mysql.id}/scale`, { data: { replicas: 4 } });
  expect(refused.status()).toBe(403);
  expect((await workloadByName(request, cluster.id, "mysql")).desired).toBe(3);

  const asOperator = await browser.newPage();
  await signIn(asOperator, operator, PASSWORD);
  await asOperator.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  await asOperator.getByRole("spinbutton", { name: /replicas/i }).fill("4");
  await asOperator.getByRole("button", { name: "Apply" }).click();
  await expect(asOperator.getByText(/Scaling to 4 replicas/)).toBeVisible();

  await admin.goto(`/admin/audit?verb=scale&cluster=${encodeURIComponent(cluster.id)}`);
  const row = admin.getByRole("row").filter({ hasText: operator });
  await expect(row).toContainText("3 → 4");
  await expect(row).toContainText("ok 200");
  await expect(admin.getByRole("row").filter({ hasText: viewer })).toContainText("refused 403");
  await snap(admin, "admin-audit");

  // Signing out ends the session: the old cookie opens nothing.
  await asOperator.getByRole("banner").getByLabel(`Account: ${operator}`, { exact: false }).click();
  await asOperator.getByRole("button", { name: "Sign out" }).click();
  await expect(asOperator).toHaveURL(/\/sign-in/);
  const after = await asOperator.request.post(`/api/clusters/${cluster.id}/workloads/${mysql.id}/scale`, { data: { replicas: 3 } });
  expect(after.status()).toBe(200); // anonymous visitors may still operate demo clusters: that is the demo default
  const me = await (await asOperator.request.get("/api/auth/me")).json();
  expect(me.via).toBe("anonymous");
  await ensureReplicas(request, cluster.id, "mysql", 3);
});

test("pages run under a nonce CSP with no violation, and no page carries a password, a hash or a session secret", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  await signIn(page, "admin", ADMIN_PASSWORD);
  const session = (await page.context().cookies()).find((c) => c.name.includes("fleetdeck-session"));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  expect(await page.evaluate(() => document.cookie)).not.toContain("fleetdeck-session");
  for (const path of ["/", "/admin/users", "/admin/tokens", "/admin/audit"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    const html = await page.content();
    for (const secret of [ADMIN_PASSWORD, session!.value, "$argon2id$"]) expect(html).not.toContain(secret);
  }
  await page.waitForTimeout(500);
  expect(violations).toEqual([]);
});

test("unknown clusters, nodes and workloads answer 404 pages; malformed paths a 400", async ({ request }) => {
  const cluster = await demoKubernetesCluster(request);
  expect((await request.get("/clusters/no-such-cluster/nodes")).status()).toBe(404);
  expect((await request.get(`/clusters/${cluster.id}/nodes/no-such-node`)).status()).toBe(404);
  expect((await request.get(`/clusters/${cluster.id}/workloads/deployment~default~nope`)).status()).toBe(404);
  expect((await request.get("/clusters/%zz/nodes")).status()).toBe(400);
  expect((await request.get("/api/clusters/%zz")).status()).toBe(400);
});

test("a 404 page names what was not found, and keeps the cluster's header and tabs where the cluster exists", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  const response = await page.goto(`/clusters/${cluster.id}/workloads/deployment~default~nope`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: `No workload “deployment~default~nope” in ${cluster.name}` })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Cluster sections" })).toBeVisible();
  await expect(page.getByRole("link", { name: "All workloads" })).toHaveAttribute("href", `/clusters/${cluster.id}/workloads`);

  expect((await page.goto(`/clusters/${cluster.id}/tasks/no-such-pod`))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: `No pod “no-such-pod” in ${cluster.name}` })).toBeVisible();

  expect((await page.goto("/clusters/no-such-cluster/nodes"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "No cluster “no-such-cluster”" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Cluster sections" })).toHaveCount(0);
  expect((await page.goto("/nothing/here"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
