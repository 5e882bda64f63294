import { describe, expect, it } from "vitest";
import { waitFor } from "../src/testing/wait.js";

describe("waitFor", () => {
  it("a probe that throws fails at once, unless retryErrors makes it 'not yet'", async () => {
    const boom = () => {
      throw new Error("connection refused");
    };
    await expect(waitFor(boom, { what: "x", timeoutMs: 1_000 })).rejects.toThrow("connection refused");
    let calls = 0;
    const third = () => {
      calls++;
      if (calls < 3) throw new Error("not listening yet");
      return "up";
    };
    await expect(waitFor(third, { what: "x", retryErrors: true, intervalMs: 1 })).resolves.toBe("up");
    expect(calls).toBe(3);
    await expect(waitFor(boom, { what: "the port", retryErrors: true, timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /timed out after \d+ ms waiting for the port \(last error: Error: connection refused\)/,
    );
  });
});
