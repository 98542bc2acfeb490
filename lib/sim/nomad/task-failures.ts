import type { SimTaskSpec } from "./state";

/**
 * How a test or the demo asks a simulated task to fail, the way a real one
 * would: from what its job asks for, not from a simulator-only switch.
 */

/** The registry of a docker image reference ("registry.example:5000/team/app:1"); none for a Docker Hub name. */
function registryOf(image: string): string | null {
  const [first, ...rest] = image.split("/");
  return rest.length && first && /[.:]/.test(first) ? first.replace(/:\d+$/, "") : null;
}

/**
 * Registries under the reserved .invalid domain (RFC 2606) never resolve,
 * so the docker driver cannot pull from them: the error it reports, in its
 * own words (drivers/docker/coordinator.go recoverablePullError), or null.
 */
export function pullError(task: SimTaskSpec | undefined): string | null {
  const image = typeof task?.Config.image === "string" ? task.Config.image : null;
  const registry = image ? registryOf(image) : null;
  if (!image || !registry?.endsWith(".invalid")) return null;
  return (
    `Failed to pull \`${image}\`: Error response from daemon: Get "https://${registry}/v2/": ` +
    `dial tcp: lookup ${registry} on 127.0.0.53:53: no such host`
  );
}

/** An exec task whose command is `false` exits with 1 as soon as it starts, every time. */
export function exitsAtOnce(task: SimTaskSpec | undefined): boolean {
  const command = typeof task?.Config.command === "string" ? task.Config.command : "";
  return command.split("/").pop() === "false";
}
