import { describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { adapterModule } from "./index";
import { basicAuthHeader } from "./http";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";

const parse = (input: unknown) => adapterModule.connectionSchema.safeParse(input);

describe("mesos connection schema", () => {
  it("accepts a master, a Marathon, or both, and trims trailing slashes", () => {
    const both = parse({
      master: { url: "https://mesos.dc1.example.net:5050/", username: "ops", passwordEnv: "MESOS_PASSWORD" },
      marathon: { url: "http://marathon.dc1.example.net:8080" },
      tls: { caFile: "/etc/ssl/dc1-ca.pem" },
    });
    expect(both.success).toBe(true);
    expect(both.data?.master?.url).toBe("https://mesos.dc1.example.net:5050");
    expect(parse({ marathon: { url: "http://marathon:8080" } }).success).toBe(true);
  });

  it("refuses an entry without endpoints, other schemes, credentials in the URL, and two passwords", () => {
    expect(parse({}).error?.issues[0].message).toMatch(/master url, a marathon url, or both/);
    expect(parse({ master: { url: "ftp://mesos:5050" } }).success).toBe(false);
    expect(parse({ master: { url: "http://ops:secret@mesos:5050" } }).error?.issues[0].message).toMatch(/not in the URL/);
    expect(parse({ master: { url: "http://mesos:5050", username: "a", password: "b", passwordEnv: "C" } }).success).toBe(false);
  });

  it("builds Basic credentials from a password or an environment variable", () => {
    expect(basicAuthHeader({ username: "ops", password: "pw" }, {})).toBe("Basic " + Buffer.from("ops:pw").toString("base64"));
    expect(basicAuthHeader({ username: "ops", passwordEnv: "MESOS_PW" }, { MESOS_PW: "from-env" })).toBe(
      "Basic " + Buffer.from("ops:from-env").toString("base64"),
    );
    expect(basicAuthHeader({ password: "pw" }, {})).toBeNull();
  });

  it("reports an unreadable CA file as unreachable instead of throwing", async () => {
    const connection = adapterModule.connectionSchema.parse({
      master: { url: "https://127.0.0.1:1" },
      tls: { caFile: "/nonexistent/fleetdeck-test-ca.pem" },
    });
    const adapter = adapterModule.create(connection, { clusterId: "t", log: createLogger("test"), secrets: new SecretSet(), env: {} });
    const sink = new RecordingSink();
    const abort = new AbortController();
    const done = adapter.run(sink, abort.signal);
    const state = await waitFor("the connection state", () => sink.connection);
    expect(state.status).toBe("unreachable");
    expect(state.reason).toMatch(/cannot read the TLS CA file/);
    abort.abort();
    await expect(done).resolves.toBeUndefined();
  });
});
