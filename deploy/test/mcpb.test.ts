/**
 * The MCP Bundles and the registry's server.json (scripts/mcpb.mjs, `pnpm mcpb`).
 *
 * The bundles are built into a temp folder by the script itself (the official `mcpb validate` and
 * `mcpb pack`), unpacked with the MCPB library's own unpack, and started the way Claude Desktop
 * starts an installed bundle: the MCPB library's getMcpConfigForManifest (the code that resolves
 * `${__dirname}` and `${user_config.*}` in `mcp_config`), then command + args + env over stdio, in
 * a folder with no node_modules above it (so a bundle that needed the repository would fail).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getMcpConfigForManifest, type McpbManifestAny, unpackExtension } from "@anthropic-ai/mcpb";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeQovery, repoRoot, run } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: walking parsed JSON documents
type Obj = Record<string, any>;

const SERVERS = ["portainer-mcp", "incus-mcp", "qovery-mcp"] as const;
type Server = (typeof SERVERS)[number];
const INCUS_SOCKET = "/var/lib/incus/unix.socket";
/** Values for each bundle's required user_config (what the install dialog would ask for). */
const REQUIRED: Record<Server, Record<string, string>> = {
  "portainer-mcp": {
    portainer_url: "https://portainer.example.invalid:9443",
    portainer_api_key: "ptr_bundle-test-key",
  },
  "incus-mcp": {},
  "qovery-mcp": { qovery_api_key: "qov_bundle-test-key" },
};

const readJson = (file: string): Obj => JSON.parse(readFileSync(file, "utf8"));
const pkgOf = (server: Server) => readJson(join(repoRoot, "packages", server, "package.json"));
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

const work = mkdtempSync(join(tmpdir(), "deploy-mcpb-"));
const outDir = join(work, "out");
const bundleOf = (server: Server) => join(outDir, `${server}-${pkgOf(server).version}.mcpb`);
const unpackedOf = (server: Server) => join(work, "unpacked", server);

/** Starts a server as Claude Desktop does from an installed bundle, and lists its tools. */
async function startBundle(server: Server, userConfig: Record<string, string | boolean>) {
  const dir = unpackedOf(server);
  const manifest = readJson(join(dir, "manifest.json")) as McpbManifestAny;
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath: dir,
    systemDirs: { HOME: work, DESKTOP: work, DOCUMENTS: work, DOWNLOADS: work },
    userConfig,
    pathSeparator: "/",
  });
  if (!config) throw new Error(`${server}: Claude Desktop would not start it (required user_config missing)`);
  return { config, ...(await connect(config.command, config.args ?? [], config.env ?? {})) };
}

async function connect(command: string, args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...getDefaultEnvironment(), ...env },
    cwd: work,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: "mcpb-test", version: "0.0.0" });
  await client.connect(transport).catch((error: unknown) => {
    throw new Error(`${command} ${args.join(" ")} did not start: ${error}\n${stderr}`);
  });
  return { client, stderr: () => stderr };
}

async function listTools(client: Client): Promise<Tool[]> {
  const { tools } = await client.listTools();
  return [...tools].sort((a, b) => a.name.localeCompare(b.name));
}

let built = "";

beforeAll(async () => {
  const { stdout } = await run(process.execPath, [join(repoRoot, "scripts/mcpb.mjs"), "--out", outDir]);
  built = stdout;
  for (const server of SERVERS) {
    const ok = await unpackExtension({ mcpbPath: bundleOf(server), outputDir: unpackedOf(server), silent: true });
    if (!ok) throw new Error(`${server}: mcpb unpack failed`);
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("MCP Bundles (pnpm mcpb)", () => {
  it.each(SERVERS)("%s: the manifest carries the package's name, version and metadata", (server) => {
    const pkg = pkgOf(server);
    const manifest = readJson(join(unpackedOf(server), "manifest.json"));
    expect(built).toContain(`${server}: ${bundleOf(server)}`);
    expect(manifest.name).toBe(server);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.description).toBe(pkg.description);
    expect(manifest.author.name).toBe(pkg.author);
    expect(manifest.repository.url).toBe(pkg.repository.url.replace(/\.git$/, ""));
    expect(manifest.compatibility.runtimes.node).toBe(pkg.engines.node);
    expect(manifest.compatibility.platforms).toEqual(["darwin", "win32", "linux"]);
    expect(manifest.server).toMatchObject({
      type: "node",
      entry_point: "bin.cjs",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the MCPB placeholder itself
      mcp_config: { command: "node", args: ["${__dirname}/bin.cjs"] },
    });
    const icon = readFileSync(join(unpackedOf(server), manifest.icon));
    expect(icon.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Every tool of the vendor's table, with its description.
    const table = readJson(join(repoRoot, "packages", server, "dist/tools-list.json")).tools as Tool[];
    expect(manifest.tools).toEqual(table.map((t) => ({ name: t.name, description: t.description })));
    for (const t of manifest.tools) expect(t.description?.length, t.name).toBeGreaterThan(10);
  });

  it.each(SERVERS)("%s: each variable comes from a user_config entry; credentials are marked sensitive", (server) => {
    const manifest = readJson(join(unpackedOf(server), "manifest.json"));
    const env = manifest.server.mcp_config.env as Record<string, string>;
    const keys = Object.keys(manifest.user_config);
    expect(Object.values(env).sort()).toEqual(keys.map((k) => `\${user_config.${k}}`).sort());
    for (const [name, ref] of Object.entries(env)) {
      const entry = manifest.user_config[ref.slice("${user_config.".length, -1)];
      const secret = /(API_KEY|TOKEN)$/.test(name);
      expect(Boolean(entry.sensitive), `${name} sensitive`).toBe(secret);
      expect(entry.description, name).toContain(name);
      // Optional entries need a default: without one Claude Desktop passes "${user_config.x}" verbatim.
      if (!entry.required) expect(entry.default, name).toBeDefined();
    }
    for (const key of Object.keys(REQUIRED[server])) {
      expect(manifest.user_config[key], key).toBeDefined();
    }
  });

  it.each(SERVERS)("%s: the bundle holds the bin and nothing of the library entry or the sources", (server) => {
    const files = readdirRecursive(unpackedOf(server));
    expect(files).toEqual(
      expect.arrayContaining([
        "bin.cjs",
        "package.json",
        "manifest.json",
        "icon.png",
        "dist/cli.cjs",
        "dist/launch.cjs",
        "dist/tools-list.json",
      ]),
    );
    expect(files.filter((f) => f.startsWith("src/") || f === "dist/index.js" || f.includes("node_modules"))).toEqual(
      [],
    );
  });

  it.each(SERVERS)("%s: started as Claude Desktop starts it, it lists the same tools as the bin", async (server) => {
    const bundle = await startBundle(server, REQUIRED[server]);
    try {
      // ${__dirname} resolved to the unpacked bundle, no placeholder left.
      expect(bundle.config.args).toEqual([join(unpackedOf(server), "bin.cjs")]);
      expect(JSON.stringify(bundle.config)).not.toContain("${");
      const fromBundle = await listTools(bundle.client);
      const bin = await connect(process.execPath, [join(repoRoot, "packages", server, "bin.cjs")], bundle.config.env!);
      try {
        expect(fromBundle).toEqual(await listTools(bin.client));
      } finally {
        await bin.client.close();
      }
      const manifest = readJson(join(unpackedOf(server), "manifest.json"));
      expect(fromBundle.map((t) => t.name)).toEqual(manifest.tools.map((t: Obj) => t.name).sort());
      expect(bundle.client.getServerVersion()?.version).toBe(pkgOf(server).version);
    } finally {
      await bundle.client.close();
    }
  });

  it("user_config reaches the server: read_only narrows the list to read-only tools", async () => {
    const all = await startBundle("incus-mcp", {});
    const allTools = await listTools(all.client).finally(() => all.client.close());
    const ro = await startBundle("incus-mcp", { read_only: true });
    const roTools = await listTools(ro.client).finally(() => ro.client.close());
    expect(roTools.length).toBeGreaterThan(0);
    expect(roTools.length).toBeLessThan(allTools.length);
    for (const t of roTools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
  });

  it("qovery bundle: the API URL and token from user_config reach the upstream", async () => {
    const upstream = await fakeQovery();
    try {
      const bundle = await startBundle("qovery-mcp", { ...REQUIRED["qovery-mcp"], qovery_api_url: upstream.url });
      try {
        const result = await bundle.client.callTool({
          name: "list-default-container-advanced-settings",
          arguments: {},
        });
        expect(result.isError, JSON.stringify(result)).toBeFalsy();
        expect(JSON.stringify(result.structuredContent)).toContain("network.ingress.proxy_body_size_mb");
        expect(upstream.requests()).toBeGreaterThan(0);
      } finally {
        await bundle.client.close();
      }
    } finally {
      await upstream.close();
    }
  });

  it("incus bundle: the socket from user_config reaches the real Incus daemon", async () => {
    const bundle = await startBundle("incus-mcp", { incus_socket: INCUS_SOCKET });
    try {
      const result = await bundle.client.callTool({ name: "list-instances", arguments: {} });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      // scripts/setup-daemons.sh keeps an instance c1 running.
      expect(JSON.stringify(result.structuredContent ?? result.content)).toContain('"c1"');
    } finally {
      await bundle.client.close();
    }
  });

  it("a bundle missing a required user_config is not started (as Claude Desktop refuses it)", async () => {
    await expect(startBundle("qovery-mcp", {})).rejects.toThrow(/would not start/);
  });
});

describe("server.json (MCP registry)", () => {
  // deploy/test/fixtures/SOURCES.md says where the schema comes from.
  const schema = readJson(join(repoRoot, "deploy/test/fixtures/server.schema.json"));
  const ajv = new Ajv({ allErrors: true });
  ajv.addKeyword("example"); // an annotation of the registry's schema, not a JSON Schema keyword
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);
  const committed = (server: Server) => readJson(join(repoRoot, "packages", server, "server.json"));

  it("the schema is the registry's 2025-09-29 server.json schema", () => {
    expect(schema.$id).toBe("https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json");
  });

  it.each(SERVERS)("%s: server.json validates against the registry schema", (server) => {
    const doc = committed(server);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(doc.$schema).toBe(schema.$id);
  });

  it("the validator rejects a broken server.json (it is not a no-op)", () => {
    const doc = committed("qovery-mcp");
    expect(validate({ ...doc, name: "no-slash" })).toBe(false);
    const badSha = structuredClone(doc);
    badSha.packages[1].fileSha256 = "not-a-sha";
    expect(validate(badSha)).toBe(false);
    const latest = structuredClone(doc);
    latest.packages[0].version = "latest";
    expect(validate(latest)).toBe(false);
  });

  it.each(SERVERS)("%s: name = mcpName = io.github.<owner>/<server>; versions in step", (server) => {
    const pkg = pkgOf(server);
    const doc = committed(server);
    const owner = /^https:\/\/github\.com\/([^/]+)\//.exec(pkg.repository.url)?.[1];
    expect(pkg.mcpName).toBe(`io.github.${owner}/${server}`);
    expect(doc.name).toBe(pkg.mcpName);
    expect(doc.version).toBe(pkg.version);
    expect(doc.description).toBe(pkg.description);
    const [npm, mcpb] = doc.packages;
    expect(npm).toMatchObject({ registryType: "npm", identifier: pkg.name, version: pkg.version });
    expect(npm.transport).toEqual({ type: "stdio" });
    expect(mcpb).toMatchObject({ registryType: "mcpb", version: pkg.version, transport: { type: "stdio" } });
    expect(mcpb.identifier).toMatch(new RegExp(`/releases/download/v${pkg.version}/${server}-${pkg.version}\\.mcpb$`));
  });

  it.each(SERVERS)("%s: credentials are secrets, and every variable is one the bin documents", async (server) => {
    const env = committed(server).packages[0].environmentVariables as Obj[];
    expect(env.length).toBeGreaterThan(0);
    const { stdout: help } = await run(process.execPath, [join(repoRoot, "packages", server, "bin.cjs"), "--help"]);
    for (const v of env) {
      expect(v.isSecret, v.name).toBe(/(API_KEY|TOKEN)$/.test(v.name));
      expect(help, `${v.name} in --help`).toContain(v.name);
    }
    expect(env.some((v) => v.isSecret)).toBe(true);
  });

  it.each(SERVERS)("%s: pnpm mcpb writes the built bundle's SHA-256; the rest is the committed file", (server) => {
    const generated = readJson(join(outDir, `${server}.server.json`));
    expect(validate(generated), JSON.stringify(validate.errors)).toBe(true);
    expect(generated.packages[1].fileSha256).toBe(sha256(bundleOf(server)));
    // Packing stamps the archive's entries with the time, so only the hash differs from one run to the next.
    const withoutSha = (d: Obj) => {
      const c = structuredClone(d);
      c.packages[1].fileSha256 = "";
      return c;
    };
    expect(withoutSha(committed(server))).toEqual(withoutSha(generated));
  });
});

function readdirRecursive(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirRecursive(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}
