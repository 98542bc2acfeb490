import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { adapterModule } from "@/lib/adapters/ecs";
import { createLogger } from "@/lib/log";
import { waitFor } from "@/lib/testing/recording-sink";
import { DEMO_CREDENTIALS, startEcsDemo, startEcsSim, type EcsSim } from "./index";

const sims: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function manyServices(): Promise<EcsSim> {
  const sim = await startEcsSim({
    timings: { provisionMs: 30, pendingMs: 30, stoppingMs: 30, tickMs: 10 },
    seed: (world) => {
      const c = world.addCluster("c1", { capacityProviders: ["FARGATE"] });
      const td = world.taskDefinition("app", 1, { cpu: 256, memory: 512, containers: [{ name: "app", image: "app:1", port: null }] });
      for (let i = 0; i < 12; i++) world.addService(c, { name: `s${String(i).padStart(2, "0")}`, desiredCount: 1, taskDefinition: td, launchType: "FARGATE" });
    },
  });
  sims.push(sim);
  return sim;
}

const client = (sim: EcsSim) => new ECSClient({ endpoint: sim.endpoint, region: "eu-west-1", credentials: DEMO_CREDENTIALS, maxAttempts: 1 });

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
      headers: { authorization: "AWS4-HMAC-SHA256 garbage", "x-amz-date": "20261126T000000Z", "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters" },
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
    await expect(ecs.send(new DescribeServicesCommand({ cluster: "c1", services: all.slice(0, 11) }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const ten = await ecs.send(new DescribeServicesCommand({ cluster: "c1", services: [...all.slice(0, 9), "missing"] }));
    expect(ten.services).toHaveLength(9);
    expect(ten.failures).toEqual([{ arn: "arn:aws:ecs:eu-west-1:123456789012:service/c1/missing", reason: "MISSING" }]);

    await expect(ecs.send(new ListTasksCommand({ cluster: "c1", maxResults: 101 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(ecs.send(new ListServicesCommand({ cluster: "c1", nextToken: "bogus" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toMatchObject({ name: "ClusterNotFoundException", message: "Cluster not found." });
    const tooMany = Array.from({ length: 101 }, (_, i) => `t${i}`);
    await expect(ecs.send(new DescribeTasksCommand({ cluster: "c1", tasks: tooMany }))).rejects.toMatchObject({ name: "InvalidParameterException" });
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
    const adapter = adapterModule.create(connection, { clusterId: demo.clusters[1].id, log: createLogger("test") });
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
      await waitFor("a replace of the 4 workloads", () => seen.includes("workloads:4"));
    } finally {
      abort.abort();
      await done;
    }
    expect(seen).toContain("workloads:4");
    expect(seen).toContain("nodes:0");
  });
});
