import { fileURLToPath } from "node:url";
import { textOf } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { api, createTokenOperation, gate, SOCKET } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));

/**
 * The shipped bundle keeps the SDK's JSON Schema validator (ajv) in a file of its own, loaded on
 * first use, and a server validates with it only the answer to a confirmation: so a confirmation
 * through the built bin is what proves that file is found, loads and validates.
 */
describe.skipIf(gate.skip)("the built bin asks before a destructive call (--confirm destructive)", () => {
  async function connect(answer: (message: string) => Record<string, unknown>) {
    const client = new Client({ name: "bin-confirm", version: "0" }, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return answer(req.params.message) as never;
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, "--confirm", "destructive"],
        env: { PATH: process.env.PATH ?? "", INCUS_SOCKET: SOCKET },
        stderr: "ignore",
      }),
    );
    return { client, asked };
  }

  it("an accepted answer runs the call; an answer that does not fit the form is refused", async () => {
    const op = await createTokenOperation(`bin-confirm-${process.pid}`);
    const yes = await connect(() => ({ action: "accept", content: { confirm: true } }));
    const malformed = await connect(() => ({ action: "accept", content: { confirm: "yes please" } }));
    try {
      const refused = await malformed.client.callTool({ name: "cancel-operation", arguments: { id: op.id } });
      expect(refused.isError).toBe(true);
      expect(malformed.asked).toHaveLength(1);
      expect(textOf(refused as never)).toMatch(/confirm/i);
      expect((await api<{ status: string }>("GET", `/1.0/operations/${op.id}`)).status).toBe("Running");
      const done = await yes.client.callTool({ name: "cancel-operation", arguments: { id: op.id } });
      expect(done.isError).toBeFalsy();
      expect(yes.asked).toHaveLength(1);
      expect(yes.asked[0]).toContain(op.id);
    } finally {
      await api("DELETE", `/1.0/operations/${op.id}`).catch(() => {});
      await yes.client.close();
      await malformed.client.close();
    }
  });
});
