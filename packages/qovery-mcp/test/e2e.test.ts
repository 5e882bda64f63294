/**
 * End to end: the built bin over stdio (as Claude Desktop runs it) against Prism's mock of
 * qovery-openapi.yaml. Prism answers each status class through `Prefer: code=` (a loopback proxy
 * adds it); a Qovery-style 422 body, a hang and a closed port come from loopback servers.
 */

import { connectStdio, textOf } from "@infra-mcp/core/testing";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLS, IDS, MINIMAL_CREATE } from "./fixtures.js";
import { SPEC_PATH } from "./openapi.js";
import {
  BIN,
  FAKE_TOKEN,
  freePort,
  type Prism,
  requireBuild,
  startCodeProxy,
  startPrism,
  startRecorder,
} from "./servers.js";

type Conn = Awaited<ReturnType<typeof connectStdio>>;

let prism: Prism;
let proxy: Awaited<ReturnType<typeof startCodeProxy>>;
const opened: Conn[] = [];
/** Everything any server said, checked for the fake token at the end. */
const seen: string[] = [];

async function server(url: string, extra: Record<string, string> = {}, args: string[] = []): Promise<Conn> {
  const c = await connectStdio(BIN, {
    args,
    env: { QOVERY_API_KEY: FAKE_TOKEN, QOVERY_API_URL: url, LOG_LEVEL: "debug", ...extra },
  });
  opened.push(c);
  return c;
}

async function call(c: Conn, tool: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const r = await c.call(tool, args);
  seen.push(JSON.stringify(r));
  return r;
}

beforeAll(async () => {
  requireBuild();
  prism = await startPrism(SPEC_PATH);
  proxy = await startCodeProxy(prism.url);
}, 90_000);

afterAll(async () => {
  for (const c of opened) await c.close();
  await proxy?.close();
  await prism?.close();
});

describe("every tool against Prism's mock of the spec", () => {
  let c: Conn;
  beforeAll(async () => {
    c = await server(proxy.url);
  });

  for (const t of CALLS) {
    it(`${t.tool} succeeds and returns the upstream JSON`, async () => {
      const r = await call(c, t.tool, t.args);
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent).toBeTypeOf("object");
      expect(textOf(r).length).toBeGreaterThan(0);
    });
  }

  const LIFECYCLE: [string, Record<string, unknown>][] = [
    ["get-container", { containerId: IDS.container }],
    ["get-container-status", { containerId: IDS.container }],
    ["list-container-deployments", { containerId: IDS.container }],
    ["get-container-logs", { containerId: IDS.container }],
    ["deploy-container", { containerId: IDS.container, image_tag: "1.4.3" }],
    ["redeploy-container", { containerId: IDS.container }],
    ["restart-container", { containerId: IDS.container }],
    ["stop-container", { containerId: IDS.container }],
  ];
  for (const [tool, args] of LIFECYCLE) {
    it(`${tool} succeeds against the mock (Prism validates the request too)`, async () => {
      const r = await call(c, tool, args);
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent).toBeTypeOf("object");
    });
  }

  it("list-containers: one line per container with name, id, image:tag and state", async () => {
    const r = await call(c, "list-containers", { environmentId: IDS.environment });
    const results = (r.structuredContent as { results: { id: string; name: string }[] }).results;
    expect(results.length).toBeGreaterThan(0);
    const first = results[0] as { id: string; name: string; image_name: string; tag: string };
    // Prism's example: the status endpoint reports the same id as the list, state READY... or another enum value.
    expect(textOf(r)).toMatch(
      new RegExp(`^- ${first.name} \\(${first.id}\\) ${first.image_name}:${first.tag} [A-Z_]+ `, "m"),
    );
  });

  it("list-default-container-advanced-settings folds the 41 keys into one line per group", async () => {
    const r = await call(c, "list-default-container-advanced-settings", {});
    const keys = Object.keys(r.structuredContent ?? {});
    expect(keys.length).toBe(41);
    const lines = textOf(r).split("\n");
    expect(lines[0]).toMatch(/^41 default container advanced settings/);
    expect(lines.slice(1).map((l) => l.split(":")[0])).toEqual([
      "deployment",
      "network.ingress",
      "network.gateway_api",
      "security",
      "hpa",
    ]);
    expect(textOf(r).length).toBeLessThan(JSON.stringify(r.structuredContent).length);
  });
});

describe("one error path per status class", () => {
  const code = (n: number) => server(`${proxy.url}/__code/${n}`);

  it("401: the token was rejected, and it is not echoed", async () => {
    const r = await call(await code(401), "list-containers", { environmentId: IDS.environment });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/HTTP 401 .*rejected the token in QOVERY_API_KEY/);
  });

  it("403: valid token without access", async () => {
    const r = await call(await code(403), "list-all-container-registry-container", {
      organizationId: IDS.organization,
      containerRegistryId: IDS.registry,
    });
    expect(textOf(r)).toMatch(/HTTP 403 .*no access to this resource/);
  });

  it("404: says which id is unknown", async () => {
    const r = await call(await code(404), "list-all-environment-container-statuses", {
      environmentId: IDS.environment,
    });
    expect(textOf(r)).toMatch(
      /GET \/\S*environment\/[0-9a-f-]+\/container\/status failed: HTTP 404 .*No environment with this environmentId/,
    );
  });

  it("409: create says the name is taken", async () => {
    const r = await call(await code(409), "create-container", MINIMAL_CREATE);
    expect(textOf(r)).toMatch(/HTTP 409 .*already exists in the environment/);
  });

  it("400: Prism's bad request is reported as Qovery refusing the request", async () => {
    const r = await call(await code(400), "auto-deploy-containers", {
      organizationId: IDS.organization,
      image_name: "acme/web-api",
      tag: "2",
    });
    expect(textOf(r)).toMatch(/HTTP 400 Bad Request.*Qovery refused the request/);
  });

  it("422: Qovery's validation message is shown (loopback server: the spec declares no 422 body)", async () => {
    const rec = await startRecorder(() => ({
      status: 422,
      body: { status: 422, error: "Unprocessable Entity", message: "storage[0].mount_point must be an absolute path" },
    }));
    try {
      const r = await call(await server(rec.url), "create-container", MINIMAL_CREATE);
      expect(textOf(r)).toMatch(/HTTP 422 .*storage\[0\]\.mount_point must be an absolute path/);
    } finally {
      await rec.close();
    }
  });

  it("timeout: a Qovery that never answers fails after QOVERY_TIMEOUT_MS", async () => {
    const rec = await startRecorder(() => "hang");
    try {
      const c = await server(rec.url, { QOVERY_TIMEOUT_MS: "400" });
      const started = Date.now();
      const r = await call(c, "clone-container", CALLS[0]?.args ?? {});
      expect(textOf(r)).toMatch(/POST \/container\/[0-9a-f-]+\/clone to Qovery API timed out after 400 ms/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(rec.requests.length).toBe(1); // a POST is never retried
    } finally {
      await rec.close();
    }
  });

  it("connection refused: names the URL and the reason", async () => {
    const port = await freePort();
    const r = await call(await server(`http://127.0.0.1:${port}`), "list-containers", {
      environmentId: IDS.environment,
    });
    expect(textOf(r)).toMatch(new RegExp(`Cannot reach Qovery API at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });
});

describe("the bin", () => {
  it("--read-only lists only the read tools (the seed's four, the new reads, reading sessions)", async () => {
    const c = await server(proxy.url, {}, ["--read-only"]);
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "get-container",
      "get-container-logs",
      "get-container-status",
      "get-service-logs",
      "list-all-container-registry-container",
      "list-all-environment-container-statuses",
      "list-container-deployments",
      "list-containers",
      "list-default-container-advanced-settings",
      "session-list",
      "session-read",
    ]);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it("without QOVERY_API_KEY it starts, lists tools, and every call says which variable to set", async () => {
    const c = await connectStdio(BIN, { args: ["--toolsets", "all"], env: { QOVERY_API_URL: proxy.url } });
    opened.push(c);
    expect((await c.client.listTools()).tools).toHaveLength(23);
    const r = await call(c, "list-containers", { environmentId: IDS.environment });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/QOVERY_API_KEY/);
  });
});

describe("secrets", () => {
  it("the fake token appears in no result, error or log line of any server above", async () => {
    // Close every server first: with LOG_LEVEL=debug each logs its shutdown on stderr.
    const closing = opened.splice(0);
    // close() returns once each process has exited and its stderr is read to the end
    for (const c of closing) await c.close();
    const logs = closing.map((c) => c.stderr()).join("\n");
    expect(logs, `stderr of ${closing.length} servers`).toMatch(/"level":"debug","msg":"shutting down"/);
    const all = `${seen.join("\n")}\n${logs}`;
    expect(seen.length).toBeGreaterThanOrEqual(19);
    expect(all).not.toContain(FAKE_TOKEN);
    expect(all).not.toContain(Buffer.from(FAKE_TOKEN).toString("base64"));
  });
});
