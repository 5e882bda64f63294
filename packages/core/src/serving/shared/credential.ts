import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Env } from "../../base/credentials.js";
import { digest } from "../../base/digest.js";
import { MIN_SECRET_LENGTH } from "../../base/redact.js";
import type { VendorDefinition } from "../../tools/vendor.js";

/**
 * A user's own upstream credential, sent over HTTP in the vendor's header (X-Qovery-Token …). It
 * is never registered process-wide: the caller scopes it to the MCP session or REST request it
 * accepts (scopedRedactor + withRedactionScope), so it is scrubbed from that user's output only,
 * and forgotten with the session.
 */
export interface UserCredential {
  /** The environment the user's client is built from: the header value replaces `credentialEnv`. */
  env: Env;
  value: string;
  /** SHA-256 of the value: what a session keeps to check that later requests carry the same one. */
  digest: Buffer;
}

/** A credential header that cannot be used (answered 400). */
export class CredentialHeaderError extends Error {}

/**
 * The environment one MCP session (or one REST request) builds its client from when the request
 * carries the vendor's credential header: the header value replaces `credentialEnv`, and
 * conflicting alternatives are dropped. Undefined when the vendor has no header or the request
 * does not carry it. A value shorter than MIN_SECRET_LENGTH is refused (CredentialHeaderError): it
 * could not be redacted.
 */
export function credentialOverride(
  vendor: Pick<VendorDefinition<unknown>, "credentialHeader" | "credentialEnv" | "credentialEnvClear">,
  headers: IncomingMessage["headers"],
  base: Env,
): UserCredential | undefined {
  const { credentialHeader, credentialEnv } = vendor;
  if (!credentialHeader || !credentialEnv) return undefined;
  const raw = headers[credentialHeader.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  if (value.length < MIN_SECRET_LENGTH) {
    throw new CredentialHeaderError(
      `The ${credentialHeader} header is shorter than ${MIN_SECRET_LENGTH} characters: a credential that short is refused, because it could not be redacted.`,
    );
  }
  const env: Record<string, string | undefined> = { ...base, [credentialEnv]: value };
  for (const name of [`${credentialEnv}_FILE`, ...(vendor.credentialEnvClear ?? [])]) delete env[name];
  return { env, value, digest: digest(value) };
}

/** Both requests carry the same credential header value, or neither carries one. */
export function sameCredential(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (!a || !b) return a === b;
  return timingSafeEqual(a, b);
}
