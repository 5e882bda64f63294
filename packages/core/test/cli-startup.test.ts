/** A start-up failure is one JSON log line on stderr, through the redactor, with exit code 2 for configuration errors. */
import { parseArgs } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, redactor, reportStartupError } from "../src/index.js";

const SECRET = "startup-secret-9f8e7d6c";

function capture(run: () => void): { lines: string[]; exitCode: typeof process.exitCode } {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines: written.join("").split("\n").filter(Boolean), exitCode };
}

describe("reportStartupError", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("writes a configuration error as one redacted JSON line and sets exit code 2", () => {
    redactor.add(SECRET);
    const { lines, exitCode } = capture(() =>
      reportStartupError("fake-mcp", new ConfigError(`FAKE_URL must be a URL, got "${SECRET}".`)),
    );
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: "error",
      name: "fake-mcp",
      help: "fake-mcp --help lists every option and variable",
    });
    expect(line.msg).toBe('FAKE_URL must be a URL, got "[REDACTED]".');
    expect(lines[0]).not.toContain(SECRET);
    expect(exitCode).toBe(2);
  });

  it("treats an unknown flag as a configuration error (exit 2)", () => {
    let error: unknown;
    try {
      parseArgs({ args: ["--bogus"], options: {}, strict: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const { lines, exitCode } = capture(() => reportStartupError("fake-mcp", error));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: expect.stringContaining("--bogus") });
    expect(exitCode).toBe(2);
  });

  it("any other failure (a port in use) exits 1, still as a JSON line", () => {
    const inUse = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:9090"), {
      code: "EADDRINUSE",
    });
    const { lines, exitCode } = capture(() => reportStartupError("fake-mcp", inUse));
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "error", msg: expect.stringContaining("EADDRINUSE") });
    expect(line.help).toBeUndefined();
    expect(exitCode).toBe(1);
  });
});
