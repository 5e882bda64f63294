import { type JWTPayload, errors as joseErrors } from "jose";
import type { OAuthSettings } from "./oauth-settings.js";

/** Reading a verified access token: whose it is, its type, its scopes; and why one was refused. */

/** What a verified token allows: who it is (the MCP session's identity) and which tools. */
export interface Principal {
  /**
   * `user:<sub>` for a token a user signed in for, `client:<client_id>` for one a client got for
   * itself (client credentials: no `sub`, or `sub` equal to the client id, RFC 9068 §2.2). The
   * prefix keeps the two namespaces apart: a client registered as "alice" is not the user alice.
   */
  subject: string;
  /** "read": readOnlyHint tools only; "write": everything the flags allow. */
  level: "read" | "write";
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** What the transports need to know about the caller of one request (OAuth or not). */
export interface RequestAccess {
  /** The identity an MCP session is bound to; a request from another subject gets 403. */
  subject?: string;
  /** Only readOnlyHint tools are listed and callable; others get 403 insufficient_scope. */
  readOnly: boolean;
  /** Headers for a 403 insufficient_scope answer (the challenge naming the scope to ask for). */
  insufficientScope(): Record<string, string>;
}

export interface OAuthRefusal {
  status: 401 | 403 | 503;
  /** RFC 6750 error code; absent when no token was sent at all. */
  error?: "invalid_token" | "invalid_request" | "insufficient_scope" | "temporarily_unavailable";
  description: string;
  headers: Record<string, string>;
}

export function clientIdOf(payload: JWTPayload): string | undefined {
  const id = payload.client_id ?? payload.azp;
  return typeof id === "string" && id ? id : undefined;
}

/**
 * Who a token speaks for, namespaced: a user (`user:<sub>`) or a client acting for itself
 * (`client:<client_id>`). A client-credentials token has no user: RFC 9068 §2.2 has it carry no
 * `sub` or the client's own id as `sub`; both are the client. Sessions and per-client shares are
 * keyed by this, so a client named like a user never reaches that user's session.
 */
export function identityOf(payload: JWTPayload): string | undefined {
  const sub = typeof payload.sub === "string" && payload.sub ? payload.sub : undefined;
  const client = clientIdOf(payload);
  if (sub !== undefined && sub !== client) return `user:${sub}`;
  return client !== undefined ? `client:${client}` : undefined;
}

/** The token's `typ` as an error may quote it (it is the caller's text: only plain media-type characters). */
export function shownType(typ: string | undefined): string {
  if (typ === undefined) return "(no typ)";
  return /^[\w.+/-]{1,40}$/.test(typ) ? `"${typ}"` : "(an unusual typ)";
}

/**
 * RFC 9068 §4: an access token's JOSE `typ` is `at+jwt` (the media type, with or without its
 * `application/` prefix, compared case-insensitively, RFC 7515 §4.1.9). With the operator's
 * switch, `JWT` and an absent `typ` (how some issuers mint access tokens) pass too.
 */
export function isAccessTokenType(typ: string | undefined, acceptPlainJwt: boolean): boolean {
  const t = typ?.toLowerCase().replace(/^application\//, "");
  if (t === "at+jwt") return true;
  return acceptPlainJwt && (t === undefined || t === "jwt");
}

/** `scope` (RFC 9068, space-separated) or `scp` (an array, as some providers issue). */
export function scopesOf(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  if (typeof payload.scope === "string") for (const s of payload.scope.split(" ")) if (s) out.add(s);
  const scp = payload.scp;
  if (Array.isArray(scp)) {
    for (const s of scp) if (typeof s === "string") out.add(s);
  } else if (typeof scp === "string") {
    for (const s of scp.split(" ")) if (s) out.add(s);
  }
  return out;
}

/** jose's failure, said so a user can tell which check failed and what to change. */
export function describeVerifyError(error: unknown, settings: OAuthSettings): { text: string; unavailable?: boolean } {
  if (error instanceof joseErrors.JWTExpired) {
    const exp = typeof error.payload.exp === "number" ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : "";
    return { text: `The access token expired${exp}; get a new one.` };
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "nbf":
        return { text: "The access token is not yet valid (nbf is in the future)." };
      case "iat":
        return { text: "The access token was issued in the future (iat)." };
      case "aud":
        return {
          text: `The access token was issued for another audience; this server accepts "${settings.audience}".`,
        };
      case "iss":
        return { text: `The access token comes from another issuer; this server trusts "${settings.issuer}".` };
      case "exp":
        return { text: "The access token has no expiry (exp); it is refused." };
      default:
        return { text: `The access token's "${error.claim}" claim is invalid (${error.reason}).` };
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return { text: "The access token's signature does not verify against the issuer's keys." };
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return { text: "The access token is signed with a key the issuer does not publish." };
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return { text: "The access token's signature algorithm is not accepted (asymmetric algorithms only)." };
  }
  if (error instanceof joseErrors.JWKSTimeout) {
    return { text: "The authorization server's key set did not answer in time.", unavailable: true };
  }
  if (error instanceof joseErrors.JWKSInvalid) {
    return { text: "The authorization server's key set is not valid JSON Web Keys.", unavailable: true };
  }
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) {
    return { text: `The access token is malformed (${error.message}).` };
  }
  if (error instanceof joseErrors.JOSEError) {
    return { text: `The access token is refused (${error.code}).` };
  }
  // Anything else is the key-set fetch failing (network), not the token.
  return {
    text: `The authorization server's key set cannot be fetched: ${error instanceof Error ? error.message : String(error)}`,
    unavailable: true,
  };
}
