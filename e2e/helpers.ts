import { expect, type APIRequestContext, type Page } from "@playwright/test";
import type { ClusterInfo as Cluster, Workload } from "@/lib/model/types";

/** The first admin of the e2e servers (playwright.config.ts gives it as FLEETDECK_ADMIN_PASSWORD). */
export const E2E_ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password";

/** Explicit screenshots, kept with the run's artefacts. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** Signs in through the sign-in page and waits for the account menu. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByLabel(`Account: ${username}`, { exact: false })).toBeVisible();
}

/** A cluster and a workload as the API answers them. */
export type { ClusterInfo as Cluster, Workload } from "@/lib/model/types";

/** The first cluster that `match`es, once it is listed and synced. */
export async function syncedCluster(request: APIRequestContext, match: (c: Cluster) => boolean, what: string): Promise<Cluster> {
  let found: Cluster | undefined;
  await expect
    .poll(
      async () => {
        const { items } = (await (await request.get("/api/clusters")).json()) as { items: Cluster[] };
        found = items.find((c) => match(c) && c.synced);
        return Boolean(found);
      },
      { timeout: 60_000, message: `${what} should be listed and synced` },
    )
    .toBe(true);
  return found!;
}

/** The first demo Kubernetes cluster, once it has synced. */
export function demoKubernetesCluster(request: APIRequestContext): Promise<Cluster> {
  return syncedCluster(request, (c) => c.orchestrator === "kubernetes", "a demo Kubernetes cluster");
}

/** One workload, by id, as the API answers it now. */
export async function workload(request: APIRequestContext, clusterId: string, workloadId: string): Promise<Workload> {
  const response = await request.get(`/api/clusters/${clusterId}/workloads/${encodeURIComponent(workloadId)}`);
  expect(response.status(), `workload ${workloadId} in ${clusterId}`).toBe(200);
  return (await response.json()) as Workload;
}

export async function workloadByName(request: APIRequestContext, clusterId: string, name: string): Promise<Workload> {
  const body = (await (await request.get(`/api/clusters/${clusterId}/workloads?q=${name}`)).json()) as { items: Workload[] };
  const workload = body.items.find((w) => w.name === name);
  if (!workload) throw new Error(`no workload ${name} in ${clusterId}`);
  return workload;
}

/** Puts a workload back to a known size through the API and waits until it is there. */
export async function ensureReplicas(request: APIRequestContext, clusterId: string, name: string, replicas: number): Promise<Workload> {
  const workload = await workloadByName(request, clusterId, name);
  if (workload.desired !== replicas) {
    const response = await request.post(`/api/clusters/${clusterId}/workloads/${workload.id}/scale`, { data: { replicas } });
    expect(response.status()).toBe(200);
  }
  await expect
    .poll(
      async () => {
        const w = await workloadByName(request, clusterId, name);
        return `${w.ready}/${w.desired}`;
      },
      { timeout: 60_000 },
    )
    .toBe(`${replicas}/${replicas}`);
  return workloadByName(request, clusterId, name);
}

/**
 * Replicas A and B: two e2e servers sharing one PostgreSQL database
 * (playwright.config.ts starts them when FLEETDECK_TEST_DATABASE_URL is set;
 * e2e/replicas.spec.ts); A is the "replicas" project's baseURL.
 */
export const E2E_REPLICA_PORTS = { a: 3126, b: 3127 } as const;
