import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@/lib/testing/recording-sink";
import { DEMO_CREDENTIALS, SimAwsError, seedDemoWorld, startEcsSim, type EcsSim } from "@/lib/sim/ecs";
import { EcsApi } from "./client";

/** The client's wire handling that polling rarely exercises: AWS error spellings, SDK retries, GetMetricData pages. */

const sims: EcsSim[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
});

async function setup(maxAttempts = 1, now?: () => number) {
  const sim = await startEcsSim({ now, timings: { provisionMs: 20, pendingMs: 20, stoppingMs: 20, tickMs: 10 }, seed: seedDemoWorld });
  sims.push(sim);
  const api = new EcsApi({ region: "eu-west-1", endpoint: sim.endpoint, credentials: DEMO_CREDENTIALS }, { maxAttempts });
  return { sim, api };
}

describe("EcsApi against the simulator", () => {
  it("maps errors whatever the spelling of __type: bare, ECS's shape id, or AWS's request layer", async () => {
    const { sim, api } = await setup();
    await expect(api.services("nope")).rejects.toMatchObject({
      code: "not-found",
      message: "ListServices: ClusterNotFoundException: Cluster not found.",
    });
    sim.faults.fail(new SimAwsError("ClusterNotFoundException", "Cluster not found.", 400, { namespace: "com.amazonaws.ecs" }));
    await expect(api.services("shop-ec2")).rejects.toMatchObject({
      code: "not-found",
      message: "ListServices: ClusterNotFoundException: Cluster not found.",
    });
    sim.faults.fail(
      new SimAwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400, {
        namespace: "com.amazon.coral.service",
      }),
    );
    await expect(api.services("shop-ec2")).rejects.toMatchObject({
      code: "unauthorized",
      message: expect.stringContaining("security token"),
    });
    sim.faults.deny("ListServices");
    await expect(api.services("shop-ec2")).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("AccessDeniedException"),
    });
  });

  it("lets the SDK retry ServerException (500) and ThrottlingException (400) before giving up", async () => {
    const { sim, api } = await setup(3);
    const from = sim.requests.length;
    sim.faults.fail(new SimAwsError("ServerException", "Service unavailable. Try again later.", 500), 1, ["ListServices"]);
    sim.faults.throttle(1, ["DescribeServices"]);
    const services = await api.services("shop-ec2");
    expect(services.map((s) => s.serviceName).sort()).toEqual(["api", "log-router", "web", "worker"]);
    const seen = sim.requests.slice(from).map((r) => `${r.operation} ${r.status}`);
    expect(seen).toEqual(["ListServices 500", "ListServices 200", "DescribeServices 400", "DescribeServices 200"]);

    sim.faults.fail(new SimAwsError("ServerException", "Service unavailable. Try again later.", 500), 3, ["ListServices"]);
    await expect(api.services("shop-ec2")).rejects.toMatchObject({ code: "upstream", message: expect.stringContaining("ServerException") });
  });

  it("follows GetMetricData's NextToken and merges each query's pages", async () => {
    // The simulator's clock runs ahead, so the last half hour has complete minutes of every running service.
    const { sim, api } = await setup(1, () => Date.now() + 30 * 60_000);
    await waitFor("web and api running", () =>
      ["web", "api"].every((name) =>
        [...sim.world.clusters.get("shop-ec2")!.tasks.values()].some((t) => t.serviceName === name && t.lastStatus === "RUNNING"),
      ),
    );
    const queries: MetricDataQuery[] = ["web", "api"].flatMap((service, i) =>
      ["CpuUtilized", "MemoryUtilized"].map((metric, j) => ({
        Id: `q${i}${j}`,
        MetricStat: {
          Metric: {
            Namespace: "ECS/ContainerInsights",
            MetricName: metric,
            Dimensions: [
              { Name: "ClusterName", Value: "shop-ec2" },
              { Name: "ServiceName", Value: service },
            ],
          },
          Period: 60,
          Stat: "Average",
        },
      })),
    );
    const end = new Date(Date.now() + 25 * 60_000);
    const start = new Date(end.getTime() - 20 * 60_000);
    const whole = await api.metricData(queries, start, end);
    expect(whole.map((r) => r.Values!.length)).toEqual([20, 20, 20, 20]);

    sim.faults.metricPageSize = 7;
    const from = sim.requests.length;
    const paged = await api.metricData(queries, start, end);
    expect(sim.requests.slice(from).filter((r) => r.operation === "GetMetricData")).toHaveLength(Math.ceil(80 / 7));
    expect(paged.map((r) => [r.Id, r.Values, r.Timestamps?.map((t) => t.getTime())])).toEqual(
      whole.map((r) => [r.Id, r.Values, r.Timestamps?.map((t) => t.getTime())]),
    );
  });
});
