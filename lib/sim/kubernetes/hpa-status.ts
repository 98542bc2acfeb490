/**
 * The HPA controller's status half: current and desired replicas, CPU
 * utilisation (refreshed once per sync period) and the AbleToScale /
 * ScalingActive / ScalingLimited conditions. It never scales the target; the
 * status follows whatever the target's replicas are.
 */

import type { Condition, DeploymentObject, HpaObject, JsonObject, Pod, StatefulSetObject } from "./types";
import { matchesRequirements, requirementsOf } from "./selectors";
import { RESOURCE, type ControlContext } from "./control-context";
import { isTerminating, podRequests } from "./object-helpers";
import { condition } from "./workload-status";

export class HpaStatusController {
  private lastSync = -Infinity;

  constructor(private readonly ctx: ControlContext) {}

  /** Whether a sync period has passed, so the next pass refreshes metrics even when nothing else changed. */
  syncDue(): boolean {
    return this.ctx.now() - this.lastSync >= this.ctx.options.hpaSyncMs;
  }

  /** Forgets the last sync (after bootstrap, whose clock ran in the past), so the first real pass refreshes. */
  resetSync(): void {
    this.lastSync = -Infinity;
  }

  reconcile(): void {
    const { store } = this.ctx;
    const now = this.ctx.now();
    const refreshMetrics = this.ctx.bootstrapping() || now - this.lastSync >= this.ctx.options.hpaSyncMs;
    if (refreshMetrics) this.lastSync = now;
    for (const hpa of store.list<HpaObject>(RESOURCE.hpa)) {
      const ref = hpa.spec.scaleTargetRef;
      const type = ref.kind === "StatefulSet" ? RESOURCE.statefulSet : RESOURCE.deployment;
      const target = store.get<DeploymentObject | StatefulSetObject>(type, hpa.metadata.namespace, ref.name);
      const prev = (hpa.status.conditions ?? []) as unknown as Condition[];
      if (!target) {
        hpa.status = {
          currentReplicas: 0,
          desiredReplicas: 0,
          conditions: [
            condition(
              this.ctx.now(),
              prev,
              "AbleToScale",
              false,
              "FailedGetScale",
              `the HPA controller was unable to get the target's current scale: ${type.plural}.apps "${ref.name}" not found`,
              false,
            ),
          ] as unknown as JsonObject[],
        };
        store.put(hpa);
        continue;
      }
      const min = hpa.spec.minReplicas ?? 1;
      const desired = Math.min(hpa.spec.maxReplicas, Math.max(min, target.spec.replicas));
      const currentMetrics = refreshMetrics ? this.utilisation(target) : hpa.status.currentMetrics;
      const limited =
        target.spec.replicas <= min ? "TooFewReplicas" : target.spec.replicas >= hpa.spec.maxReplicas ? "TooManyReplicas" : null;
      hpa.status = {
        currentReplicas: Number((target.status as { replicas?: number }).replicas ?? 0),
        desiredReplicas: desired,
        ...(currentMetrics ? { currentMetrics } : {}),
        conditions: [
          condition(this.ctx.now(), prev, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", false),
          condition(
            this.ctx.now(),
            prev,
            "ScalingActive",
            true,
            "ValidMetricFound",
            "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
            false,
          ),
          condition(
            this.ctx.now(),
            prev,
            "ScalingLimited",
            limited !== null,
            limited ?? "DesiredWithinRange",
            limited ? "the desired replica count is at the edge of the allowed range" : "the desired count is within the acceptable range",
            false,
          ),
        ] as unknown as JsonObject[],
      };
      store.put(hpa);
    }
  }

  private utilisation(target: DeploymentObject | StatefulSetObject): JsonObject[] | undefined {
    const reqs = requirementsOf(target.spec.selector);
    const pods = this.ctx.store
      .list<Pod>(RESOURCE.pod, target.metadata.namespace)
      .filter((p) => p.status.phase === "Running" && !isTerminating(p) && matchesRequirements(p.metadata.labels, reqs));
    if (pods.length === 0) return undefined;
    let used = 0;
    let requested = 0;
    for (const p of pods) {
      used += this.ctx.options.podCpuMillis(p);
      requested += podRequests(p).cpu;
    }
    if (requested === 0) return undefined;
    return [
      {
        type: "Resource",
        resource: {
          name: "cpu",
          current: { averageUtilization: Math.round((used / requested) * 100), averageValue: `${Math.round(used / pods.length)}m` },
        },
      },
    ];
  }
}
