import { createHash, randomBytes } from "node:crypto";

/**
 * Bearer secrets (session cookies, display tokens, setup links) are 256
 * random bits from the OS; only their SHA-256 is stored, so a copy of the
 * database opens nothing. (Passwords, which people choose, get argon2id.)
 */
export function newSecret(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

export function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}
