import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import { FaultInjector, PLAIN_TEXT_PROTOCOL } from "../faults";
import type { AddressInfo, Socket } from "node:net";
import { createHandler, type TokenPolicy } from "./http";
import { DEFAULT_TIMINGS, NomadScheduler, type SchedulerTimings } from "./scheduler";
import { NomadWorld } from "./state";

/** A running simulated Nomad server (one region) for tests and the demo fleet. */

export interface NomadSimOptions {
  host?: string;
  /** 0 or undefined: any free port. */
  port?: number;
  region?: string;
  version?: string;
  /** Secret ID → policy; turns ACLs on (a request without a token gets 403 "Permission denied"). */
  tokens?: Record<string, TokenPolicy>;
  timings?: Partial<SchedulerTimings>;
  /** How often the scheduler and clients move (ms). */
  tickMs?: number;
  /** Event stream heartbeat (Nomad: one at once, then every 30 s). */
  heartbeatMs?: number;
  random?: () => number;
  /** Serve HTTPS (PEM contents); with `ca`, clients must present a certificate it signed, as Nomad's verify_https_client does. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /** Fills the world before the server answers. */
  seed?: (world: NomadWorld, scheduler: NomadScheduler) => void;
}

export interface NomadSim {
  readonly url: string;
  readonly port: number;
  readonly world: NomadWorld;
  readonly scheduler: NomadScheduler;
  /** Runs one scheduler step now (tests use it to skip waiting for the timer). */
  tick(): void;
  /** Stops answering (open streams and blocking queries are cut), waits downMs, then listens again on the same port with the same state. */
  restart(downMs?: number): Promise<void>;
  /** Stops listening (connections refused, open ones cut) until start(); state survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Failures to inject into every request (see lib/sim/faults.ts). */
  readonly faults: FaultInjector;
  /** Serves another certificate (a server started with `tls`), as a re-issued one would be; open connections are cut. */
  setCertificate(tls: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer }): void;
  close(): Promise<void>;
}

export async function startNomadSim(options: NomadSimOptions = {}): Promise<NomadSim> {
  const world = new NomadWorld(options.region ?? "global", options.version ?? "1.9.3");
  const scheduler = new NomadScheduler(world, { ...DEFAULT_TIMINGS, ...options.timings }, options.random ?? Math.random);
  options.seed?.(world, scheduler);
  scheduler.tick();

  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  const faults = new FaultInjector();
  const answer = createHandler({
    world,
    scheduler,
    tokens: options.tokens,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    trackStream(res) {
      streams.add(res);
      res.on("close", () => streams.delete(res));
    },
  });
  // Nomad answers errors as plain text.
  const handler = faults.wrap(answer, PLAIN_TEXT_PROTOCOL);
  const host = options.host ?? "127.0.0.1";

  let server: Server | null = null;
  // What a restart serves: setCertificate replaces it.
  let tls = options.tls;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      if (server) return resolve(port);
      const s: Server = tls
        ? createTlsServer(
            { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: Boolean(tls.ca), rejectUnauthorized: Boolean(tls.ca) },
            handler,
          )
        : createServer(handler);
      s.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      s.once("error", reject);
      s.listen(port, host, () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      for (const res of streams) res.destroy();
      for (const socket of sockets) socket.destroy();
      s.close(() => resolve());
    });

  const port = await listen(options.port ?? 0);
  let timer: ReturnType<typeof setInterval> | null = setInterval(() => scheduler.tick(), options.tickMs ?? 500);
  timer.unref();

  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `${tls ? "https" : "http"}://${urlHost}:${port}`,
    port,
    world,
    scheduler,
    tick: () => scheduler.tick(),
    async restart(downMs = 0) {
      await stopListening();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await listen(port);
    },
    stop: () => stopListening(),
    start: async () => void (await listen(port)),
    faults,
    setCertificate(next) {
      if (!tls) throw new Error("this simulator serves plain HTTP");
      tls = { ...tls, ...next };
      (server as TlsServer | null)?.setSecureContext(tls);
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await stopListening();
    },
  };
}
