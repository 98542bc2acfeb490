import type { SimHealthCheck } from "./state";

/**
 * What the container runtime on a container instance (or Fargate's) makes of
 * a task definition, by convention, so that a test or the demo can ask for a
 * failure: images from a registry under the reserved .invalid domain
 * (RFC 2606) never resolve, and a health check whose command is only
 * `exit <non-zero>` or `false` (["CMD-SHELL", "exit 1"]) fails; any other
 * command ("curl -f http://localhost/ || exit 1") passes.
 */

export function unpullableImage(image: string): boolean {
  const host = image.split("/")[0];
  return image.includes("/") && /\.invalid(:\d+)?$/.test(host);
}

/** The agent's CannotPullContainerError: containerd's wording on Fargate, Docker's on EC2. */
export function pullError(image: string, launchType: "EC2" | "FARGATE"): string {
  const host = image.split("/")[0].replace(/:\d+$/, "");
  const lookup = `dial tcp: lookup ${host}: no such host`;
  if (launchType === "EC2") return `CannotPullContainerError: Error response from daemon: Get "https://${host}/v2/": ${lookup}`;
  return `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: failed to do request: Head "https://${host}/v2/": ${lookup}`;
}

export function healthCheckPasses(check: SimHealthCheck): boolean {
  // The first element says how to run the rest: CMD (exec) or CMD-SHELL.
  return !/^(false|exit\s+[1-9]\d*)$/.test(check.command.slice(1).join(" ").trim());
}
