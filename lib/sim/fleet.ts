/**
 * The demo fleet: every orchestrator simulator, started side by side. Each
 * simulator gets its own block of PORT_BLOCK fixed ports when a base port is
 * given (so `npm run fleet` addresses stay stable), or free ports otherwise.
 */

import { mkdir } from "node:fs/promises";
import { createLogger } from "@/lib/log";
import type { StartedDemoFleet } from "@/lib/model/demo";
import type { RunningSimulator, SimulatorControl, StartSimulator } from "./types";
import { startKubernetesDemo } from "./kubernetes";
import { startEcsDemo } from "./ecs";
import { startMesosDemo } from "./mesos";
import { startNomadDemo } from "./nomad";
import { startDockerDemo } from "./docker";

/** One line per orchestrator; order fixes each simulator's port block. */
const SIMULATORS: StartSimulator[] = [startKubernetesDemo, startEcsDemo, startMesosDemo, startNomadDemo, startDockerDemo];

const PORT_BLOCK = 10;

export interface DemoFleetOptions {
  dataDir: string;
  host?: string;
  basePort?: number;
}

/** What the server is handed (StartedDemoFleet), and the simulators for `npm run fleet` to print. */
export interface DemoFleet extends StartedDemoFleet {
  simulators: RunningSimulator[];
  /** Every simulated cluster's faults, by cluster id (see ./control). */
  controls: Record<string, SimulatorControl>;
}

export async function startDemoFleet(options: DemoFleetOptions): Promise<DemoFleet> {
  return startSimulators(SIMULATORS, options);
}

/** Starts the given simulators in parallel; one that fails is logged and left out. */
export async function startSimulators(
  list: StartSimulator[],
  { dataDir, host = "127.0.0.1", basePort }: DemoFleetOptions,
): Promise<DemoFleet> {
  const log = createLogger("demo-fleet");
  await mkdir(dataDir, { recursive: true });
  const results = await Promise.allSettled(
    list.map((start, i) => start({ dataDir, host, basePort: basePort ? basePort + i * PORT_BLOCK : undefined })),
  );
  const simulators: RunningSimulator[] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") simulators.push(r.value);
    // One broken simulator must not take the demo down: the others still make a fleet.
    else log.error(`simulator ${list[i].name || i} failed to start; continuing without it`, { error: String(r.reason) });
  });
  return {
    clusters: simulators.flatMap((s) => s.clusters),
    simulators,
    controls: Object.assign({}, ...simulators.map((s) => s.controls ?? {})),
    async close() {
      await Promise.allSettled(simulators.map((s) => s.close()));
    },
  };
}
