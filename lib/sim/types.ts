import type { DemoCluster } from "@/lib/model/demo";
import type { FaultInjector } from "./faults";

/** The simulators name the contract's cluster from here; it lives in lib/model/demo.ts, where the server can see it too. */
export type { DemoCluster };

/** One running simulator process-part of the demo fleet (it may serve several clusters). */
export interface RunningSimulator {
  /** e.g. "kubernetes (cluster demo-east)" */
  label: string;
  /** The addresses to print for people and standard clients. */
  urls: string[];
  clusters: DemoCluster[];
  /** What the fleet's control endpoint may do to each cluster, by cluster id (absent: a real engine, not ours to break). */
  controls?: Record<string, SimulatorControl>;
  close(): Promise<void>;
}

/** Faults one simulated cluster can be put through. */
export interface SimulatorControl {
  readonly faults: FaultInjector;
  /** Connections refused (open ones cut) until start(); the cluster's state survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** New credentials: the old ones are refused from now on, and the files standard clients read are rewritten. */
  rotateCredentials?(): Promise<void>;
  /** The credentials in use are refused from now on, and nothing replaces them until a rotation. */
  expireCredentials?(): Promise<void>;
  /** Watch history compacted past every open watch: resuming is refused with 410 Gone, and clients must relist. */
  compactHistory?(): Promise<void>;
}

export interface SimulatorStartOptions {
  /** Where a simulator may write files for standard clients (e.g. a kubeconfig). */
  dataDir: string;
  host: string;
  /** Fixed ports for `npm run fleet`; 0 or undefined for any free port. */
  basePort?: number;
}

export type StartSimulator = (options: SimulatorStartOptions) => Promise<RunningSimulator>;
