/** The gateway bin's own command line: --version, and start-up errors as JSON log lines. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin.js", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

async function runBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("infra-mcp-gateway command line", () => {
  it("--version and -v print the package version", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await runBin([flag]);
      expect(r.code, flag).toBe(0);
      expect(r.stdout.trim(), flag).toBe(version);
    }
  });

  it("a bad flag is one JSON error line on stderr and exit code 2", async () => {
    const r = await runBin(["--port", "not-a-port"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      msg: '--port must be a port number, got "not-a-port".',
      name: "infra-mcp-gateway",
    });
  });

  it("a refused start (0.0.0.0 without a token) is a JSON line naming the variable, exit 2", async () => {
    const r = await runBin(["--host", "0.0.0.0", "--port", "0", "--rest-port", "0"]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: expect.stringContaining("MCP_HTTP_TOKEN") });
  });
});
