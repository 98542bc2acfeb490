/** A seeded random source, so a simulator started with the same seed builds the same names and uids. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: small, fast, good enough for names. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
  suffix(length: number): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  uid(): string {
    const hex = () => Math.floor(this.next() * 16).toString(16);
    const chunk = (n: number) => Array.from({ length: n }, hex).join("");
    return `${chunk(8)}-${chunk(4)}-4${chunk(3)}-${"89ab"[Math.floor(this.next() * 4)]}${chunk(3)}-${chunk(12)}`;
  }
}

/** A stable 32-bit hash of a string (FNV-1a), for per-object noise phases. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uid derived from a text, for objects whose uids must not draw from the seeded sequence (events, claims, volumes). */
export function uidFrom(text: string): string {
  const hex = [0, 1, 2, 3].map((i) => hashString(`${i}:${text}`).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 3339 with second precision, as the apiserver writes metav1.Time. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
