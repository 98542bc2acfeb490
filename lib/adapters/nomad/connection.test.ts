import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { upstreamError } from "./client";
import { discoverFromEnv, NomadConnectionSchema, resolveConnection } from "./connection";
import { adapterModule } from "./index";

const ENV = {
  NOMAD_ADDR: "https://nomad.example.com:4646",
  NOMAD_TOKEN: "s3cr3t-token",
  NOMAD_REGION: "eu",
  NOMAD_NAMESPACE: "payments",
  NOMAD_CACERT: "/etc/nomad/ca.pem",
  NOMAD_CLIENT_CERT: "/etc/nomad/cli.pem",
  NOMAD_CLIENT_KEY: "/etc/nomad/cli-key.pem",
};

describe("Nomad connection", () => {
  it("takes an entry without address wholly from the nomad CLI's environment", () => {
    const c = resolveConnection(NomadConnectionSchema.parse({}), ENV);
    expect(c).toMatchObject({
      address: "https://nomad.example.com:4646",
      token: "s3cr3t-token",
      region: "eu",
      namespaces: ["payments"],
      tls: {
        caCert: "/etc/nomad/ca.pem",
        clientCert: "/etc/nomad/cli.pem",
        clientKey: "/etc/nomad/cli-key.pem",
        insecureSkipVerify: false,
      },
    });
  });

  it("never sends NOMAD_TOKEN to an address it was not set for, unless tokenEnv names it", () => {
    const own = resolveConnection(NomadConnectionSchema.parse({ address: "http://other:4646/" }), ENV);
    expect(own).toMatchObject({ address: "http://other:4646", token: null, region: null, namespaces: ["*"], tls: { caCert: null } });
    const named = resolveConnection(NomadConnectionSchema.parse({ address: "http://other:4646", tokenEnv: "NOMAD_TOKEN" }), ENV);
    expect(named.token).toBe("s3cr3t-token");
  });

  it("reads namespaces as * or a list", () => {
    expect(resolveConnection({ address: "http://x:1", namespaces: "*" }, {}).namespaces).toEqual(["*"]);
    expect(resolveConnection({ address: "http://x:1", namespaces: ["a", "b", "a"] }, {}).namespaces).toEqual(["a", "b"]);
    expect(resolveConnection({ address: "http://x:1", namespaces: "a,*" }, {}).namespaces).toEqual(["*"]);
    expect(NomadConnectionSchema.safeParse({ address: "not a url" }).success).toBe(false);
  });

  it("holds no timings: those are NomadTimings, which only tests pass", () => {
    expect(NomadConnectionSchema.parse({ address: "http://x:1", resyncSeconds: 5, backoffBaseMs: 50, eventStream: false })).toEqual({
      address: "http://x:1",
      eventStream: false,
    });
  });

  it("discovers the CLI's cluster from NOMAD_ADDR without copying the token", async () => {
    expect(discoverFromEnv({})).toEqual([]);
    const found = await adapterModule.discover!({ ...process.env, ...ENV }, createLogger("test"));
    expect(found).toHaveLength(1);
    expect(found[0]?.id).toBe("nomad-nomad.example.com-4646-eu");
    expect(JSON.stringify(found)).not.toContain("s3cr3t-token");
    expect(found[0]?.connection).toMatchObject({
      address: ENV.NOMAD_ADDR,
      tokenEnv: "NOMAD_TOKEN",
      namespaces: "payments",
      tls: { caCert: ENV.NOMAD_CACERT },
    });
    expect(NomadConnectionSchema.parse(found[0]?.connection)).toEqual(found[0]?.connection);
    expect(resolveConnection(found[0]!.connection, ENV).token).toBe("s3cr3t-token");
  });
});

describe("Nomad errors", () => {
  it("tells a missing capability from a token Nomad does not know", () => {
    expect(upstreamError(403, "Permission denied", "Nomad GET /v1/jobs")).toMatchObject({
      code: "forbidden",
      message: "Nomad GET /v1/jobs: Permission denied",
    });
    expect(upstreamError(403, "ACL token not found", "Nomad GET /v1/jobs").code).toBe("unauthorized");
    // nomad/structs/errors.go; command/agent/http.go maps only "Permission denied" and "ACL token not found" to 403.
    expect(upstreamError(500, "rpc error: ACL token expired", "x").code).toBe("unauthorized");
    expect(upstreamError(403, "ACL token is invalid", "x").code).toBe("unauthorized");
    expect(upstreamError(500, "rpc error: Permission denied", "x").code).not.toBe("unauthorized");
    expect(upstreamError(404, 'job "web" not found', "x").code).toBe("not-found");
    expect(upstreamError(400, "group count was greater than scaling policy maximum: 13 > 12", "x").code).toBe("invalid");
    expect(upstreamError(500, "No path to region", "x").code).toBe("invalid");
    expect(upstreamError(502, "", "x").message).toBe("x: HTTP 502");
  });
});
