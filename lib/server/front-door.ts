/**
 * Fleetdeck's front door, installed before Next.js starts (`node --import
 * ./lib/server/front-door-preload.ts …`, see package.json): it wraps the request
 * listener of the HTTP server Next creates, whether `next start` or the
 * standalone server.js creates it. It answers what Next cannot route and
 * would answer 500 to (its Request objects refuse TRACE and the target `*`;
 * methods such as PROPFIND reach no route), and it tells the app the TCP
 * peer's address in a header no client can set.
 *
 * Plain Node TypeScript (types stripped at load): no bundler, no aliases.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { PEER_HEADER } from "./request-source.ts";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const ALLOW = [...KNOWN_METHODS].join(", ");

function answer(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(body);
}

/** The request listener Next gave, behind the checks above. */
export function frontDoor(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    delete req.headers[PEER_HEADER];
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; the audit trail says a.b.c.d.
    const peer = req.socket.remoteAddress?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
    if (peer) req.headers[PEER_HEADER] = peer;
    const method = req.method ?? "";
    if (req.url === "*") {
      // The asterisk form asks about the server as a whole (RFC 9110 §9.3.7): only OPTIONS may use it.
      if (method === "OPTIONS") {
        res.writeHead(204, { Allow: ALLOW });
        res.end();
      } else answer(res, 400, "invalid", `the request target * is only for OPTIONS, not ${method}`);
      return;
    }
    if (!KNOWN_METHODS.has(method)) {
      answer(res, 501, "not-implemented", `${method} is not supported; Fleetdeck answers ${ALLOW}`, { Allow: ALLOW });
      return;
    }
    next(req, res);
  };
}

/** Makes every HTTP server this process creates use the front door; Next calls http.createServer(listener) in start-server.js. */
export function installFrontDoor(): void {
  type CreateServer = typeof http.createServer;
  const original: CreateServer = http.createServer;
  http.createServer = function createServer(this: unknown, ...args: unknown[]) {
    const i = args.findIndex((a) => typeof a === "function");
    if (i >= 0) args[i] = frontDoor(args[i] as RequestListener);
    return (original as (...a: unknown[]) => http.Server).apply(this, args);
  } as CreateServer;
}
