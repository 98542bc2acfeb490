import { expect, test } from "@playwright/test";
import { demoKubernetesCluster, snap, workloadByName } from "./helpers";

test("read-only mode shows the fleet but no control that changes anything", async ({ page, request }) => {
  const cluster = await demoKubernetesCluster(request);
  await page.goto("/");
  await expect(page.getByRole("banner").getByText("READ-ONLY", { exact: true })).toBeVisible();
  await expect(page.getByRole("article").first()).toBeVisible();
  await snap(page, "read-only-overview");

  const mysql = await workloadByName(request, cluster.id, "mysql");
  await page.goto(`/clusters/${cluster.id}/workloads/${mysql.id}`);
  await expect(page.getByRole("status", { name: "Replica status" })).toBeVisible();
  await expect(page.getByText("Read-only mode: scaling is disabled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toHaveCount(0);
  await expect(page.getByRole("spinbutton")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /replica (more|fewer)/ })).toHaveCount(0);
  await snap(page, "read-only-workload");

  // The server refuses too: hiding the button is not the protection.
  const response = await request.post(`/api/clusters/${cluster.id}/workloads/${mysql.id}/scale`, { data: { replicas: 4 } });
  expect(response.status()).toBe(403);
});
