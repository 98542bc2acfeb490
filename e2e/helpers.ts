import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** The first admin of the e2e servers (playwright.config.ts gives it as FLEETDECK_ADMIN_PASSWORD). */
export const E2E_ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password";

/** Explicit screenshots, kept with the run's artefacts. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

interface ClusterSummary {
  id: string;
  name: string;
  orchestrator: string;
  synced: boolean;
}

interface WorkloadSummary {
  id: string;
  name: string;
  desired: number;
  ready: number;
}

/** The first demo Kubernetes cluster, once it has synced. */
export async function demoKubernetesCluster(request: APIRequestContext): Promise<ClusterSummary> {
  let found: ClusterSummary | undefined;
  await expect
    .poll(
      async () => {
        const body = (await (await request.get("/api/clusters")).json()) as { items: ClusterSummary[] };
        found = body.items.find((c) => c.orchestrator === "kubernetes" && c.synced);
        return Boolean(found);
      },
      { timeout: 60_000, message: "a demo Kubernetes cluster should sync" },
    )
    .toBe(true);
  return found!;
}

export async function workloadByName(request: APIRequestContext, clusterId: string, name: string): Promise<WorkloadSummary> {
  const body = (await (await request.get(`/api/clusters/${clusterId}/workloads?q=${name}`)).json()) as { items: WorkloadSummary[] };
  const workload = body.items.find((w) => w.name === name);
  if (!workload) throw new Error(`no workload ${name} in ${clusterId}`);
  return workload;
}

/** Puts a workload back to a known size through the API and waits until it is there. */
export async function ensureReplicas(request: APIRequestContext, clusterId: string, name: string, replicas: number): Promise<WorkloadSummary> {
  const workload = await workloadByName(request, clusterId, name);
  if (workload.desired !== replicas) {
    const response = await request.post(`/api/clusters/${clusterId}/workloads/${workload.id}/scale`, { data: { replicas } });
    expect(response.status()).toBe(200);
  }
  await expect
    .poll(async () => {
      const w = await workloadByName(request, clusterId, name);
      return `${w.ready}/${w.desired}`;
    }, { timeout: 60_000 })
    .toBe(`${replicas}/${replicas}`);
  return workloadByName(request, clusterId, name);
}

/**
 * Replicas A and B: two e2e servers sharing one PostgreSQL database
 * (playwright.config.ts starts them when FLEETDECK_TEST_DATABASE_URL is set;
 * e2e/replicas.spec.ts); A is the "replicas" project's baseURL.
 */
export const E2E_REPLICA_PORTS = { a: 3126, b: 3127 } as const;
