import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { hasOpenssl, makePki, type PkiFiles } from "@/lib/testing/pki";
import { HttpEndpoint, makeDispatcher } from "./http";

if (!hasOpenssl) console.warn("[mesos TLS integration tests skipped] the openssl CLI is not installed");

describe.skipIf(!hasOpenssl)("Mesos endpoints follow their CA file", () => {
  let dir = "";
  let server: https.Server;
  let first: PkiFiles;
  let second: PkiFiles;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fleetdeck-mesos-tls-"));
    const pki = (name: string) => {
      mkdirSync(path.join(dir, name));
      return makePki(path.join(dir, name), { serverDnsNames: ["localhost"] });
    };
    [first, second] = [pki("first"), pki("second")];
    server = https.createServer({ key: readFileSync(first.serverKey), cert: readFileSync(first.serverCert) }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"version":"1.11.0"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  /** Serves another certificate; open connections are dropped, so the next request sees it. */
  function serveCertificateOf(pki: PkiFiles) {
    server.setSecureContext({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) });
    server.closeAllConnections();
  }

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a server certificate from a new CA is trusted once the CA file says so, without a restart", async () => {
    serveCertificateOf(first);
    const caFile = path.join(dir, "ca.pem");
    copyFileSync(first.ca, caFile);
    const url = `https://localhost:${(server.address() as AddressInfo).port}`;
    const endpoint = new HttpEndpoint(url, null, makeDispatcher({ caFile }), "Mesos master", 2_000);
    const version = z.object({ version: z.string() });
    expect(await endpoint.getJson("/version", version)).toEqual({ version: "1.11.0" });

    // The server's certificate is replaced by one the old CA did not sign: refused, and said so.
    serveCertificateOf(second);
    await expect(endpoint.getJson("/version", version)).rejects.toMatchObject({ code: "unreachable" });

    copyFileSync(second.ca, caFile);
    expect(await endpoint.getJson("/version", version)).toEqual({ version: "1.11.0" });
  });

  it("an unreadable CA file fails each request, naming it, until it can be read", async () => {
    serveCertificateOf(second);
    const caFile = path.join(dir, "later.pem");
    const url = `https://localhost:${(server.address() as AddressInfo).port}`;
    const endpoint = new HttpEndpoint(url, null, makeDispatcher({ caFile }), "Mesos master", 2_000);
    const version = z.object({ version: z.string() });
    await expect(endpoint.getJson("/version", version)).rejects.toThrow(/cannot read the TLS CA file .*later\.pem: ENOENT/);
    copyFileSync(second.ca, caFile);
    expect(await endpoint.getJson("/version", version)).toEqual({ version: "1.11.0" });
  });
});
