#!/usr/bin/env node
// `pnpm mcpb`: one MCP Bundle per server (dist/mcpb/<server>-<version>.mcpb) for Claude Desktop's
// one-click install, made with the official MCPB CLI (`mcpb validate`, `mcpb pack`), and the
// packages/<server>/server.json the MCP registry reads, with the bundle's SHA-256 written into it.
//
//   node scripts/mcpb.mjs               after `pnpm build` (`pnpm mcpb` builds first)
//   node scripts/mcpb.mjs --out DIR     bundles and <server>.server.json into DIR; the packages'
//                                       server.json files stay untouched (deploy/test/mcpb.test.ts)
//
// A bundle is the bin as published (bin.cjs + the self-contained dist/cli.cjs, dist/lazy/*.cjs,
// dist/launch.cjs, dist/tools-list.json: core and every dependency are inlined by tsup), plus
// manifest.json and an icon. The manifest's tools are the vendor's whole table (tools-list.json),
// and the bundle serves all of them unless the user narrows `toolsets`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { iconPng } from "./mcpb-icon.mjs";

const root = resolve(import.meta.dirname, "..");
/** The registry schema server.json follows (its copy: deploy/test/fixtures/server.schema.json). */
export const SERVER_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json";
const MANIFEST_VERSION = "0.3";

/**
 * What a user sets when installing a bundle: each credential and URL a vendor reads, as MCPB
 * `user_config` (mapped onto the variable in mcp_config.env) and as the npm package's
 * `environmentVariables` in server.json. Optional entries default to "" so an unset one reaches
 * the server as an empty variable, which the servers treat as unset (a value left without a
 * default would arrive as the literal text "${user_config.…}").
 */
const VENDOR_CONFIG = {
  "portainer-mcp": {
    display: "Portainer",
    letter: "P",
    rgb: [19, 190, 230],
    keywords: ["portainer", "docker", "kubernetes", "containers"],
    config: [
      {
        key: "portainer_url",
        env: "PORTAINER_URL",
        type: "string",
        title: "Portainer URL",
        description: "Portainer address, e.g. https://portainer.example.com:9443",
        required: true,
      },
      {
        key: "portainer_api_key",
        env: "PORTAINER_API_KEY",
        type: "string",
        title: "Portainer access token",
        description: "Access token (My account → Access tokens). Set this or the JWT, not both.",
        secret: true,
      },
      {
        key: "portainer_token",
        env: "PORTAINER_TOKEN",
        type: "string",
        title: "Portainer JWT",
        description: "A JWT from POST /api/auth, instead of an access token.",
        secret: true,
      },
      {
        key: "portainer_ca_file",
        env: "PORTAINER_CA_FILE",
        type: "file",
        title: "Portainer CA certificate",
        description: "PEM file with the CA that signed Portainer's certificate (self-signed Portainer).",
      },
    ],
  },
  "incus-mcp": {
    display: "Incus",
    letter: "I",
    rgb: [232, 93, 36],
    keywords: ["incus", "lxc", "containers", "virtual machines"],
    config: [
      {
        key: "incus_socket",
        env: "INCUS_SOCKET",
        type: "string",
        title: "Incus unix socket",
        description: "Socket of the local daemon (default /run/incus/unix.socket, else /var/lib/incus/unix.socket).",
      },
      {
        key: "incus_url",
        env: "INCUS_URL",
        type: "string",
        title: "Incus URL",
        description: "A remote daemon, https://host:8443 (with the client certificate and key below, or a token).",
      },
      {
        key: "incus_client_cert",
        env: "INCUS_CLIENT_CERT",
        type: "file",
        title: "Client certificate",
        description: "PEM client certificate trusted with `incus config trust add-certificate` (for the URL).",
      },
      {
        key: "incus_client_key",
        env: "INCUS_CLIENT_KEY",
        type: "file",
        title: "Client key",
        description: "PEM key of that client certificate.",
      },
      {
        key: "incus_server_cert",
        env: "INCUS_SERVER_CERT",
        type: "file",
        title: "Server certificate",
        description: "PEM server certificate to pin for the URL (self-signed servers).",
      },
      {
        key: "incus_token",
        env: "INCUS_TOKEN",
        type: "string",
        title: "Incus OIDC token",
        description: "OIDC access token, sent as a bearer token to the default remote.",
        secret: true,
      },
      {
        key: "incus_remote",
        env: "INCUS_REMOTE",
        type: "string",
        title: "Default remote",
        description: "A remote from the incus CLI's config.yml (or local, url).",
      },
      {
        key: "incus_project",
        env: "INCUS_PROJECT",
        type: "string",
        title: "Default project",
        description: "Project for every remote (else the remote's own, else the server's default).",
      },
    ],
  },
  "qovery-mcp": {
    display: "Qovery",
    letter: "Q",
    rgb: [100, 45, 255],
    keywords: ["qovery", "deployment", "containers"],
    config: [
      {
        key: "qovery_api_key",
        env: "QOVERY_API_KEY",
        type: "string",
        title: "Qovery API token",
        description: "A Qovery API token (or an OIDC JWT).",
        secret: true,
        required: true,
      },
      {
        key: "qovery_api_url",
        env: "QOVERY_API_URL",
        type: "string",
        title: "Qovery API URL",
        description: "API base URL (default https://api.qovery.com).",
      },
      {
        key: "qovery_ws_url",
        env: "QOVERY_WS_URL",
        type: "string",
        title: "Qovery websocket gateway",
        description: "Gateway for live logs and shells (default wss://ws.qovery.com).",
      },
    ],
  },
};

/** Settings every bundle offers, read by core (not vendor credentials: kept out of server.json). */
const COMMON_CONFIG = [
  {
    key: "toolsets",
    env: "MCP_TOOLSETS",
    type: "string",
    title: "Toolsets",
    description: 'Comma list of toolsets to serve ("all", or names from the README).',
    default: "all",
  },
  {
    key: "read_only",
    env: "MCP_READ_ONLY",
    type: "boolean",
    title: "Read-only",
    description: "Serve only the tools that change nothing.",
    default: false,
  },
];

export const SERVERS = Object.keys(VENDOR_CONFIG);

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** owner/name of the package.json repository URL (https://github.com/<owner>/<name>[.git]). */
function githubRepo(pkg) {
  const url = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const m = /^(?:git\+)?https:\/\/github\.com\/([^/]+)\/([^/]+?)(?:\.git)?$/.exec(url ?? "");
  if (!m) throw new Error(`${pkg.name}: package.json repository.url must be https://github.com/<owner>/<repo>`);
  return { owner: m[1], name: m[2], web: `https://github.com/${m[1]}/${m[2]}` };
}

function userConfigEntry(c) {
  return {
    type: c.type,
    title: c.title,
    description: `${c.description} (${c.env})`,
    ...(c.required ? { required: true } : { default: c.default ?? "" }),
    ...(c.secret ? { sensitive: true } : {}),
  };
}

export function manifestFor(server, pkg, tools) {
  const meta = VENDOR_CONFIG[server];
  const repo = githubRepo(pkg);
  const all = [...meta.config, ...COMMON_CONFIG];
  return {
    manifest_version: MANIFEST_VERSION,
    name: server,
    display_name: meta.display,
    version: pkg.version,
    description: pkg.description,
    author: { name: typeof pkg.author === "string" ? pkg.author : pkg.author.name },
    repository: { type: "git", url: repo.web },
    homepage: `${repo.web}/tree/main/packages/${server}#readme`,
    documentation: `${repo.web}/tree/main/packages/${server}#readme`,
    support: `${repo.web}/issues`,
    icon: "icon.png",
    server: {
      type: "node",
      entry_point: "bin.cjs",
      mcp_config: {
        command: "node",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an MCPB placeholder, resolved by the client
        args: ["${__dirname}/bin.cjs"],
        env: Object.fromEntries(all.map((c) => [c.env, `\${user_config.${c.key}}`])),
      },
    },
    tools: tools.map((t) => ({ name: t.name, description: t.description })),
    tools_generated: false,
    keywords: ["mcp", ...meta.keywords],
    license: pkg.license,
    compatibility: {
      platforms: ["darwin", "win32", "linux"],
      runtimes: { node: pkg.engines.node },
    },
    user_config: Object.fromEntries(all.map((c) => [c.key, userConfigEntry(c)])),
  };
}

export function serverJsonFor(server, pkg, bundleSha256) {
  const repo = githubRepo(pkg);
  const env = VENDOR_CONFIG[server].config.map((c) => ({
    name: c.env,
    description: c.description,
    ...(c.type === "file" ? { format: "filepath" } : {}),
    isRequired: Boolean(c.required),
    isSecret: Boolean(c.secret),
  }));
  return {
    $schema: SERVER_SCHEMA,
    name: pkg.mcpName,
    description: pkg.description,
    repository: { url: repo.web, source: "github", subfolder: `packages/${server}` },
    version: pkg.version,
    websiteUrl: `${repo.web}/tree/main/packages/${server}#readme`,
    packages: [
      {
        registryType: "npm",
        identifier: pkg.name,
        version: pkg.version,
        transport: { type: "stdio" },
        environmentVariables: env,
      },
      {
        registryType: "mcpb",
        identifier: `${repo.web}/releases/download/v${pkg.version}/${bundleName(server, pkg.version)}`,
        version: pkg.version,
        fileSha256: bundleSha256,
        transport: { type: "stdio" },
      },
    ],
  };
}

export function bundleName(server, version) {
  return `${server}-${version}.mcpb`;
}

/** The bin as published, without the library entry (dist/index.*: the gateway's import, not the bin's). */
function stage(server, pkg, dir) {
  const pkgDir = join(root, "packages", server);
  const dist = join(pkgDir, "dist");
  for (const f of ["cli.cjs", "launch.cjs", "tools-list.json"]) {
    if (!existsSync(join(dist, f))) throw new Error(`${server}: dist/${f} missing; run pnpm build first`);
  }
  mkdirSync(join(dir, "dist"), { recursive: true });
  for (const entry of readdirSync(dist)) {
    if (entry === "index.js" || entry === "index.d.ts") continue;
    cpSync(join(dist, entry), join(dir, "dist", entry), { recursive: true });
  }
  cpSync(join(pkgDir, "bin.cjs"), join(dir, "bin.cjs"));
  cpSync(join(pkgDir, "README.md"), join(dir, "README.md"));
  // The package's identity only: every file Node loads from a bundle is CommonJS by its .cjs name
  // (bin.cjs, dist/launch.cjs, dist/cli.cjs, dist/lazy/*.cjs), so no "type" is needed.
  const slim = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    engines: pkg.engines,
    bin: pkg.bin,
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(slim, null, 2)}\n`);
  const meta = VENDOR_CONFIG[server];
  writeFileSync(join(dir, "icon.png"), iconPng(meta.letter, meta.rgb));
  const tools = readJson(join(dist, "tools-list.json")).tools;
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifestFor(server, pkg, tools), null, 2)}\n`);
}

/** The CLI's bin file (its package exports no ./package.json, so find the folder from the entry). */
function mcpbCli() {
  let dir = dirname(createRequire(import.meta.url).resolve("@anthropic-ai/mcpb"));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  const bin = readJson(join(dir, "package.json")).bin;
  return join(dir, typeof bin === "string" ? bin : bin.mcpb);
}

function mcpb(args) {
  const cli = mcpbCli();
  try {
    return execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(
      `mcpb ${args[0]} failed (${error.status ?? error.signal ?? error.message}):\n${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
  }
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const outDir = resolve(values.out ?? join(root, "dist", "mcpb"));
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "infra-mcp-mcpb-"));
  try {
    for (const server of SERVERS) {
      const pkgDir = join(root, "packages", server);
      const pkg = readJson(join(pkgDir, "package.json"));
      const dir = join(work, server);
      stage(server, pkg, dir);
      mcpb(["validate", join(dir, "manifest.json")]);
      const file = join(outDir, bundleName(server, pkg.version));
      mcpb(["pack", dir, file]);
      const bytes = readFileSync(file);
      const sha = createHash("sha256").update(bytes).digest("hex");
      const serverJson = `${JSON.stringify(serverJsonFor(server, pkg, sha), null, 2)}\n`;
      const serverJsonFile = values.out ? join(outDir, `${server}.server.json`) : join(pkgDir, "server.json");
      writeFileSync(serverJsonFile, serverJson);
      process.stdout.write(
        `${server}: ${file} (${(bytes.length / 1024).toFixed(0)} KiB, sha256 ${sha}); ${serverJsonFile}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await main();
}
