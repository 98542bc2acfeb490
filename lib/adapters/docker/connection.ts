import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** A clusters.yaml entry for a Docker endpoint (swarm manager or standalone engine). */
export const dockerConnectionSchema = z.object({
  /** "unix:///var/run/docker.sock" or "tcp://host:port"; default the local socket. */
  host: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/]+:\d+\/?)$/, 'host must look like "unix:///path/docker.sock" or "tcp://host:port"')
    .optional(),
  /** File paths of the TLS material for tcp hosts. */
  tls: z.object({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() }).optional(),
  /** Verify the engine's certificate against `tls.ca` (DOCKER_TLS_VERIFY); default true when tls is set. */
  verify: z.boolean().optional(),
});
export type DockerConnection = z.infer<typeof dockerConnectionSchema>;

export type Endpoint =
  | { kind: "unix"; socketPath: string; label: string }
  | { kind: "tcp"; origin: string; label: string; tls: DockerConnection["tls"] | null; verify: boolean };

/** Where to connect, without secrets: the label is safe to log. */
export function endpointOf(connection: DockerConnection): Endpoint {
  const host = connection.host ?? DEFAULT_DOCKER_HOST;
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length);
    return { kind: "unix", socketPath, label: host };
  }
  const hostPort = host.slice("tcp://".length).replace(/\/$/, "");
  const tls = connection.tls ?? null;
  return {
    kind: "tcp",
    origin: `${tls ? "https" : "http"}://${hostPort}`,
    label: host,
    tls,
    verify: connection.verify ?? true,
  };
}

/** The connection the Docker CLI would use from DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH. */
export function connectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  exists: (file: string) => boolean = fs.existsSync,
): DockerConnection {
  const host = env.DOCKER_HOST?.trim() || DEFAULT_DOCKER_HOST;
  if (!host.startsWith("tcp://")) return { host };
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return { host };
  const certPath = env.DOCKER_CERT_PATH || path.join(os.homedir(), ".docker");
  // As the Docker CLI does: a default client certificate or key that is not there is left out, not an error.
  const ifThere = (name: "cert" | "key") => {
    const file = path.join(certPath, `${name}.pem`);
    return exists(file) ? { [name]: file } : {};
  };
  return {
    host,
    tls: {
      // Without verification the CLI does not need a CA either.
      ...(verify ? { ca: path.join(certPath, "ca.pem") } : {}),
      ...ifThere("cert"),
      ...ifThere("key"),
    },
    verify,
  };
}
