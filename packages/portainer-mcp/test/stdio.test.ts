import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectStdio, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL("../dist/cli.cjs", import.meta.url)));
const NAME = `pmcp-stdio-${uniq}`;

// A missing build is a failure, not a skip: a skipped test here would count as a pass.
it("the bin is built", () => {
  expect(BUILT, "dist/cli.cjs is missing: run `pnpm --filter portainer-mcp build` first").toBe(true);
});

describe.skipIf(gate.skip)("the built bin over stdio", () => {
  let front: PortainerFront;
  beforeAll(async () => {
    if (!BUILT) throw new Error("dist/cli.cjs is missing: run `pnpm --filter portainer-mcp build` first");
    await runContainer(NAME, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
  });
  afterAll(async () => {
    await front?.close();
    await removeContainer(NAME);
  });

  it("lists the tools with truthful hints and runs a command end to end", async () => {
    const c = await connectStdio(BIN, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
    try {
      const { tools } = await c.client.listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      for (const n of [
        "execute-websocket",
        "attach-websocket",
        "execute-websocket-pod",
        "execute-websocket-kubectl-shell-pod",
      ]) {
        expect(byName[n]?.annotations?.readOnlyHint).toBe(false);
        expect(byName[n]?.annotations?.idempotentHint).toBe(false);
        expect(JSON.stringify(byName[n]?.inputSchema)).not.toContain('"token"');
      }
      expect(byName["list-environments"]?.annotations?.readOnlyHint).toBe(true);
      expect(byName["session-read"]).toBeDefined();
      // context cost (bytes of tools/list JSON per tool), pinned so growth is a reviewed change
      for (const t of tools) expect(JSON.stringify(t).length, t.name).toBeLessThan(2500);
      const r = await c.call("execute-websocket", {
        endpointId: 1,
        containerId: NAME,
        command: ["sh", "-c", "echo via stdio; exit 7"],
      });
      expect((r.structuredContent as { output: string; exitCode: number }).output).toBe("via stdio\n");
      expect((r.structuredContent as { exitCode: number }).exitCode).toBe(7);
    } finally {
      await c.close();
    }
  });

  it("a wrong key is a clear 401, and neither results nor logs contain it", async () => {
    const wrong = "ptr_WRONG_STDIO_KEY_42";
    const c = await connectStdio(BIN, {
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: wrong, LOG_LEVEL: "debug" },
    });
    try {
      const r = await c.call("execute-websocket", { endpointId: 1, containerId: NAME, command: ["true"] });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("HTTP 401");
      expect(JSON.stringify(r)).not.toContain(wrong);
      expect(c.stderr()).not.toContain(wrong);
    } finally {
      await c.close();
    }
  });

  it("both credentials set → a configuration error naming the variables", async () => {
    const c = await connectStdio(BIN, {
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY, PORTAINER_TOKEN: JWT },
    });
    try {
      const r = await c.call("list-environments", {});
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("PORTAINER_API_KEY");
      expect(textOf(r)).toContain("PORTAINER_TOKEN");
      expect(JSON.stringify(r)).not.toContain(API_KEY);
    } finally {
      await c.close();
    }
  });
});
