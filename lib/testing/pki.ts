import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

/**
 * A throwaway PKI for the TLS integration tests, made with the openssl CLI:
 * in `dir`, a CA (ca.pem, ca-key.pem), a server certificate for 127.0.0.1
 * (server.pem, server-key.pem; subjectAltName IP:127.0.0.1 plus
 * `serverDnsNames`) and a client certificate (client.pem, client-key.pem;
 * extendedKeyUsage=clientAuth), all valid for one day. Each call makes a new
 * CA, so two directories make two CAs that did not sign each other's
 * certificates.
 */
export interface PkiFiles {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function makePki(dir: string, options: { serverDnsNames?: string[]; cnSuffix?: string } = {}): PkiFiles {
  const suffix = options.cnSuffix ?? "fleetdeck.test";
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=fleetdeck-test-ca",
  );
  const serverSan = ["IP:127.0.0.1", ...(options.serverDnsNames ?? []).map((n) => `DNS:${n}`)].join(",");
  for (const [name, ext] of [
    ["server", `subjectAltName=${serverSan}`],
    ["client", "extendedKeyUsage=clientAuth"],
  ] as const) {
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}.${suffix}`);
    writeFileSync(path.join(dir, `${name}.ext`), ext + "\n");
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
    );
  }
  const at = (f: string) => path.join(dir, f);
  return {
    ca: at("ca.pem"),
    caKey: at("ca-key.pem"),
    serverCert: at("server.pem"),
    serverKey: at("server-key.pem"),
    clientCert: at("client.pem"),
    clientKey: at("client-key.pem"),
  };
}

/** Whether the openssl CLI runs here; the TLS tests skip without it. */
export const hasOpenssl: boolean = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();
