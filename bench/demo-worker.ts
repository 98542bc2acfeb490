/**
 * The demo fleet's simulators in a worker thread, for the soak in bench/run.ts:
 * their own bounded buffers (watch history, events, stopped ECS tasks) then
 * live in another V8 heap, so the main thread's heap is the server side alone.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startDemoFleet } from "@/lib/sim/fleet";

const port = parentPort!;

async function main() {
  const demo = await startDemoFleet({ dataDir: (workerData as { dataDir: string }).dataDir });
  port.postMessage({ type: "started", clusters: demo.clusters });
  port.on("message", async (message: { type: string }) => {
    if (message.type === "heap") {
      (globalThis as { gc?: () => void }).gc?.();
      port.postMessage({ type: "heap", heapUsed: process.memoryUsage().heapUsed });
    } else if (message.type === "close") {
      await demo.close();
      port.postMessage({ type: "closed" });
      port.close();
    }
  });
}

main().catch((err) => port.postMessage({ type: "failed", error: String(err) }));
