import { z } from "zod";
import { slugify } from "@/lib/model/ids";

/**
 * A Nomad cluster entry of clusters.yaml. Every field may be left out: an
 * entry without `address` takes its whole connection from the nomad CLI's
 * environment (NOMAD_ADDR, NOMAD_TOKEN, ...), as the CLI does. An entry with
 * an address never picks up NOMAD_TOKEN implicitly (it could belong to
 * another cluster); name the variable with `tokenEnv` instead.
 */
export const NomadConnectionSchema = z.object({
  address: z.url().optional(),
  /** ACL token (secret ID), sent as X-Nomad-Token. Prefer tokenEnv to keep it out of the file. */
  token: z.string().min(1).optional(),
  /** Name of an environment variable that holds the token. */
  tokenEnv: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  /** "*" for every namespace the token may read, or a list. */
  namespaces: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  tls: z
    .object({
      /** Paths to PEM files, as NOMAD_CACERT, NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY. */
      caCert: z.string().optional(),
      clientCert: z.string().optional(),
      clientKey: z.string().optional(),
      serverName: z.string().optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .optional(),
  /** Follow the event stream; false forces blocking queries. Tokens that may not read the stream fall back on their own. */
  eventStream: z.boolean().optional(),
});
export type NomadConnection = z.infer<typeof NomadConnectionSchema>;

/** A connection with the environment applied and defaults filled in. */
export interface ResolvedNomadConnection {
  address: string;
  token: string | null;
  region: string | null;
  /** ["*"] or specific namespaces. */
  namespaces: string[];
  tls: {
    caCert: string | null;
    clientCert: string | null;
    clientKey: string | null;
    serverName: string | null;
    insecureSkipVerify: boolean;
  };
  eventStream: boolean;
}

/** Environment variables (the AdapterContext's, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_NOMAD_ADDR = "http://127.0.0.1:4646";

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

function namespaceList(value: string | string[] | undefined): string[] {
  if (value === undefined) return ["*"];
  const list = (Array.isArray(value) ? value : value.split(",")).map((s) => s.trim()).filter(Boolean);
  return list.length === 0 || list.includes("*") ? ["*"] : [...new Set(list)];
}

export function resolveConnection(c: NomadConnection, env: Env): ResolvedNomadConnection {
  const fromEnv = c.address === undefined;
  const pick = (own: string | undefined, envName: string) => own ?? (fromEnv ? env[envName] : undefined) ?? null;
  const token = c.token ?? (c.tokenEnv ? env[c.tokenEnv] : undefined) ?? (fromEnv ? env.NOMAD_TOKEN : undefined) ?? null;
  return {
    address: (c.address ?? env.NOMAD_ADDR ?? DEFAULT_NOMAD_ADDR).replace(/\/+$/, ""),
    token: token || null,
    region: pick(c.region, "NOMAD_REGION"),
    // Without a configured namespace Fleetdeck shows all of them, unlike the CLI's "default".
    namespaces: namespaceList(c.namespaces ?? (fromEnv ? env.NOMAD_NAMESPACE : undefined)),
    tls: {
      caCert: pick(c.tls?.caCert, "NOMAD_CACERT"),
      clientCert: pick(c.tls?.clientCert, "NOMAD_CLIENT_CERT"),
      clientKey: pick(c.tls?.clientKey, "NOMAD_CLIENT_KEY"),
      serverName: pick(c.tls?.serverName, "NOMAD_TLS_SERVER_NAME"),
      insecureSkipVerify: c.tls?.insecureSkipVerify ?? (fromEnv && truthy(env.NOMAD_SKIP_VERIFY)),
    },
    eventStream: c.eventStream ?? true,
  };
}

/** The cluster the nomad CLI would talk to, when NOMAD_ADDR is set. The token stays in the environment. */
export function discoverFromEnv(env: Env): { id: string; name: string; connection: NomadConnection }[] {
  const address = env.NOMAD_ADDR?.trim();
  if (!address) return [];
  let host: string;
  try {
    host = new URL(address).host;
  } catch {
    return [];
  }
  const connection: NomadConnection = { address };
  if (env.NOMAD_TOKEN) connection.tokenEnv = "NOMAD_TOKEN";
  if (env.NOMAD_REGION) connection.region = env.NOMAD_REGION;
  if (env.NOMAD_NAMESPACE) connection.namespaces = env.NOMAD_NAMESPACE;
  const tls: NonNullable<NomadConnection["tls"]> = {};
  if (env.NOMAD_CACERT) tls.caCert = env.NOMAD_CACERT;
  if (env.NOMAD_CLIENT_CERT) tls.clientCert = env.NOMAD_CLIENT_CERT;
  if (env.NOMAD_CLIENT_KEY) tls.clientKey = env.NOMAD_CLIENT_KEY;
  if (env.NOMAD_TLS_SERVER_NAME) tls.serverName = env.NOMAD_TLS_SERVER_NAME;
  if (truthy(env.NOMAD_SKIP_VERIFY)) tls.insecureSkipVerify = true;
  if (Object.keys(tls).length) connection.tls = tls;
  const region = env.NOMAD_REGION ? ` ${env.NOMAD_REGION}` : "";
  return [{ id: slugify(`nomad-${host}${region}`), name: `Nomad ${host}${region}`, connection }];
}
