/**
 * Runs once when the server starts: opens storage (first start prints the
 * setup link, or creates the admin from FLEETDECK_ADMIN_PASSWORD) and
 * connects to the clusters, so the first visitor finds them synced. Not
 * during `next build`, which must start nothing.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const [{ getAccess }, { getFleet, provideDemoFleet, startedFleet }] = await Promise.all([
    import("./lib/server/access"),
    import("./lib/server/fleet"),
  ]);
  // lib/server may not import lib/sim: the demo fleet's starter is handed in here, loaded only when the demo runs.
  provideDemoFleet(async (options) => (await import("./lib/sim/fleet")).startDemoFleet(options));
  // A failure here is logged and retried by the first request; it must not keep the server from listening.
  await Promise.all([getAccess(), getFleet()]).catch((err) => console.error(`Fleetdeck could not start: ${(err as Error).message}`));
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    for (const [signal, code] of [
      ["SIGTERM", 143],
      ["SIGINT", 130],
    ] as const)
      process.once(signal, () => void shutDown(startedFleet, code));
  }
}

/** How long a stop may take to write the history before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Stops the clusters (if they were started), which writes their open usage history, then exits with the signal's code. */
async function shutDown(startedFleet: () => Promise<{ close(): Promise<void> }> | undefined, code: number): Promise<void> {
  setTimeout(() => process.exit(code), SHUTDOWN_GRACE_MS).unref();
  await startedFleet()
    ?.then((fleet) => fleet.close())
    .catch((err) => console.error(`Fleetdeck stopped uncleanly: ${(err as Error).message}`));
  process.exit(code);
}
