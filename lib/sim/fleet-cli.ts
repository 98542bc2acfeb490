/**
 * `npm run fleet`: the demo fleet as a standalone process on fixed ports, for
 * standard clients (kubectl, docker, nomad, ...) and for `npm run dev` against
 * it. Files go under .fleet/ (gitignored). Stops cleanly on SIGINT/SIGTERM.
 */

import path from "node:path";
import { startDemoFleet } from "./fleet";

async function main(): Promise<void> {
  const basePort = Number(process.env.FLEET_BASE_PORT ?? 7400);
  if (!Number.isInteger(basePort) || basePort <= 0 || basePort > 65000) {
    throw new Error(`FLEET_BASE_PORT must be a port number, got "${process.env.FLEET_BASE_PORT}"`);
  }
  const host = process.env.FLEET_HOST ?? "127.0.0.1";
  const dataDir = path.resolve(".fleet");
  const fleet = await startDemoFleet({ dataDir, host, basePort });

  const lines = ["Fleetdeck demo fleet is up:"];
  for (const s of fleet.simulators) {
    lines.push(`  ${s.label}`);
    for (const url of s.urls) lines.push(`    ${url}`);
  }
  const kubeconfig = path.join(dataDir, "kubeconfig");
  if (fleet.clusters.some((c) => c.orchestrator === "kubernetes")) {
    lines.push("", `  export KUBECONFIG=${kubeconfig}   # then: kubectl --context demo-east get pods -A`);
  }
  lines.push("", "Press Ctrl+C to stop.");
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the demo fleet...\n`);
    await fleet.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((e) => {
  process.stderr.write(`demo fleet failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
