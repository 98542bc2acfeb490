/**
 * `npm run fleet`: the demo fleet as a standalone process on fixed ports, for
 * standard clients (kubectl, docker, nomad, ...) and for `npm run dev` against
 * it. Files go under .fleet/ (gitignored). Stops cleanly on SIGINT/SIGTERM.
 */

import path from "node:path";
import { startFleetControl } from "./control";
import { startDemoFleet } from "./fleet";

function portFrom(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65000) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const basePort = portFrom("FLEET_BASE_PORT", 7400)!;
  const controlPort = portFrom("FLEET_CONTROL_PORT");
  const host = process.env.FLEET_HOST ?? "127.0.0.1";
  const dataDir = path.resolve(".fleet");
  const fleet = await startDemoFleet({ dataDir, host, basePort });
  // Faults are for whoever runs the fleet: on loopback, whatever FLEET_HOST says.
  const control = controlPort ? await startFleetControl(fleet.controls, { port: controlPort }) : null;

  const lines = ["Fleetdeck demo fleet is up:"];
  for (const s of fleet.simulators) {
    lines.push(`  ${s.label}`);
    for (const url of s.urls) lines.push(`    ${url}`);
  }
  const kubeconfig = path.join(dataDir, "kubeconfig");
  if (fleet.clusters.some((c) => c.orchestrator === "kubernetes")) {
    lines.push("", `  export KUBECONFIG=${kubeconfig}   # then: kubectl --context demo-east get pods -A`);
  }
  if (control) {
    lines.push(
      "",
      `  faults: ${control.url}/clusters   # e.g. curl -X PUT -H content-type:application/json -d '{"failShare":1}' ${control.url}/clusters/demo-east/faults`,
    );
  }
  lines.push("", "Press Ctrl+C to stop.");
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the demo fleet...\n`);
    await control?.close();
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
