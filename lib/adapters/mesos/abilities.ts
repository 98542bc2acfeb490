import { AdapterError } from "@/lib/adapters/errors";

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
