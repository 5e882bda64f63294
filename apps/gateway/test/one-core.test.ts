import { InfraMcpError, invokeTool, redactor, SessionRegistry } from "@infra-mcp/core";
import { incusVendor } from "incus-mcp";
import { qoveryVendor } from "qovery-mcp";
import { describe, expect, it } from "vitest";

/**
 * The vendors' library entries take @infra-mcp/core from their importer: a credential a vendor
 * reads is known to the gateway's redactor, and a vendor's errors are the gateway's error classes
 * (which the REST surface maps to HTTP statuses).
 */
describe("one core in memory", () => {
  it("a credential read by a vendor is scrubbed by the importer's redactor", async () => {
    const secret = "incus-one-core-token-5b1e";
    const client = incusVendor.createClient({ INCUS_URL: "https://127.0.0.1:1", INCUS_TOKEN: secret });
    try {
      expect(redactor.redact(`token ${secret}`)).toBe("token [REDACTED]");
    } finally {
      await incusVendor.closeClient?.(client);
    }
  });

  it("a vendor's upstream failure is an instance of the importer's error classes", async () => {
    const client = qoveryVendor.createClient({
      QOVERY_API_KEY: "qov_one_core_7d2",
      QOVERY_API_URL: "http://127.0.0.1:1",
      MCP_UPSTREAM_RETRIES: "0",
    });
    const tool = qoveryVendor.tools.find((t) => t.name === "list-default-container-advanced-settings");
    try {
      const failure = await invokeTool(
        tool!,
        {},
        {
          getClient: () => client,
          sessions: new SessionRegistry(),
          signal: new AbortController().signal,
        },
      ).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InfraMcpError);
      expect((failure as InfraMcpError).code).toBe("UPSTREAM_UNAVAILABLE");
    } finally {
      await qoveryVendor.closeClient?.(client);
    }
  });
});
