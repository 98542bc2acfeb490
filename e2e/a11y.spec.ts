import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import type { ClusterInfo, ListAnswer, Node, Task, Workload } from "@/lib/model/types";
import { demoKubernetesCluster, E2E_ADMIN_PASSWORD, signIn, snap } from "./helpers";

/**
 * Every page type, as axe-core judges it against WCAG 2.2 A and AA (contrast
 * included), in light and dark; and on a 390 px phone, none scrolls sideways.
 */

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function first<T>(request: APIRequestContext, path: string): Promise<T> {
  const response = await request.get(path);
  expect(response.status(), path).toBe(200);
  const { items } = (await response.json()) as ListAnswer<T>;
  expect(items.length, `${path} lists something`).toBeGreaterThan(0);
  return items[0];
}

/** One page of each type: the lists and details of a Kubernetes cluster, another orchestrator's lists, the fleet-wide pages, a 404. */
async function pagesToCheck(request: APIRequestContext): Promise<[string, string][]> {
  const kube = await demoKubernetesCluster(request);
  const base = `/clusters/${kube.id}`;
  const api = `/api${base}`;
  const node = await first<Node>(request, `${api}/nodes`);
  const workload = await first<Workload>(request, `${api}/workloads`);
  const task = await first<Task>(request, `${api}/tasks`);
  // Every cluster past its first list, so no page is judged on its loading placeholders.
  let clusters: ClusterInfo[] = [];
  await expect
    .poll(
      async () => {
        clusters = (await (await request.get("/api/clusters")).json()).items as ClusterInfo[];
        return clusters.filter((c) => !c.synced).map((c) => c.id);
      },
      { timeout: 90_000 },
    )
    .toEqual([]);
  const others = clusters.filter((c) => c.orchestrator !== "kubernetes" && c.synced);
  return [
    ["overview", "/"],
    ["nodes", `${base}/nodes`],
    ["workloads", `${base}/workloads`],
    ["tasks", `${base}/tasks`],
    ["services", `${base}/services`],
    ["node", `${base}/nodes/${encodeURIComponent(node.id)}`],
    ["workload", `${base}/workloads/${encodeURIComponent(workload.id)}`],
    ["task", `${base}/tasks/${encodeURIComponent(task.id)}`],
    ["not-found", `${base}/workloads/deployment~default~nope`],
    ["consumption", "/consumption"],
    ["search", "/search?q=mysql"],
    ...others.map((c): [string, string] => [`${c.orchestrator}-tasks`, `/clusters/${c.id}/tasks`]),
  ];
}

/** Loaded: no skeleton or loading placeholder left. */
async function settle(page: Page) {
  await expect(page.locator('.skeleton, [aria-label="Loading"]')).toHaveCount(0, { timeout: 15_000 });
}

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1] ?? ""}`));
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe-core finds no WCAG 2.2 AA violation on any page, ${colorScheme}`, async ({ page, request }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme });
    const found: string[] = [];
    for (const [name, path] of await pagesToCheck(request)) {
      await page.goto(path);
      await settle(page);
      found.push(...(await violations(page)).map((v) => `${name} (${path}): ${v}`));
    }
    // Signed out, then as an admin: the sign-in page and the admin pages.
    await page.goto("/sign-in");
    found.push(...(await violations(page)).map((v) => `sign-in: ${v}`));
    await signIn(page, "admin", E2E_ADMIN_PASSWORD);
    for (const path of ["/admin/users", "/admin/tokens", "/admin/audit"]) {
      await page.goto(path);
      await settle(page);
      found.push(...(await violations(page)).map((v) => `${path}: ${v}`));
    }
    expect(found).toEqual([]);
  });
}

test("on a 390 px phone no page scrolls sideways, and a table row folds its other columns into a detail", async ({ browser, request }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const pages = await pagesToCheck(request);
  const wide: string[] = [];
  for (const [name, path] of pages) {
    await page.goto(path);
    await settle(page);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    if (scrollWidth > clientWidth) wide.push(`${name} (${path}): ${scrollWidth} px wide`);
    await snap(page, `phone-${name}`);
  }
  expect(wide).toEqual([]);

  // The pods table keeps a pod's name and state in its row; its node is in the detail the row's button opens.
  const podsPath = new Map(pages).get("tasks")!;
  const pod = await first<Task>(request, `/api${podsPath}`);
  const nodes = (await (await request.get(`/api${podsPath.replace(/\/tasks$/, "/nodes")}`)).json()) as ListAnswer<Node>;
  const nodeName = nodes.items.find((n) => n.id === pod.node)?.name ?? pod.node!;
  await page.goto(podsPath);
  await settle(page);
  const table = page.getByRole("table", { name: "Pods" });
  const row = table.getByRole("row").filter({ has: page.getByRole("link", { name: pod.name, exact: true }) });
  const cells = row.getByRole("cell");
  // Name, state, restarts and the disclosure button: the other columns are hidden.
  await expect(cells).toHaveCount(4);
  await expect(cells.nth(1)).toContainText(pod.state, { ignoreCase: true });
  await expect(row.getByText(nodeName, { exact: true })).toBeHidden();
  const { scrollWidth, clientWidth } = await table.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth, "the table scrolls sideways").toBeLessThanOrEqual(clientWidth);

  const details = row.getByRole("button", { name: `Details ${pod.name}` });
  await expect(details).toHaveAttribute("aria-expanded", "false");
  const target = (await details.boundingBox())!;
  expect(Math.min(target.width, target.height), "the button is a 24 px target").toBeGreaterThanOrEqual(24);
  // Keyboard-operable: Enter opens it, and the node is then in the row's term/value list.
  await details.focus();
  await page.keyboard.press("Enter");
  await expect(details).toHaveAttribute("aria-expanded", "true");
  const detail = page.locator(`#${await details.getAttribute("aria-controls")}`);
  await expect(detail.getByRole("term").filter({ hasText: /^Node$/ })).toBeVisible();
  await expect(detail.getByRole("definition").filter({ hasText: nodeName })).toBeVisible();
  await page.keyboard.press("Space");
  await expect(details).toHaveAttribute("aria-expanded", "false");
  await expect(detail).toHaveCount(0);
  // Open, as a finger does; axe last, as it opens a page of its own and takes the focus.
  await details.click();
  await expect(detail).toBeVisible();
  await snap(page, "phone-tasks-detail");
  expect(await violations(page)).toEqual([]);
  await context.close();
});
