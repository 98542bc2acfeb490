import { afterEach, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { startEchoServer, failureOf, listFailure, type EchoServer } from "@/lib/testing/echo-server";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { NomadAdapter } from "./adapter";
import { adapterModule } from "./index";

/**
 * A Nomad that answers 403 with the request's headers in its body: the ACL
 * token comes back in the error text, and only the token the module
 * registered lets secrets.redact() take it out.
 */

const TOKEN = "2f6c1a9e-5b3d-4e7f-9a10-c4d8e2b6f135";

let server: EchoServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function echoingNomad(): Promise<EchoServer> {
  server = await startEchoServer((echo) => ({ status: 403, body: `Permission denied (request: ${echo})` }));
  return server;
}

function create(
  connection: Parameters<typeof adapterModule.create>[0],
  secrets: SecretSet,
  env: Record<string, string> = {},
): NomadAdapter {
  return adapterModule.create(
    { eventStream: false, ...connection },
    { clusterId: "nomad-echo", log: memoryLogger(), secrets, env },
  ) as NomadAdapter;
}

function expectRedacted(secrets: SecretSet, message: string) {
  // The upstream did echo the token: without its registration this test fails on the next expectation.
  expect(message).toContain(TOKEN);
  const redacted = secrets.redact(message);
  expect(redacted).not.toContain(TOKEN);
  expect(redacted).toContain("Permission denied");
}

describe("Nomad: an upstream that echoes the X-Nomad-Token", () => {
  it("registers the token named by tokenEnv: a failed list and a failed scale redact to no token", async () => {
    const s = await echoingNomad();
    const secrets = new SecretSet();
    const adapter = create({ address: s.url, tokenEnv: "FLEETDECK_TEST_NOMAD_TOKEN" }, secrets, { FLEETDECK_TEST_NOMAD_TOKEN: TOKEN });

    const listed = await listFailure(adapter);
    expect(listed).toMatch(/^Nomad GET \/v1\//);
    expectRedacted(secrets, listed);

    const scaled = await failureOf(() => adapter.scale("default~storefront~web", 3));
    expect(scaled).toMatch(/^Nomad POST \/v1\/job\/storefront\/scale: /);
    expectRedacted(secrets, scaled);
    expect(s.requests.every((r) => r.headers["x-nomad-token"] === TOKEN)).toBe(true);
  });

  it("registers the token of the nomad CLI's environment (NOMAD_ADDR, NOMAD_TOKEN) and of the entry itself", async () => {
    const s = await echoingNomad();
    const fromEnv = new SecretSet();
    expectRedacted(
      fromEnv,
      await failureOf(() => create({}, fromEnv, { NOMAD_ADDR: s.url, NOMAD_TOKEN: TOKEN }).scale("default~storefront~web", 2)),
    );

    const inline = new SecretSet();
    expectRedacted(inline, await failureOf(() => create({ address: s.url, token: TOKEN }, inline).scale("default~storefront~web", 2)));
  });

  it("registers nothing when there is no token", () => {
    const secrets = new SecretSet();
    create({ address: "http://127.0.0.1:1" }, secrets);
    expect(secrets.size).toBe(0);
  });
});
