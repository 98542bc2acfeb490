import { expect, test } from "@playwright/test";
import { demoKubernetesCluster, ensureReplicas } from "./helpers";

/**
 * A browser allows six HTTP/1.1 connections per host: with a stream per tab,
 * the seventh tab's fetches never start. Tabs share one stream (see
 * lib/client/shared-source.ts), so the eleventh tab loads and follows changes.
 */
test("ten tabs open, an eleventh loads and updates live", async ({ context, request }) => {
  test.setTimeout(180_000);
  const cluster = await demoKubernetesCluster(request);
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 3);
  const live = (page: import("@playwright/test").Page) => expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
  for (let i = 0; i < 10; i++) {
    const page = await context.newPage();
    await page.goto("/");
    await live(page);
  }

  const eleventh = await context.newPage();
  await eleventh.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  const status = eleventh.getByRole("status", { name: "Replica status" });
  await expect(status).toHaveText("All 3 replicas ready", { timeout: 10_000 });
  await live(eleventh);

  // A change made elsewhere arrives in this tab through the stream another tab holds.
  const scaled = await request.post(`/api/clusters/${cluster.id}/workloads/${mysql.id}/scale`, { data: { replicas: 4 } });
  expect(scaled.status()).toBe(200);
  await expect(status).toContainText(/of 4|All 4 replicas ready/, { timeout: 10_000 });
});
