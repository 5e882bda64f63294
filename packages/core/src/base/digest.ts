import { createHash } from "node:crypto";

/**
 * SHA-256 of a secret, for constant-time comparison (timingSafeEqual needs equal lengths) and for
 * remembering which credential a session was opened with without keeping the credential.
 */
export function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}
