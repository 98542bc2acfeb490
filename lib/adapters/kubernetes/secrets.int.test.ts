/**
 * Every credential the adapter loads is registered in ctx.secrets, so an
 * upstream that echoes the request's headers into its error (a broken proxy,
 * a debug page) cannot carry them into a status line or the log.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "@/lib/log";
import { AdapterError } from "../errors";
import { REDACTED, SecretSet } from "../secrets";
import { KubeAdapter } from "./kube-adapter";

const TOKEN = "static-kubeconfig-token-7f3a9c";
const PASSWORD = "basic-password-5e1d";
const EXEC_TOKEN = "exec-plugin-issued-token-81b2";
// Any text stands in for the key: over plain http it is registered but never used.
const KEY_PEM =
  "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFakeKeyMaterialForRedactionTestsOnly0123456789abcdef\n-----END EC PRIVATE KEY-----\n";

let server: http.Server;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  // Answers everything 500 with a Status whose message is the request's headers, byte for byte.
  server = http.createServer((req, res) => {
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    const body = JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code: 500,
      message: `upstream failed; request headers were: ${headers.join("\n")}`,
    });
    res.writeHead(500, { "Content-Type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exec = {
    apiVersion: "client.authentication.k8s.io/v1",
    command: process.execPath,
    args: [
      "-e",
      `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "${EXEC_TOKEN}" } }))`,
    ],
    interactiveMode: "Never",
  };
  const users: Record<string, object> = {
    token: { token: TOKEN },
    basic: { username: "ops", password: PASSWORD },
    exec: { exec },
    key: { token: TOKEN, "client-key-data": Buffer.from(KEY_PEM).toString("base64") },
  };
  dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-kube-secrets-"));
  kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "token",
      clusters: [{ name: "echo", cluster: { server: url } }],
      users: Object.entries(users).map(([name, user]) => ({ name, user })),
      contexts: Object.keys(users).map((name) => ({ name, context: { cluster: "echo", user: name } })),
    }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function adapterFor(context: string) {
  const secrets = new SecretSet();
  const adapter = new KubeAdapter({ kubeconfig, context }, { clusterId: context, log: createLogger("test"), secrets, env: {} });
  return { adapter, secrets };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => new Error("the request did not fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdapterError);
  return (err as AdapterError).message;
}

describe("credentials registered for redaction", () => {
  it.each([
    ["token", TOKEN, `Bearer ${TOKEN}`],
    ["basic", PASSWORD, `Basic ${Buffer.from(`ops:${PASSWORD}`).toString("base64")}`],
    ["exec", EXEC_TOKEN, `Bearer ${EXEC_TOKEN}`],
  ])("%s: an error echoing the request headers redacts to no credential", async (context, secret, echoed) => {
    const { adapter, secrets } = adapterFor(context);
    // Both ways out: the scale PATCH (send) and a metrics GET (fetch).
    for (const message of [await failure(adapter.scale("deployment~default~web", 2)), await failure(adapter.sampleUsage())]) {
      // The echo reached the message, so the redaction below is what keeps it out.
      expect(message).toContain(echoed);
      const redacted = secrets.redact(message);
      expect(redacted).not.toContain(secret);
      expect(redacted).not.toContain(echoed.split(" ")[1]);
      expect(redacted).toContain("request headers were:");
    }
    // Known by value, not only by the shape of an Authorization header.
    expect(secrets.redact(`echo: ${secret}`)).toBe(`echo: ${REDACTED}`);
  });

  it("registers the kubeconfig's client key data, encoded and decoded", async () => {
    const { adapter, secrets } = adapterFor("key");
    await failure(adapter.sampleUsage());
    expect(secrets.redact(KEY_PEM)).not.toContain("FakeKeyMaterial");
    expect(secrets.redact(Buffer.from(KEY_PEM).toString("base64"))).toBe(REDACTED);
  });
});
