import type { Orchestrator } from "./types";

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
}

export interface StartedDemoFleet {
  clusters: DemoCluster[];
  close(): Promise<void>;
}

/** Starts the demo simulators (in this process, or elsewhere as the bench does); dataDir is where they may write files. */
export type StartDemoFleet = (options: { dataDir: string }) => Promise<StartedDemoFleet>;
