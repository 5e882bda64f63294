import type { IncomingMessage, ServerResponse } from "node:http";
import { redactor, scopedRedactor, withRedactionScope } from "../../base/redact.js";
import { observeCall, observeRefusal } from "../../observe/observer.js";
import { SessionRegistry } from "../../streams/sessions.js";
import { errorText, invokeTool } from "../../tools/call.js";
import { hasBody, isJsonContentType } from "../shared/body.js";
import { CredentialHeaderError, type UserCredential } from "../shared/credential.js";
import type { RequestAccess } from "../shared/oauth.js";
import { sendJson, sendProblem } from "../shared/problem.js";
import { type ClientLease, type RestContext, seen } from "./context.js";
import { insufficientScope, PROBLEM_BASE, problem } from "./problems.js";
import { type CompiledRoute, matchRoute } from "./routes.js";

/** A plain REST request: route, checks, arguments, the tool, and its JSON answer or problem. */
export async function handleRequest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  access?: RequestAccess,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://rest.invalid");
  let match: ReturnType<typeof matchRoute>;
  try {
    match = matchRoute(ctx.routes, req.method ?? "GET", url.pathname);
  } catch (error) {
    return problem(res, error);
  }
  if (match.kind === "none") {
    return sendProblem(res, {
      title: "Not found",
      status: 404,
      detail: `No REST route ${req.method} ${url.pathname}.`,
    });
  }
  if (match.kind === "method") {
    return sendProblem(
      res,
      { title: "Method not allowed", status: 405, detail: `${url.pathname} accepts ${match.allow.join(", ")}.` },
      { allow: match.allow.join(", ") },
    );
  }
  const { route: compiled, pathArgs } = match;
  if (access?.readOnly && !compiled.tool.annotations.readOnlyHint) {
    observeRefusal({ ...seen(compiled, req, access), reason: "scope", status: 403 });
    return sendProblem(res, insufficientScope(compiled.tool.name), access.insufficientScope());
  }
  if (compiled.route.openUpstreamSocket && req.method === "GET" && !compiled.tool.annotations.readOnlyHint) {
    return sendProblem(
      res,
      {
        title: "Method not allowed",
        status: 405,
        detail: `A plain GET never runs ${compiled.tool.name}, which changes things: open a websocket (Upgrade) on ${url.pathname}, or POST the arguments as JSON.`,
      },
      { allow: "POST" },
    );
  }
  if (hasBody(req) && !isJsonContentType(req)) {
    return sendProblem(res, {
      title: "Unsupported media type",
      status: 415,
      detail: "A request body must be JSON (Content-Type: application/json).",
    });
  }
  const user = ctx.userCredential(compiled.vendor, req);
  if (user instanceof CredentialHeaderError) {
    return sendProblem(res, { title: "Invalid credential header", status: 400, detail: user.message });
  }
  // Accepted: the user's credential is scrubbed from what this request produces, and only that.
  const redaction = user ? scopedRedactor(user.value) : undefined;
  return withRedactionScope(redaction, () => run(ctx, req, res, url, compiled, pathArgs, user, access));
}

async function run(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  compiled: CompiledRoute,
  pathArgs: Record<string, string>,
  user: UserCredential | undefined,
  access?: RequestAccess,
): Promise<void> {
  if (ctx.unconfirmable(compiled)) {
    observeRefusal({ ...seen(compiled, req, access, user), reason: "confirmation", status: 403 });
    return sendProblem(res, {
      type: `${PROBLEM_BASE}confirmation-required`,
      title: "Confirmation required",
      status: 403,
      detail: ctx.confirmDetail(compiled),
      tool: compiled.tool.name,
    });
  }
  // A websocket route without an Upgrade runs the same tool as a plain call (e.g. a one-shot
  // exec); any stream session it opens is closed when the response is sent.
  const aborter = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort();
  });
  let leased: ClientLease | undefined;
  const sessions = new SessionRegistry(ctx.sessionLimits, { server: compiled.vendor.name });
  let observed: ReturnType<typeof observeCall> | undefined;
  try {
    const parsed = await ctx.parseRequest(
      req,
      compiled,
      pathArgs,
      url,
      req.method !== "GET" && req.method !== "DELETE",
    );
    if (!parsed.ok) {
      return sendProblem(res, { ...parsed.problem, title: String(parsed.problem.title), status: parsed.status });
    }
    const readOnly = compiled.tool.annotations.readOnlyHint;
    observed = observeCall({ ...seen(compiled, req, access, user), readOnly, args: parsed.args });
    const data = await observed.run(() =>
      invokeTool(compiled.tool, parsed.args, {
        getClient: () => {
          leased ??= ctx.lease(compiled.vendor, user);
          return leased.client;
        },
        sessions,
        signal: aborter.signal,
        ...(ctx.showEnvValues(compiled) ? { showEnvValues: true } : {}),
      }),
    );
    observed.done({ ok: !data.isError, ...(data.isError ? { error: data.text } : {}), structured: data.structured });
    if (data.isError) {
      return sendProblem(res, {
        type: `${PROBLEM_BASE}tool-error`,
        title: "Tool reported an error",
        status: 422,
        detail: redactor.redact(data.text),
        ...(data.structured ? { result: data.structured } : {}),
      });
    }
    sendJson(res, 200, data.structured ?? { text: data.text });
  } catch (error) {
    observed?.done({ ok: false, error: errorText(error) });
    problem(res, error, compiled.tool);
  } finally {
    await sessions.closeAll();
    await leased?.release().catch(() => {});
  }
}
