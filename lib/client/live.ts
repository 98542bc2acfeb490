import { z } from "zod";
import type { ChangeEvent } from "@/lib/model/types";
import { RESOURCE_KINDS } from "@/lib/model/types";

/** One SSE message of /api/events, checked before it touches the cache. */
export const ChangeEventSchema = z.object({
  clusterId: z.string().min(1),
  resources: z.array(z.enum([...RESOURCE_KINDS, "cluster", "usage"])),
}) satisfies z.ZodType<ChangeEvent>;

export function parseChangeEvent(data: string): ChangeEvent | null {
  try {
    const parsed = ChangeEventSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type LiveStatus = "connecting" | "live" | "reconnecting";
