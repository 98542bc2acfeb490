import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frontDoor } from "./front-door";
import { PEER_HEADER } from "./request-source";

/** The front door in front of a stand-in for Next's listener, over a real socket. */

let server: http.Server;
let port: number;
const reached: { method?: string; peer?: string | string[] }[] = [];

beforeAll(async () => {
  server = http.createServer(
    frontDoor((req, res) => {
      reached.push({ method: req.method, peer: req.headers[PEER_HEADER] });
      res.end("next");
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw request line, as a scanner would send it (fetch refuses TRACE and "*"). */
function raw(requestLine: string, headers = ""): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(`${requestLine}\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`));
    let data = "";
    socket.on("data", (c) => (data += c));
    socket.on("error", reject);
    socket.on("end", () => {
      const [head, body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), head, body });
    });
  });
}

describe("front door", () => {
  it.each(["TRACE / HTTP/1.1", "TRACE /api/clusters HTTP/1.1", "PROPFIND / HTTP/1.1"])(
    "%s → 501 with a JSON reason, never reaching Next",
    async (line) => {
      const r = await raw(line);
      expect(r.status).toBe(501);
      expect(JSON.parse(r.body).error.code).toBe("not-implemented");
      expect(reached.some((x) => x.method === line.split(" ")[0])).toBe(false);
    },
  );

  it("answers OPTIONS * with the methods it serves, and any other method on * with 400", async () => {
    const options = await raw("OPTIONS * HTTP/1.1");
    expect(options.status).toBe(204);
    expect(options.head).toMatch(/Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/i);
    expect((await raw("GET * HTTP/1.1")).status).toBe(400);
  });

  it("passes ordinary requests on, with the TCP peer's address in a header no client can set", async () => {
    const r = await raw("GET /api/clusters HTTP/1.1", `${PEER_HEADER}: 6.6.6.6\r\n`);
    expect(r.body).toBe("next");
    expect(reached.at(-1)).toEqual({ method: "GET", peer: "127.0.0.1" });
  });
});
