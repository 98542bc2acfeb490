import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasOpenssl, makePki } from "./pki";

describe.skipIf(!hasOpenssl)("makePki", () => {
  const dirs = [mkdtempSync(path.join(tmpdir(), "fleetdeck-pki-")), mkdtempSync(path.join(tmpdir(), "fleetdeck-pki-"))];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("makes a CA, a server certificate for 127.0.0.1 and a client certificate it signed", () => {
    const files = makePki(dirs[0], { serverDnsNames: ["server.global.nomad"] });
    const cert = (f: string) => new X509Certificate(readFileSync(f));
    const ca = cert(files.ca);
    const server = cert(files.serverCert);
    const client = cert(files.clientCert);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkHost("server.global.nomad")).toBe("server.global.nomad");
    expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]); // extendedKeyUsage clientAuth

    // Another call is another CA: it did not sign the first one's certificates.
    const other = makePki(dirs[1]);
    expect(server.verify(cert(other.ca).publicKey)).toBe(false);
  });
});
