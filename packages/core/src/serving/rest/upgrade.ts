import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { httpStatusFor } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import { type Redactor, redactor, scopedRedactor, withRedactionScope } from "../../base/redact.js";
import { observeCall, observeRefusal } from "../../observe/observer.js";
import { SessionRegistry } from "../../streams/sessions.js";
import { errorText } from "../../tools/call.js";
import type { ToolContext } from "../../tools/definition.js";
import { CredentialHeaderError, type UserCredential } from "../shared/credential.js";
import type { RequestAccess } from "../shared/oauth.js";
import { refuseUpgrade } from "../shared/problem.js";
import { type ClientLease, type RestContext, seen } from "./context.js";
import { bridgeWebSockets, holdUpstream } from "./passthrough.js";
import { insufficientScope, statusForRefusal, titleFor } from "./problems.js";
import { type CompiledRoute, matchRoute } from "./routes.js";

/**
 * A websocket Upgrade on a websocket route: the same checks as a plain request, then the
 * upstream socket the route opens (credential applied here) bridged frame for frame to the client.
 */
export async function handleUpgrade(
  ctx: RestContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  access?: RequestAccess,
): Promise<void> {
  socket.on("error", () => {});
  if (ctx.closing) return refuseUpgrade(socket, 503, "Shutting down");
  const url = new URL(req.url ?? "/", "http://rest.invalid");
  let match: ReturnType<typeof matchRoute>;
  try {
    match = matchRoute(ctx.routes, "GET", url.pathname);
  } catch (error) {
    return refuseUpgrade(socket, 400, "Invalid path", errorText(error));
  }
  const open = match.kind === "match" ? match.route.route.openUpstreamSocket : undefined;
  if (match.kind !== "match" || !open) {
    return refuseUpgrade(socket, 404, "Not found", `No websocket route at ${url.pathname}.`);
  }
  const compiled = match.route;
  if (access?.readOnly && !compiled.tool.annotations.readOnlyHint) {
    const p = insufficientScope(compiled.tool.name);
    observeRefusal({ ...seen(compiled, req, access), reason: "scope", status: 403 });
    return refuseUpgrade(socket, 403, p.title, p.detail, access.insufficientScope());
  }
  if (ctx.unconfirmable(compiled)) {
    observeRefusal({ ...seen(compiled, req, access), reason: "confirmation", status: 403 });
    return refuseUpgrade(socket, 403, "Confirmation required", ctx.confirmDetail(compiled));
  }
  const parsed = await ctx.parseRequest(req, compiled, match.pathArgs, url, false).catch((error: unknown) => ({
    ok: false as const,
    status: httpStatusFor(error),
    problem: { title: "Invalid request", detail: errorText(error) },
  }));
  if (!parsed.ok) {
    return refuseUpgrade(socket, parsed.status, String(parsed.problem.title), String(parsed.problem.detail ?? ""));
  }
  const user = ctx.userCredential(compiled.vendor, req);
  if (user instanceof CredentialHeaderError)
    return refuseUpgrade(socket, 400, "Invalid credential header", user.message);
  const redaction = user ? scopedRedactor(user.value) : undefined;
  return withRedactionScope(redaction, () =>
    bridge(ctx, req, socket, head, url, compiled, open, parsed.args, user, redaction, access),
  );
}

async function bridge(
  ctx: RestContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  compiled: CompiledRoute,
  open: NonNullable<CompiledRoute["route"]["openUpstreamSocket"]>,
  args: unknown,
  user: UserCredential | undefined,
  redaction: Redactor | undefined,
  access?: RequestAccess,
): Promise<void> {
  const readOnly = compiled.tool.annotations.readOnlyHint;
  const observed = observeCall({ ...seen(compiled, req, access, user), readOnly, args, kind: "websocket" });
  const aborter = new AbortController();
  const onGone = () => aborter.abort();
  socket.once("close", onGone);
  let leased: ClientLease | undefined;
  const sessions = new SessionRegistry(ctx.sessionLimits, { server: compiled.vendor.name });
  let upstream: WebSocket;
  try {
    const toolCtx: ToolContext<unknown> = {
      get client() {
        leased ??= ctx.lease(compiled.vendor, user);
        return leased.client;
      },
      sessions,
      signal: aborter.signal,
      progress: async () => {},
    };
    upstream = await observed.run(() => open.call(compiled.route, args, toolCtx));
  } catch (error) {
    observed.done({ ok: false, error: errorText(error) });
    await leased?.release().catch(() => {});
    await sessions.closeAll();
    return refuseUpgrade(socket, statusForRefusal(error), titleFor(error), errorText(error));
  } finally {
    socket.off("close", onGone);
  }
  const early = holdUpstream(upstream);
  if (aborter.signal.aborted || ctx.closing) {
    upstream.terminate();
    observed.done({ ok: false, error: "client gone before the bridge opened" });
    await leased?.release().catch(() => {});
    return;
  }
  ctx.wss.handleUpgrade(req, socket, head, (client) => {
    const bridge = bridgeWebSockets(client, upstream, {
      early,
      // Frames from the upstream are scrubbed like any other output (a shell echoing an
      // environment variable), text and binary, of the process' secrets and this user's own.
      secrets: () => withRedactionScope(redaction, () => redactor.secretBytes()),
      ...(ctx.highWaterMark ? { highWaterMark: ctx.highWaterMark } : {}),
    });
    ctx.bridges.add(bridge);
    // connectWebSocket returns sockets paused (early frames are not lost); frames flow from here on.
    upstream.resume();
    log.info("websocket passthrough opened", { tool: compiled.tool.name, path: url.pathname });
    void bridge.done.then(async (stats) => {
      ctx.bridges.delete(bridge);
      observed.done({ ok: true, structured: stats as unknown as Record<string, unknown> });
      await sessions.closeAll();
      await leased?.release().catch(() => {});
      log.info("websocket passthrough closed", { tool: compiled.tool.name, ...stats });
    });
  });
}
