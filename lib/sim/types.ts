import type { DemoCluster } from "@/lib/model/demo";

/** The simulators name the contract's cluster from here; it lives in lib/model/demo.ts, where the server can see it too. */
export type { DemoCluster };

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
