import type { WorkloadCore } from "@/lib/model/types";
import { AdapterError } from "@/lib/adapters/errors";
import type { ClusterAdapter } from "@/lib/adapters/types";

/**
 * Optional abilities of the Mesos adapter that the shared contract lacks.
 * Scalable.scale has no options, so forcing a scale through a running
 * Marathon deployment is a separate, explicit call.
 */

export interface ForceScalable {
  /**
   * Scales even while a deployment holds the workload (Marathon `?force=true`),
   * which cancels that deployment. Call only after the operator confirmed.
   */
  forceScale(workloadId: string, replicas: number, signal?: AbortSignal): Promise<WorkloadCore>;
}

export function isForceScalable(adapter: ClusterAdapter): adapter is ClusterAdapter & ForceScalable {
  return typeof (adapter as Partial<ForceScalable>).forceScale === "function";
}

/** A plain scale refused because deployments hold the app; forceScale would cancel them. */
export class DeploymentConflictError extends AdapterError {
  constructor(
    readonly appId: string,
    readonly deploymentIds: string[],
    upstreamMessage: string,
  ) {
    super(
      "conflict",
      `Marathon app ${appId} is locked by deployment ${deploymentIds.join(", ") || "(unnamed)"}; ` +
        `wait for it to finish or force the scale, which cancels it. Marathon said: ${upstreamMessage}`,
    );
    this.name = "DeploymentConflictError";
  }
}
