import { AsyncLocalStorage } from "node:async_hooks";
import { maskEnvValues } from "../base/env-mask.js";
import { InfraMcpError } from "../base/errors.js";
import { redactor } from "../base/redact.js";

/**
 * `dryRun: true` on a tool that writes: the handler runs as usual, so it reads the current state
 * through the same code as a real call, but inside a dry-run scope where the upstream layer
 * (HttpClient, connectWebSocket) refuses to send anything but GET/HEAD. The first write it would
 * send is recorded and stops the handler; the answer says what would have been sent. Nothing in a
 * tool file has to remember dry runs, so a tool added later cannot forget one.
 */
export interface WouldSend {
  method: string;
  /** Path and query as the upstream sees them, without any credential. */
  path: string;
  /** The JSON body (secrets redacted, environment values masked), or a size for raw bytes. */
  body?: unknown;
}

interface DryRunState {
  wouldSend: WouldSend[];
  showEnvValues: boolean;
}

const scope = new AsyncLocalStorage<DryRunState>();

/** Thrown where the write would have gone out: stops the handler, which never sees an answer. */
export class DryRunStop extends InfraMcpError {
  constructor(readonly request: WouldSend) {
    super("INVALID_INPUT", `dry run: ${request.method} ${request.path} not sent`);
  }
}

/** True inside a dry run (a vendor module may skip work that only matters when something was sent). */
export function inDryRun(): boolean {
  return scope.getStore() !== undefined;
}

const SAFE = new Set(["GET", "HEAD"]);
/** Query parameters that carry a secret (an Incus operation secret, a token). */
const SECRET_PARAM = /secret|token|key|password/i;

/**
 * Called by the upstream layer before it sends: outside a dry run, or for a read, nothing
 * happens; a write inside a dry run is recorded and refused. `websocket`: opening one is refused
 * whatever the method (an exec or attach socket starts or joins a process).
 */
export function guardUpstreamWrite(
  method: string,
  path: string,
  query: Record<string, string | undefined> | undefined,
  body: unknown,
  websocket = false,
): void {
  const state = scope.getStore();
  if (!state || (!websocket && SAFE.has(method.toUpperCase()))) return;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) q.set(k, SECRET_PARAM.test(k) ? "<redacted>" : v);
  }
  const shown: WouldSend = {
    method: websocket ? "WEBSOCKET" : method.toUpperCase(),
    path: redactor.redact(`${path}${q.size ? `?${q}` : ""}`),
  };
  if (body instanceof Uint8Array) shown.body = `<${body.byteLength} bytes>`;
  else if (body !== undefined) {
    const redacted = redactor.redactValue(body);
    shown.body = state.showEnvValues ? redacted : maskEnvValues(redacted);
  }
  state.wouldSend.push(shown);
  throw new DryRunStop(shown);
}

/**
 * A tool's answer, in the shape the tool layer's ToolResultData has (declared here: the upstream
 * layer sits below the tools and imports nothing of theirs).
 */
export interface DryRunAnswer {
  text: string;
  structured?: Record<string, unknown>;
  isError?: boolean;
}

export interface DryRunOptions {
  tool: string;
  showEnvValues?: boolean;
  /** The target's current state and what the call would make of it, when the tool can say. */
  preview?: () => Promise<string | undefined>;
}

/**
 * Runs `handler` in a dry-run scope and answers what it would have sent. A handler that finishes
 * without trying to write would have changed nothing: its own answer follows.
 */
export async function runDryRun(options: DryRunOptions, handler: () => Promise<DryRunAnswer>): Promise<DryRunAnswer> {
  const state: DryRunState = { wouldSend: [], showEnvValues: options.showEnvValues === true };
  return scope.run(state, async () => {
    let finished: DryRunAnswer | undefined;
    let preview: string | undefined;
    try {
      preview = await options.preview?.();
    } catch (error) {
      if (!(error instanceof DryRunStop)) preview = `current state unknown (${(error as Error).message})`;
    }
    state.wouldSend.length = 0;
    try {
      finished = await handler();
    } catch (error) {
      // A write refused here ends the run; anything else (404, bad input) is the call's own answer.
      if (!(error instanceof DryRunStop) && state.wouldSend.length === 0) throw error;
    }
    const sends = state.wouldSend.map((s) => `${s.method} ${s.path}${s.body !== undefined ? ` ${short(s.body)}` : ""}`);
    const lines = [`dry run of ${options.tool}: nothing was changed.`];
    if (preview) lines.push(preview);
    if (sends.length) lines.push(`would send ${sends.join("; then ")}`);
    else lines.push(`would send no write; the call would answer: ${finished?.text ?? "(nothing)"}`);
    return {
      text: lines.join("\n"),
      structured: {
        dryRun: true,
        tool: options.tool,
        ...(preview ? { preview } : {}),
        wouldSend: state.wouldSend,
      },
    };
  });
}

function short(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}
