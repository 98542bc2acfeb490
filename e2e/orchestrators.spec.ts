import { execFileSync } from "node:child_process";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { snap, syncedCluster, workload, type Workload } from "./helpers";

/**
 * Every orchestrator of the demo fleet on the overview, and a workload of each
 * scaled from its page, as an operator would: Nomad, Mesos/Marathon, ECS and
 * (when a Docker Engine answers) a real Swarm service.
 */

test.describe.configure({ mode: "serial" });

async function settled(request: APIRequestContext, clusterId: string, workloadId: string, replicas: number) {
  await expect
    .poll(
      async () => {
        const w = await workload(request, clusterId, workloadId);
        return `${w.ready}/${w.desired}`;
      },
      { timeout: 60_000, message: `${workloadId} should settle at ${replicas}` },
    )
    .toBe(`${replicas}/${replicas}`);
}

/** Sets a workload back to `replicas` through the API so each test starts from a known size. */
async function ensureReplicas(request: APIRequestContext, clusterId: string, workloadId: string, replicas: number) {
  const w = await workload(request, clusterId, workloadId);
  if (w.desired !== replicas) {
    const response = await request.post(`/api/clusters/${clusterId}/workloads/${workloadId}/scale`, { data: { replicas } });
    expect(response.status(), await response.text()).toBe(200);
  }
  await settled(request, clusterId, workloadId, replicas);
}

/** Scales on the workload page with the number field, confirming if asked, and waits for every replica. */
async function scaleFromPage(page: Page, clusterId: string, workloadId: string, to: number, screenshot: string) {
  await page.goto(`/clusters/${clusterId}/workloads/${encodeURIComponent(workloadId)}`);
  const replicas = page.getByRole("spinbutton", { name: "Replicas" });
  await expect(replicas).toBeVisible();
  await replicas.fill(String(to));
  await page.getByRole("button", { name: "Apply" }).click();
  const dialog = page.getByRole("dialog");
  if (await dialog.isVisible()) await dialog.getByRole("button", { name: `Scale to ${to}` }).click();
  const status = page.getByRole("status", { name: "Replica status" });
  await expect(status).toHaveText(`All ${to} replicas ready`, { timeout: 90_000 });
  await snap(page, screenshot);
}

test("the overview shows a card for every orchestrator of the demo fleet", async ({ page, request }) => {
  for (const orchestrator of ["kubernetes", "nomad", "mesos", "ecs"]) {
    await syncedCluster(request, (c) => c.orchestrator === orchestrator, `a demo ${orchestrator} cluster`);
  }
  await page.goto("/");
  for (const label of ["Kubernetes", "Nomad", "Mesos", "ECS"]) {
    await expect(page.getByRole("article").filter({ hasText: label }).first()).toBeVisible();
  }
  await snap(page, "overview-all-orchestrators");
});

test("a Nomad task group scales from its page", async ({ page, request }) => {
  test.setTimeout(180_000);
  const cluster = await syncedCluster(request, (c) => c.id === "demo-nomad", "the demo Nomad cluster");
  const web = "default~storefront~web";
  await ensureReplicas(request, cluster.id, web, 3);
  await scaleFromPage(page, cluster.id, web, 5, "nomad-scaled");
  await expect(page.getByRole("table", { name: "Allocations" }).getByRole("row")).toHaveCount(6);
});

test("a Marathon app scales from its page", async ({ page, request }) => {
  test.setTimeout(180_000);
  const cluster = await syncedCluster(request, (c) => c.id === "demo-mesos", "the demo Mesos cluster");
  const worker = "app~shop~worker";
  await ensureReplicas(request, cluster.id, worker, 2);
  await scaleFromPage(page, cluster.id, worker, 3, "mesos-scaled");
  await expect(page.getByRole("region", { name: "Recent events" })).toContainText("Scaled to 3 instances");
  await expect(page.getByRole("region", { name: "Details" })).toContainText(/\d+ running, \d+ staged/);
});

test("an ECS service on Fargate scales from its page", async ({ page, request }) => {
  test.setTimeout(180_000);
  const cluster = await syncedCluster(request, (c) => c.id === "ecs-shop-fargate", "the demo ECS Fargate cluster");
  const checkout = "shop-fargate~checkout";
  await ensureReplicas(request, cluster.id, checkout, 3);
  await scaleFromPage(page, cluster.id, checkout, 5, "ecs-scaled");
  // The service's own event log and deployment, as DescribeServices reports them.
  await expect(page.getByRole("region", { name: "Recent events" })).toContainText("(service checkout) has started 2 tasks");
  await expect(page.getByRole("region", { name: "Details" })).toContainText("PRIMARY checkout:7");
});

test.describe("Docker Swarm", () => {
  const service = "fleetdeck-e2e-web";
  let engine = false;

  test.beforeAll(() => {
    try {
      execFileSync("docker", ["info", "--format", "{{.Swarm.ControlAvailable}}"], { stdio: "pipe" });
      execFileSync("docker", ["service", "rm", service], { stdio: "ignore" });
    } catch {
      // no engine, or no such service yet
    }
    try {
      const manager = execFileSync("docker", ["info", "--format", "{{.Swarm.ControlAvailable}}"], { stdio: "pipe" }).toString().trim();
      engine = manager === "true";
      if (engine) {
        execFileSync("docker", ["service", "create", "--detach", "--name", service, "--replicas", "1", "local/busybox:latest"], {
          stdio: "pipe",
        });
      }
    } catch (err) {
      if (process.env.CI === "true") throw new Error(`CI needs a Docker Engine in swarm mode: ${String(err)}`);
    }
  });

  test.afterAll(() => {
    if (engine) execFileSync("docker", ["service", "rm", service], { stdio: "ignore" });
  });

  test("a real Swarm service scales from its page", async ({ page, request }) => {
    test.skip(!engine, "no Docker Engine in swarm mode answers here (CI starts one)");
    test.setTimeout(180_000);
    const cluster = await syncedCluster(request, (c) => c.orchestrator === "swarm", "the local Swarm");
    let id = "";
    await expect
      .poll(
        async () => {
          const { items } = (await (await request.get(`/api/clusters/${cluster.id}/workloads?q=${service}`)).json()) as {
            items: Workload[];
          };
          id = items.find((w) => w.name === service)?.id ?? "";
          return id;
        },
        { timeout: 60_000, message: `${service} should appear in ${cluster.id}` },
      )
      .not.toBe("");
    await settled(request, cluster.id, id, 1);
    await scaleFromPage(page, cluster.id, id, 3, "swarm-scaled");
  });
});
