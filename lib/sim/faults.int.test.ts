import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FaultInjector, FaultSpecSchema, JSON_MESSAGE_PROTOCOL } from "./faults";

/** A plain server behind the injector: "/" answers JSON, "/stream" writes a line every 20 ms. */
let server: http.Server;
let url = "";
let faults: FaultInjector;
let roll = 0;

beforeEach(async () => {
  faults = new FaultInjector(() => roll);
  server = http.createServer(
    faults.wrap((req, res) => {
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "application/json" });
        const timer = setInterval(() => res.write('{"tick":1}\n'), 20);
        res.on("close", () => clearInterval(timer));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    }, JSON_MESSAGE_PROTOCOL),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  faults.clear();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("FaultInjector", () => {
  it("fails the set share of requests with the status, the protocol's body and Retry-After", async () => {
    faults.set({ failShare: 1, failStatus: 429, retryAfterSeconds: 7 });
    const res = await fetch(url);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ message: "Too many requests (injected fault)" });

    faults.set({ failShare: 0.5 });
    roll = 0.6;
    expect((await fetch(url)).status).toBe(200);
    roll = 0.4;
    expect((await fetch(url)).status).toBe(503);
  });

  it("delays answers by the latency", async () => {
    faults.set({ latencyMs: 300 });
    const started = Date.now();
    await (await fetch(url)).text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("answers malformed bodies, only on the paths asked for", async () => {
    faults.set({ malformed: true, paths: "^/$" });
    const bad = await fetch(url);
    expect(bad.status).toBe(200);
    await expect(bad.json()).rejects.toThrow();
    faults.set({ malformed: true, paths: "^/other$" });
    expect(await (await fetch(url)).json()).toEqual({ ok: true });
  });

  it("hangs requests until cleared, then cuts them", async () => {
    faults.set({ hang: true });
    const pending = fetch(url).then(
      () => "answered",
      () => "cut",
    );
    const early = await Promise.race([pending, new Promise((r) => setTimeout(() => r("waiting"), 300))]);
    expect(early).toBe("waiting");
    faults.clear();
    expect(await pending).toBe("cut");
  });

  it("silences open streams while set, and lets them speak again once cleared", async () => {
    const res = await fetch(`${url}/stream`);
    const reader = res.body!.getReader();
    let chunks = 0;
    const reading = (async () => {
      while (!(await reader.read()).done) chunks++;
    })().catch(() => undefined);
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    while (chunks === 0) await wait(10);
    faults.set({ stallStreams: true });
    // What was already in flight may still arrive; after that, silence.
    await wait(150);
    const stalledAt = chunks;
    await wait(400);
    expect(chunks).toBe(stalledAt);
    faults.clear();
    while (chunks === stalledAt) await wait(10);
    await reader.cancel();
    await reading;
  });

  it("cuts the connections open when told to, so streams reconnect into the fault", async () => {
    const res = await fetch(`${url}/stream`);
    const reader = res.body!.getReader();
    await reader.read();
    faults.set({ failShare: 1, cutOpen: true });
    // The stream ends with an error (its socket destroyed), not with silence.
    const ended = await (async () => {
      try {
        while (!(await reader.read()).done);
        return "ended";
      } catch {
        return "cut";
      }
    })();
    expect(["ended", "cut"]).toContain(ended);
    expect((await fetch(`${url}/stream`)).status).toBe(503);
  });

  it("refuses specs that are not faults", () => {
    expect(FaultSpecSchema.safeParse({ failShare: 2 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ failStatus: 418 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ paths: "(" }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ explode: true }).success).toBe(false);
    expect(() => faults.set({ latencyMs: -1 })).toThrow();
  });
});
