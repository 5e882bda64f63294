/**
 * Issue 25 in core: --confirm as a policy (destructive | writes | tool names) over MCP and REST,
 * its flag and variable, and the shapes environment values are masked in.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MASK, maskEnvValues } from "../src/base/env-mask.js";
import { ConfigError } from "../src/base/errors.js";
import { CLI_SETTINGS, parseSettings } from "../src/base/settings.js";
import { parseCli } from "../src/cli.js";
import { type NetworkHandle, serveNetwork } from "../src/serving/network.js";
import { LOOPBACK_TEST_NETWORK, textOf } from "../src/testing/index.js";
import type { ToolFilter } from "../src/tools/call.js";
import { needsConfirmation, parseConfirmPolicy } from "../src/tools/confirm-policy.js";
import { createVendorServer } from "../src/tools/vendor.js";
import { startUpstream, thingsVendor } from "./fixtures/toolset-vendor.js";

let up: Awaited<ReturnType<typeof startUpstream>>;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(() => up.close());
beforeEach(() => {
  up.requests.length = 0;
});

/** A client that cannot be asked (no elicitation): every call the policy covers is refused. */
async function connect(filter: ToolFilter) {
  const handle = createVendorServer(thingsVendor(up.base), { toolsets: ["all"], ...filter });
  const [c, s] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(s);
  const client = new Client({ name: "safer-test", version: "0" });
  await client.connect(c);
  return {
    call: async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await handle.close();
    },
  };
}

describe("--confirm policy over MCP", () => {
  it("writes: a non-destructive write is asked about too; reads are not; a dry run is not", async () => {
    const c = await connect({ confirm: "writes" });
    try {
      const touch = await c.call("touch-thing", { name: "a" });
      expect(touch.isError).toBe(true);
      expect(textOf(touch)).toContain("(--confirm writes)");
      const dry = await c.call("touch-thing", { name: "a", dryRun: true });
      expect(dry.isError, textOf(dry)).toBeFalsy();
      expect(textOf(dry)).toContain("would send POST /things/a");
      expect((await c.call("list-things", {})).isError).toBeFalsy();
      expect(up.requests).toEqual(["GET /things"]);
    } finally {
      await c.close();
    }
  });

  it("a tool list: only the named tools are asked about", async () => {
    const c = await connect({ confirm: ["touch-thing"] });
    try {
      expect((await c.call("touch-thing", { name: "a" })).isError).toBe(true);
      expect((await c.call("delete-thing", { name: "b" })).isError).toBeFalsy();
      expect(up.requests).toEqual(["DELETE /things/b"]);
    } finally {
      await c.close();
    }
  });

  it("stateless: the tools the policy covers are not offered", async () => {
    const c = await connect({ confirm: "writes", stateless: true });
    try {
      const r = await c.call("touch-thing", { name: "a" });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/not found|touch-thing/i);
      expect(up.requests).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe("--confirm policy over REST", () => {
  let net: NetworkHandle;
  beforeAll(async () => {
    net = await serveNetwork([thingsVendor(up.base)], {
      ...LOOPBACK_TEST_NETWORK,
      http: false,
      rest: true,
      confirm: "writes",
      toolsets: ["things"],
    });
  });
  afterAll(() => net.close());

  it("refuses every write route with 403 (it cannot ask) and serves reads", async () => {
    const post = await fetch(`${net.restUrl}/v1/things/web`, { method: "POST" });
    expect(post.status).toBe(403);
    expect(((await post.json()) as { detail: string }).detail).toMatch(
      /touch-thing needs the user's confirmation .*--confirm writes/,
    );
    expect(up.requests).toEqual([]);
    expect((await fetch(`${net.restUrl}/v1/things`)).status).toBe(200);
  });
});

describe("--confirm and --show-env-values at the entry", () => {
  it("reads --confirm, MCP_CONFIRM, and --confirm-destructive as --confirm destructive", () => {
    expect(parseCli(["--confirm", "writes"], {}).confirm).toBe("writes");
    expect(parseCli([], { MCP_CONFIRM: "stop-container, kill-container" }).confirm).toEqual([
      "stop-container",
      "kill-container",
    ]);
    expect(parseCli(["--confirm-destructive"], {}).confirm).toBe("destructive");
    expect(parseCli([], { MCP_CONFIRM_DESTRUCTIVE: "1" }).confirm).toBe("destructive");
    expect(parseCli(["--confirm", "writes"], { MCP_CONFIRM: "destructive" }).confirm).toBe("writes");
    expect(parseCli([], {}).confirm).toBeUndefined();
  });

  it("refuses a value that is no policy, naming what it accepts", () => {
    expect(() => parseConfirmPolicy("Writes!")).toThrow(ConfigError);
    expect(() => parseSettings([CLI_SETTINGS], { MCP_CONFIRM: "all of them" })).toThrow(/MCP_CONFIRM/);
  });

  it("reads --show-env-values and MCP_SHOW_ENV_VALUES (default off)", () => {
    expect(parseCli([], {}).showEnvValues).toBe(false);
    expect(parseCli(["--show-env-values"], {}).showEnvValues).toBe(true);
    expect(parseCli([], { MCP_SHOW_ENV_VALUES: "1" }).showEnvValues).toBe(true);
  });

  it("a read-only tool never needs confirmation, whatever the policy", () => {
    const read = { annotations: { readOnlyHint: true, destructiveHint: false }, name: "list-things" };
    expect(needsConfirmation(["list-things"], read as never)).toBe(false);
  });
});

describe("environment values masked by shape", () => {
  it("Docker Env, pod env, Incus environment.* and exec environment, Qovery variables", () => {
    const doc = {
      Config: { Env: ["A=secret-a", "BARE", "B=x=y"], Image: "web" },
      spec: {
        containers: [
          {
            name: "app",
            env: [
              { name: "TOKEN", value: "secret-t" },
              { name: "FROM", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
            ],
          },
        ],
      },
      config: { "environment.DB": "secret-db", "limits.cpu": "2" },
      exec: { command: ["sh"], environment: { HOME: "secret-home" } },
      variables: [{ id: "1", key: "API_KEY", value: "secret-q", scope: "CONTAINER", variable_type: "VALUE" }],
      environment: { id: "env-uuid", name: "prod" },
    };
    const masked = maskEnvValues(doc);
    expect(masked.Config.Env).toEqual([`A=${MASK}`, "BARE", `B=${MASK}`]);
    expect(masked.spec.containers[0]?.env).toEqual([
      { name: "TOKEN", value: MASK },
      { name: "FROM", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
    ]);
    expect(masked.config).toEqual({ "environment.DB": MASK, "limits.cpu": "2" });
    expect(masked.exec.environment).toEqual({ HOME: MASK });
    expect(masked.variables[0]).toMatchObject({ key: "API_KEY", value: MASK });
    // a Qovery environment reference is not a variable: its id stays
    expect(masked.environment).toEqual({ id: "env-uuid", name: "prod" });
    expect(JSON.stringify(masked)).not.toMatch(/secret-/);
    // the input is not changed
    expect(doc.Config.Env[0]).toBe("A=secret-a");
  });
});

describe("a dry run can only be kept if every upstream call goes through core", () => {
  it("no vendor source opens a connection of its own (fetch, node:http/https/net, undici, ws)", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const root = new URL("../../", import.meta.url).pathname;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".ts")) {
          const text = readFileSync(p, "utf8");
          if (/\bfetch\(|from "node:(http|https|net|tls)"|from "(undici|ws)"|new WebSocket\(/.test(text)) {
            offenders.push(p.slice(root.length));
          }
        }
      }
    };
    for (const pkg of ["portainer-mcp", "incus-mcp", "qovery-mcp"]) walk(join(root, pkg, "src"));
    expect(offenders).toEqual([]);
  });
});
