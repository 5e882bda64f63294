import type { IncomingMessage, ServerResponse } from "node:http";
import type { Env } from "../../base/credentials.js";
import { networkCaller, observeRefusal } from "../../observe/observer.js";
import { selectTools, type ToolFilter } from "../../tools/select.js";
import type { VendorDefinition } from "../../tools/vendor.js";
import { CredentialHeaderError, credentialOverride, type UserCredential } from "../shared/credential.js";
import type { RequestAccess } from "../shared/oauth.js";
import { rpcError } from "./jsonrpc.js";

/** userCredential's answer when it has already answered the request. */
export const REFUSED = Symbol("refused");

/**
 * What every MCP request of an endpoint is checked for, stateful or not: the user's own
 * credential header (usable, or 400), and a tools/call the OAuth token's scope does not cover (403).
 */
export class RequestChecks<C> {
  readonly #vendor: VendorDefinition<C>;
  readonly #env: Env;
  readonly #filter: ToolFilter;
  #writers: Set<string> | undefined;

  constructor(vendor: VendorDefinition<C>, env: Env, filter: ToolFilter) {
    this.#vendor = vendor;
    this.#env = env;
    this.#filter = filter;
  }

  /** The request's own credential header, if any; an unusable one is answered 400 here (REFUSED: stop). */
  userCredential(req: IncomingMessage, res: ServerResponse): UserCredential | undefined | typeof REFUSED {
    try {
      return credentialOverride(this.#vendor, req.headers, this.#env);
    } catch (error) {
      if (!(error instanceof CredentialHeaderError)) throw error;
      rpcError(res, 400, -32000, error.message);
      return REFUSED;
    }
  }
  /**
   * A tools/call (alone or in a batch) for a tool this server offers but the token's scope does not
   * cover → 403 insufficient_scope with the challenge naming the scope, so the client can step up.
   * Tools the flags removed fall through to the SDK's "not found".
   */
  refuseScope(res: ServerResponse, body: unknown, access: RequestAccess): boolean {
    if (!access.readOnly) return false;
    const messages = Array.isArray(body) ? body : [body];
    for (const m of messages) {
      if (!m || typeof m !== "object" || (m as { method?: unknown }).method !== "tools/call") continue;
      const name = (m as { params?: { name?: unknown } }).params?.name;
      if (typeof name !== "string" || !this.#writeTools.has(name)) continue;
      const caller = networkCaller(access.subject, undefined);
      observeRefusal({
        server: this.#vendor.name,
        tool: name,
        transport: "http",
        caller,
        reason: "scope",
        status: 403,
      });
      rpcError(
        res,
        403,
        -32000,
        `insufficient_scope: the tool "${name}" changes things and your access token grants read-only access; sign in with the write scope.`,
        access.insufficientScope(),
      );
      return true;
    }
    return false;
  }
  get #writeTools(): Set<string> {
    this.#writers ??= new Set(
      selectTools(this.#vendor.tools, this.#filter, this.#vendor.toolsets)
        .filter((t) => !t.annotations.readOnlyHint)
        .map((t) => t.name),
    );
    return this.#writers;
  }
}
