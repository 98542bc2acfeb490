import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { startMesosSim, type MesosSim } from "./index";

/** The simulator's wire details that the adapter does not exercise on its own. */

let sim: MesosSim;
beforeAll(async () => {
  sim = await startMesosSim();
});
afterAll(async () => {
  await sim.close();
});

async function readFor(body: AsyncIterable<Buffer>, ms: number): Promise<string> {
  let text = "";
  const deadline = Date.now() + ms;
  for await (const chunk of body) {
    text += chunk.toString("utf8");
    if (Date.now() > deadline) break;
  }
  return text;
}

describe("simulated Marathon event stream", () => {
  it("answers 405 unless Accept is text/event-stream, as Jetty's EventSourceServlet does", async () => {
    const plain = await request(`${sim.marathonUrl}/v2/events`, { headers: { accept: "application/json" } });
    expect(plain.statusCode).toBe(405);
    expect(await plain.body.text()).toContain("HTTP method GET is not supported by this URL");
  });

  it("frames events with CRLF, sends only the subscribed types, and keeps the stream alive", async () => {
    const abort = new AbortController();
    const stream = await request(`${sim.marathonUrl}/v2/events?event_type=deployment_info`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers["content-type"]).toBe("text/event-stream;charset=utf-8");
    const app = sim.world.apps.get("/shop/api")!;
    sim.controller.scale(app, app.instances + 1, true);
    const text = await readFor(stream.body, 350).catch(() => "");
    abort.abort();
    // Not even event_stream_attached: it is not a subscribed type. A keep-alive may come first.
    expect(text.replace(/^(\r\n)*/, "").startsWith("event: deployment_info\r\ndata: {")).toBe(true);
    expect(text).not.toContain("status_update_event");
    // Keep-alives: empty lines between events.
    expect(text.match(/\r\n\r\n\r\n/g)?.length ?? 0).toBeGreaterThan(0);
  });
});

describe("simulated Mesos master", () => {
  it("omits ports from resources without any and writes `roles` only for multi-role frameworks", async () => {
    const state = (await (await request(`${sim.masterUrl}/master/state`)).body.json()) as {
      slaves: { offered_resources: Record<string, unknown>; resources: Record<string, unknown>; active: boolean; deactivated: boolean }[];
      frameworks: { role?: string; roles?: string[]; capabilities: string[] }[];
    };
    expect(state.slaves[0].offered_resources).toEqual({ cpus: 0, mem: 0, disk: 0, gpus: 0 });
    expect(state.slaves.every((s) => typeof s.resources.ports === "string")).toBe(true);
    expect(state.slaves.every((s) => s.active && !s.deactivated)).toBe(true);
    for (const fw of state.frameworks) {
      expect(fw.capabilities).toContain("MULTI_ROLE");
      expect(fw.role).toBeUndefined();
      expect(fw.roles).toHaveLength(1);
    }
  });
});
