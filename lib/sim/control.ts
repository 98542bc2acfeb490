/**
 * The demo fleet's control endpoint (`FLEET_CONTROL_PORT` for `npm run
 * fleet`): faults put on one simulated cluster at a time, so an operator or a
 * test can watch Fleetdeck live through them. Only the simulators serve it;
 * it listens on loopback unless told otherwise, and needs no credentials
 * because it controls nothing real.
 *
 *   GET    /clusters                           what each cluster can be put through, and its faults now
 *   PUT    /clusters/:id/faults                set faults (JSON, see FaultSpecSchema in ./faults)
 *   DELETE /clusters/:id/faults                clear them
 *   POST   /clusters/:id/stop | start          refuse connections, then listen again
 *   POST   /clusters/:id/rotate-credentials    new credentials (the files clients read are rewritten)
 *   POST   /clusters/:id/expire-credentials    the credentials in use are refused from now on
 *   POST   /clusters/:id/compact-history       watch history compacted: resuming watches get 410 Gone
 */

import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { FaultSpecSchema } from "./faults";
import type { SimulatorControl } from "./types";

/** Each action, and the optional ability it needs (absent: every simulated cluster can). */
const ACTIONS: Record<string, { needs?: keyof SimulatorControl; run(c: SimulatorControl): Promise<void> | undefined }> = {
  stop: { run: (c) => c.stop() },
  start: { run: (c) => c.start() },
  "rotate-credentials": { needs: "rotateCredentials", run: (c) => c.rotateCredentials?.() },
  "expire-credentials": { needs: "expireCredentials", run: (c) => c.expireCredentials?.() },
  "compact-history": { needs: "compactHistory", run: (c) => c.compactHistory?.() },
};

function abilities(control: SimulatorControl): string[] {
  return Object.entries(ACTIONS)
    .filter(([, action]) => !action.needs || control[action.needs])
    .map(([name]) => name);
}

const BODY_LIMIT = 16 * 1024;

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly allow?: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") throw new RequestError(415, "the body must be application/json");
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > BODY_LIMIT) throw new RequestError(413, `the body is over ${BODY_LIMIT} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, "the body is not JSON");
  }
}

export function controlListener(controls: Record<string, SimulatorControl>): http.RequestListener {
  const describe = (id: string) => ({ id, faults: controls[id].faults.current, actions: abilities(controls[id]) });

  const handle = async (req: http.IncomingMessage): Promise<unknown> => {
    // Any web page may send a body-less POST to localhost: only curl, scripts and same-origin pages get in.
    const origin = req.headers.origin;
    const foreign = origin !== undefined && (!URL.canParse(origin) || new URL(origin).host !== req.headers.host);
    if (foreign || req.headers["sec-fetch-site"] === "cross-site") {
      throw new RequestError(403, "cross-site requests are refused");
    }
    const path = new URL(req.url ?? "/", "http://control.invalid").pathname;
    const method = req.method ?? "GET";
    if (path === "/clusters" || path === "/clusters/") {
      if (method !== "GET") throw new RequestError(405, `${method} is not allowed here`, "GET");
      return { clusters: Object.keys(controls).map(describe) };
    }
    const match = /^\/clusters\/([^/]+)\/([a-z-]+)$/.exec(path);
    if (!match) throw new RequestError(404, `no such path: ${path}`);
    const [, rawId, verb] = match;
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      throw new RequestError(400, "the cluster id is not valid percent-encoding");
    }
    const control = Object.hasOwn(controls, id) ? controls[id] : undefined;
    if (!control) throw new RequestError(404, `no simulated cluster "${id}" (known: ${Object.keys(controls).join(", ")})`);
    if (verb === "faults") {
      if (method === "DELETE") {
        control.faults.clear();
        return describe(id);
      }
      if (method !== "PUT") throw new RequestError(405, `${method} is not allowed here`, "PUT, DELETE");
      const spec = FaultSpecSchema.safeParse(await readJson(req));
      if (!spec.success) throw new RequestError(400, `not a fault spec: ${z.prettifyError(spec.error)}`);
      control.faults.set(spec.data);
      return describe(id);
    }
    if (!Object.hasOwn(ACTIONS, verb)) throw new RequestError(404, `no such action: ${verb}`);
    if (method !== "POST") throw new RequestError(405, `${method} is not allowed here`, "POST");
    if (!abilities(control).includes(verb)) throw new RequestError(409, `cluster "${id}" cannot ${verb.replace("-", " ")}`);
    await ACTIONS[verb].run(control);
    return describe(id);
  };

  return (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    handle(req).then(
      (body) => send(200, body),
      (err: unknown) => {
        if (err instanceof RequestError) return send(err.status, { error: err.message }, err.allow ? { allow: err.allow } : {});
        send(502, { error: `the simulator failed: ${(err as Error).message}` });
      },
    );
  };
}

export interface FleetControl {
  url: string;
  close(): Promise<void>;
}

export async function startFleetControl(
  controls: Record<string, SimulatorControl>,
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {},
): Promise<FleetControl> {
  const server = http.createServer(controlListener(controls));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
