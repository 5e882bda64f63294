import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type NetworkHandle, serveNetwork } from "@infra-mcp/core/network";
import { connectInMemory, connectStdio, LOOPBACK_TEST_NETWORK } from "@infra-mcp/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portainerVendor } from "../src/index.js";
import { type PortainerFront, startPortainerFront } from "./fixtures/portainer-front.js";
import { API_KEY, DOCKER_SOCKET, gate, JWT, removeContainer, runContainer, uniq } from "./helpers.js";

// Issue 25: the runbook prompts over stdio (the built bin) and Streamable HTTP, and their
// arguments completing from the real engine through the Portainer front.
const BIN = fileURLToPath(new URL("../bin.cjs", import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL("../dist/cli.cjs", import.meta.url)));
const NAME = `safer-prompt-${uniq}`;

type PromptsClient = Pick<Client, "listPrompts" | "getPrompt" | "complete">;

async function checkPrompts(client: PromptsClient): Promise<void> {
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name).sort()).toEqual(["diagnose-container", "run-command-safely"]);
  const diagnose = prompts.find((p) => p.name === "diagnose-container");
  expect(diagnose?.arguments?.map((a) => [a.name, a.required])).toEqual([
    ["endpointId", true],
    ["containerId", true],
  ]);
  const got = await client.getPrompt({ name: "diagnose-container", arguments: { endpointId: "1", containerId: NAME } });
  const text = (got.messages[0]?.content as { text?: string } | undefined)?.text;
  expect(text).toContain(`inspect-container {endpointId: 1, containerId: "${NAME}"}`);
  expect(text).toContain("get-container-logs");
  expect(text).toContain("dryRun: true");
  const run = await client.getPrompt({
    name: "run-command-safely",
    arguments: { endpointId: "1", containerId: NAME, command: "rm -rf /data" },
  });
  expect((run.messages[0]?.content as { text?: string } | undefined)?.text).toMatch(
    /`rm -rf \/data`[\s\S]*dryRun: true[\s\S]*ask/,
  );
}

async function checkCompletion(client: PromptsClient): Promise<void> {
  const ref = { type: "ref/prompt" as const, name: "diagnose-container" };
  const envs = await client.complete({ ref, argument: { name: "endpointId", value: "" } });
  expect(envs.completion.values).toContain("1");
  const names = await client.complete({
    ref,
    argument: { name: "containerId", value: "safer-prompt-" },
    context: { arguments: { endpointId: "1" } },
  });
  expect(names.completion.values).toContain(NAME);
  // no environment chosen yet: nothing to list containers from
  const none = await client.complete({ ref, argument: { name: "containerId", value: "" } });
  expect(none.completion.values).toEqual([]);
}

it("the bin is built", () => {
  expect(BUILT, "dist/cli.cjs is missing: run `pnpm --filter portainer-mcp build` first").toBe(true);
});

describe.skipIf(gate.skip)("prompts (issue 25)", () => {
  let front: PortainerFront;
  let net: NetworkHandle;
  beforeAll(async () => {
    await runContainer(NAME, ["sleep", "3600"]);
    front = await startPortainerFront({ dockerSocket: DOCKER_SOCKET, apiKey: API_KEY, jwt: JWT });
    net = await serveNetwork([portainerVendor as never], {
      ...LOOPBACK_TEST_NETWORK,
      http: true,
      rest: false,
      env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY },
    });
  });
  afterAll(async () => {
    await net?.close();
    await front?.close();
    await removeContainer(NAME);
  });

  it("in memory: listed, filled in, and completed from the engine", async () => {
    const c = await connectInMemory(portainerVendor, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
    try {
      await checkPrompts(c.client);
      await checkCompletion(c.client);
    } finally {
      await c.close();
    }
  });

  it("over stdio (the built bin)", async () => {
    const c = await connectStdio(BIN, { env: { PORTAINER_URL: front.url, PORTAINER_API_KEY: API_KEY } });
    try {
      await checkPrompts(c.client);
      await checkCompletion(c.client);
    } finally {
      await c.close();
    }
  });

  it("over Streamable HTTP", async () => {
    const client = new Client({ name: "prompts-http-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(net.mcpUrls["portainer-mcp"] as string)));
    try {
      await checkPrompts(client);
      await checkCompletion(client);
    } finally {
      await client.close();
    }
  });
});
