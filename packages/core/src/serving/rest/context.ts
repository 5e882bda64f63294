import type { IncomingMessage } from "node:http";
import { WebSocketServer } from "ws";
import type { Env } from "../../base/credentials.js";
import { networkCaller } from "../../observe/observer.js";
import type { SessionLimits } from "../../streams/sessions.js";
import { confirmPolicyOf, describePolicy, needsConfirmation } from "../../tools/confirm-policy.js";
import type { ToolFilter } from "../../tools/select.js";
import type { VendorDefinition } from "../../tools/vendor.js";
import { readBody } from "../shared/body.js";
import { CredentialHeaderError, credentialOverride, type UserCredential } from "../shared/credential.js";
import type { NetworkLimits } from "../shared/limits.js";
import type { RequestAccess } from "../shared/oauth.js";
import type { Bridge } from "./passthrough.js";
import { zodProblem } from "./problems.js";
import { buildArgs, type CompiledRoute } from "./routes.js";

export interface ClientLease {
  client: unknown;
  release(): Promise<void>;
}

/**
 * What the REST surface's plain requests and websocket upgrades share: the compiled routes, the
 * vendors' clients, the open bridges, and the checks both make.
 */
export class RestContext {
  readonly routes: readonly CompiledRoute[];
  readonly env: Env;
  readonly limits: NetworkLimits;
  readonly sessionLimits: SessionLimits;
  readonly highWaterMark: number | undefined;
  readonly bridges = new Set<Bridge>();
  readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  closing = false;
  readonly #filters: ReadonlyMap<VendorDefinition<unknown>, ToolFilter>;
  readonly #shared = new Map<VendorDefinition<unknown>, unknown>();

  constructor(options: {
    routes: readonly CompiledRoute[];
    env: Env;
    limits: NetworkLimits;
    sessionLimits: SessionLimits;
    filters: ReadonlyMap<VendorDefinition<unknown>, ToolFilter>;
    highWaterMark?: number | undefined;
  }) {
    this.routes = options.routes;
    this.env = options.env;
    this.limits = options.limits;
    this.sessionLimits = options.sessionLimits;
    this.highWaterMark = options.highWaterMark;
    this.#filters = options.filters;
  }

  /** --confirm: REST cannot ask anyone, so the routes of tools the policy covers are refused (403). */
  unconfirmable(compiled: CompiledRoute): boolean {
    return needsConfirmation(confirmPolicyOf(this.#filterOf(compiled)), compiled.tool);
  }

  confirmDetail(compiled: CompiledRoute): string {
    const policy = confirmPolicyOf(this.#filterOf(compiled)) ?? "destructive";
    return `${compiled.tool.name}${compiled.tool.annotations.destructiveHint ? " is destructive and" : ""} needs the user's confirmation on this server (${describePolicy(policy)}), which the REST surface cannot ask for; use the MCP endpoint.`;
  }

  /** --show-env-values for this route's vendor. */
  showEnvValues(compiled: CompiledRoute): boolean {
    return this.#filterOf(compiled).showEnvValues === true;
  }

  #filterOf(compiled: CompiledRoute): ToolFilter {
    return this.#filters.get(compiled.vendor) ?? {};
  }

  /** The request's own credential header, the refusal of an unusable one, or undefined. */
  userCredential(
    vendor: VendorDefinition<unknown>,
    req: IncomingMessage,
  ): UserCredential | CredentialHeaderError | undefined {
    try {
      return credentialOverride(vendor, req.headers, this.env);
    } catch (error) {
      if (error instanceof CredentialHeaderError) return error;
      throw error;
    }
  }

  /** The process-wide client, or a per-request one when the request carries the vendor's credential header. */
  lease(vendor: VendorDefinition<unknown>, user: UserCredential | undefined): ClientLease {
    if (user) {
      const client = vendor.createClient(user.env);
      return { client, release: async () => vendor.closeClient?.(client) };
    }
    let client = this.#shared.get(vendor);
    if (client === undefined) {
      client = vendor.createClient(this.env);
      this.#shared.set(vendor, client);
    }
    return { client, release: async () => {} };
  }

  async parseRequest(
    req: IncomingMessage,
    compiled: CompiledRoute,
    pathArgs: Record<string, string>,
    url: URL,
    withBody: boolean,
  ): Promise<{ ok: true; args: unknown } | { ok: false; status: number; problem: Record<string, unknown> }> {
    let body: unknown;
    if (withBody) {
      const raw = await readBody(req, this.limits.maxBodyBytes);
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          return {
            ok: false,
            status: 400,
            problem: { title: "Invalid JSON body", detail: "The body is not valid JSON." },
          };
        }
      }
    }
    const args = buildArgs(compiled, url.searchParams, pathArgs, body);
    const parsed = compiled.tool.inputSchema.safeParse(args);
    if (!parsed.success) return { ok: false, status: 400, problem: zodProblem(parsed.error) };
    return { ok: true, args: parsed.data };
  }

  async closeClients(): Promise<void> {
    for (const [vendor, client] of this.#shared) await vendor.closeClient?.(client)?.catch(() => {});
    this.#shared.clear();
  }
}

/** What the audit log and metrics name a REST request by. */
export function seen(compiled: CompiledRoute, req: IncomingMessage, access?: RequestAccess, user?: UserCredential) {
  return {
    server: compiled.vendor.name,
    tool: compiled.tool.name,
    route: `${req.method ?? "GET"} ${compiled.route.path}`,
    transport: "rest" as const,
    traceparent: String(req.headers.traceparent ?? ""),
    caller: networkCaller(access?.subject, user?.digest),
  };
}
