import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { slugify } from "@/lib/model/ids";
import type { Logger } from "@/lib/log";
import type { DiscoveredCluster } from "../module";
import { AdapterError } from "../errors";

/**
 * How to reach one Kubernetes cluster. `kubeconfig` is a file path or a
 * KUBECONFIG-style list of paths (joined with ":"), defaulting to KUBECONFIG
 * or ~/.kube/config; `context` defaults to the file's current context.
 *
 * `impersonate` (default false): changes (scaling) are sent as the Fleetdeck
 * user who asked for them, with Impersonate-User and one Impersonate-Group
 * header per group, so the cluster's own RBAC decides as well as Fleetdeck's
 * roles; an anonymous viewer is sent as system:anonymous (group
 * system:unauthenticated), and a change without a known user is refused.
 * Fleetdeck's own credentials then need the `impersonate` verb on `users` and
 * `groups`. Lists and watches always use Fleetdeck's own credentials.
 */
export const KubeConnectionSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  inCluster: z.boolean().optional(),
  impersonate: z.boolean().default(false),
});
/** What a clusters.yaml entry or discovery gives (impersonate may be left out: false). */
export type KubeConnection = z.input<typeof KubeConnectionSchema>;

/** Environment variables; a plain record so tests need not build a whole ProcessEnv. */
export type Env = Readonly<Record<string, string | undefined>>;

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The kubeconfig files kubectl would read: KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigPaths(env: Env, list?: string): string[] {
  const fromList = (list ?? env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
  if (fromList.length) return fromList;
  const home = env.HOME || os.homedir();
  return home ? [path.join(home, ".kube", "config")] : [];
}

/**
 * Loads and merges kubeconfig files the way kubectl does: missing files are
 * skipped and the first file to define a name wins. Null when none exists.
 * Unreadable files throw.
 */
export function loadKubeconfigFiles(paths: string[]): KubeConfig | null {
  let merged: KubeConfig | null = null;
  for (const file of paths) {
    if (!fs.existsSync(file)) continue;
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    if (!merged) {
      merged = kc;
      continue;
    }
    const has = <T extends { name: string }>(list: T[], item: T) => list.some((x) => x.name === item.name);
    merged.loadFromOptions({
      clusters: [...merged.clusters, ...kc.clusters.filter((c) => !has(merged!.clusters, c))],
      users: [...merged.users, ...kc.users.filter((u) => !has(merged!.users, u))],
      contexts: [...merged.contexts, ...kc.contexts.filter((c) => !has(merged!.contexts, c))],
      currentContext: merged.currentContext || kc.currentContext,
    });
  }
  return merged;
}

/** The library refuses plain-http servers unless TLS verification is marked off; there is no TLS to verify. */
function allowPlainHttp(kc: KubeConfig): void {
  if (!kc.clusters.some((c) => c.server.startsWith("http:") && !c.skipTLSVerify)) return;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith("http:") ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
}

/** A KubeConfig for one connection, or an AdapterError("invalid") saying what is missing. */
export function buildKubeConfig(connection: KubeConnection, env: Env): KubeConfig {
  const kc = new KubeConfig();
  if (connection.inCluster) {
    kc.loadFromCluster();
  } else {
    const paths = kubeconfigPaths(env, connection.kubeconfig);
    let loaded: KubeConfig | null;
    try {
      loaded = loadKubeconfigFiles(paths);
    } catch (err) {
      // The parser's message can quote file content, which may hold a token: name the file only.
      throw new AdapterError("invalid", `kubeconfig ${paths.join(path.delimiter)} could not be read`, { cause: err });
    }
    if (!loaded) throw new AdapterError("invalid", `no kubeconfig at ${paths.join(path.delimiter) || "(no path)"}`);
    if (connection.context) {
      if (!loaded.getContextObject(connection.context)) {
        throw new AdapterError("invalid", `kubeconfig has no context "${connection.context}"`);
      }
      loaded.setCurrentContext(connection.context);
    }
    kc.loadFromOptions({
      clusters: loaded.clusters,
      users: loaded.users,
      contexts: loaded.contexts,
      currentContext: loaded.currentContext,
    });
  }
  if (!kc.getCurrentCluster()) {
    throw new AdapterError("invalid", `kubeconfig context "${kc.currentContext}" names no cluster`);
  }
  allowPlainHttp(kc);
  return kc;
}

/**
 * The files a connection's credentials come from: the kubeconfig files (all
 * of KUBECONFIG's list, present or not: a file that appears may define the
 * context first) and the CA, client certificate, key and token files the
 * current context names. In-cluster, the service account's token and CA.
 */
export function credentialFiles(connection: KubeConnection, env: Env, kc: KubeConfig | null): string[] {
  const files = connection.inCluster ? [] : kubeconfigPaths(env, connection.kubeconfig);
  const cluster = kc?.getCurrentCluster();
  const user = kc?.getCurrentUser();
  const tokenFile = (user?.authProvider as { config?: { tokenFile?: unknown } } | undefined)?.config?.tokenFile;
  for (const file of [cluster?.caFile, user?.certFile, user?.keyFile, typeof tokenFile === "string" ? tokenFile : undefined]) {
    if (file) files.push(file);
  }
  return [...new Set(files)];
}

/**
 * Every kubeconfig context as a cluster, plus the in-cluster service account.
 * A missing or unreadable kubeconfig gives no clusters, never an error.
 */
export async function discoverKubeClusters(
  env: Env,
  log: Logger,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
): Promise<DiscoveredCluster<KubeConnection>[]> {
  const found: DiscoveredCluster<KubeConnection>[] = [];
  const taken = new Set<string>();
  const uniqueId = (name: string) => {
    const base = slugify(name);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  };

  const paths = kubeconfigPaths(env);
  let kc: KubeConfig | null = null;
  try {
    kc = loadKubeconfigFiles(paths);
  } catch (err) {
    log.warn("kubeconfig could not be read; skipping its contexts", {
      paths,
      error: err instanceof Error ? err.name : "error",
    });
  }
  for (const context of kc?.contexts ?? []) {
    found.push({
      id: uniqueId(context.name),
      name: context.name,
      connection: { kubeconfig: paths.join(path.delimiter), context: context.name },
    });
  }

  if (env.KUBERNETES_SERVICE_HOST && fs.existsSync(path.join(serviceAccountDir, "token"))) {
    found.push({ id: uniqueId("in-cluster"), name: "in-cluster", connection: { inCluster: true } });
  }
  return found;
}
