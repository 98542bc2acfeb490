/**
 * What the simulated control-plane components share: the store, the seeded
 * random source, the options, the controller clock, the event recorders and
 * each pod's lifecycle times. The coordinator (controllers.ts) owns all of it
 * and hands every component this one context, so no component reaches into
 * another's state.
 */

import type { KubeObject, Pod, SimTimings, UsageProfile } from "./types";
import type { ObjectStore } from "./store";
import type { SeededRandom } from "./random";
import type { EventOptions } from "./events";
import { resourceTypeByKind } from "./resources";

/** The resource types the controllers read and write. */
export const RESOURCE = {
  node: resourceTypeByKind("Node"),
  pod: resourceTypeByKind("Pod"),
  deployment: resourceTypeByKind("Deployment"),
  replicaSet: resourceTypeByKind("ReplicaSet"),
  statefulSet: resourceTypeByKind("StatefulSet"),
  daemonSet: resourceTypeByKind("DaemonSet"),
  service: resourceTypeByKind("Service"),
  endpoints: resourceTypeByKind("Endpoints"),
  endpointSlice: resourceTypeByKind("EndpointSlice"),
  hpa: resourceTypeByKind("HorizontalPodAutoscaler"),
  persistentVolumeClaim: resourceTypeByKind("PersistentVolumeClaim"),
  persistentVolume: resourceTypeByKind("PersistentVolume"),
  storageClass: resourceTypeByKind("StorageClass"),
};

export interface ControllerOptions {
  timings: SimTimings;
  /** How often HPA status (current utilisation) is refreshed, like the HPA controller's sync period. */
  hpaSyncMs: number;
  /** Per workload ("namespace/name"): how its pods use resources. */
  profiles: Map<string, UsageProfile>;
  /** Per workload: restart count the first pod shows, for realism. */
  initialRestarts: Map<string, number>;
  /** Workloads ("namespace/name") whose containers crash-loop. */
  crashLooping: Set<string>;
  /** A pod's usage profile (by its workload), for the kubelet's OOM kills of leaking containers. */
  profileOf?: (pod: Pod) => UsageProfile | undefined;
  /** CPU use of a running pod right now, in millicores (for HPA status). */
  podCpuMillis: (pod: Pod) => number;
  /** Events are deleted this long after they last happened (the apiserver's --event-ttl, 1 h). */
  eventTtlMs?: number;
  /** At most this many events are kept (the oldest go first). */
  maxEvents?: number;
}

/** Lifecycle times of a pod, in controller-clock ms; not part of the served object. */
export interface PodRuntime {
  scheduledAt?: number;
  runningAt?: number;
  readyAt?: number;
  deletingAt?: number;
  /** Restart count shown for realism (with an OOMKilled last state). */
  restarts?: number;
  /** The container keeps crashing: short runs, then CrashLoopBackOff, restart count rising. */
  crashLoop?: boolean;
  /** OOM kills already reported per container name (the usage model decides when they happen). */
  oomKills?: Record<string, number>;
  /** The last crash-loop cycle whose BackOff event was recorded. */
  backOffCycle?: number;
  /** Pull attempts already reported for an image no node can pull. */
  pullTries?: number;
}

export interface ControlContext {
  readonly store: ObjectStore;
  readonly random: SeededRandom;
  readonly options: ControllerOptions;
  /** Per pod uid; written by whoever moves the pod along (creation, scheduler, kubelet, deletion). */
  readonly runtime: Map<string, PodRuntime>;
  /** The controller clock: wall time, shifted into the past while bootstrapping. */
  now(): number;
  /** True while bootstrap settles the initial fleet at once: nothing waits on a timer. */
  bootstrapping(): boolean;
  /** Records an event (dropped while bootstrapping: that history is older than any event's TTL). */
  event(regarding: KubeObject, o: EventOptions): void;
  /** Asks for another pass by controller-clock time `at`, since something falls due then by time alone. */
  due(at: number): void;
}
