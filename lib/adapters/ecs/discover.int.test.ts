import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_CREDENTIALS, seedDemoWorld, startEcsSim, type EcsSim } from "@/lib/sim/ecs";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { discoverEcsClusters } from "./index";

const warnings = (log: { lines: string[] }) => log.lines.filter((l) => l.startsWith("warn ")).join("\n");

const sims: EcsSim[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const s of sims.splice(0)) await s.close();
});

/** Next's types make NODE_ENV required on ProcessEnv; discovery reads only what is given. */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

describe("ECS discovery", () => {
  it("is off unless FLEETDECK_ECS_DISCOVER asks for it, since it calls AWS at startup", async () => {
    expect(await discoverEcsClusters(env({ AWS_REGION: "eu-west-1" }), memoryLogger())).toEqual([]);
  });

  it("answers one Fleetdeck cluster per ECS cluster of the account-region", async () => {
    const sim = await startEcsSim({ seed: seedDemoWorld });
    sims.push(sim);
    // The SDK's default chain reads credentials from the process environment.
    vi.stubEnv("AWS_ACCESS_KEY_ID", DEMO_CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", DEMO_CREDENTIALS.secretAccessKey);
    const found = await discoverEcsClusters(
      env({ FLEETDECK_ECS_DISCOVER: "1", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_ECS: sim.endpoint }),
      memoryLogger(),
    );
    expect(found.map((c) => [c.id, c.name, c.connection.cluster])).toEqual([
      ["ecs-eu-west-1-shop-ec2", "shop-ec2 (eu-west-1)", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-ec2"],
      ["ecs-eu-west-1-shop-fargate", "shop-fargate (eu-west-1)", "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-fargate"],
    ]);
    expect(found[0].connection).toMatchObject({ region: "eu-west-1", endpoint: sim.endpoint, pollIntervalSeconds: 15 });
  });

  it("logs and answers nothing when AWS refuses, instead of failing startup", async () => {
    const sim = await startEcsSim({ seed: seedDemoWorld });
    sims.push(sim);
    sim.faults.deny("ListClusters");
    vi.stubEnv("AWS_ACCESS_KEY_ID", DEMO_CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", DEMO_CREDENTIALS.secretAccessKey);
    const log = memoryLogger();
    expect(
      await discoverEcsClusters(env({ FLEETDECK_ECS_DISCOVER: "true", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: sim.endpoint }), log),
    ).toEqual([]);
    expect(warnings(log)).toContain("AccessDeniedException");
    expect(warnings(log)).not.toContain(DEMO_CREDENTIALS.secretAccessKey);
  });
});
