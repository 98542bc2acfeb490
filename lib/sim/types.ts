import type { Orchestrator } from "@/lib/model/types";

/** A cluster of the demo fleet, as the registry adds it beside configured ones. */
export interface DemoCluster {
  id: string;
  name: string;
  orchestrator: Orchestrator;
  /** A connection for that orchestrator's adapterModule.connectionSchema. */
  connection: unknown;
}

/** One running simulator process-part of the demo fleet (it may serve several clusters). */
export interface RunningSimulator {
  /** e.g. "kubernetes (cluster demo-east)" */
  label: string;
  /** The addresses to print for people and standard clients. */
  urls: string[];
  clusters: DemoCluster[];
  close(): Promise<void>;
}

export interface SimulatorStartOptions {
  /** Where a simulator may write files for standard clients (e.g. a kubeconfig). */
  dataDir: string;
  host: string;
  /** Fixed ports for `npm run fleet`; 0 or undefined for any free port. */
  basePort?: number;
}

export type StartSimulator = (options: SimulatorStartOptions) => Promise<RunningSimulator>;
