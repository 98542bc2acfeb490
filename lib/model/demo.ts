import type { Orchestrator, Resources } from "./types";

/**
 * The contract between the demo fleet (lib/sim) and the server that runs it
 * (lib/server), which may not import each other: what a started demo fleet
 * hands over, and the function that starts one.
 */

/** A cluster of the demo fleet, as the server adds it beside configured ones. */
export interface DemoCluster {
  id: string;
  name: string;
  orchestrator: Orchestrator;
  /** A connection for that orchestrator's adapterModule.connectionSchema. */
  connection: unknown;
  /**
   * The simulator's own deterministic model of use at any time `t` (epoch ms),
   * past ones included: what its usage API answers at `t`. The server
   * backfills the demo's history from it, so the consumption view has days of
   * history from the first minute (marked as demo data). Absent for clusters
   * that are not simulated (the local Docker engine).
   */
  usageAt?: (t: number) => DemoUsage;
}

/**
 * Use at one moment, by the names the cluster's adapter shows, since the
 * simulators do not know the adapters' ids: nodes by their name, tasks by
 * `demoTaskKey(namespace, name)`. The tasks are those running now, at any
 * `t`: a backfilled week shows today's tasks and scale throughout.
 */
export interface DemoUsage {
  nodes: Map<string, Resources>;
  tasks: Map<string, Resources>;
}

/** A task's key in DemoUsage.tasks: its namespace (tenant) and name as the adapter shows them. */
export function demoTaskKey(namespace: string | null, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export interface StartedDemoFleet {
  clusters: DemoCluster[];
  close(): Promise<void>;
}

/** Starts the demo simulators (in this process, or elsewhere as the bench does); dataDir is where they may write files. */
export type StartDemoFleet = (options: { dataDir: string }) => Promise<StartedDemoFleet>;
