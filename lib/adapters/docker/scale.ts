import { z } from "zod";
import { AdapterError } from "@/lib/adapters/errors";
import { sleep } from "@/lib/adapters/sleep";
import type { WorkloadCore } from "@/lib/model/types";
import type { DockerClient } from "./client";
import { SwarmServiceInspectForUpdate, SwarmService } from "./raw";
import { GLOBAL_NOT_SCALABLE, JOB_NOT_SCALABLE, mapSwarmService } from "./swarm-mappers";

export const OUT_OF_SEQUENCE = /update out of sequence/i;
/** Swarm object ids are lowercase letters and digits. */
const SERVICE_ID = /^[a-z0-9]+$/;

export interface ScaleOptions {
  /** Attempts in all before answering "conflict". */
  maxAttempts?: number;
  /** Pause between attempts, grown linearly. */
  retryDelayMs?: number;
}

/**
 * Sets a replicated service's replicas: inspect, then update with the
 * inspected Version.Index and the whole Spec (the update replaces the spec).
 * A concurrent update makes the engine answer "update out of sequence": the
 * spec is inspected again and the update retried, a bounded number of times.
 */
export async function scaleSwarmService(
  client: DockerClient,
  serviceId: string,
  replicas: number,
  signal?: AbortSignal,
  options: ScaleOptions = {},
): Promise<WorkloadCore> {
  // The engine also resolves names and id prefixes; a workload id is a whole service id, and nothing else may be scaled.
  if (!SERVICE_ID.test(serviceId)) throw new AdapterError("not-found", `no Swarm service has the id ${serviceId}`);
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const path = `/services/${encodeURIComponent(serviceId)}`;
  let lastError: AdapterError | null = null;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await client.get(path, SwarmServiceInspectForUpdate, undefined, signal);
    if (current.ID !== serviceId) throw new AdapterError("not-found", `no Swarm service has the id ${serviceId}`);
    const mode = current.Spec.Mode ?? {};
    if (!mode.Replicated) {
      throw new AdapterError("invalid", mode.Global ? GLOBAL_NOT_SCALABLE : JOB_NOT_SCALABLE);
    }
    const spec = { ...current.Spec, Mode: { ...mode, Replicated: { ...mode.Replicated, Replicas: replicas } } };
    try {
      await client.post(`${path}/update`, spec, { version: current.Version.Index }, signal);
      return await inspectWorkload(client, serviceId, signal);
    } catch (err) {
      if (!(err instanceof AdapterError) || !OUT_OF_SEQUENCE.test(err.message)) throw err;
      lastError = err;
      await sleep(retryDelayMs * attempt, signal);
    }
  }
  throw new AdapterError(
    "conflict",
    `service ${serviceId} kept changing while scaling (${maxAttempts} attempts): ${lastError?.message ?? "update out of sequence"}`,
  );
}

/** The service as a workload, with running/desired counts (only the list endpoint has ?status). */
export async function inspectWorkload(client: DockerClient, serviceId: string, signal?: AbortSignal): Promise<WorkloadCore> {
  const filters = JSON.stringify({ id: [serviceId] });
  const services = await client.get("/services", z.array(SwarmService), { status: true, filters }, signal);
  // The id filter matches prefixes; pick the exact one.
  const service = services.find((s) => s.ID === serviceId);
  if (!service) throw new AdapterError("not-found", `service ${serviceId} not found`);
  return mapSwarmService(service);
}
