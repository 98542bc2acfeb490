import { afterEach, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { DEMO_CREDENTIALS, seedDemoWorld, startEcsSim, type EcsSim, type EcsWorld } from "@/lib/sim/ecs";
import { EcsAdapter, type EcsTimings } from "./adapter";
import { EcsConnectionSchema } from "./connection";

const FAST = { provisionMs: 40, pendingMs: 40, stoppingMs: 40, tickMs: 20 };
const log = createLogger("ecs-test");

const running: { sim: EcsSim; abort: AbortController }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.sim.close();
  }
});

async function setup(options: { cluster?: string; seed?: (w: EcsWorld) => void; timings?: Partial<EcsTimings> } = {}) {
  const sim = await startEcsSim({ timings: FAST, seed: options.seed ?? seedDemoWorld });
  const connection = EcsConnectionSchema.parse({
    region: "eu-west-1",
    cluster: options.cluster,
    endpoint: sim.endpoint,
    credentials: DEMO_CREDENTIALS,
  });
  const adapter = new EcsAdapter(
    connection,
    { clusterId: "test", log, secrets: new SecretSet(), env: {} },
    { resyncMs: 100, fastPollMs: 50, usageRefreshMs: 0, maxAttempts: 1, backoff: { baseMs: 50, maxMs: 400 }, ...options.timings },
  );
  const sink = new RecordingSink();
  const abort = new AbortController();
  running.push({ sim, abort });
  const done = adapter.run(sink, abort.signal);
  return { sim, adapter, sink, abort, done };
}

const runningOf = (sink: RecordingSink, workloadId: string) => sink.tasksOf(workloadId).filter((t) => t.state === "running" && t.ready);

describe("ECS adapter against the simulator, through the real SDK", () => {
  it("lists an EC2 cluster's container instances, services, tasks and endpoints in neutral units", async () => {
    const { sink } = await setup({ cluster: "shop-ec2" });
    // Tasks and the service's running count arrive in separate polls: wait for both.
    await waitFor(
      "web's 4 tasks running",
      () => runningOf(sink, "shop-ec2~web").length === 4 && sink.items.workloads.get("shop-ec2~web")?.ready === 4,
    );
    expect(sink.connection?.status).toBe("ok");
    expect(sink.connection?.version).toBe("ECS · EC2");

    const nodes = sink.list("nodes");
    expect(nodes).toHaveLength(5);
    const big = nodes.find((n) => n.labels["ecs.instance-type"] === "m6i.2xlarge")!;
    expect(big.capacity).toEqual({ cpuMillis: 8000, memoryBytes: 31_600 * 1024 * 1024 });
    expect(big.status).toBe("ready");
    expect(big.roles).toEqual(["ec2"]);
    const draining = nodes.find((n) => n.labels["ecs.instance-type"] === "m5.large")!;
    expect(draining).toMatchObject({ schedulable: false, statusReason: "DRAINING" });

    const web = sink.items.workloads.get("shop-ec2~web")!;
    expect(web).toMatchObject({
      kind: "EcsService",
      namespace: "shop-ec2",
      desired: 4,
      ready: 4,
      scalable: true,
      images: ["public.ecr.aws/nginx/nginx:1.27"],
    });
    expect(web.labels).toMatchObject({ app: "web" });
    expect(web.info).toMatchObject({ "Capacity provider": "shop-asg", "Task definition": "shop-web:14", "Scheduling strategy": "REPLICA" });
    expect(web.info.Deployments).toMatch(/^PRIMARY shop-web:14 /);
    // The simulator writes the service's event log as ECS does: "has started 4 tasks", "has reached a steady state".
    await waitFor(
      "web steady",
      () => sink.items.workloads.get("shop-ec2~web")?.events.some((e) => /steady state/.test(e.message)) ?? false,
    );
    expect(sink.items.workloads.get("shop-ec2~web")!.events[0]).toMatchObject({ level: "normal", at: expect.any(String) });
    expect(sink.items.workloads.get("shop-ec2~log-router")).toMatchObject({ scalable: false });

    const task = runningOf(sink, "shop-ec2~web")[0];
    expect(task.requests).toEqual({ cpuMillis: 500, memoryBytes: 1024 * 1024 * 1024 });
    expect(sink.items.nodes.has(task.node!)).toBe(true);
    expect(task.ip).toMatch(/^10\.0\./);
    // No task lands on the draining instance.
    expect(sink.list("tasks").some((t) => t.node === draining.id && t.state === "running")).toBe(false);

    const endpoints = sink
      .list("services")
      .map((s) => `${s.type} ${s.name}`)
      .sort();
    expect(endpoints).toEqual(["LoadBalancer shop-api", "LoadBalancer shop-web", "ServiceConnect api.shop.local"]);
  });

  it("shows a Fargate-only cluster: no nodes, tasks without a node, and says so in the version", async () => {
    const { sink } = await setup({ cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-fargate" });
    await waitFor("checkout running", () => runningOf(sink, "shop-fargate~checkout").length === 3);
    expect(sink.list("nodes")).toEqual([]);
    expect(sink.connection?.version).toMatch(/Fargate/);
    const payments = runningOf(sink, "shop-fargate~payments");
    expect(payments.length).toBe(2);
    expect(payments.every((t) => t.node === null && t.labels["ecs.capacityProvider"] === "FARGATE_SPOT")).toBe(true);
    expect(sink.list("services").find((s) => s.type === "CloudMap")?.name).toBe("srv-checkout4hx2kq3a");
  });

  it("pages beyond 100 tasks and describes more than 10 services in batches", async () => {
    const { sim, sink } = await setup({
      cluster: "big",
      seed: (world) => {
        const big = world.addCluster("big", { capacityProviders: ["FARGATE"] });
        const td = world.taskDefinition("svc", 1, { cpu: 256, memory: 512, containers: [{ name: "app", image: "app:1", port: null }] });
        for (let i = 0; i < 12; i++)
          world.addService(big, {
            name: `svc-${String(i).padStart(2, "0")}`,
            desiredCount: i === 0 ? 150 : 1,
            taskDefinition: td,
            launchType: "FARGATE",
          });
      },
    });
    await waitFor("161 running tasks", () => sink.list("tasks").filter((t) => t.state === "running").length === 161);
    expect(sink.list("workloads")).toHaveLength(12);
    expect(sink.tasksOf("big~svc-00")).toHaveLength(150);
    const describes = sim.requests.filter((r) => r.operation === "DescribeServices");
    expect(describes.length).toBeGreaterThanOrEqual(2);
    expect(sim.requests.filter((r) => r.status !== 200)).toEqual([]);
  });

  it("scales a service up and down through UpdateService, and tasks follow", async () => {
    const { adapter, sink } = await setup({ cluster: "shop-ec2" });
    await waitFor("web running", () => runningOf(sink, "shop-ec2~web").length === 4);

    const up = await adapter.scale("shop-ec2~web", 6);
    expect(up).toMatchObject({ id: "shop-ec2~web", desired: 6, kind: "EcsService", images: ["public.ecr.aws/nginx/nginx:1.27"] });
    // UpdateService answers without tags; the answer keeps the ones the last poll saw.
    expect(up.labels).toMatchObject({ app: "web" });
    expect(up.info).toMatchObject({ "Task definition": "shop-web:14" });
    await waitFor("6 web tasks running", () => runningOf(sink, "shop-ec2~web").length === 6);
    expect(sink.items.workloads.get("shop-ec2~web")?.desired).toBe(6);

    await adapter.scale("shop-ec2~web", 2);
    await waitFor(
      "web down to 2",
      () =>
        runningOf(sink, "shop-ec2~web").length === 2 && sink.tasksOf("shop-ec2~web").filter((t) => t.state === "succeeded").length === 4,
    );
    const stopped = sink.tasksOf("shop-ec2~web").find((t) => t.state === "succeeded")!;
    expect(stopped.stateReason).toMatch(/Scaling activity/);

    await expect(adapter.scale("shop-ec2~log-router", 3)).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/daemon/i),
    });
    await expect(adapter.scale("shop-ec2~nope", 1)).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("ServiceNotFoundException"),
    });
    await expect(adapter.scale("other~web", 1)).rejects.toMatchObject({ code: "not-found" });
  });

  it("surfaces AccessDeniedException with AWS's message, for scale and for polling", async () => {
    const { sim, adapter, sink } = await setup({ cluster: "shop-ec2" });
    await waitFor("first list", () => sink.connection?.status === "ok");
    sim.faults.deny("UpdateService");
    const err = await adapter.scale("shop-ec2~web", 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ code: "forbidden", message: expect.stringContaining("is not authorized to perform: ecs:UpdateService") });

    sim.faults.deny("ListTasks");
    await waitFor("degraded", () => sink.connection?.status === "degraded" && sink.connection.reason?.includes("AccessDeniedException"));
    // The last good snapshot stays.
    expect(sink.list("workloads").length).toBe(4);
    sim.faults.allow("ListTasks");
    await waitFor("ok again", () => sink.connection?.status === "ok");
  });

  it("shows each service's task definition volumes, reading each revision once", async () => {
    const { sim, sink } = await setup();
    await waitFor("reports listed", () => sink.items.workloads.get("shop-fargate~reports")?.volumes.length === 1);
    expect(sink.items.workloads.get("shop-fargate~reports")!.volumes).toEqual([
      // Scaled to zero: nothing runs, so nothing is mounted.
      {
        name: "archive",
        type: "efs",
        claim: "fs-0c2d9e4f81a7b3e56:/reports",
        capacityBytes: null,
        accessModes: ["read-write"],
        status: "unmounted",
      },
    ]);
    await waitFor("web running", () => sink.items.workloads.get("shop-ec2~web")?.ready === 4);
    expect(sink.items.workloads.get("shop-ec2~web")!.volumes).toEqual([
      { name: "uploads", type: "docker", claim: "uploads", capacityBytes: null, accessModes: ["read-only"], status: "mounted" },
      { name: "cache", type: "host", claim: null, capacityBytes: null, accessModes: ["read-write"], status: "mounted" },
    ]);
    expect(sink.items.workloads.get("shop-ec2~worker")!.volumes).toEqual([]);
    // Revisions never change: after several polls, one DescribeTaskDefinition per revision the services run.
    const polls = sim.requests.filter((r) => r.operation === "ListServices").length;
    await waitFor("four more polls", () => sim.requests.filter((r) => r.operation === "ListServices").length >= polls + 4);
    const described = sim.requests.filter((r) => r.operation === "DescribeTaskDefinition");
    const revisions = new Set([...sim.world.clusters.values()].flatMap((c) => [...c.services.values()].map((sv) => sv.taskDefinition.arn)));
    expect(described).toHaveLength(revisions.size);
  });

  it("keeps polling without volumes while IAM refuses DescribeTaskDefinition", async () => {
    const { sim, sink } = await setup({ cluster: "shop-fargate" });
    sim.faults.deny("DescribeTaskDefinition");
    await waitFor("first list", () => sink.connection?.status === "ok" && sink.items.workloads.has("shop-fargate~reports"));
    expect(sink.items.workloads.get("shop-fargate~reports")!.volumes).toEqual([]);
    const denied = sim.requests.filter((r) => r.operation === "DescribeTaskDefinition");
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((r) => r.errorType === "AccessDeniedException")).toBe(true);
    // Refused once, not asked again on every poll.
    const polls = sim.requests.filter((r) => r.operation === "ListServices").length;
    await waitFor("more polls", () => sim.requests.filter((r) => r.operation === "ListServices").length >= polls + 3);
    expect(sim.requests.filter((r) => r.operation === "DescribeTaskDefinition").length).toBe(denied.length);
    expect(sink.connection?.status).toBe("ok");
  });

  it("backs off on ThrottlingException, growing the wait, then recovers", async () => {
    const { sim, sink } = await setup({ cluster: "shop-fargate" });
    await waitFor("first list", () => sink.connection?.status === "ok");
    const from = sim.requests.length;
    sim.faults.throttle(4, ["ListServices"]);
    await waitFor("throttled", () => sink.connection?.status === "degraded" && sink.connection.reason?.includes("ThrottlingException"));
    await waitFor(
      "recovered",
      () =>
        sink.connection?.status === "ok" &&
        sim.requests.slice(from).filter((r) => r.operation === "ListServices" && r.status === 200).length > 0,
    );
    const attempts = sim.requests
      .slice(from)
      .filter((r) => r.operation === "ListServices")
      .map((r) => r.at);
    const gaps = attempts.slice(1, 5).map((t, i) => t - attempts[i]);
    expect(gaps).toHaveLength(4);
    // Never faster than the poll period while throttled, and the wait grows.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95);
    expect(gaps[3]).toBeGreaterThanOrEqual(2 * gaps[0]);
  });

  it("reports unreachable while the endpoint is down and relists after it comes back", async () => {
    const { sim, sink } = await setup({ cluster: "shop-fargate" });
    await waitFor("first list", () => sink.connection?.status === "ok");
    await sim.stop();
    await waitFor("unreachable", () => sink.connection?.status === "unreachable");
    sim.world.clusters.get("shop-fargate")!.services.get("notifications")!.desiredCount = 2;
    await sim.start();
    await waitFor(
      "relisted after reconnect",
      () => sink.connection?.status === "ok" && runningOf(sink, "shop-fargate~notifications").length === 2,
    );
  });

  it("samples usage from CloudWatch: Container Insights or percentages, and a gap stays a gap", async () => {
    const ec2 = await setup({ cluster: "shop-ec2" });
    await waitFor(
      "api running",
      () => runningOf(ec2.sink, "shop-ec2~api").length === 3 && runningOf(ec2.sink, "shop-ec2~web").length === 4,
    );
    await waitFor("usage sampled after a poll", () => ec2.sink.counts.replace > 8);
    const sample = (await ec2.adapter.sampleUsage())!;
    const apiTasks = runningOf(ec2.sink, "shop-ec2~api");
    for (const t of apiTasks) expect(sample.tasks.get(t.id)!.cpuMillis).toBeGreaterThan(0);
    const node = apiTasks[0].node!;
    const onNode = ec2.sink.list("tasks").filter((t) => t.node === node && t.state === "running");
    const sum = onNode.reduce((s, t) => s + (sample.tasks.get(t.id)?.cpuMillis ?? 0), 0);
    expect(sample.nodes.get(node)!.cpuMillis).toBeCloseTo(sum, 6);
    // Container Insights reports absolute use, which stays below what the tasks reserve.
    expect(sample.tasks.get(apiTasks[0].id)!.cpuMillis).toBeLessThan(apiTasks[0].requests.cpuMillis);
    expect(ec2.sim.requests.some((r) => r.service === "cloudwatch" && r.operation === "GetMetricData" && r.status === 200)).toBe(true);

    const fargate = await setup({ cluster: "shop-fargate" });
    await waitFor(
      "checkout running",
      () => runningOf(fargate.sink, "shop-fargate~checkout").length === 3 && runningOf(fargate.sink, "shop-fargate~payments").length === 2,
    );
    await waitFor("a poll with everything running", () => fargate.sink.counts.replace > 8);
    fargate.sim.faults.metricGaps.add("checkout");
    const gapped = (await fargate.adapter.sampleUsage())!;
    for (const t of runningOf(fargate.sink, "shop-fargate~checkout")) {
      expect(gapped.tasks.has(t.id)).toBe(false);
      expect(gapped.unavailable.tasks.get(t.id)).toMatch(/no CloudWatch datapoint for service checkout/);
    }
    const pay = runningOf(fargate.sink, "shop-fargate~payments");
    for (const t of pay) {
      const u = gapped.tasks.get(t.id)!;
      expect(u.cpuMillis).toBeGreaterThan(0);
      expect(u.memoryBytes).toBeLessThanOrEqual(t.requests.memoryBytes);
    }
    expect(gapped.nodes.size).toBe(0);

    fargate.sim.faults.throttle(1, ["GetMetricData"]);
    await expect(fargate.adapter.sampleUsage()).rejects.toMatchObject({ code: "throttled" });
  });

  it("counts replacements of crashed tasks as restarts and shows the failed task", async () => {
    const { sim, sink } = await setup({ cluster: "shop-ec2" });
    await waitFor("worker running", () => runningOf(sink, "shop-ec2~worker").length === 2);
    sim.world.clusters.get("shop-ec2")!.services.get("worker")!.crashEveryMs = 150;
    const replaced = await waitFor("a restarted worker", () => runningOf(sink, "shop-ec2~worker").find((t) => t.restarts >= 2));
    expect(replaced.restarts).toBeGreaterThanOrEqual(2);
    const failed = sink.tasksOf("shop-ec2~worker").filter((t) => t.state === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0].stateReason).toMatch(/exit code 137/);
  });

  it("follows every cluster of the account when no cluster is configured, namespaced by cluster", async () => {
    const { sink } = await setup({});
    await waitFor(
      "both clusters",
      () => runningOf(sink, "shop-ec2~web").length === 4 && runningOf(sink, "shop-fargate~checkout").length === 3,
    );
    expect(new Set(sink.list("workloads").map((w) => w.namespace))).toEqual(new Set(["shop-ec2", "shop-fargate"]));
    expect(sink.connection?.version).toBe("ECS, 2 clusters · EC2 + Fargate");
  });

  it("reports a missing cluster as degraded with AWS's reason: ECS answers, the cluster is not there", async () => {
    const { sink } = await setup({ cluster: "nope" });
    await waitFor("degraded", () => sink.connection?.status === "degraded");
    expect(sink.connection?.reason).toMatch(/nope.*MISSING/);
  });
});
