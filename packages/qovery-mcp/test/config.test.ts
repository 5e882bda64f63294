import { ConfigError } from "@infra-mcp/core";
import { describe, expect, it } from "vitest";
import { authScheme, createQoveryClient, DEFAULT_API_URL } from "../src/config.js";
import { FAKE_TOKEN } from "./servers.js";

describe("config", () => {
  it("a missing key is a ConfigError naming QOVERY_API_KEY", () => {
    expect(() => createQoveryClient({})).toThrow(ConfigError);
    expect(() => createQoveryClient({ QOVERY_API_KEY: "  " })).toThrow(/set QOVERY_API_KEY/);
  });

  it("defaults to https://api.qovery.com and sends API tokens as Token", async () => {
    const c = createQoveryClient({ QOVERY_API_KEY: FAKE_TOKEN });
    expect(c.http.upstream.origin.href).toBe(`${DEFAULT_API_URL}/`);
    expect(c.scheme).toBe("Token");
    await c.http.close();
  });

  it("sends a three-segment JWT as Bearer, anything else as Token", () => {
    expect(authScheme("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-A")).toBe("Bearer");
    expect(authScheme("qov_abc.def")).toBe("Token");
    expect(authScheme("a.b.c.d")).toBe("Token");
  });

  it("a bad QOVERY_API_URL or QOVERY_TIMEOUT_MS is named, without the token", () => {
    const withoutToken = expect.objectContaining({ message: expect.not.stringContaining(FAKE_TOKEN) });
    const cases: [Record<string, string>, RegExp][] = [
      [{ QOVERY_API_URL: "ftp://x" }, /QOVERY_API_URL/],
      [{ QOVERY_API_URL: "not a url" }, /QOVERY_API_URL/],
      [{ QOVERY_TIMEOUT_MS: "soon" }, /QOVERY_TIMEOUT_MS/],
    ];
    for (const [env, named] of cases) {
      const bad = () => createQoveryClient({ QOVERY_API_KEY: FAKE_TOKEN, ...env });
      expect(bad).toThrow(ConfigError);
      expect(bad).toThrow(named);
      expect(bad).toThrow(withoutToken);
    }
  });
});
