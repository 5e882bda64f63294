/**
 * A proxy or stand-in in front of Portainer that answers 200 with something other than Docker's
 * inspect document: the container tools must say so, not throw a TypeError from a formatter.
 */
import { type ConnectedClient, connectInMemory, RecordingUpstream, textOf } from "@infra-mcp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { API_KEY } from "./helpers.js";

describe("a 200 that is not a container inspect document", () => {
  let upstream: RecordingUpstream;
  let mcp: ConnectedClient;

  beforeAll(async () => {
    upstream = new RecordingUpstream();
    upstream.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    };
    await upstream.listen();
    mcp = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: upstream.url, PORTAINER_API_KEY: API_KEY } });
  });
  afterAll(async () => {
    await mcp?.close();
    await upstream?.close();
  });

  for (const tool of ["get-container-stats", "inspect-container", "stop-container"]) {
    it(`${tool}: a clear error naming the container, and the server answers the next call`, async () => {
      const r = await mcp.call(tool, { endpointId: 1, containerId: "web" });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/inspect of "web" answered without an Id/);
      expect(textOf(r)).not.toMatch(/TypeError|reading 'slice'/);
      const list = await mcp.call("list-environments", {});
      expect(list.isError).toBe(true);
      expect(textOf(list)).toMatch(/answered something other than a list of environments/);
    });
  }
});
