import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { Env } from "../base/credentials.js";
import { ConfigError } from "../base/errors.js";
import { type Redactor, withRedactionScope } from "../base/redact.js";
import type { SettingsTable } from "../base/settings.js";
import { type Caller, localCaller, type Transport } from "../observe/observer.js";
import { type SessionLimits, SessionRegistry, sessionLimitsFromEnv } from "../streams/sessions.js";
import { registerTools } from "./call.js";
import { confirmPolicyOf } from "./confirm-policy.js";
import type { AnyRoute, AnyTool } from "./definition.js";
import { installToolList } from "./listing.js";
import { type PromptDefinition, registerPrompts } from "./prompts.js";
import { selectTools, type ToolFilter } from "./select.js";
import type { ToolsetTable } from "./toolsets.js";

/** What a vendor package hands to core: its tool table and how to build a client from config. */
export interface VendorDefinition<C> {
  /** Package and bin name, e.g. "incus-mcp". */
  name: string;
  version: string;
  title: string;
  /** Server instructions shown to the model at initialize. */
  instructions?: string;
  tools: readonly AnyTool<C>[];
  /** The vendor's toolsets (its builder's `toolsets`): what --toolsets names and --help lists. */
  toolsets?: ToolsetTable;
  /** The seeds' REST routes (served by --rest), each answered by a tool of `tools`. */
  routes?: readonly AnyRoute<C>[];
  /** Reads configuration and builds a client; throws ConfigError naming the variable to fix. */
  createClient(env: Env): C;
  /** Releases sockets/agents held by a client. */
  closeClient?(client: C): Promise<void>;
  /**
   * Over HTTP, a request header that carries this user's upstream credential (e.g.
   * x-qovery-token); it replaces the environment's credential for that MCP session only.
   */
  credentialHeader?: string;
  /** Environment variable that `credentialHeader` stands in for. */
  credentialEnv?: string;
  /**
   * Other variables dropped from the environment when the header supplies the credential (an
   * alternative credential that would conflict, e.g. PORTAINER_TOKEN). `<credentialEnv>_FILE` is
   * always dropped.
   */
  credentialEnvClear?: readonly string[];
  /**
   * Proves a user's `credentialHeader` value before it costs an MCP session slot: one cheap
   * authenticated read with `client`, built from the user's environment (a current-user or
   * identity read of the upstream). Resolves to undefined when the upstream accepts the value, or
   * to why it does not; an UpstreamHttpError 401 or 403 thrown also means refused. Anything else
   * thrown (unreachable, timeout, 5xx) means it could not be checked: no session then either
   * (serving/shared/credential-check.ts). Without it, a header value is taken unchecked.
   */
  verifyCredential?(client: C): Promise<string | undefined>;
  /** MCP prompts (runbooks) this server offers; listed in --help. */
  prompts?: readonly PromptDefinition<C>[];
  /** Lines for --help describing the environment variables. */
  envHelp: string;
  /**
   * Every variable createClient reads and what each accepts: the bins check them all before they
   * serve (a bad value exits 2 naming it), and createClient parses them with the same table.
   */
  settings?: SettingsTable;
}

/**
 * The SDK builds an Ajv instance (with formats) per server by default, used only to validate
 * elicitation answers, which only --confirm-destructive asks for. One instance, built on first use,
 * keeps that cost off start-up and off every HTTP session.
 */
let ajv: AjvJsonSchemaValidator | undefined;
const sharedValidator: jsonSchemaValidator = {
  getValidator: (schema) => {
    ajv ??= new AjvJsonSchemaValidator();
    return ajv.getValidator(schema);
  },
};

let stdioCallerMemo: Caller | undefined;
const stdioCaller = (): Caller => {
  stdioCallerMemo ??= localCaller();
  return stdioCallerMemo;
};

export interface ServerOptions extends ToolFilter {
  env?: Env;
  sessionLimits?: Partial<SessionLimits>;
  /** Extra identification in serverInfo (e.g. a replica id). */
  instanceId?: string;
  /** The redaction scope of this server's user (a per-user credential), for every call. */
  redaction?: Redactor;
  /** How its calls arrive and who makes them, for the audit log (stdio: the local OS user). */
  transport?: Transport;
  caller?: Caller | undefined;
}

/** What a session-optional tool is told in stateless mode when asked for a session. */
export const STATELESS_NO_SESSION =
  "a session is not available here: this server is stateless (--stateless), so nothing outlives a request. Leave it out for a one-shot run.";

export interface ServerHandle {
  server: McpServer;
  sessions: SessionRegistry;
  /**
   * Hides (readOnly true) or shows again the tools without readOnlyHint: an OAuth session whose
   * token grants only the read scope lists and calls read-only tools. No-op when unchanged.
   */
  setReadOnly(readOnly: boolean): void;
  /** Closes sessions, aborts in-flight calls and releases the client. */
  close(): Promise<void>;
}

/**
 * One McpServer with the vendor's (filtered) tools. The client is built lazily on first use, so a
 * server with bad configuration still starts, lists its tools, and answers every call with the
 * configuration error instead of dying before the user can see why.
 */
export function createVendorServer<C>(
  vendor: VendorDefinition<C>,
  options: ServerOptions & {
    /**
     * A client owned by the caller, shared with other servers (stateless HTTP requests without a
     * per-user credential share one, and with it one upstream connection pool); not closed here.
     */
    sharedClient?: () => C;
    /**
     * Register only these of the selected tools (a stateless request whose messages are all
     * tools/call names them); ignored when it names none of them.
     */
    only?: ReadonlySet<string>;
  } = {},
): ServerHandle {
  const { tools, instructions } = selection(vendor, options);
  // A stateless request that only calls tools gets a server with just those (the rest could not
  // be reached before it ends); a name the selection lacks keeps the full set, so the SDK answers
  // it exactly as before.
  const only = options.only;
  const registeredTools = only && tools.some((t) => only.has(t.name)) ? tools.filter((t) => only.has(t.name)) : tools;
  const server = new McpServer(
    {
      name: vendor.name,
      version: options.instanceId ? `${vendor.version}+${options.instanceId}` : vendor.version,
      title: vendor.title,
    },
    { ...(instructions ? { instructions } : {}), capabilities: { tools: {} }, jsonSchemaValidator: sharedValidator },
  );
  const env = options.env ?? {};
  const sessions = new SessionRegistry(
    { ...sessionLimitsFromEnv(env), ...options.sessionLimits },
    { server: vendor.name, ...(options.stateless ? { unavailable: STATELESS_NO_SESSION } : {}) },
  );
  const ending = new AbortController();
  const inflight = { count: 0 };
  let client: C | undefined;
  let configError: ConfigError | undefined;
  const getClient = (): C => {
    if (options.sharedClient) return options.sharedClient();
    if (client !== undefined) return client;
    if (configError) throw configError;
    try {
      // Inside the user's scope: a per-user credential read here stays out of the process-wide set.
      client = withRedactionScope(options.redaction, () => vendor.createClient(env));
      return client;
    } catch (error) {
      if (error instanceof ConfigError) configError = error;
      throw error;
    }
  };
  const registered = registerTools(server, registeredTools, {
    getClient,
    sessions,
    sessionSignal: ending.signal,
    inflight,
    ...(options.redaction ? { redaction: options.redaction } : {}),
    observe: {
      server: vendor.name,
      transport: options.transport ?? "stdio",
      caller: options.transport ? options.caller : stdioCaller(),
    },
    ...(options.confirmDestructive ? { confirmDestructive: true } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
    ...(options.showEnvValues ? { showEnvValues: true } : {}),
  });
  installToolList(server, registeredTools, registered);
  if (vendor.prompts?.length) registerPrompts(server, vendor.prompts, getClient);
  const writers: RegisteredTool[] = registeredTools
    .filter((t) => !t.annotations.readOnlyHint)
    .flatMap((t) => {
      const r = registered.get(t.name);
      return r ? [r] : [];
    });
  let hidden = false;
  return {
    server,
    sessions,
    setReadOnly(readOnly) {
      if (readOnly === hidden) return;
      hidden = readOnly;
      for (const r of writers) readOnly ? r.disable() : r.enable();
    },
    async close() {
      if (inflight.count > 0) ending.abort();
      await sessions.closeAll();
      if (client !== undefined) await vendor.closeClient?.(client);
      await server.close().catch(() => {});
    },
  };
}

/**
 * The tools a filter selects and the instructions that go with them, computed once per vendor and
 * filter: a stateless HTTP server builds a server per request with the same filter every time.
 */
const selections = new WeakMap<object, Map<string, { tools: readonly AnyTool<never>[]; instructions: string }>>();

function selection<C>(
  vendor: VendorDefinition<C>,
  filter: ToolFilter,
): { tools: readonly AnyTool<C>[]; instructions: string } {
  const { readOnly, disableDestructive, confirmDestructive, confirm, allow, toolsets, stateless } = filter;
  const key = JSON.stringify([readOnly, disableDestructive, confirmDestructive, confirm, allow, toolsets, stateless]);
  let byFilter = selections.get(vendor);
  if (!byFilter) {
    byFilter = new Map();
    selections.set(vendor, byFilter);
  }
  const known = byFilter.get(key) as { tools: readonly AnyTool<C>[]; instructions: string } | undefined;
  if (known) return known;
  const tools = selectTools(vendor.tools, filter, vendor.toolsets);
  const instructions = [vendor.instructions, statelessNote(vendor, tools, filter)].filter(Boolean).join(" ");
  const computed = { tools, instructions };
  byFilter.set(key, computed as { tools: readonly AnyTool<never>[]; instructions: string });
  return computed;
}

/**
 * In stateless mode, one sentence for the instructions naming what the stateless filter dropped
 * (tools that open a session, the session-* tools, and destructive tools that need a confirmation
 * a stateless request cannot ask for), so the model does not look for them.
 */
function statelessNote<C>(vendor: VendorDefinition<C>, kept: readonly AnyTool<C>[], options: ToolFilter): string {
  if (!options.stateless) return "";
  const dropped = selectTools(vendor.tools, { ...options, stateless: false }, vendor.toolsets).filter(
    (t) => !kept.includes(t),
  );
  const sessionNames = dropped.filter((t) => t.opensSession === true).map((t) => t.name);
  if (dropped.some((t) => t.usesSessions)) sessionNames.push("session-*");
  const unconfirmable = dropped.filter((t) => t.opensSession !== true && !t.usesSessions).map((t) => t.name);
  const optional = kept.filter((t) => t.opensSession === "optional").map((t) => t.name);
  return [
    sessionNames.length
      ? `This server is stateless, so session tools are not offered (unavailable here: ${sessionNames.join(", ")}).`
      : "",
    optional.length ? `${optional.join(", ")} run one-shot only here (no session:true).` : "",
    unconfirmable.length
      ? `${confirmPolicyOf(options) === "destructive" ? "Destructive calls need" : "These calls need"} the user's confirmation, which a stateless server cannot ask for, so these are not offered: ${unconfirmable.join(", ")}.`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
}
