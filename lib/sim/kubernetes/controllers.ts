/**
 * The simulated control plane and kubelets, run as one reconcile pass of
 * separate components in a fixed order: garbage collector, workload
 * controllers (workload-controllers.ts), scheduler, persistent volumes
 * (storage.ts), kubelet, workload and HPA status, endpoints. Every write goes
 * through the store, which turns no-op writes into nothing, so a settled
 * cluster produces no watch events.
 *
 * This coordinator owns the controller clock (shifted while bootstrapping),
 * the "anything due?" bookkeeping that lets an idle cluster skip passes, and
 * the event recorder; the components see them only through ControlContext.
 */

import type { Pod } from "./types";
import type { ObjectStore } from "./store";
import type { SeededRandom } from "./random";
import { EventRecorder } from "./events";
import type { ControlContext, ControllerOptions } from "./control-context";
import { PodActions } from "./pod-actions";
import { GarbageCollector } from "./garbage-collector";
import { DaemonSetController, DeploymentController, ReplicaSetController, StatefulSetController } from "./workload-controllers";
import { Scheduler } from "./scheduler";
import { Kubelet } from "./kubelet";
import { WorkloadStatusController } from "./workload-status";
import { HpaStatusController } from "./hpa-status";
import { EndpointsController } from "./endpoints-controller";
import { VolumeController } from "./storage";

export type { ControllerOptions } from "./control-context";
export { isReady, podRequests } from "./object-helpers";

export class ClusterController {
  /** Shifts the controller clock; negative while bootstrapping so the initial fleet looks long-running. */
  private clockOffset = 0;
  private instant = false;
  /** Store revision after the last pass that wrote nothing; equal to the current one means nothing changed since. */
  private quietAt = -1;
  /** Controller-clock time at which some pod's next step falls due by time alone (Infinity: none). */
  private nextDue = 0;
  private readonly recorder: EventRecorder;
  private readonly pods: PodActions;
  private readonly hpa: HpaStatusController;
  /** One reconcile pass, in order: later components see what earlier ones wrote in the same pass. */
  private readonly passes: { reconcile(): void }[];

  constructor(
    private readonly store: ObjectStore,
    random: SeededRandom,
    options: ControllerOptions,
  ) {
    this.recorder = new EventRecorder(store, options.eventTtlMs, options.maxEvents);
    const ctx: ControlContext = {
      store,
      random,
      options,
      runtime: new Map(),
      now: () => this.now(),
      bootstrapping: () => this.instant,
      event: (regarding, o) => {
        if (!this.instant) this.recorder.record(regarding, o, this.now());
      },
      due: (at) => this.due(at),
    };
    this.pods = new PodActions(ctx);
    this.hpa = new HpaStatusController(ctx);
    this.passes = [
      new GarbageCollector(ctx, this.pods),
      new DeploymentController(ctx),
      new ReplicaSetController(ctx, this.pods),
      new StatefulSetController(ctx, this.pods),
      new DaemonSetController(ctx, this.pods),
      new Scheduler(ctx, this.pods),
      new VolumeController(ctx),
      new Kubelet(ctx),
      new WorkloadStatusController(ctx),
      this.hpa,
      new EndpointsController(ctx),
    ];
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /**
   * Brings the initial content to a settled state at once, with timestamps
   * `ageMs` in the past, so a fresh simulator looks like a cluster that has
   * been running for a while.
   */
  bootstrap(ageMs: number): void {
    this.clockOffset = -ageMs;
    this.instant = true;
    try {
      for (let i = 0; i < 100; i++) {
        const before = this.store.resourceVersion;
        this.reconcile();
        if (this.store.resourceVersion === before) break;
      }
    } finally {
      this.instant = false;
      this.clockOffset = 0;
      this.hpa.resetSync();
    }
  }

  /**
   * The periodic pass: skipped when nothing was written since the last quiet
   * pass and nothing is waiting on a timer, so an idle demo costs no CPU.
   */
  tick(): void {
    const hpaDue = this.hpa.syncDue();
    if (this.store.resourceVersion === this.quietAt && this.now() < this.nextDue && !hpaDue) return;
    const before = this.store.resourceVersion;
    this.reconcile();
    if (this.store.resourceVersion === before) this.quietAt = before;
  }

  private due(at: number): void {
    this.nextDue = Math.min(this.nextDue, at);
  }

  reconcile(): void {
    this.nextDue = Infinity;
    for (const pass of this.passes) pass.reconcile();
    this.due(this.recorder.expire(this.now()));
  }

  /** Marks a pod for deletion as `kubectl delete pod` does; the kubelet removes it after the grace period. */
  deletePod(pod: Pod): Pod {
    return this.pods.delete(pod);
  }
}
