/**
 * Suite 3 — no secret leaks. The servers run with recognisable fake credentials against a hostile
 * upstream that echoes every request header (the credential included) back in its bodies, error
 * messages and websocket refusals. No fake secret may appear in any tool result or error (stdio
 * bins), any REST body (the --rest surface), any log line at LOG_LEVEL=debug, or crash output.
 * The fuzz and fault suites also check every result they see for the same secrets.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { VendorDefinition } from "@infra-mcp/core";
import { serveNetwork } from "@infra-mcp/core/network";
import { connectStdio, LOOPBACK_TEST_NETWORK, textOf, waitFor } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import {
  ALL_SECRETS,
  baseline,
  findSecret,
  type ObjectSchema,
  Recorder,
  SAMPLE_UUID,
  SECRETS,
  VENDORS,
  type VendorKey,
  vendorEnv,
  within,
} from "./helpers.js";

export const binOf = (key: VendorKey) => fileURLToPath(new URL(`../../${key}-mcp/bin.cjs`, import.meta.url));

/** Echoes the credential-bearing headers back: 200 JSON on even requests, 401/500 errors otherwise. */
function hostile(): Recorder {
  const up = new Recorder();
  let n = 0;
  up.handler = (req, res) => {
    const echo = {
      authorization: req.headers.authorization,
      apiKey: req.headers["x-api-key"],
      url: req.url,
    };
    const message = `denied for ${echo.authorization ?? ""} ${echo.apiKey ?? ""} at ${echo.url}`;
    const kind = n++ % 3;
    if (kind === 0) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message }));
    } else if (kind === 1) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(message);
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          name: message,
          Name: message,
          id: message,
          metadata: { echo, message },
          results: [{ id: message, name: message }],
        }),
      );
    }
  };
  up.upgradeHandler = (req, socket) => {
    const body = JSON.stringify({ error: `bad ws auth ${req.headers.authorization ?? ""} ${req.url}` });
    socket.end(
      `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  return up;
}

/** Opens a websocket to the REST surface and returns whatever came back (refusal body or frames). */
function wsRefusal(url: string): Promise<string> {
  return new Promise((resolve) => {
    let out = "";
    const ws = new WebSocket(url);
    const done = () => {
      ws.terminate();
      resolve(out);
    };
    const timer = setTimeout(done, 3_000);
    ws.on("unexpected-response", (_req, res) => {
      out += `${res.statusCode} ${JSON.stringify(res.headers)} `;
      res.on("data", (d: Buffer) => {
        out += d.toString();
      });
      res.on("end", () => {
        clearTimeout(timer);
        done();
      });
    });
    ws.on("message", (d) => {
      out += String(d);
    });
    ws.on("close", (code, reason) => {
      out += ` close ${code} ${reason.toString()}`;
      clearTimeout(timer);
      done();
    });
    ws.on("error", (e) => {
      out += ` error ${e.message}`;
    });
  });
}

const up = hostile();
const seen = { results: 0, restBodies: 0, logBytes: 0, crashRuns: 0 };

beforeAll(async () => {
  await up.listen();
});
afterAll(async () => {
  await up.close();
  process.stderr.write(`[leaks] checked ${JSON.stringify(seen)}; upstream saw ${up.requests.length} requests\n`);
});

describe.each(["qovery", "portainer", "incus"] as VendorKey[])("no secret leaks: %s", (key) => {
  it("stdio bin at LOG_LEVEL=debug: every tool's result and every log line are clean", async () => {
    const c = await connectStdio(binOf(key), { env: { ...vendorEnv(key, up.url, 1_000), LOG_LEVEL: "debug" } });
    try {
      const { tools } = await c.client.listTools();
      for (const t of tools) {
        const args = baseline(t.inputSchema as ObjectSchema);
        for (let i = 0; i < 3; i++) {
          const r = await within(8_000, `${key} ${t.name}`, c.call(t.name, args)).catch((e: Error) => ({
            isError: true,
            content: [{ type: "text" as const, text: e.message }],
          }));
          seen.results++;
          const whole = JSON.stringify(r);
          expect(findSecret(whole), `${key}/${t.name}: ${textOf(r).slice(0, 200)}`).toBeUndefined();
        }
      }
    } finally {
      await c.close();
    }
    const log = c.stderr();
    seen.logBytes += log.length;
    expect(log.length).toBeGreaterThan(0); // debug logging did run
    expect(findSecret(log), log.slice(0, 2000)).toBeUndefined();
    // The upstream did receive the credential: the check above is not vacuous.
    expect(up.requests.some((r) => ALL_SECRETS.some((s) => JSON.stringify(r.headers).includes(s)))).toBe(true);
  });

  it("REST surface: every GET route's body is clean (valid and invalid ids)", async () => {
    const env = vendorEnv(key, up.url, 1_000);
    const net = await serveNetwork([VENDORS[key] as VendorDefinition<unknown>], {
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      env,
    });
    const before = seen.restBodies;
    try {
      const declared = VENDORS[key].routes ?? [];
      const routes = declared.filter((r) => r.method === "GET" && !r.openUpstreamSocket);
      // Websocket routes: the Upgrade is refused upstream with the credential echoed; the answer
      // the REST client gets must not carry it.
      for (const route of declared.filter((r) => r.openUpstreamSocket)) {
        const t = route.tool;
        const args = baseline(z.toJSONSchema(t.inputSchema) as ObjectSchema);
        const query = new URLSearchParams(Object.entries(args).map(([k, v]): [string, string] => [k, String(v)]));
        const path = route.path.replace(/\{[^}]+\}/g, SAMPLE_UUID);
        const body = await wsRefusal(`${net.restUrl!.replace(/^http/, "ws")}${path}?${query}`);
        seen.restBodies++;
        expect(findSecret(body), `${key} WS ${path}: ${body.slice(0, 200)}`).toBeUndefined();
      }
      for (const route of routes) {
        for (const id of [SAMPLE_UUID, "1", "..", "%2e%2e", "bad id"]) {
          const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(id));
          const res = await fetch(`${net.restUrl}${path}`);
          const body = await res.text();
          seen.restBodies++;
          expect(findSecret(body), `${key} GET ${path} → ${res.status}: ${body.slice(0, 200)}`).toBeUndefined();
          expect(findSecret(JSON.stringify([...res.headers]))).toBeUndefined();
        }
      }
      expect(seen.restBodies - before).toBeGreaterThan(0);
    } finally {
      await net.close();
    }
  });

  it("crash and refusal output is clean: bad config, bad flags, SIGTERM", async () => {
    // stdin: end stdin once the server answered initialize (or exited on its own);
    // sigterm: SIGTERM once the HTTP server says where it listens (or exited on its own).
    const run = (args: string[], env: Record<string, string>, stop: "stdin" | "sigterm" = "stdin") =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [binOf(key), ...args], {
          env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "debug", ...env },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          out += d.toString();
        });
        // A request that makes the server use its (bad) config.
        child.stdin.write(
          `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } })}\n`,
        );
        let exited = false;
        child.on("exit", () => {
          exited = true;
        });
        child.on("close", () => resolve(out));
        // The output is only worth checking once the server has used its config: wait for that
        // (a fixed delay could end stdin before a loaded machine started the server at all).
        const ready = stop === "sigterm" ? /http:\/\// : /"id":1[,}]/;
        waitFor(() => exited || ready.test(out), {
          what: `${key}-mcp ${args.join(" ")} to ${stop === "sigterm" ? "listen" : "answer initialize"} or exit`,
          timeoutMs: 30_000,
        }).then(
          () => (stop === "sigterm" ? child.kill("SIGTERM") : child.stdin.end()),
          (error: unknown) => {
            child.kill("SIGKILL");
            reject(new Error(`${String(error)}; output: ${out.slice(0, 1000)}`));
          },
        );
      });
    const env = vendorEnv(key, up.url, 1_000);
    const outputs = [
      await run(["--port", "notaport", "--http"], env),
      await run(["--no-such-flag"], env),
      await run([], { ...env, QOVERY_TIMEOUT_MS: "x", PORTAINER_TIMEOUT_MS: "x", INCUS_TIMEOUT_MS: "x" }),
      await run([], { ...env, QOVERY_API_URL: `http://user:${SECRETS.qovery}@127.0.0.1:1` }),
      await run(["--http", "--port", "0"], { ...env, MCP_HTTP_TOKEN: SECRETS.http }, "sigterm"),
    ];
    seen.crashRuns += outputs.length;
    for (const o of outputs) expect(findSecret(o), o.slice(0, 1000)).toBeUndefined();
  });
});
