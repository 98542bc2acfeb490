import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterAdapter, ConnectionState } from "@/lib/adapters/types";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { hasOpenssl, makePki, type PkiFiles } from "@/lib/testing/pki";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { endpointOf } from "./connection";
import {
  checkEngine,
  clusterIdentity,
  connectionFromEnv,
  dockerAdapterModule,
  probeEngine,
  StandaloneDockerAdapter,
  SwarmAdapter,
  swarmAdapterModule,
  type DockerConnection,
} from "./index";
import { ENGINE_POLL_MS, ENGINE_WAIT_MS, engineConnection, engineForTests, testContext } from "./int-support";
import { hostNodeId } from "./standalone-mappers";

/**
 * The Docker adapter's tcp:// + mutual-TLS path against the real engine of
 * ../shared/tools/docker-swarm.sh. That script starts dockerd on its unix
 * socket only and dockerd itself is not reconfigured here (no --tlsverify, no
 * tcp listener: the other integration tests restart it the script's way), so
 * this file puts a Node `tls.createServer` with requestCert and
 * rejectUnauthorized on 127.0.0.1 in front of it and pipes each accepted
 * connection to the engine's own address. The TLS handshake is therefore
 * Node's (OpenSSL's), not Go's; everything behind it (/_ping, /info, /nodes,
 * /events, ...) is the real engine. The certificates come from a throwaway
 * PKI made with the openssl CLI.
 *
 * docker.int.test.ts stops and restarts the engine in its last test and may
 * do so while this file runs: the tests that expect a connection wait for it
 * (up to ENGINE_WAIT_MS); the failures asserted here happen in the handshake,
 * before the engine is involved.
 */

const { probe, skipReason } = await engineForTests();
const upstream = endpointOf(engineConnection);
const tlsSkip = !hasOpenssl
  ? "the openssl CLI is not installed"
  : upstream.kind === "tcp" && upstream.tls
    ? `the engine at ${engineConnection.host} is itself behind TLS; this test fronts a plain engine (unix socket or tcp without TLS)`
    : null;
if (probe && tlsSkip) console.warn(`[docker TLS integration tests skipped] ${tlsSkip}`);

describe.runIf(!probe && process.env.CI === "true")("docker engine for the TLS tests (CI)", () => {
  it("answers: CI must start one with ../shared/tools/docker-swarm.sh up", () => {
    throw new Error(`no Docker engine answers at ${engineConnection.host}`);
  });
});

/** A mutual-TLS endpoint on 127.0.0.1 whose connections are piped to the engine. */
interface TlsFront {
  /** tcp://127.0.0.1:<port> */
  host: string;
  /** CN of each client certificate the front accepted. */
  accepted: string[];
  /** Codes of the handshakes it refused (tlsClientError). */
  refused: string[];
  close(): Promise<void>;
}

async function startTlsFront(pki: PkiFiles, options: { maxVersion?: tls.SecureVersion } = {}): Promise<TlsFront> {
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  };
  const accepted: string[] = [];
  const refused: string[] = [];
  const server = tls.createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: options.maxVersion,
    },
    (client) => {
      accepted.push(String(client.getPeerCertificate().subject?.CN));
      const engine =
        upstream.kind === "unix"
          ? net.connect({ path: upstream.socketPath })
          : net.connect({ host: new URL(upstream.origin).hostname.replace(/^\[|\]$/g, ""), port: Number(new URL(upstream.origin).port) });
      track(client);
      track(engine);
      client.pipe(engine).pipe(client);
      client.on("error", () => engine.destroy());
      engine.on("error", () => client.destroy());
      client.on("close", () => engine.destroy());
      engine.on("close", () => client.destroy());
    },
  );
  server.on("tlsClientError", (err: NodeJS.ErrnoException) => refused.push(err.code ?? err.message));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    accepted,
    refused,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!probe || skipReason !== null || tlsSkip !== null)(
  "docker adapter over tcp:// with mutual TLS (Node TLS front, real engine)",
  () => {
    // This body also runs (to collect the skipped tests) when no engine answers: read the probe in the tests only.
    const engine = () => probe!;
    const mode = probe?.mode ?? "docker";
    const adapterModule = mode === "swarm" ? swarmAdapterModule : dockerAdapterModule;
    let dir = "";
    let pki: PkiFiles;
    /** A second CA, with its own server and client certificates, that the front does not trust. */
    let stranger: PkiFiles;
    let front: TlsFront;
    /** The same front limited to TLS 1.2, where a refused client certificate fails the handshake itself. */
    let front12: TlsFront;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "fleetdeck-docker-tls-"));
      const sub = (name: string) => {
        const d = path.join(dir, name);
        mkdirSync(d);
        return d;
      };
      pki = makePki(sub("pki"));
      stranger = makePki(sub("stranger"));
      front = await startTlsFront(pki);
      front12 = await startTlsFront(pki, { maxVersion: "TLSv1.2" });
    });

    afterAll(async () => {
      await front?.close();
      await front12?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** A DOCKER_CERT_PATH directory laid out as the Docker CLI expects (ca.pem, cert.pem, key.pem). */
    function certPath(name: string, files: { ca?: string; cert?: string; key?: string }): string {
      const d = path.join(dir, name);
      mkdirSync(d);
      if (files.ca) copyFileSync(files.ca, path.join(d, "ca.pem"));
      if (files.cert) copyFileSync(files.cert, path.join(d, "cert.pem"));
      if (files.key) copyFileSync(files.key, path.join(d, "key.pem"));
      return d;
    }

    /**
     * Runs an adapter until `done` holds for its sink, then stops it; the run
     * must end without throwing. The sink keeps every connection state.
     */
    async function runAdapter(adapter: ClusterAdapter, done: (sink: RecordingSink) => boolean, what: string): Promise<RecordingSink> {
      const sink = new RecordingSink();
      const stop = new AbortController();
      const running = adapter.run(sink, stop.signal);
      try {
        await waitFor(what, () => done(sink), ENGINE_WAIT_MS, ENGINE_POLL_MS);
      } finally {
        stop.abort();
        await expect(running).resolves.toBeUndefined();
      }
      return sink;
    }

    const newAdapter = (connection: DockerConnection) => {
      const Adapter = mode === "swarm" ? SwarmAdapter : StandaloneDockerAdapter;
      return new Adapter(connection, testContext("docker-tls-int", memoryLogger()), {
        backoff: { baseMs: 50, maxMs: 500 },
        resyncMs: 600_000,
      });
    };

    /** Until the adapter lists over TLS: ok, the engine's version, its node. */
    const connected = (sink: RecordingSink) => sink.connection?.status === "ok" && sink.items.nodes.size > 0;

    function expectConnected(sink: RecordingSink) {
      const { info } = engine();
      expect(sink.connection).toEqual({ status: "ok", reason: null, version: info.ServerVersion });
      // The engine's own node: the swarm node id, or the host node of a standalone engine.
      expect(sink.list("nodes").map((n) => n.id)).toContain(mode === "swarm" ? info.Swarm?.NodeID : hostNodeId(info));
    }

    /** The first state an adapter reports for a connection that must fail. */
    async function firstFailure(connection: DockerConnection): Promise<ConnectionState> {
      const sink = await runAdapter(newAdapter(connection), (s) => s.connection !== null, "the adapter's first connection state");
      return sink.connections[0];
    }

    it("probes the engine and lists it through a tcp:// connection with tls { ca, cert, key } files", async () => {
      const connection: DockerConnection = { host: front.host, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } };
      expect(endpointOf(connection)).toMatchObject({ kind: "tcp", origin: front.host.replace("tcp://", "https://"), verify: true });

      const probed = await waitFor("the engine to answer over TLS", () => probeEngine(connection, 1500), ENGINE_WAIT_MS, ENGINE_POLL_MS);
      expect(probed.mode).toBe(mode);
      expect(probed.info.ServerVersion).toBe(engine().info.ServerVersion);
      expect(probed.info.ID).toBe(engine().info.ID);
      expect(await checkEngine(connection, 1500)).toMatchObject({ failure: null });

      const sink = await runAdapter(newAdapter(connection), connected, "the adapter to list over TLS");
      expectConnected(sink);
      // It went through the mutual-TLS front, with the test's client certificate.
      expect(front.accepted).toContain("client.fleetdeck.test");
    });

    it("discovers and lists the engine from DOCKER_HOST=tcp://, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH", async () => {
      const certDir = certPath("env-verify", { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
      const env = { DOCKER_HOST: front.host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certDir };
      const connection = connectionFromEnv(env);
      expect(connection).toEqual({
        host: front.host,
        tls: { ca: path.join(certDir, "ca.pem"), cert: path.join(certDir, "cert.pem"), key: path.join(certDir, "key.pem") },
        verify: true,
      });

      const log = memoryLogger();
      const [found] = await waitFor(
        "discovery over TLS",
        async () => {
          const clusters = await dockerAdapterModule.discover(env, log);
          return clusters.length ? clusters : null;
        },
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      // An engine named by DOCKER_HOST was asked for: not ambient.
      expect(found).toEqual({ ...clusterIdentity(engine()), orchestrator: adapterModule.orchestrator, connection, ambient: false });

      const adapter = adapterModule.create(found.connection, testContext(found.id, memoryLogger()));
      expectConnected(await runAdapter(adapter, connected, "the discovered adapter to list over TLS"));
    });

    it("with DOCKER_TLS=1 and no DOCKER_TLS_VERIFY, connects with the client certificate and does not verify the engine", async () => {
      // ca.pem here is a CA that did not sign the front's certificate: without verification it is not even read.
      const certDir = certPath("env-tls-only", { ca: stranger.ca, cert: pki.clientCert, key: pki.clientKey });
      const env = { DOCKER_HOST: front.host, DOCKER_TLS: "1", DOCKER_CERT_PATH: certDir };
      const connection = connectionFromEnv(env);
      expect(connection).toEqual({
        host: front.host,
        tls: { cert: path.join(certDir, "cert.pem"), key: path.join(certDir, "key.pem") },
        verify: false,
      });

      const probed = await waitFor(
        "the engine to answer over unverified TLS",
        () => probeEngine(connection, 1500),
        ENGINE_WAIT_MS,
        ENGINE_POLL_MS,
      );
      expect(probed.mode).toBe(mode);
      expectConnected(await runAdapter(newAdapter(connection), connected, "the adapter to list over unverified TLS"));

      // The same directory with DOCKER_TLS_VERIFY=1 does verify, against that CA, and fails.
      const verified = connectionFromEnv({ ...env, DOCKER_TLS_VERIFY: "1" });
      const state = await firstFailure(verified);
      expect(state.status).toBe("unreachable");
      expect(state.reason).toContain("TLS certificate is not trusted");
      expect(state.reason).toContain(`was it signed by the CA in ${path.join(certDir, "ca.pem")}?`);

      // And DOCKER_TLS_VERIFY=1 with no ca.pem in DOCKER_CERT_PATH says which file is missing.
      const noCaDir = certPath("env-no-ca", { cert: pki.clientCert, key: pki.clientKey });
      const missing = await firstFailure(connectionFromEnv({ DOCKER_HOST: front.host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: noCaDir }));
      expect(missing.status).toBe("unreachable");
      expect(missing.reason).toBe(`cannot read the TLS CA file ${path.join(noCaDir, "ca.pem")}: ENOENT`);
    });

    it("without a client certificate fails with a reason that says so (TLS 1.3 and TLS 1.2), not a crash", async () => {
      const connection: DockerConnection = { host: front.host, tls: { ca: pki.ca } };
      const refusedBefore = front.refused.length;
      expect(await probeEngine(connection, 1500)).toBeNull();
      const checked = await checkEngine(connection, 1500);
      expect(checked.probe).toBeNull();
      // TLS 1.3: the client finishes its side of the handshake, the front refuses it afterwards and closes.
      expect(checked.failure).toBe(
        `Docker Engine at ${front.host}: the engine closed the TLS connection without answering; ` +
          "the engine most likely requires a client certificate, and none is configured (tls.cert and tls.key, or cert.pem and key.pem in DOCKER_CERT_PATH)",
      );
      expect(front.refused.slice(refusedBefore)).toContain("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE");

      const state = await firstFailure(connection);
      expect(state).toEqual({ status: "unreachable", reason: checked.failure, version: null });

      // TLS 1.2: the handshake itself fails with an alert.
      const state12 = await firstFailure({ host: front12.host, tls: { ca: pki.ca } });
      expect(state12.status).toBe("unreachable");
      expect(state12.reason).toMatch(
        /^Docker Engine at tcp:\/\/127\.0\.0\.1:\d+: the TLS handshake failed: .*handshake failure \(ERR_SSL_[A-Z_/]+\); the engine most likely requires a client certificate, and none is configured/,
      );
    });

    it("with a client certificate from a CA the engine does not trust fails naming that certificate", async () => {
      const connection: DockerConnection = { host: front.host, tls: { ca: pki.ca, cert: stranger.clientCert, key: stranger.clientKey } };
      const state = await firstFailure(connection);
      expect(state.status).toBe("unreachable");
      expect(state.reason).toContain(`the engine most likely did not accept the client certificate ${stranger.clientCert}`);
    });

    it("with a CA that did not sign the engine's certificate fails with a certificate error naming the CA file", async () => {
      const connection: DockerConnection = { host: front.host, tls: { ca: stranger.ca, cert: pki.clientCert, key: pki.clientKey } };
      expect(await probeEngine(connection, 1500)).toBeNull();
      const state = await firstFailure(connection);
      expect(state.status).toBe("unreachable");
      // Node's front sends its chain with the CA (SELF_SIGNED_CERT_IN_CHAIN); dockerd sends the leaf only (UNABLE_TO_VERIFY_LEAF_SIGNATURE).
      expect(state.reason).toMatch(
        new RegExp(
          `^Docker Engine at ${front.host}: the engine's TLS certificate is not trusted: .+ \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\\); was it signed by the CA in ${stranger.ca.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\?$`,
        ),
      );
    });

    it("discovery says why an engine named by DOCKER_HOST does not answer over TLS", async () => {
      const certDir = certPath("env-stranger-ca", { ca: stranger.ca, cert: pki.clientCert, key: pki.clientKey });
      const env = { DOCKER_HOST: front.host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certDir };
      const log = memoryLogger();
      expect(await dockerAdapterModule.discover(env, log)).toEqual([]);
      const warnings = log.lines.filter((l) => l.startsWith("warn "));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("the Docker engine DOCKER_HOST names does not answer");
      expect(warnings[0]).toContain("TLS certificate is not trusted");
    });
  },
);
