import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import type { ClusterInfo, ListAnswer, Task, Workload } from "@/lib/model/types";
import { demoKubernetesCluster, ensureReplicas, snap } from "./helpers";

/**
 * Fleet-wide search (issue 14): the top bar's box leads to /search, which
 * finds the workloads and tasks of every cluster by name, label selector and
 * namespace, each row linking to its page, with the filters in the URL.
 */

test.describe.configure({ mode: "serial" });

type FleetItem<T> = T & { clusterId: string };

/** What /api/workloads or /api/tasks answers for these filters: what the page must show. */
async function fleetList<T>(request: APIRequestContext, resource: "workloads" | "tasks", query: string): Promise<FleetItem<T>[]> {
  const response = await request.get(`/api/${resource}?${query}`);
  expect(response.status(), `/api/${resource}?${query}`).toBe(200);
  return ((await response.json()) as ListAnswer<FleetItem<T>>).items;
}

async function clusterNames(request: APIRequestContext): Promise<Map<string, ClusterInfo>> {
  const { items } = (await (await request.get("/api/clusters")).json()) as { items: ClusterInfo[] };
  return new Map(items.map((c) => [c.id, c]));
}

/** The row of `name` in that cluster, in the shown tab's table. */
function resultRow(page: Page, tab: "Workloads" | "Tasks", clusterName: string, name: string) {
  return page
    .getByRole("tabpanel", { name: tab })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name, exact: true }) })
    .filter({ has: page.getByRole("link", { name: clusterName, exact: true }) });
}

const searchBox = (page: Page, name: string) => page.getByRole("main").getByRole("searchbox", { name, exact: true });

test("the top bar's search finds mysql's workload and pods across the clusters, each linking to its page", async ({ page, request }) => {
  const kube = await demoKubernetesCluster(request);
  await ensureReplicas(request, kube.id, "mysql", 3);
  const clusters = await clusterNames(request);
  const workloads = await fleetList<Workload>(request, "workloads", "q=mysql");
  // The demo has mysql on Kubernetes: a StatefulSet and its pods.
  expect(workloads.filter((w) => clusters.get(w.clusterId)?.orchestrator === "kubernetes").map((w) => w.name)).toContain("mysql");

  await page.goto("/");
  const box = page.getByRole("banner").getByRole("searchbox", { name: "Search workloads and tasks" });
  await box.fill("mysql");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=mysql$/);
  await expect(page.getByRole("heading", { name: "Search", level: 1 })).toBeVisible();
  await expect(searchBox(page, "Name")).toHaveValue("mysql");

  const inClusters = new Set(workloads.map((w) => w.clusterId)).size;
  await expect(page.getByRole("main").getByRole("status")).toHaveText(
    `${workloads.length} ${workloads.length === 1 ? "workload" : "workloads"} in ${inClusters} ${inClusters === 1 ? "cluster" : "clusters"}`,
  );
  for (const w of workloads) {
    const clusterName = clusters.get(w.clusterId)!.name;
    const row = resultRow(page, "Workloads", clusterName, w.name);
    await expect(row).toHaveCount(1);
    await expect(row.getByRole("link", { name: w.name, exact: true })).toHaveAttribute(
      "href",
      `/clusters/${w.clusterId}/workloads/${encodeURIComponent(w.id)}`,
    );
    await expect(row.getByRole("link", { name: clusterName, exact: true })).toHaveAttribute("href", `/clusters/${w.clusterId}/workloads`);
    await expect(row).toContainText(`${w.ready} / ${w.desired}`);
  }
  await snap(page, "search-workloads");

  await page.getByRole("tab", { name: /^Tasks/ }).click();
  await expect(page).toHaveURL(/\/search\?q=mysql&kind=tasks$/);
  // Pods of an earlier scale may still be going: the page follows the API until they are gone.
  let tasks: FleetItem<Task>[] = [];
  await expect(async () => {
    tasks = await fleetList<Task>(request, "tasks", "q=mysql");
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    const rows = page
      .getByRole("table", { name: "Tasks" })
      .getByRole("row")
      .filter({ has: page.getByRole("cell") });
    await expect(rows).toHaveCount(tasks.length, { timeout: 1_000 });
    for (const t of tasks) {
      const row = resultRow(page, "Tasks", clusters.get(t.clusterId)!.name, t.name);
      await expect(row.getByRole("link", { name: t.name, exact: true })).toHaveAttribute(
        "href",
        `/clusters/${t.clusterId}/tasks/${encodeURIComponent(t.id)}`,
        { timeout: 1_000 },
      );
    }
  }).toPass({ timeout: 60_000 });
  await snap(page, "search-tasks");

  // The links lead to the pages: a pod's, then (back on the results) the workload's.
  const pod = tasks.find((t) => t.clusterId === kube.id)!;
  await resultRow(page, "Tasks", kube.name, pod.name).getByRole("link", { name: pod.name, exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === `/clusters/${kube.id}/tasks/${encodeURIComponent(pod.id)}`);
  await expect(page.getByRole("heading", { level: 2, name: pod.name })).toBeVisible();
  await page.goBack();
  await page.getByRole("tab", { name: /^Workloads/ }).click();
  const mysql = workloads.find((w) => w.clusterId === kube.id && w.name === "mysql")!;
  await resultRow(page, "Workloads", kube.name, "mysql").getByRole("link", { name: "mysql", exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === `/clusters/${kube.id}/workloads/${encodeURIComponent(mysql.id)}`);
  await expect(page.getByRole("heading", { level: 2, name: "mysql" })).toBeVisible();
});

test("a label selector filters, a malformed one shows the API's message, and the URL keeps the filters", async ({ page, request }) => {
  const kube = await demoKubernetesCluster(request);
  const all = await fleetList<Workload>(request, "workloads", "");
  await page.goto("/search");
  await expect(page.getByRole("main").getByRole("status")).toContainText(/^\d+ workloads in \d+ clusters$/);
  const other = all.find((w) => w.labels.app !== "mysql")!;
  await expect(page.getByRole("table", { name: "Workloads" }).getByRole("link", { name: other.name, exact: true }).first()).toBeVisible();

  const selector = searchBox(page, "Label selector");
  await selector.fill("app=mysql");
  await selector.press("Enter");
  await expect(page).toHaveURL(/\/search\?selector=app%3Dmysql$/);
  const matching = await fleetList<Workload>(request, "workloads", "selector=app%3Dmysql");
  expect(matching.length).toBeGreaterThan(0);
  const rows = page
    .getByRole("table", { name: "Workloads" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell") });
  await expect(rows).toHaveCount(matching.length);
  await expect(rows.filter({ has: page.getByRole("link", { name: other.name, exact: true }) })).toHaveCount(0);
  await expect(resultRow(page, "Workloads", kube.name, "mysql")).toHaveCount(1);

  // Narrowed to a namespace and shown as tasks, the filters survive a reload: they live in the URL.
  const namespace = searchBox(page, "Namespace");
  await namespace.fill("default");
  await namespace.press("Enter");
  await page.getByRole("tab", { name: /^Tasks/ }).click();
  await expect(page).toHaveURL(/\/search\?selector=app%3Dmysql&namespace=default&kind=tasks$/);
  await page.reload();
  await expect(selector).toHaveValue("app=mysql");
  await expect(namespace).toHaveValue("default");
  await expect(page.getByRole("tab", { name: /^Tasks/ })).toHaveAttribute("aria-selected", "true");
  const taskRows = page
    .getByRole("table", { name: "Tasks" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell") });
  await expect(taskRows.first()).toBeVisible();
  await expect(taskRows.filter({ hasNotText: /mysql-\d+/ })).toHaveCount(0);
  await expect(async () => {
    const pods = await fleetList<Task>(request, "tasks", "selector=app%3Dmysql&namespace=default");
    await expect(taskRows).toHaveCount(pods.length, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  const malformed = "app in (mysql";
  const refused = await request.get(`/api/tasks?selector=${encodeURIComponent(malformed)}`);
  expect(refused.status()).toBe(400);
  const { error } = (await refused.json()) as { error: { message: string } };
  await selector.fill(malformed);
  await selector.press("Enter");
  // Scoped to main: Next's route announcer is an (empty) alert too.
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(error.message);
  await expect(page.getByText("No results for this filter")).toBeVisible();
  await snap(page, "search-bad-selector");

  // Opened as a link, the page answers 400 as its list does, and still says why beside the filters.
  const opened = await page.goto(page.url());
  expect(opened?.status()).toBe(400);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(error.message);
});
