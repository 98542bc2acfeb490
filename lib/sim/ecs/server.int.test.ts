import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { adapterModule } from "@/lib/adapters/ecs";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { waitFor } from "@/lib/testing/recording-sink";
import { DEMO_CREDENTIALS, SimAwsError, startEcsDemo, startEcsSim, type EcsSim } from "./index";

const sims: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function manyServices(now?: () => number): Promise<EcsSim> {
  const sim = await startEcsSim({
    now,
    timings: { provisionMs: 30, pendingMs: 30, stoppingMs: 30, tickMs: 10 },
    seed: (world) => {
      const c = world.addCluster("c1", { capacityProviders: ["FARGATE"] });
      const td = world.taskDefinition("app", 1, { cpu: 256, memory: 512, containers: [{ name: "app", image: "app:1", port: null }] });
      for (let i = 0; i < 12; i++)
        world.addService(c, { name: `s${String(i).padStart(2, "0")}`, desiredCount: 1, taskDefinition: td, launchType: "FARGATE" });
    },
  });
  sims.push(sim);
  return sim;
}

const client = (sim: EcsSim) =>
  new ECSClient({ endpoint: sim.endpoint, region: "eu-west-1", credentials: DEMO_CREDENTIALS, maxAttempts: 1 });
const cloudwatch = (sim: EcsSim, maxAttempts = 1) =>
  new CloudWatchClient({ endpoint: sim.endpoint, region: "eu-west-1", credentials: DEMO_CREDENTIALS, maxAttempts });
const signedHeaders = {
  authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
  "x-amz-date": "20261126T000000Z",
};
const cpuQuery = (id: string, service: string): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [
        { Name: "ClusterName", Value: "c1" },
        { Name: "ServiceName", Value: service },
      ],
    },
    Period: 60,
    Stat: "Average",
  },
});

describe("ECS simulator wire protocol", () => {
  it("answers AWS JSON 1.1 to the SDK and rejects a request without a signature as AWS does", async () => {
    const sim = await manyServices();
    const unsigned = await fetch(sim.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters" },
      body: "{}",
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await unsigned.json()).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });

    const malformed = await fetch(sim.endpoint, {
      method: "POST",
      headers: {
        authorization: "AWS4-HMAC-SHA256 garbage",
        "x-amz-date": "20261126T000000Z",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
      },
      body: "{}",
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).__type).toBe("IncompleteSignatureException");
  });

  it("pages ListServices 10 at a time by default and enforces the Describe limits", async () => {
    const sim = await manyServices();
    const ecs = client(sim);
    const first = await ecs.send(new ListServicesCommand({ cluster: "c1" }));
    expect(first.serviceArns).toHaveLength(10);
    expect(first.nextToken).toBeTruthy();
    const second = await ecs.send(new ListServicesCommand({ cluster: "c1", nextToken: first.nextToken }));
    expect(second.serviceArns).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();

    const all = [...first.serviceArns!, ...second.serviceArns!];
    await expect(ecs.send(new DescribeServicesCommand({ cluster: "c1", services: all.slice(0, 11) }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    const ten = await ecs.send(new DescribeServicesCommand({ cluster: "c1", services: [...all.slice(0, 9), "missing"] }));
    expect(ten.services).toHaveLength(9);
    expect(ten.failures).toEqual([{ arn: "arn:aws:ecs:eu-west-1:123456789012:service/c1/missing", reason: "MISSING" }]);

    await expect(ecs.send(new ListTasksCommand({ cluster: "c1", maxResults: 101 }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(ecs.send(new ListServicesCommand({ cluster: "c1", nextToken: "bogus" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
      message: "Cluster not found.",
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => `t${i}`);
    await expect(ecs.send(new DescribeTasksCommand({ cluster: "c1", tasks: tooMany }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("answers ECS errors with the bare __type and the status AWS's model gives them", async () => {
    const sim = await manyServices();
    const ecs = client(sim);
    sim.faults.deny("ListClusters");
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining("is not authorized to perform: ecs:ListClusters"),
    });
    sim.faults.allow("ListClusters");
    await expect(ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
      $metadata: { httpStatusCode: 400 },
    });
    sim.faults.throttle(1);
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    // A shape-id __type (as AWS's request layer writes its own errors) reaches the SDK by its last part.
    sim.faults.fail(
      new SimAwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400, {
        namespace: "com.amazon.coral.service",
      }),
    );
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    const raw = await fetch(sim.endpoint, {
      method: "POST",
      headers: {
        ...signedHeaders,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListServices",
      },
      body: JSON.stringify({ cluster: "nope" }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ __type: "ClusterNotFoundException", message: "Cluster not found." });
  });

  it("filters ListTasks as ECS does: PENDING lists nothing, startedBy stands alone", async () => {
    const sim = await manyServices();
    const ecs = client(sim);
    expect((await ecs.send(new ListTasksCommand({ cluster: "c1" }))).taskArns).toHaveLength(12);
    expect((await ecs.send(new ListTasksCommand({ cluster: "c1", desiredStatus: "PENDING" }))).taskArns).toEqual([]);
    expect((await ecs.send(new ListTasksCommand({ cluster: "c1", family: "app", launchType: "FARGATE" }))).taskArns).toHaveLength(12);
    expect((await ecs.send(new ListTasksCommand({ cluster: "c1", family: "other" }))).taskArns).toEqual([]);
    await expect(ecs.send(new ListTasksCommand({ cluster: "c1", startedBy: "x", serviceName: "s00" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("speaks CloudWatch's query-compatible JSON 1.0: shape-id __type, x-amzn-query-error, paging by MaxDatapoints", async () => {
    // The simulator's clock runs 20 minutes ahead, so the window below holds about 30 complete minutes.
    const sim = await manyServices(() => Date.now() + 20 * 60_000);
    const cw = cloudwatch(sim);
    const end = new Date(Date.now() + 10 * 60_000);
    const start = new Date(end.getTime() - 30 * 60_000);
    const queries = ["s00", "s01", "s02"].map((name, i) => cpuQuery(`cpu${i}`, name));
    await waitFor("three running services", () =>
      ["s00", "s01", "s02"].every((name) =>
        [...sim.world.clusters.get("c1")!.tasks.values()].some((t) => t.serviceName === name && t.lastStatus === "RUNNING"),
      ),
    );
    const whole = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end }));
    expect(whole.NextToken).toBeUndefined();
    const counts = whole.MetricDataResults!.map((r) => r.Values!.length);
    expect(counts.every((n) => n > 5)).toBe(true);
    expect(whole.MetricDataResults!.every((r) => r.StatusCode === "Complete")).toBe(true);

    const merged = new Map<string, number[]>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, MaxDatapoints: 4, NextToken: nextToken }),
      );
      pages += 1;
      for (const r of page.MetricDataResults!) merged.set(r.Id!, [...(merged.get(r.Id!) ?? []), ...r.Values!]);
      expect(page.MetricDataResults!.reduce((n, r) => n + r.Values!.length, 0)).toBeLessThanOrEqual(4);
      if (page.NextToken) expect(page.MetricDataResults!.some((r) => r.StatusCode === "PartialData")).toBe(true);
      nextToken = page.NextToken;
    } while (nextToken);
    expect(pages).toBe(Math.ceil(counts.reduce((a, b) => a + b, 0) / 4));
    expect([...merged.values()]).toEqual(whole.MetricDataResults!.map((r) => r.Values));

    await expect(
      cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: "bogus" })),
    ).rejects.toMatchObject({
      name: "InvalidNextToken",
    });
    await expect(
      cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: [{ ...cpuQuery("cpu0", "s00"), MetricStat: { ...cpuQuery("cpu0", "s00").MetricStat!, Period: 45 } }],
          StartTime: start,
          EndTime: end,
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException", $metadata: { httpStatusCode: 400 } });
    const raw = await fetch(sim.endpoint, {
      method: "POST",
      headers: {
        ...signedHeaders,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "GraniteServiceVersion20100801.GetMetricData",
      },
      body: JSON.stringify({ MetricDataQueries: queries, StartTime: end.getTime() / 1000, EndTime: start.getTime() / 1000 }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect((await raw.json()).__type).toBe("com.amazonaws.cloudwatch#InvalidParameterValueException");

    // Throttling is named by its query code, and the SDK retries it.
    sim.faults.throttle(1, ["GetMetricData"]);
    await expect(cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end }))).rejects.toMatchObject({
      name: "Throttling",
    });
    sim.faults.throttle(1, ["GetMetricData"]);
    const retried = await cloudwatch(sim, 3).send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end }));
    expect(retried.MetricDataResults).toHaveLength(3);
    expect(retried.$metadata.attempts).toBe(2);
  });

  it("moves a new task through PROVISIONING, PENDING and RUNNING, and a stopped one through STOPPING", async () => {
    let clock = 1_800_000_000_000;
    const sim = await startEcsSim({
      now: () => clock,
      timings: { provisionMs: 1000, pendingMs: 2000, stoppingMs: 1000 },
      seed: (world) => {
        const c = world.addCluster("c1", { capacityProviders: ["FARGATE"] });
        const td = world.taskDefinition("app", 1, { cpu: 256, memory: 512, containers: [{ name: "app", image: "app:1", port: null }] });
        world.addService(c, { name: "s", desiredCount: 1, taskDefinition: td, launchType: "FARGATE" });
      },
    });
    sims.push(sim);
    const ecs = client(sim);
    const status = async (desiredStatus: "RUNNING" | "STOPPED" = "RUNNING") => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: "c1", serviceName: "s", desiredStatus }))).taskArns!;
      const described = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: "c1", tasks: arns }))).tasks! : [];
      return described.map((t) => t.lastStatus).join(",");
    };
    expect(await status()).toBe("PROVISIONING");
    clock += 1000;
    expect(await status()).toBe("PENDING");
    clock += 1999;
    expect(await status()).toBe("PENDING");
    clock += 1;
    expect(await status()).toBe("RUNNING");
    sim.world.clusters.get("c1")!.services.get("s")!.desiredCount = 0;
    expect(await status("STOPPED")).toBe("STOPPING");
    clock += 1000;
    expect(await status("STOPPED")).toBe("STOPPED");
    expect(await status()).toBe("");
  });

  it("starts the demo: clusters whose connections parse and which the real adapter lists", async () => {
    const demo = await startEcsDemo({ dataDir: "/nonexistent", host: "127.0.0.1" });
    sims.push(demo);
    expect(demo.clusters.map((c) => c.id)).toEqual(["ecs-shop-ec2", "ecs-shop-fargate"]);
    const connection = adapterModule.connectionSchema.parse(demo.clusters[1].connection);
    const adapter = adapterModule.create(connection, {
      clusterId: demo.clusters[1].id,
      log: createLogger("test"),
      secrets: new SecretSet(),
      env: process.env,
    });
    const abort = new AbortController();
    const seen: string[] = [];
    const done = adapter.run(
      {
        apply: (changes) => changes.forEach((c) => c.type === "replace" && seen.push(`${c.resource}:${c.items.length}`)),
        setConnection: () => {},
      },
      abort.signal,
    );
    try {
      await waitFor("a replace of the 5 workloads", () => seen.includes("workloads:5"));
    } finally {
      abort.abort();
      await done;
    }
    expect(seen).toContain("workloads:5");
    expect(seen).toContain("nodes:0");
  });
});
