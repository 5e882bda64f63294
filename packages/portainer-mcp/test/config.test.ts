import { ConfigError } from "@infra-mcp/core";
import { describe, expect, it } from "vitest";
import { createPortainerClient } from "../src/config.js";

describe("configuration", () => {
  it("requires PORTAINER_URL and exactly one credential", () => {
    expect(() => createPortainerClient({ PORTAINER_API_KEY: "k_123456" })).toThrow(/PORTAINER_URL/);
    expect(() => createPortainerClient({ PORTAINER_URL: "https://p:9443" })).toThrow(
      /PORTAINER_API_KEY.*PORTAINER_TOKEN/,
    );
    expect(() =>
      createPortainerClient({
        PORTAINER_URL: "https://p:9443",
        PORTAINER_API_KEY: "k_123456",
        PORTAINER_TOKEN: "j_123456",
      }),
    ).toThrow(ConfigError);
    expect(() =>
      createPortainerClient({
        PORTAINER_URL: "https://p:9443",
        PORTAINER_API_KEY: "k_123456",
        PORTAINER_TLS_INSECURE: "maybe",
      }),
    ).toThrow(/PORTAINER_TLS_INSECURE/);
    expect(() =>
      createPortainerClient({
        PORTAINER_URL: "https://p:9443",
        PORTAINER_API_KEY: "k_123456",
        PORTAINER_CA_FILE: "/nonexistent.pem",
      }),
    ).toThrow(/PORTAINER_CA_FILE/);
  });

  it("binds the API key as X-API-Key everywhere, a JWT as Bearer (REST) and ?token= (websocket)", () => {
    const k = createPortainerClient({
      PORTAINER_URL: "https://p:9443/api/",
      PORTAINER_API_KEY: "k_123456",
      PORTAINER_TLS_INSECURE: "1",
    });
    expect(k.upstream.origin.href).toBe("https://p:9443/");
    expect(k.upstream.auth?.http).toEqual([{ in: "header", name: "X-API-Key", value: "k_123456" }]);
    expect(k.upstream.auth?.ws).toEqual([{ in: "header", name: "X-API-Key", value: "k_123456" }]);
    expect(k.upstream.tls?.insecure).toBe(true);
    const j = createPortainerClient({ PORTAINER_URL: "https://p:9443", PORTAINER_TOKEN: "j_123456" });
    expect(j.upstream.auth?.http).toEqual([
      { in: "header", name: "Authorization", scheme: "Bearer", value: "j_123456" },
    ]);
    expect(j.upstream.auth?.ws).toEqual([{ in: "query", name: "token", value: "j_123456" }]);
  });
});
