import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { DEFAULT_BACKOFF } from "@/lib/model/backoff";
import type { ConnectionState, SnapshotSink } from "@/lib/adapters/types";
import { seedNomadDemo, startNomadSim, type NomadSim } from "@/lib/sim/nomad";
import { hasOpenssl, makePki } from "@/lib/testing/pki";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { NomadAdapter } from "./adapter";
import { NomadConnectionSchema } from "./connection";

if (!hasOpenssl) console.warn("[nomad TLS integration tests skipped] the openssl CLI is not installed");

describe.skipIf(!hasOpenssl)("Nomad adapter over mutual TLS", () => {
  let dir = "";
  let sim: NomadSim;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fleetdeck-nomad-tls-"));
    // The server certificate also names server.global.nomad, as Nomad's own certificates do.
    makePki(dir, { serverDnsNames: ["server.global.nomad"], cnSuffix: "global.nomad" });
    const pem = (f: string) => readFileSync(path.join(dir, f));
    sim = await startNomadSim({
      tls: { key: pem("server-key.pem"), cert: pem("server.pem"), ca: pem("ca.pem") },
      tickMs: 50,
      seed: (w) => seedNomadDemo(w),
    });
  });

  afterAll(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function firstState(
    env: Record<string, string>,
    connection: Record<string, unknown> = {},
  ): Promise<{ state: ConnectionState; nodes: number }> {
    const context = { clusterId: "nomad-tls-test", log: createLogger("nomad-tls-test"), secrets: new SecretSet(), env };
    const adapter = new NomadAdapter(NomadConnectionSchema.parse(connection), context, { backoff: { ...DEFAULT_BACKOFF, baseMs: 50 } });
    const ac = new AbortController();
    let nodes = 0;
    const state = await new Promise<ConnectionState>((resolve) => {
      const sink: SnapshotSink = {
        apply(changes) {
          for (const c of changes) if (c.type === "replace" && c.resource === "nodes") nodes = c.items.length;
        },
        setConnection: resolve,
      };
      void adapter.run(sink, ac.signal);
    });
    ac.abort();
    return { state, nodes };
  }

  it("connects with the CA and client certificate from the nomad CLI's environment", async () => {
    const { state, nodes } = await firstState({
      NOMAD_ADDR: sim.url,
      NOMAD_CACERT: path.join(dir, "ca.pem"),
      NOMAD_CLIENT_CERT: path.join(dir, "client.pem"),
      NOMAD_CLIENT_KEY: path.join(dir, "client-key.pem"),
    });
    expect(state.status).toBe("ok");
    expect(nodes).toBe(4);
  });

  it("fails clearly without the CA, without a client certificate, or with a missing file", async () => {
    const noCa = await firstState(
      {},
      { address: sim.url, tls: { clientCert: path.join(dir, "client.pem"), clientKey: path.join(dir, "client-key.pem") } },
    );
    expect(noCa.state.status).toBe("unreachable");
    expect(noCa.state.reason).toMatch(/certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i);

    const noClientCert = await firstState({}, { address: sim.url, tls: { caCert: path.join(dir, "ca.pem") } });
    expect(noClientCert.state.status).toBe("unreachable");

    const missing = await firstState({}, { address: sim.url, tls: { caCert: path.join(dir, "nope.pem") } });
    expect(missing.state.reason).toContain("cannot read the Nomad CA file");
  });

  /** An adapter trusting the CA in caFile (followed as it changes), with the sim's client certificate. */
  function followWithCa(caFile: string, clusterId: string) {
    const adapter = new NomadAdapter(
      NomadConnectionSchema.parse({
        address: sim.url,
        tls: { caCert: caFile, clientCert: path.join(dir, "client.pem"), clientKey: path.join(dir, "client-key.pem") },
      }),
      { clusterId, log: createLogger("nomad-tls-test"), secrets: new SecretSet(), env: {} },
      { backoff: { baseMs: 50, maxMs: 300 } },
    );
    const sink = new RecordingSink();
    const ac = new AbortController();
    const done = adapter.run(sink, ac.signal);
    return {
      sink,
      stop: async () => {
        ac.abort();
        await done;
      },
    };
  }

  it("follows a CA file rotated in place, without a restart", async () => {
    const other = mkdtempSync(path.join(tmpdir(), "fleetdeck-nomad-tls-other-"));
    try {
      makePki(other, { cnSuffix: "other.nomad" });
      const caFile = path.join(other, "trusted-ca.pem");
      // First the wrong CA: the sim's certificate does not verify.
      copyFileSync(path.join(other, "ca.pem"), caFile);
      const { sink, stop } = followWithCa(caFile, "nomad-rotate");
      await waitFor("unreachable with the wrong CA", () => sink.connection?.status === "unreachable");
      // The right CA written beside and renamed over, as certificate managers do.
      copyFileSync(path.join(dir, "ca.pem"), `${caFile}.new`);
      renameSync(`${caFile}.new`, caFile);
      await waitFor("ok with the rotated CA", () => sink.connection?.status === "ok", 15_000);
      await stop();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("a server certificate re-issued by a new CA: unreachable, and why, until the CA file follows; then back without a restart", async () => {
    const other = mkdtempSync(path.join(tmpdir(), "fleetdeck-nomad-tls-reissued-"));
    const pem = (d: string, f: string) => readFileSync(path.join(d, f));
    try {
      makePki(other, { serverDnsNames: ["server.global.nomad"], cnSuffix: "global.nomad" });
      const caFile = path.join(other, "trusted-ca.pem");
      copyFileSync(path.join(dir, "ca.pem"), caFile);
      const { sink, stop } = followWithCa(caFile, "nomad-reissued");
      await waitFor("ok", () => sink.connection?.status === "ok");

      // Client certificates are still checked against the first CA; only the server's own certificate changes.
      sim.setCertificate({ key: pem(other, "server-key.pem"), cert: pem(other, "server.pem") });
      await waitFor("unreachable with the old CA", () => sink.connection?.status === "unreachable");
      expect(sink.connection?.reason).toMatch(/certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i);

      copyFileSync(path.join(other, "ca.pem"), `${caFile}.new`);
      renameSync(`${caFile}.new`, caFile);
      await waitFor("ok with the new CA", () => sink.connection?.status === "ok", 15_000);
      await stop();
    } finally {
      sim.setCertificate({ key: pem(dir, "server-key.pem"), cert: pem(dir, "server.pem") });
      rmSync(other, { recursive: true, force: true });
    }
  });
});
