import { afterEach, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { failureOf, listFailure, startEchoServer, type EchoServer } from "@/lib/testing/echo-server";
import { memoryLogger } from "@/lib/testing/memory-logger";
import type { MesosAdapter } from "./adapter";
import { adapterModule } from "./index";

/**
 * A Mesos master and a Marathon that answer 403 with the request's headers in
 * the body: their basic auth comes back as base64(user:password), which only
 * the credentials the module registered let secrets.redact() take out.
 */

const MARATHON_PASSWORD = "m4rathon-Pa55word";
const MASTER_PASSWORD = "ma5ter-Secret!";
const b64 = (s: string) => Buffer.from(s).toString("base64");

const servers: EchoServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function echoing(what: string): Promise<EchoServer> {
  const s = await startEchoServer((echo) => ({ status: 403, body: `${what}: access denied for ${echo}` }));
  servers.push(s);
  return s;
}

/** The environment passwordEnv is read from. */
const env = { FLEETDECK_TEST_MARATHON_PASSWORD: MARATHON_PASSWORD };

function create(connection: Parameters<typeof adapterModule.create>[0], secrets: SecretSet): MesosAdapter {
  return adapterModule.create(connection, { clusterId: "mesos-echo", log: memoryLogger(), secrets, env }) as MesosAdapter;
}

function expectRedacted(secrets: SecretSet, message: string, username: string, password: string) {
  const basic = b64(`${username}:${password}`);
  // The upstream did echo the credentials: without their registration this test fails below.
  expect(message).toContain(basic);
  const redacted = secrets.redact(message);
  expect(redacted).not.toContain(basic);
  expect(redacted).not.toContain(password);
  expect(redacted).toContain("access denied");
  // Echoed in the clear too (an upstream that decodes the header), the password is still caught.
  expect(secrets.redact(`${message} ${username}:${password} ${password}`)).not.toContain(password);
}

describe("Mesos and Marathon: upstreams that echo the basic auth header", () => {
  it("registers Marathon's username and passwordEnv password: a failed list and a failed scale redact to no credential", async () => {
    const marathon = await echoing("Marathon");
    const secrets = new SecretSet();
    const adapter = create({ marathon: { url: marathon.url, username: "ops", passwordEnv: "FLEETDECK_TEST_MARATHON_PASSWORD" } }, secrets);

    const listed = await listFailure(adapter);
    expect(listed).toMatch(/^Marathon: /);
    expectRedacted(secrets, listed, "ops", MARATHON_PASSWORD);

    const scaled = await failureOf(() => adapter.scale("app~shop~web", 4));
    expect(scaled).toMatch(/^Marathon: .*\(HTTP 403\)$/);
    expectRedacted(secrets, scaled, "ops", MARATHON_PASSWORD);
    expect(marathon.requests.every((r) => r.headers.authorization === `Basic ${b64(`ops:${MARATHON_PASSWORD}`)}`)).toBe(true);
  });

  it("registers the master's inline password (also sent to the agents) beside Marathon's", async () => {
    const master = await echoing("Mesos master");
    const marathon = await echoing("Marathon");
    const secrets = new SecretSet();
    const adapter = create(
      {
        master: { url: master.url, username: "mesos-ro", password: MASTER_PASSWORD },
        marathon: { url: marathon.url, username: "ops", passwordEnv: "FLEETDECK_TEST_MARATHON_PASSWORD" },
      },
      secrets,
    );
    // Both sources fail; the reason joins both messages.
    const reason = await listFailure(adapter);
    expect(reason).toContain("Mesos master: ");
    expect(reason).toContain("Marathon: ");
    expectRedacted(secrets, reason, "mesos-ro", MASTER_PASSWORD);
    expectRedacted(secrets, reason, "ops", MARATHON_PASSWORD);
  });
});
