import { getFleet } from "@/lib/server/fleet";
import { errorResponse } from "@/lib/server/http";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

/**
 * One Server-Sent Events stream per browser tab: each message names a cluster
 * and the resources that changed, so the tab refetches just those queries.
 */
export async function GET(request: Request): Promise<Response> {
  let fleet;
  try {
    fleet = await getFleet();
  } catch (err) {
    return errorResponse(err);
  }
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup(); // the client went away between two writes
        }
      };
      send("retry: 3000\n: connected\n\n");
      const unsubscribe = fleet.subscribe((event) => send(`data: ${JSON.stringify(event)}\n\n`));
      // Proxies close idle connections; a comment line keeps this one open.
      const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe();
        cleanup = () => {};
      };
      request.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
