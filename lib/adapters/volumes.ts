/**
 * What the adapters' volume mappings share (lib/model VolumeSchema): the
 * words for how a volume is mounted and whether it is, and the notation for
 * the claims of numbered replicas (a StatefulSet's, Nomad's per-allocation
 * volumes), so every orchestrator says them alike.
 */

export const READ_WRITE = "read-write";
export const READ_ONLY = "read-only";

/** How the tasks mount a volume, from each mount's read-only flag: read-write, read-only, both when they differ, none for no mount. */
export function mountModes(readOnly: Iterable<boolean | null | undefined>): string[] {
  const modes = new Set<string>();
  for (const ro of readOnly) modes.add(ro ? READ_ONLY : READ_WRITE);
  return [READ_WRITE, READ_ONLY].filter((m) => modes.has(m));
}

/** A volume without a claim phase is mounted while some task of its workload runs. */
export function mountStatus(running: boolean): "mounted" | "unmounted" {
  return running ? "mounted" : "unmounted";
}

/** The ordinals of `count` replicas: "0" for one, "{0..2}" for three (shell brace notation); null for none. */
export function ordinalRange(count: number): string | null {
  if (count <= 0) return null;
  return count === 1 ? "0" : `{0..${count - 1}}`;
}
