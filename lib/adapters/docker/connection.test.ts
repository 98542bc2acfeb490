import { describe, expect, it } from "vitest";

const env = (vars: Record<string, string>) => vars;
import { compareVersions } from "./client";
import { connectionFromEnv, dockerConnectionSchema, endpointOf } from "./connection";

describe("docker connection", () => {
  it("defaults to the local socket", () => {
    expect(connectionFromEnv(env({}))).toEqual({ host: "unix:///var/run/docker.sock" });
    expect(endpointOf({})).toMatchObject({ kind: "unix", socketPath: "/var/run/docker.sock" });
  });

  it("follows DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH", () => {
    const all = () => true;
    const conn = connectionFromEnv(env({ DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" }), all);
    expect(conn).toEqual({
      host: "tcp://10.0.0.5:2376",
      tls: { ca: "/certs/ca.pem", cert: "/certs/cert.pem", key: "/certs/key.pem" },
      verify: true,
    });
    expect(endpointOf(conn)).toMatchObject({ kind: "tcp", origin: "https://10.0.0.5:2376", verify: true });
    expect(connectionFromEnv(env({ DOCKER_HOST: "tcp://10.0.0.5:2375" }))).toEqual({ host: "tcp://10.0.0.5:2375" });
    expect(endpointOf({ host: "tcp://10.0.0.5:2375" })).toMatchObject({ origin: "http://10.0.0.5:2375" });
    // DOCKER_TLS without verification: client certificate, no CA.
    expect(connectionFromEnv(env({ DOCKER_HOST: "tcp://h:2376", DOCKER_TLS: "1", DOCKER_CERT_PATH: "/c" }), all)).toEqual({
      host: "tcp://h:2376",
      tls: { cert: "/c/cert.pem", key: "/c/key.pem" },
      verify: false,
    });
  });

  it("leaves out a default client certificate and key that are not there, as the Docker CLI does", () => {
    const onlyCa = (file: string) => file.endsWith("ca.pem");
    expect(connectionFromEnv(env({ DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/c" }), onlyCa)).toEqual({
      host: "tcp://h:2376",
      tls: { ca: "/c/ca.pem" },
      verify: true,
    });
  });

  it("accepts unix and tcp hosts only", () => {
    expect(dockerConnectionSchema.safeParse({ host: "tcp://docker.internal:2376", tls: { ca: "/ca.pem" } }).success).toBe(true);
    expect(dockerConnectionSchema.safeParse({ host: "ssh://me@box" }).success).toBe(false);
    expect(dockerConnectionSchema.safeParse({ host: "tcp://no-port" }).success).toBe(false);
  });

  it("compares API versions numerically", () => {
    expect(compareVersions("1.9", "1.41")).toBeLessThan(0);
    expect(compareVersions("1.44", "1.41")).toBeGreaterThan(0);
    expect(compareVersions("1.41", "1.41")).toBe(0);
  });
});
