import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ClusterAdapter } from "@/lib/adapters/types";
import { RecordingSink, waitFor } from "./recording-sink";

/**
 * A misbehaving upstream for redaction tests: it refuses every request with
 * an error whose body repeats the request's header values (as a debugging
 * proxy or a careless error page does). Only the values, not the names: so
 * the credentials in it are caught by the values the adapter registered in
 * its SecretSet, not by redact()'s header-name patterns.
 */
export interface EchoServer {
  url: string;
  /** Headers of every request received, in order. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export interface EchoAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export async function startEchoServer(answer: (echo: string, req: http.IncomingMessage) => EchoAnswer): Promise<EchoServer> {
  const requests: EchoServer["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      const echo = Object.values(req.headers).flat().join(" | ");
      const { status, headers, body } = answer(echo, req);
      res.writeHead(status, { "content-type": "text/plain", ...headers, connection: "close" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the adapter until its first list fails, and answers the reason it reports (as the adapter wrote it, unredacted). */
export async function listFailure(adapter: ClusterAdapter): Promise<string> {
  const sink = new RecordingSink();
  const ac = new AbortController();
  const done = adapter.run(sink, ac.signal);
  try {
    return await waitFor("the list to fail", () => sink.connection?.reason);
  } finally {
    ac.abort();
    await done;
  }
}

/** The message of what `run` rejects with. */
export async function failureOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a failure");
}
