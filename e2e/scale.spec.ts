import { expect, test, type Page } from "@playwright/test";
import { demoKubernetesCluster, ensureReplicas, snap, syncedCluster, workload, type Cluster } from "./helpers";

/**
 * The scale control on a workload's page, clicked through as an operator
 * would: a large change asks first and says what will happen; Cancel sends
 * nothing; confirming scales. A Marathon app that a deployment holds answers
 * 409, and the control then offers to force the scale, which works.
 */

test.describe.configure({ mode: "serial" });

/** The demo Mesos cluster (lib/sim/mesos, DEMO_CONTENT.cluster), once synced. */
const MESOS = "demo-mesos";
/**
 * Asks 12 cpus a task, more than any demo agent has (lib/sim/mesos/content.ts):
 * its instances never run, so a deployment that scales it never finishes and
 * holds the app until a forced scale cancels it.
 */
const HELD_APP = "app~analytics~warehouse-loader";
const HELD_APP_NAME = "/analytics/warehouse-loader";

/** Every scale request the page sends, with its body, to tell "sent nothing" from "sent and was refused". */
function recordScaleRequests(page: Page): { replicas: number; force?: boolean }[] {
  const sent: { replicas: number; force?: boolean }[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && /\/workloads\/[^/]+\/scale$/.test(new URL(r.url()).pathname)) sent.push(r.postDataJSON());
  });
  return sent;
}

/** Opens a workload's page and waits until its cluster and its scale control are there. */
async function openWorkload(page: Page, cluster: Cluster, workloadId: string) {
  await page.goto(`/clusters/${cluster.id}/workloads/${encodeURIComponent(workloadId)}`);
  // The header shows the cluster once it is loaded: the scale control knows then whether it can force.
  await expect(page.getByRole("heading", { name: cluster.name, level: 1 })).toBeVisible();
  const replicas = page.getByRole("spinbutton", { name: "Replicas" });
  await expect(replicas).toBeVisible();
  return replicas;
}

test("a large change asks first, naming what will happen; Cancel changes nothing, confirming scales", async ({ page, request }) => {
  test.setTimeout(240_000);
  const cluster = await demoKubernetesCluster(request);
  // From 2, so that 5 (which the demo cluster fits, as fleet.spec.ts shows) more than doubles it.
  const mysql = await ensureReplicas(request, cluster.id, "mysql", 2);
  const sent = recordScaleRequests(page);
  const replicas = await openWorkload(page, cluster, mysql.id);
  await expect(replicas).toHaveValue("2");

  // 2 → 5 more than doubles it: the control asks first.
  await replicas.fill("5");
  await page.getByRole("button", { name: "Apply" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading")).toHaveText("Scale mysql to 5 replicas?");
  await expect(dialog).toContainText(
    /StatefulSet (\S+\/)?mysql will go from 2 replicas to 5: 3 new pods will be created, more than doubling what it asks of the cluster\./,
  );
  await snap(page, "scale-confirm-large");

  // Cancel: the dialog goes, nothing was sent, nothing changed.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect(sent).toEqual([]);
  expect((await workload(request, cluster.id, mysql.id)).desired).toBe(2);
  await expect(page.getByRole("status", { name: "Replica status" })).toHaveText("All 2 replicas ready");

  // Confirm: one request for 5, and the page follows the workload to 5.
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Scale to 5" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: "Scaling to 5 replicas" })).toBeVisible();
  // Exactly one request: the cancelled dialog sent none.
  expect(sent).toEqual([{ replicas: 5 }]);
  await expect(replicas).toHaveValue("5");
  expect((await workload(request, cluster.id, mysql.id)).desired).toBe(5);
  const status = page.getByRole("status", { name: "Replica status" });
  await expect(status).toHaveText("All 5 replicas ready", { timeout: 120_000 });
  await snap(page, "scale-confirmed-large");

  // Leave mysql as the demo has it.
  await ensureReplicas(request, cluster.id, "mysql", 3);
});

test("a Marathon app held by a deployment answers 409 with the reason, and forcing the scale works", async ({ page, request }) => {
  test.setTimeout(180_000);
  const cluster = await syncedCluster(request, (c) => c.id === MESOS, "the demo Mesos cluster");

  // A forced scale always goes through (it cancels whatever deployment holds the app) and starts a
  // deployment of its own, which this app can never finish: from here on Marathon holds it.
  const held = await request.post(`/api/clusters/${cluster.id}/workloads/${encodeURIComponent(HELD_APP)}/scale`, {
    data: { replicas: 3, force: true },
  });
  expect(held.status(), await held.text()).toBe(200);
  await expect
    .poll(
      async () => {
        const w = await workload(request, cluster.id, HELD_APP);
        return w.desired === 3 && Boolean(w.info.Deployments);
      },
      { timeout: 60_000, message: `${HELD_APP} should be at 3 with a deployment in progress` },
    )
    .toBe(true);

  const sent = recordScaleRequests(page);
  const replicas = await openWorkload(page, cluster, HELD_APP);
  await expect(replicas).toHaveValue("3");

  // 3 → 4 needs no confirmation: it goes straight to Marathon, which refuses it.
  await replicas.fill("4");
  await page.getByRole("button", { name: "Apply" }).click();
  const alert = page.getByRole("main").getByRole("alert");
  await expect(alert).toContainText(`Marathon app ${HELD_APP_NAME} is locked by deployment`);
  await expect(alert).toContainText("wait for it to finish or force the scale, which cancels it");
  const force = page.getByRole("button", { name: "Force scale to 4…" });
  await expect(force).toBeVisible();
  expect(sent).toEqual([{ replicas: 4 }]);
  expect((await workload(request, cluster.id, HELD_APP)).desired).toBe(3);
  await snap(page, "scale-conflict");

  // Forcing asks first, saying what forcing does.
  await force.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading")).toHaveText(`Force ${HELD_APP_NAME} to 4 replicas?`);
  await expect(dialog).toContainText(
    `A deployment in progress holds ${HELD_APP_NAME}. Forcing cancels that deployment and sets 4 replicas now`,
  );
  await snap(page, "scale-force-confirm");
  await dialog.getByRole("button", { name: "Force scale to 4" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByRole("main").getByRole("status").filter({ hasText: "Scaling to 4 replicas" })).toBeVisible();
  expect(sent).toEqual([{ replicas: 4 }, { replicas: 4, force: true }]);
  await expect(force).toBeHidden();
  await expect(alert).toHaveCount(0);
  await expect(replicas).toHaveValue("4");
  expect((await workload(request, cluster.id, HELD_APP)).desired).toBe(4);
  await snap(page, "scale-forced");

  // Back to the demo's 2 (forced: the app is still held).
  const back = await request.post(`/api/clusters/${cluster.id}/workloads/${encodeURIComponent(HELD_APP)}/scale`, {
    data: { replicas: 2, force: true },
  });
  expect(back.status(), await back.text()).toBe(200);
});
