import http from "node:http";
import type { AddressInfo } from "node:net";

/** Small HTTP plumbing shared by the simulated master, agents and Marathon. */

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  match: RegExpExecArray;
}

export interface Route {
  method: string;
  path: RegExp;
  handle(ctx: RouteContext): void | Promise<void>;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function isAuthorized(req: http.IncomingMessage, credentials: BasicCredentials | undefined): boolean {
  if (!credentials) return true;
  const header = req.headers.authorization ?? "";
  const expected = "Basic " + Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  return header === expected;
}

export interface RouterOptions {
  credentials?: BasicCredentials;
  /** A second identity that may read (GET) but not change anything, as an authorization plugin would allow. */
  viewer?: BasicCredentials;
  /** How this upstream answers a request without valid credentials. */
  unauthorized(res: http.ServerResponse): void;
  /** How it answers a known identity that may not do what it asked. */
  forbidden?(res: http.ServerResponse): void;
  notFound(res: http.ServerResponse, url: URL): void;
}

export function router(routes: Route[], options: RouterOptions): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const viewer = options.viewer !== undefined && isAuthorized(req, options.viewer);
    if (!viewer && !isAuthorized(req, options.credentials)) return options.unauthorized(res);
    if (viewer && req.method !== "GET" && req.method !== "HEAD") return (options.forbidden ?? options.unauthorized)(res);
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      Promise.resolve(route.handle({ req, res, url, match })).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: (err as Error).message });
        else res.destroy();
      });
      return;
    }
    options.notFound(res, url);
  };
}

/** An HTTP server that can stop and listen again on the same port, dropping every open connection. */
export class RestartableServer {
  private server: http.Server | null = null;
  port = 0;

  constructor(
    private readonly listener: http.RequestListener,
    private readonly host: string,
  ) {}

  /** Listens (again) on `port`; a no-op while already listening. */
  async listen(port = this.port): Promise<number> {
    if (this.server) return this.port;
    const server = http.createServer(this.listener);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
