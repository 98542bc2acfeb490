import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PrometheusSourceSchema } from "@/lib/adapters/prometheus/client";
import { ClusterScopeSchema, RoleSchema } from "@/lib/model/access";
import { PricingSchema, type Pricing } from "@/lib/model/consumption";
import { OrchestratorSchema } from "@/lib/model/types";
import { onePerProcess } from "./process-one";

/**
 * Settings from clusters.yaml (path from FLEETDECK_CONFIG, default
 * ./clusters.yaml) and the environment, which wins:
 *
 *   readOnly: false          # FLEETDECK_READ_ONLY=1
 *   demo: auto               # auto | true | false; FLEETDECK_DEMO=1 or 0
 *   discover: true           # kubeconfig contexts, local Docker, NOMAD_ADDR, ...; FLEETDECK_DISCOVER=0
 *   maxReplicas: 1000        # FLEETDECK_MAX_REPLICAS
 *   usage: { stepSeconds: 15, retainMinutes: 240 }   # FLEETDECK_SAMPLE_SECONDS
 *   consumption:
 *     teamLabel: team        # the workload label (tag, meta key) naming its team
 *     pricing: { cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, currency: USD }   # every cluster's price sheet; unset: no cost
 *   publicUrl: https://fleetdeck.example.com   # FLEETDECK_PUBLIC_URL; the origins browsers may change things from
 *   auth: { anonymous, session, oidc }         # see AuthSchema
 *   clusters:
 *     - id: prod-eu          # URL-safe; an id that discovery also found renames or hides it
 *       name: Production EU
 *       hidden: false
 *       orchestrator: kubernetes
 *       context: prod-eu     # ...and the orchestrator's connection fields
 *       prometheus: { url: http://prometheus:9090, selector: 'cluster="prod-eu"' }   # Kubernetes: consumption history from PromQL
 *       pricing: { cpuCoreHour: 0.04, memoryGiBHour: 0.005, currency: EUR }   # this cluster's price sheet, over consumption.pricing
 *
 * A cluster is priced by its own sheet, else consumption.pricing; the demo
 * clusters by OpenCost's default list prices when neither is set (USD 0.031611
 * per core-hour, 0.004237 per GiB-hour); other clusters without one show no cost.
 */

const ClusterEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "id must be lowercase letters, digits, '.', '_' or '-'"),
    name: z.string().min(1).optional(),
    hidden: z.boolean().default(false),
    demo: z.boolean().default(false),
    orchestrator: OrchestratorSchema.optional(),
    /** Where a Kubernetes cluster's consumption history is read from (PromQL over cAdvisor's metrics). */
    prometheus: PrometheusSourceSchema.optional(),
    /** This cluster's price sheet, for the cost of consumption; over consumption.pricing. */
    pricing: PricingSchema.optional(),
  })
  .passthrough();
export type ClusterEntry = z.infer<typeof ClusterEntrySchema>;

// The same bounds whether a value comes from clusters.yaml or the environment.
const MaxReplicasSchema = z.number().int().min(1);
const StepSecondsSchema = z.number().min(1).max(300);

export const ANONYMOUS_SETTINGS = ["none", "viewer", "operator"] as const;
const AnonymousSchema = z.enum(ANONYMOUS_SETTINGS, { error: "anonymous must be none, viewer or operator" });

/** What OpenID users and groups are called on a cluster that impersonates them, by default (as the apiserver's --oidc-username-prefix). */
export const OIDC_KUBERNETES_PREFIX = "oidc:";

/** Maps an identity provider's group to a role, for all clusters or some. */
const OidcRoleSchema = z.object({ group: z.string().min(1), role: RoleSchema, clusters: ClusterScopeSchema.default("*") }).strict();

const AuthSchema = z
  .object({
    /** Unset: anonymous visitors operate the demo clusters and view the others. */
    anonymous: AnonymousSchema.optional(),
    session: z
      .object({
        idleMinutes: z
          .number()
          .int()
          .min(5)
          .max(30 * 24 * 60)
          .default(8 * 60),
        absoluteHours: z
          .number()
          .int()
          .min(1)
          .max(90 * 24)
          .default(7 * 24),
      })
      .strict()
      .prefault({}),
    /** Issuer, client id and secret come from the environment (FLEETDECK_OIDC_*); the rest from here. */
    oidc: z
      .object({
        name: z.string().min(1).max(60).default("single sign-on"),
        scopes: z
          .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/))
          .min(1)
          .default(["openid", "profile", "email", "groups"]),
        usernameClaim: z.string().min(1).default("preferred_username"),
        groupsClaim: z.string().min(1).default("groups"),
        roles: z.array(OidcRoleSchema).default([]),
        /** The role of a user in none of the groups above; unset: such a user is refused. */
        defaultRole: RoleSchema.optional(),
        /** Put before usernames and groups a cluster with impersonate: true sees ("oidc:alice", "oidc:sre"). */
        kubernetesPrefix: z.string().max(64).default(OIDC_KUBERNETES_PREFIX),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type AuthConfig = z.infer<typeof AuthSchema>;

const ConfigFileSchema = z
  .object({
    readOnly: z.boolean().default(false),
    demo: z.union([z.boolean(), z.literal("auto")]).default("auto"),
    discover: z.boolean().default(true),
    maxReplicas: MaxReplicasSchema.default(1000),
    usage: z
      .object({
        stepSeconds: StepSecondsSchema.default(15),
        retainMinutes: z
          .number()
          .min(60)
          .max(24 * 60)
          .default(240),
      })
      .prefault({}),
    consumption: z
      .object({
        /** The label, tag or meta key of a workload that names its team; workloads without it are "unassigned". */
        teamLabel: z.string().min(1).max(253).default("team"),
        /** Every cluster's price sheet unless it has its own; unset: only the demo clusters are priced. */
        pricing: PricingSchema.optional(),
      })
      .strict()
      .prefault({}),
    publicUrl: z.union([z.string(), z.array(z.string())]).optional(),
    auth: AuthSchema,
    clusters: z.array(ClusterEntrySchema).default([]),
  })
  .strict();

type Env = Readonly<Record<string, string | undefined>>;

export interface Settings {
  readOnly: boolean;
  demo: boolean | "auto";
  discover: boolean;
  maxReplicas: number;
  usageStepSeconds: number;
  usageRetainSeconds: number;
  consumption: { teamLabel: string; pricing?: Pricing };
  clusters: ClusterEntry[];
  /** Origins (scheme://host:port) the app is reached at; empty: the addresses it serves on. */
  publicOrigins: string[];
  auth: Omit<AuthConfig, "anonymous"> & { anonymous: (typeof ANONYMOUS_SETTINGS)[number] | "default" };
  /** Where the settings came from, for the startup log. */
  source: string;
}

function envFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`expected 1/0, true/false, yes/no or on/off, got "${value}"`);
}

function envNumber(name: string, env: Env, schema: z.ZodNumber): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const parsed = schema.safeParse(Number(raw));
  if (!parsed.success) throw new Error(`${name}: ${parsed.error.issues[0].message}, got "${raw}"`);
  return parsed.data;
}

function anonymousFrom(value: string | undefined) {
  if (value === undefined || value === "") return undefined;
  const parsed = AnonymousSchema.safeParse(value);
  if (!parsed.success) throw new Error(`FLEETDECK_ANONYMOUS: expected none, viewer or operator, got "${value}"`);
  return parsed.data;
}

export function expandHome(p: string): string {
  return p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p;
}

/** "https://a.example.com, http://b:3000" → their origins; a path or a bad URL is an error naming it. */
export function parseOrigins(value: string | string[] | undefined, where: string): string[] {
  if (value === undefined) return [];
  const list = (Array.isArray(value) ? value : value.split(",")).map((v) => v.trim()).filter(Boolean);
  return list.map((v) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw new Error(`${where}: "${v}" is not a URL like https://fleetdeck.example.com`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${where}: "${v}" must be http or https`);
    return url.origin;
  });
}

export async function loadSettings(env: Env = process.env): Promise<Settings> {
  const file = path.resolve(expandHome(env.FLEETDECK_CONFIG ?? "clusters.yaml"));
  let raw: unknown = {};
  let source = "defaults";
  try {
    raw = parseYaml(await fs.readFile(file, "utf8")) ?? {};
    source = file;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    if (!missing || env.FLEETDECK_CONFIG) throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");
    throw new Error(`invalid ${file}: ${issues}`);
  }
  const config = parsed.data;
  const ids = new Set<string>();
  for (const c of config.clusters) {
    if (ids.has(c.id)) throw new Error(`invalid ${file}: cluster id "${c.id}" appears twice`);
    ids.add(c.id);
  }
  const flag = (name: string) => {
    try {
      return envFlag(env[name]);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  };

  return {
    readOnly: flag("FLEETDECK_READ_ONLY") ?? config.readOnly,
    demo: flag("FLEETDECK_DEMO") ?? config.demo,
    discover: flag("FLEETDECK_DISCOVER") ?? config.discover,
    maxReplicas: envNumber("FLEETDECK_MAX_REPLICAS", env, MaxReplicasSchema) ?? config.maxReplicas,
    usageStepSeconds: envNumber("FLEETDECK_SAMPLE_SECONDS", env, StepSecondsSchema) ?? config.usage.stepSeconds,
    usageRetainSeconds: config.usage.retainMinutes * 60,
    consumption: config.consumption,
    clusters: config.clusters,
    publicOrigins: env.FLEETDECK_PUBLIC_URL
      ? parseOrigins(env.FLEETDECK_PUBLIC_URL, "FLEETDECK_PUBLIC_URL")
      : parseOrigins(config.publicUrl, `${file}: publicUrl`),
    auth: { ...config.auth, anonymous: anonymousFrom(env.FLEETDECK_ANONYMOUS) ?? config.auth.anonymous ?? "default" },
    source,
  };
}

/** The process's settings, read once: the Fleet and Access start from the same reading. */
export const getSettings = onePerProcess("fleetdeck.settings", () => loadSettings());
