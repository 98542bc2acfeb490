import type { StartSimulator } from "@/lib/sim/types";
import { FaultInjector, JSON_MESSAGE_PROTOCOL, PLAIN_TEXT_PROTOCOL } from "../faults";
import { DEMO_CONTENT, populate, type SimContent } from "./content";
import { SimController } from "./controller";
import { RestartableServer, type BasicCredentials } from "./http";
import { marathonApi } from "./marathon-api";
import { agentListener, masterListener } from "./master-api";
import { usageAtFor } from "./usage";
import { DEMO_TIMINGS, FAST_TIMINGS, SimWorld, type SimTimings } from "./world";

/**
 * A simulated Mesos cluster speaking the real wire protocols: a master
 * (/master/state), one HTTP server per agent (/monitor/statistics) and
 * Marathon (/v2 REST and the /v2/events SSE bus).
 */

export interface MesosSimOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Fixed ports (restart keeps whatever was bound); default any free port. */
  masterPort?: number;
  marathonPort?: number;
  /** Agent i listens on agentBasePort + i. */
  agentBasePort?: number;
  /** Also start a standby master that redirects (307) to the leading one, as Mesos HA masters do. */
  standbyMaster?: boolean;
  masterCredentials?: BasicCredentials;
  marathonCredentials?: BasicCredentials;
  /** A Marathon identity that may read but not change anything (403 on PUT and DELETE). */
  marathonViewer?: BasicCredentials;
  /** Defaults to FAST_TIMINGS, for tests. */
  timings?: Partial<SimTimings>;
  content?: SimContent;
  seed?: number;
}

export interface MesosSim {
  world: SimWorld;
  controller: SimController;
  masterUrl: string;
  marathonUrl: string;
  /** Set when started with `standbyMaster`. */
  standbyMasterUrl: string | null;
  agentUrls: string[];
  /** Stops every server (dropping connections and event streams), waits, and listens again on the same ports. */
  restart(downMs?: number): Promise<void>;
  /** Stops every server (connections refused, open ones cut) until start(); the world keeps running. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Failures to inject into every request to the master, its agents and Marathon (see lib/sim/faults.ts). */
  readonly faults: FaultInjector;
  /** Ends Marathon's open event streams without stopping anything. */
  dropEventStreams(): void;
  /** Marathon's open event streams stop sending anything, keep-alives included, but stay open. */
  stallEventStreams(): void;
  /** How many event streams Marathon has opened. */
  eventStreamsOpened(): number;
  close(): Promise<void>;
}

export { DEMO_CONTENT, type SimContent } from "./content";
export { DEMO_TIMINGS, FAST_TIMINGS, type SimTimings } from "./world";

/** A host clients can dial: a wildcard listen address is reached over loopback. */
function dialHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}

export async function startMesosSim(options: MesosSimOptions = {}): Promise<MesosSim> {
  const host = options.host ?? "127.0.0.1";
  const content = options.content ?? DEMO_CONTENT;
  const world = new SimWorld(content.cluster, { ...FAST_TIMINGS, ...options.timings }, options.seed);
  const controller = new SimController(world);
  populate(world, controller, content);

  // Mesos answers errors as plain text, Marathon as JSON {message}.
  const faults = new FaultInjector();
  const master: RestartableServer = new RestartableServer(
    faults.wrap(
      masterListener(world, (): string => `${dialHost(host)}:${master.port}`, options.masterCredentials),
      PLAIN_TEXT_PROTOCOL,
    ),
    host,
  );
  const marathon = marathonApi(
    world,
    controller,
    (): string => `${dialHost(host)}:${marathonServer.port}`,
    options.marathonCredentials,
    options.marathonViewer,
  );
  const marathonServer = new RestartableServer(faults.wrap(marathon.listener, JSON_MESSAGE_PROTOCOL), host);
  const agents = [...world.agents.values()].map((agent) => ({
    agent,
    server: new RestartableServer(faults.wrap(agentListener(world, agent.id, options.masterCredentials), PLAIN_TEXT_PROTOCOL), host),
  }));

  const standby = options.standbyMaster
    ? new RestartableServer((req, res) => {
        res.writeHead(307, { location: `//${dialHost(host)}:${master.port}${req.url ?? "/"}`, "content-length": 0 });
        res.end();
      }, host)
    : null;

  const servers = [master, marathonServer, ...agents.map((a) => a.server), ...(standby ? [standby] : [])];
  try {
    await master.listen(options.masterPort ?? 0);
    await marathonServer.listen(options.marathonPort ?? 0);
    for (const [i, { agent, server }] of agents.entries()) {
      agent.port = await server.listen(options.agentBasePort ? options.agentBasePort + i : 0);
      agent.listenHost = dialHost(host);
    }
    await standby?.listen(0);
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  controller.start();
  const url = (server: RestartableServer) => `http://${dialHost(host)}:${server.port}`;
  const stop = () => Promise.all(servers.map((s) => s.close())).then(() => undefined);
  const start = async () => {
    for (const server of servers) await server.listen();
  };

  return {
    world,
    controller,
    masterUrl: url(master),
    marathonUrl: url(marathonServer),
    standbyMasterUrl: standby ? url(standby) : null,
    agentUrls: agents.map((a) => url(a.server)),
    async restart(downMs = 200) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    stop,
    start,
    faults,
    dropEventStreams: () => marathon.dropEventStreams(),
    stallEventStreams: () => marathon.stallEventStreams(),
    eventStreamsOpened: () => marathon.eventStreamsOpened(),
    async close() {
      controller.stop();
      marathon.dropEventStreams();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** The demo fleet's Mesos cluster: master, five agents and Marathon on basePort, basePort+1, basePort+2.. */
export const startMesosDemo: StartSimulator = async ({ host, basePort }) => {
  const sim = await startMesosSim({
    host,
    masterPort: basePort || 0,
    marathonPort: basePort ? basePort + 1 : 0,
    agentBasePort: basePort ? basePort + 2 : undefined,
    timings: DEMO_TIMINGS,
    content: DEMO_CONTENT,
  });
  return {
    label: `mesos (cluster ${DEMO_CONTENT.cluster})`,
    urls: [`master: ${sim.masterUrl}`, `marathon: ${sim.marathonUrl}`, ...sim.agentUrls.map((u, i) => `agent ${i + 1}: ${u}`)],
    clusters: [
      {
        id: DEMO_CONTENT.cluster,
        name: "Mesos + Marathon (demo)",
        orchestrator: "mesos",
        connection: { master: { url: sim.masterUrl }, marathon: { url: sim.marathonUrl } },
        usageAt: usageAtFor(sim.world),
      },
    ],
    controls: { [DEMO_CONTENT.cluster]: sim },
    close: () => sim.close(),
  };
};
