import { afterEach, describe, expect, it, vi } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { failureOf, listFailure, startEchoServer, type EchoServer } from "@/lib/testing/echo-server";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { EcsAdapter } from "./adapter";
import { EcsConnectionSchema } from "./connection";
import { adapterModule, discoverEcsClusters } from "./index";

/**
 * An ECS endpoint that answers AccessDeniedException with the request's
 * headers in the message: the SDK's SigV4 Authorization (which names the
 * access key id) and x-amz-security-token (the session token) come back in
 * the error text. Only what the adapter registered, from the connection or
 * from the SDK's resolved credential chain, lets secrets.redact() take them out.
 */

// Not shaped like an AWS key id (AKIA/ASIA...), so that only its registration, not redact()'s pattern, catches it.
const STATIC = {
  accessKeyId: "FLEETDECKTESTKEY0001",
  secretAccessKey: "st4tic/Secret+Key0123456789abcdefghijklm",
  sessionToken: "IQoJb3JpZ2luX2VjEStatic//session+token/AAAA==",
};
const CHAIN = {
  accessKeyId: "ASIAZ5EXAMPLECHAIN01",
  secretAccessKey: "ch4in/Secret+Key0123456789abcdefghijklmn",
  sessionToken: "IQoJb3JpZ2luX2VjEChain//session+token/BBBB==",
};

let server: EchoServer | null = null;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = null;
});

async function echoingEcs(): Promise<EchoServer> {
  server = await startEchoServer((echo) => ({
    status: 403,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify({ __type: "AccessDeniedException", message: `User is not authorized to perform this action (request: ${echo})` }),
  }));
  return server;
}

function create(connection: Record<string, unknown>, secrets: SecretSet): EcsAdapter {
  const parsed = EcsConnectionSchema.parse({ region: "eu-west-1", cluster: "shop", ...connection });
  return adapterModule.create(parsed, { clusterId: "ecs-echo", log: memoryLogger(), secrets, env: {} }) as EcsAdapter;
}

function expectRedacted(secrets: SecretSet, message: string, credentials: typeof STATIC) {
  // What the SDK sent did come back: without the registration this test fails below.
  expect(message).toContain("AccessDeniedException");
  expect(message).toContain(`Credential=${credentials.accessKeyId}/`);
  expect(message).toContain(credentials.sessionToken);
  const redacted = secrets.redact(message);
  for (const secret of Object.values(credentials)) expect(redacted).not.toContain(secret);
  // The secret key never goes over the wire, so it cannot be echoed; it is registered all the same.
  expect(secrets.redact(`key ${credentials.secretAccessKey} end`)).toBe("key [redacted] end");
}

describe("ECS: an endpoint that echoes the signed request's headers", () => {
  it("registers static credentials of the connection: a failed list and a failed scale redact to no credential", async () => {
    const s = await echoingEcs();
    const secrets = new SecretSet();
    const adapter = create({ endpoint: s.url, credentials: STATIC }, secrets);

    const listed = await listFailure(adapter);
    expect(listed).toMatch(/^DescribeClusters: AccessDeniedException: /);
    expectRedacted(secrets, listed, STATIC);

    const scaled = await failureOf(() => adapter.scale("shop~web", 3));
    expect(scaled).toMatch(/^UpdateService: AccessDeniedException: /);
    expectRedacted(secrets, scaled, STATIC);
  });

  it("registers what the SDK's default credential chain resolves (here from the environment)", async () => {
    const s = await echoingEcs();
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_ACCESS_KEY_ID", CHAIN.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", CHAIN.secretAccessKey);
    vi.stubEnv("AWS_SESSION_TOKEN", CHAIN.sessionToken);
    const secrets = new SecretSet();
    const adapter = create({ endpoint: s.url }, secrets);
    // Nothing is known before the chain is first resolved.
    expect(secrets.size).toBe(0);

    const scaled = await failureOf(() => adapter.scale("shop~web", 3));
    expect(scaled).toMatch(/^UpdateService: AccessDeniedException: /);
    expectRedacted(secrets, scaled, CHAIN);

    const listed = await listFailure(adapter);
    expect(listed).toMatch(/^DescribeClusters: AccessDeniedException: /);
    expectRedacted(secrets, listed, CHAIN);
  });

  it("discovery logs its failure without the chain's credentials", async () => {
    const s = await echoingEcs();
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_ACCESS_KEY_ID", CHAIN.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", CHAIN.secretAccessKey);
    vi.stubEnv("AWS_SESSION_TOKEN", CHAIN.sessionToken);
    const log = memoryLogger();
    const env = { NODE_ENV: "test", FLEETDECK_ECS_DISCOVER: "1", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_ECS: s.url } as const;
    expect(await discoverEcsClusters(env, log)).toEqual([]);
    expect(s.requests.some((r) => r.headers["x-amz-security-token"] === CHAIN.sessionToken)).toBe(true);
    const warning = log.lines.find((l) => l.startsWith("warn ECS discovery failed"));
    expect(warning).toContain("AccessDeniedException");
    for (const secret of Object.values(CHAIN)) expect(warning).not.toContain(secret);
  });
});
