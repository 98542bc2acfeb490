import { expect, test } from "@playwright/test";
import { demoKubernetesCluster, ensureReplicas, snap } from "./helpers";

test.describe.configure({ mode: "serial" });

test("the overview shows every demo cluster as a card", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Clusters", level: 1 })).toBeVisible();
  const cards = page.getByRole("article");
  await expect(cards.first()).toBeVisible();
  expect(await cards.count()).toBeGreaterThanOrEqual(2);
  const card = page.getByRole("article", { name: cluster.name });
  await expect(card.getByText("Kubernetes", { exact: false }).first()).toBeVisible();
  await expect(card.getByText("DEMO", { exact: true })).toBeVisible();
  await expect(card.getByText("Nodes", { exact: true })).toBeVisible();
  // CPU and memory bars carry their figures with units.
  await expect(card.getByRole("img", { name: /^CPU: .* of [\d.]+ (cores?|m) allocatable$/ })).toBeVisible();
  await expect(card.getByRole("img", { name: /^Memory: .* of [\d.]+ [KMGT]i?B allocatable$/ })).toBeVisible();
  await expect(page.getByRole("banner").getByText("DEMO", { exact: true })).toBeVisible();
  await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
  await snap(page, "overview");
});

test("opening a demo Kubernetes cluster shows its nodes, workloads, pods and services", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto("/");
  await page.getByRole("article", { name: cluster.name }).getByRole("link", { name: cluster.name }).click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${cluster.id}/nodes`));
  await expect(page.getByRole("heading", { name: cluster.name, level: 1 })).toBeVisible();
  const nodes = page.getByRole("table", { name: "Nodes" });
  await expect(nodes.getByRole("row").nth(1)).toBeVisible();
  expect(await nodes.getByRole("row").count()).toBeGreaterThanOrEqual(4); // header + 3 nodes or more
  await snap(page, "cluster-nodes");

  const tabs = page.getByRole("navigation", { name: "Cluster sections" });
  await tabs.getByRole("link", { name: /^Workloads/ }).click();
  await expect(page.getByRole("table", { name: "Workloads" }).getByRole("link", { name: "mysql", exact: true })).toBeVisible();
  await snap(page, "cluster-workloads");

  // Kubernetes vocabulary: the tasks tab is "Pods".
  await tabs.getByRole("link", { name: /^Pods/ }).click();
  await expect(page.getByRole("table", { name: "Pods" })).toBeVisible();

  await tabs.getByRole("link", { name: /^Services/ }).click();
  await expect(page).toHaveURL(/\/services/);
  const services = page.getByRole("table", { name: "Services" });
  const mysqlService = services
    .getByRole("row")
    .filter({ hasText: /^mysql/ })
    .filter({ hasText: "Headless" });
  await expect(mysqlService).toHaveCount(1);
  await snap(page, "cluster-services");
});

test("filtering pods by app=mysql shows only the mysql pods, and a bad selector says why", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto(`/clusters/${cluster.id}/tasks`);
  const pods = page.getByRole("table", { name: "Pods" });
  await expect(pods.getByRole("row").nth(1)).toBeVisible();
  const before = await pods.getByRole("row").count();

  const selector = page.getByRole("searchbox", { name: "Label selector" });
  await selector.fill("app=mysql");
  await selector.press("Enter");
  await expect(page).toHaveURL(/selector=app%3Dmysql/);
  const dataRows = pods.getByRole("row").filter({ has: page.getByRole("cell") });
  // Every row left is a mysql pod, and the three (or more, if scaled) of them are there.
  await expect(dataRows.filter({ hasNotText: /^mysql-\d+/ })).toHaveCount(0);
  await expect(dataRows.filter({ hasText: /^mysql-\d+/ }).nth(2)).toBeVisible();
  expect(await dataRows.count()).toBeLessThan(before - 1);
  await snap(page, "pods-filtered");

  // The filter survives a reload: it lives in the URL.
  await page.reload();
  await expect(page.getByRole("searchbox", { name: "Label selector" })).toHaveValue("app=mysql");
  await expect(pods.getByRole("row").nth(1)).toContainText("mysql-");

  // An applied filter is a history entry: Back undoes it, Forward brings it back.
  await page.goBack();
  await expect(page).not.toHaveURL(/selector=/);
  await expect(page.getByRole("searchbox", { name: "Label selector" })).toHaveValue("");
  await page.goForward();
  await expect(page.getByRole("searchbox", { name: "Label selector" })).toHaveValue("app=mysql");

  await selector.fill("app in (mysql");
  await selector.press("Enter");
  // Scoped to main: Next's route announcer is an (empty) alert too.
  const problem = page.getByRole("main").getByRole("alert");
  await expect(problem).toBeVisible();
  await expect(problem).toContainText(/selector/i);
  await snap(page, "pods-bad-selector");
});

test("a pod's name opens its page: state, problems, resources and where it runs", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto(`/clusters/${cluster.id}/tasks?selector=app%3Dmysql`);
  const first = page
    .getByRole("table", { name: "Pods" })
    .getByRole("link", { name: /^mysql-\d+$/ })
    .first();
  const name = (await first.textContent())!;
  await first.click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${cluster.id}/tasks/[^/?]+$`));
  await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Cluster sections" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Resources" })).toContainText(/requested/);
  await expect(page.getByRole("region", { name: "Placement" }).getByRole("link", { name: "mysql" })).toBeVisible();
  await snap(page, "pod-detail");
});

test("scaling mysql from 3 to 5 brings up 5 ready pods, live", async ({ page, request }) => {
  test.setTimeout(150_000);
  const cluster = await demoKubernetesCluster(request);
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 3);
  await page.goto(`/clusters/${cluster.id}/workloads`);
  await page.getByRole("table", { name: "Workloads" }).getByRole("link", { name: "mysql", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/workloads/${mysql.id}`));

  const status = page.getByRole("status", { name: "Replica status" });
  await expect(status).toHaveText("All 3 replicas ready");
  const replicas = page.getByRole("spinbutton", { name: "Replicas" });
  await expect(replicas).toHaveValue("3");

  await page.getByRole("button", { name: "One replica more" }).click();
  await page.getByRole("button", { name: "One replica more" }).click();
  await expect(replicas).toHaveValue("5");
  await page.getByRole("button", { name: "Apply" }).click();
  // 3 → 5 is less than doubling, so no confirmation is expected; confirm if one is asked anyway.
  const dialog = page.getByRole("dialog");
  if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Scale to 5" }).click();

  await expect(status).toContainText(/of 5 replicas ready · \d starting|All 5 replicas ready/);
  // The focus stays where the operator was, not lost to <body>.
  await expect(page.getByRole("button", { name: /^Apply/ })).toBeFocused();
  await snap(page, "mysql-scaling");
  await expect(status).toHaveText("All 5 replicas ready", { timeout: 90_000 });

  const pods = page.getByRole("table", { name: "Pods" });
  await expect(pods.getByRole("row")).toHaveCount(6); // header + 5
  for (let i = 0; i < 5; i++) {
    await expect(pods.getByRole("row").filter({ hasText: `mysql-${i}` })).toContainText("Running");
  }
  // The StatefulSet controller's and the kubelet's Kubernetes Events, as kubectl describe shows them
  // (the newest ten: mysql-4's creation is among them, mysql-3's may already have scrolled off).
  const events = page.getByRole("region", { name: "Recent events" });
  await expect(events).toContainText("SuccessfulCreate: create Pod mysql-4 in StatefulSet mysql successful");
  await expect(events).toContainText("Started: Started container mysql");
  await snap(page, "mysql-scaled");
});

test("scaling to zero asks first and says what will happen; cancelling changes nothing", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 5);
  await page.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  await page.getByRole("spinbutton", { name: "Replicas" }).fill("0");
  await page.getByRole("button", { name: "Apply" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("mysql");
  await expect(dialog).toContainText("all of its pods will be stopped");
  await snap(page, "mysql-confirm-zero");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  const after = await request.get(`/api/clusters/${cluster.id}/workloads/${mysql.id}`);
  expect(((await after.json()) as { desired: number }).desired).toBe(5);
});

test("replicas -1 shows the server's error and changes nothing", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 5);
  await page.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  await page.getByRole("spinbutton", { name: "Replicas" }).fill("-1");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("replicas must not be negative");
  await snap(page, "mysql-negative");
  const after = await request.get(`/api/clusters/${cluster.id}/workloads/${mysql.id}`);
  expect(((await after.json()) as { desired: number }).desired).toBe(5);
});

test("a workload under an autoscaler warns that a manual scale will be overridden; a DaemonSet says why it cannot scale", async ({
  page,
  request,
}) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto(`/clusters/${cluster.id}/workloads`);
  const table = page.getByRole("table", { name: "Workloads" });
  const autoscaled = table
    .getByRole("row")
    .filter({ hasText: /Autoscaled/ })
    .first();
  await autoscaled.getByRole("link").first().click();
  await expect(page.getByRole("note")).toContainText("will override a manual scale");
  // Kubernetes facts of the kind, and its Recent events panel (from the Events API).
  await expect(page.getByRole("region", { name: "Details" })).toContainText("Update strategy");
  await expect(page.getByRole("region", { name: "Recent events" })).toBeVisible();

  await page.goto(`/clusters/${cluster.id}/workloads`);
  await table.getByRole("row").filter({ hasText: "DaemonSet" }).first().getByRole("link").first().click();
  await expect(page.getByText(/^Not scalable/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toHaveCount(0);
});
