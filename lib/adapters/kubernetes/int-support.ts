import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { kubeconfigYaml, startKubeSim, type KubeSimHandle, type KubeSimOptions } from "@/lib/sim/kubernetes";
import type { KubeTimings } from "./kube-adapter";

/** Shared by the adapter's integration tests: fast watch timings, and a simulator with a kubeconfig for it. */
export const FAST: Partial<KubeTimings> = { watchdogMs: 1500, resyncMs: 120_000, backoff: { baseMs: 50, maxMs: 400 } };

/** Starts a simulator and writes a kubeconfig with one context per token: { context: token }. */
export async function startSimWithKubeconfig(
  options: KubeSimOptions,
  contexts: Record<string, string>,
): Promise<{ sim: KubeSimHandle; kubeconfig: string; close(): Promise<void> }> {
  const sim = await startKubeSim(options);
  const dir = await mkdtemp(path.join(os.tmpdir(), "fleetdeck-kube-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigYaml(Object.entries(contexts).map(([context, token]) => ({ context, server: sim.url, token }))));
  return {
    sim,
    kubeconfig,
    close: async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
