import { expect, test, type Page } from "@playwright/test";
import { demoKubernetesCluster, snap } from "./helpers";

test.describe.configure({ mode: "serial" });

/** The table's data rows (the header row has no cells). */
const dataRows = (page: Page, grouping: string) =>
  page
    .getByRole("table", { name: `Consumption by ${grouping}` })
    .getByRole("row")
    .filter({ has: page.getByRole("cell") });

test("the consumption page groups, ranges, tabs and exports the fleet's use", async ({ page, request }) => {
  await demoKubernetesCluster(request);
  await page.goto("/");
  await page.getByRole("banner").getByRole("link", { name: "Consumption" }).click();
  await expect(page).toHaveURL(/\/consumption$/);
  await expect(page.getByRole("heading", { name: "Consumption", level: 1 })).toBeVisible();
  // Clusters are listed at once (reservations and capacity need no history); usage may still be sparse.
  await expect(dataRows(page, "cluster").first()).toBeVisible();
  expect(await dataRows(page, "cluster").count()).toBeGreaterThanOrEqual(2);
  await expect(page.getByRole("region", { name: "Totals" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Use over time" })).toBeVisible();
  await snap(page, "consumption");
  await page.emulateMedia({ colorScheme: "dark" });
  await snap(page, "consumption-dark");
  await page.emulateMedia({ colorScheme: "light" });

  // Grouping: the URL and the table change.
  const groupBy = page.getByRole("group", { name: "Group by" });
  await groupBy.getByRole("button", { name: "Tenant", exact: true }).click();
  await expect(page).toHaveURL(/groupBy=tenant/);
  await expect(groupBy.getByRole("button", { name: "Tenant", exact: true })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("table", { name: "Consumption by tenant" }).getByRole("columnheader", { name: "Tenant" })).toBeVisible();
  await expect(dataRows(page, "tenant").first()).toBeVisible();
  expect(await dataRows(page, "tenant").count()).toBeGreaterThanOrEqual(2);

  // Range: the short one has samples first.
  await page.getByRole("group", { name: "Range" }).getByRole("button", { name: "1 h" }).click();
  await expect(page).toHaveURL(/range=1h/);
  await expect(page.getByRole("group", { name: "Range" }).getByRole("button", { name: "1 h" })).toHaveAttribute("aria-pressed", "true");
  await expect(dataRows(page, "tenant").first()).toBeVisible();

  // A tab filters the rows by their flags: a table of them, or the designed empty state.
  await page.getByRole("tab", { name: /^Idle/ }).click();
  await expect(page).toHaveURL(/tab=idle/);
  await expect(page.getByRole("tab", { name: /^Idle/ })).toHaveAttribute("aria-selected", "true");
  const panel = page.getByRole("tabpanel", { name: "Idle" });
  await expect(panel.getByRole("table").or(panel.getByText("Nothing idle", { exact: false }))).toBeVisible();
  await page.getByRole("tab", { name: /^Top consumers/ }).click();
  await expect(page).toHaveURL(/tab=top/);
  await expect(page.getByRole("tabpanel", { name: "Top consumers" })).toBeVisible();
  await snap(page, "consumption-tenants-top");

  // CSV: the same query, as text/csv with a header row.
  const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  expect(href).toMatch(/^\/api\/consumption\?/);
  expect(href).toContain("format=csv");
  expect(href).toContain("groupBy=tenant");
  expect(href).toContain("range=1h");
  const csv = await request.get(href!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
  const lines = (await csv.text()).split(/\r?\n/).filter(Boolean);
  expect(lines[0]).toMatch(/^cluster,tenant,team,workloadId,nodeId,name,/);
  expect(lines.length).toBeGreaterThanOrEqual(2);
});

test("a cluster row drills down to its tenants, and a tenant to its workloads", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto("/consumption?groupBy=cluster&range=1h");
  const link = page.getByRole("table", { name: "Consumption by cluster" }).getByRole("link", { name: cluster.name, exact: true });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`groupBy=tenant.*cluster=${cluster.id}|cluster=${cluster.id}.*groupBy=tenant`));
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText(cluster.name);
  await expect(page.getByRole("combobox", { name: "Cluster filter" })).toHaveValue(cluster.id);
  const tenants = dataRows(page, "tenant");
  await expect(tenants.first()).toBeVisible();
  // Every tenant listed is this cluster's.
  await expect(tenants.filter({ hasNotText: cluster.name })).toHaveCount(0);
  await snap(page, "consumption-drill-tenants");

  await tenants.first().getByRole("link").first().click();
  await expect(page).toHaveURL(/groupBy=workload/);
  await expect(page).toHaveURL(/tenant=/);
  await expect(dataRows(page, "workload").first()).toBeVisible();
});

test("the demo has a week of history from its first minute; usage charts take the longer ranges and lead into consumption", async ({
  page,
  request,
}) => {
  const cluster = await demoKubernetesCluster(request);
  // Backfilled from the simulator's model: the week is covered, and the answer says it is demo data.
  await expect
    .poll(
      async () => {
        const answer = await (await request.get(`/api/consumption?groupBy=cluster&range=7d&cluster=${cluster.id}`)).json();
        return { source: answer.source, covered: answer.items[0]?.coverage > 0.95 };
      },
      { timeout: 90_000 },
    )
    .toEqual({ source: "demo", covered: true });
  await page.goto("/consumption?range=7d");
  await expect(page.getByText("Demo data", { exact: false }).first()).toBeVisible();

  await page.goto(`/clusters/${cluster.id}/nodes`);
  const panel = page.getByRole("region", { name: "Cluster usage history" });
  await panel.getByRole("group", { name: "Time range" }).getByRole("button", { name: "7 days" }).click();
  await expect(page).toHaveURL(/usage=7d/);
  await expect(panel.getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
  await expect(panel.getByRole("img", { name: "CPU use over the last 7 days" })).toBeVisible();
  await snap(page, "cluster-usage-7d");
  // A reload keeps the range: it is in the URL.
  await page.reload();
  await expect(panel.getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
  await panel.getByRole("link", { name: "Consumption →" }).click();
  await expect(page).toHaveURL(new RegExp(`/consumption\\?cluster=${cluster.id}&groupBy=tenant&range=7d`));
  await expect(dataRows(page, "tenant").first()).toBeVisible();
});
