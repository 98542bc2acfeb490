import type { Actor } from "@/lib/server/authz";
import { getFleet } from "@/lib/server/fleet";
import { api } from "@/lib/server/http";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

const EVENT_STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

const sameActor = (a: Actor, b: Actor) => a.kind === b.kind && a.name === b.name && JSON.stringify(a.grants) === JSON.stringify(b.grants);

/**
 * One Server-Sent Events stream per browser tab: each message names a cluster
 * the viewer may see and the resources that changed, so the tab refetches
 * just those queries. At each heartbeat the viewer is identified again: a
 * session that ended, or grants that changed, end the stream (the browser
 * reconnects as whoever it now is).
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api({
  GET: async ({ actor, access, request }) => {
    const fleet = await getFleet();
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const close = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            cleanup(); // the client went away between two writes
          }
        };
        send("retry: 3000\n: connected\n\n");
        const unsubscribe = fleet.subscribe(actor, (event) => send(`data: ${JSON.stringify(event)}\n\n`));
        // Proxies close idle connections; a comment line keeps this one open.
        const heartbeat = setInterval(async () => {
          const now = await access.identify(request.headers, { touch: false }).catch(() => null);
          if (!now || !sameActor(now.actor, actor)) close();
          else send(": heartbeat\n\n");
        }, HEARTBEAT_MS);
        cleanup = () => {
          clearInterval(heartbeat);
          unsubscribe();
          cleanup = () => {};
        };
        request.signal.addEventListener("abort", close);
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, { headers: EVENT_STREAM_HEADERS });
  },
  // A HEAD answers the headers and subscribes to nothing (a GET's stream would never be read, nor closed).
  HEAD: async () => new Response(null, { headers: EVENT_STREAM_HEADERS }),
});
