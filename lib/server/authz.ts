import "server-only";
import { ForbiddenError } from "./errors";

/** Who asks. Until access control exists, every browser is "anonymous". */
export interface Actor {
  name: string;
}

export interface Mutation {
  verb: "scale";
  clusterId: string;
  workloadId: string;
}

/**
 * The one gate every mutation passes. Today it only enforces read-only mode
 * (FLEETDECK_READ_ONLY or `readOnly: true` in clusters.yaml); access control
 * will fill it in without touching the callers.
 */
export function authorize(settings: { readOnly: boolean }, actor: Actor, mutation: Mutation): void {
  if (settings.readOnly) {
    throw new ForbiddenError(`Fleetdeck runs read-only: ${mutation.verb} is disabled for everyone`);
  }
}
