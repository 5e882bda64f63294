/**
 * The READMEs and --help say what the code does. The source of every package (packages/<x>/src,
 * apps/<x>/src) is parsed with the TypeScript compiler and every environment variable it reads is
 * collected; the READMEs' tables are parsed the same way. The test fails, naming the variable, the
 * file that reads it and the table to change, when
 * - the code reads a variable that no table of the README that owns it lists (core and the gateway:
 *   the root README.md; a vendor: packages/<vendor>/README.md), or that --help does not mention;
 * - a README table names a variable that no source file reads;
 * - a CLI parses a flag that no flag table lists (or --help omits), or a flag table lists one no CLI parses.
 * Adding a variable or a flag therefore means: read it in code, add a table row, add it to --help.
 */
import { describe, expect, it } from "vitest";
import {
  bins,
  helpMentions,
  helpOf,
  mentions,
  projectPrefixes,
  type Read,
  readRepo,
  rowFlags,
  rowVariables,
  SYSTEM_VARIABLES,
  scanFlags,
  scanSource,
  sourceFiles,
  type TableRow,
  tableRows,
  units,
  variableTableHint,
} from "./source-scan.js";

describe("the scanners (so the sync test below cannot pass by finding nothing)", () => {
  const prefixes = ["MCP_", "LOG_", "FOO_"];

  it("finds env reads, prefixed literals, const-resolved credential names and their _FILE variants", () => {
    const src = [
      'const KEY = "FOO_API_KEY";',
      "export function f(env: Env, options: { env: Env }) {",
      "  const a = process.env.LOG_LEVEL;",
      "  const b = options.env.OTHER_THING;",
      '  const c = env["BAR_URL"];',
      '  const d = readPositiveInt("MCP_SOMETHING_SECONDS", 3, env);',
      '  const e = readCredential({ env: [KEY, "FOO_TOKEN"], file: true, description: "x" }, env);',
      '  const notEnv = { code: "UPSTREAM_TIMEOUT" };',
      "}",
    ].join("\n");
    const names = scanSource(src, "x.ts", prefixes).map((r) => `${r.name}@${r.where}`);
    expect(names.sort()).toEqual(
      [
        "BAR_URL@x.ts:5",
        "FOO_API_KEY@x.ts:1",
        "FOO_API_KEY_FILE@x.ts:7",
        "FOO_TOKEN@x.ts:7",
        "FOO_TOKEN_FILE@x.ts:7",
        "LOG_LEVEL@x.ts:3",
        "MCP_SOMETHING_SECONDS@x.ts:6",
        "OTHER_THING@x.ts:4",
      ].sort(),
    );
  });

  it("finds parseArgs flags and their short forms", () => {
    const src = 'parseArgs({ options: { help: { type: "boolean", short: "h" }, "rest-port": { type: "string" } } });';
    expect(scanFlags(src, "cli.ts").map((f) => f.name)).toEqual(["--help", "-h", "--rest-port"]);
  });

  it("reads table rows outside code fences, with _FILE variants and flags", () => {
    const md = [
      "## Config",
      "```sh",
      "| not | a table |",
      "```",
      "| Variable | Meaning |",
      "| --- | --- |",
      "| `MCP_HTTP_TOKEN` (or `_FILE`) | token with a | pipe in `a|b` |",
      "| `FOO_*` | wildcards document nothing |",
      "",
      "| Flag | Meaning |",
      "| --- | --- |",
      "| `--http [--port 9090]` | `--not-this` |",
    ].join("\n");
    const rows = tableRows(md, "R.md");
    expect(rows.map((r) => r.where)).toEqual(["R.md:7", "R.md:8", "R.md:12"]);
    expect(rows[0]!.heading).toBe("## Config");
    expect(rowVariables(rows[0]!, prefixes)).toEqual(["MCP_HTTP_TOKEN", "MCP_HTTP_TOKEN_FILE"]);
    expect(rowVariables(rows[1]!, prefixes)).toEqual([]);
    expect(rowFlags(rows[2]!)).toEqual(["--http", "--port"]);
  });

  it("finds what is known to be read in this repository", () => {
    const prefixesHere = projectPrefixes();
    const reads = units().flatMap((u) =>
      sourceFiles(u.srcDir).flatMap((f) => scanSource(readRepo(f), f, prefixesHere)),
    );
    const names = new Set(reads.map((r) => r.name));
    for (const known of [
      "LOG_LEVEL",
      "MCP_HTTP_TOKEN_FILE",
      "MCP_UPSTREAM_RETRIES",
      "QOVERY_API_KEY_FILE",
      "INCUS_CONF",
    ])
      expect(names, known).toContain(known);
  });
});

describe("README tables and --help match what the code reads", () => {
  const prefixes = projectPrefixes();
  const all = units();
  const reads = new Map<string, Read[]>(
    all.map((u) => [u.id, sourceFiles(u.srcDir).flatMap((f) => scanSource(readRepo(f), f, prefixes))]),
  );
  const readmes = [...new Set(["README.md", ...all.map((u) => u.readme)])];
  const rows = readmes.flatMap((r) => tableRows(readRepo(r), r));
  const documented = (readme: string) =>
    new Set(rows.filter((r) => r.where.startsWith(`${readme}:`)).flatMap((r) => rowVariables(r, prefixes)));

  it("every variable the code reads is in a table of the README that documents it", () => {
    const problems: string[] = [];
    for (const u of all) {
      const listed = documented(u.readme);
      const seen = new Set<string>();
      for (const r of reads.get(u.id)!) {
        if (SYSTEM_VARIABLES.has(r.name) || listed.has(r.name) || seen.has(r.name)) continue;
        seen.add(r.name);
        problems.push(
          `${r.name} is read at ${r.where} but no table in ${u.readme} lists it: add a row for \`${r.name}\` to ${variableTableHint(u.readme, rows)} (a credential read with file: true also needs "(or \`_FILE\`)" in its row).`,
        );
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });

  it("every variable a README table names is read by the code", () => {
    const everyRead = new Set([...reads.values()].flat().map((r) => r.name));
    const problems: string[] = [];
    for (const row of rows) {
      for (const name of rowVariables(row, prefixes)) {
        // A row saying "(or `_FILE`)" claims <NAME>_FILE too: the code must read that as well.
        if (everyRead.has(name)) continue;
        problems.push(
          `${row.where} (table under "${row.heading}") lists \`${name}\`, which no source file reads (packages/*/src, apps/*/src): remove it from that row, or read it in the code.`,
        );
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });

  it("every variable a bin reads is in its --help", () => {
    const problems: string[] = [];
    for (const [bin, { bin: path, units: ids }] of Object.entries(bins())) {
      const help = helpOf(path);
      const names = new Map<string, string>();
      for (const [id, list] of reads) {
        if (!ids.includes("*") && !ids.includes(id)) continue;
        for (const r of list) if (!SYSTEM_VARIABLES.has(r.name) && !names.has(r.name)) names.set(r.name, r.where);
      }
      for (const [name, where] of names) {
        if (helpMentions(help, name)) continue;
        const fix = where.startsWith("packages/core/")
          ? "CORE_ENV_HELP in packages/core/src/help.ts"
          : where.startsWith("apps/gateway/")
            ? "USAGE in apps/gateway/src/cli.ts"
            : `the vendor's envHelp (${where.split("/src/")[0]}/src)`;
        problems.push(`${bin} --help does not mention ${name} (read at ${where}): add it to ${fix}, then rebuild.`);
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });
});

describe("README flag tables and --help match the flags the CLIs parse", () => {
  const cli = {
    "vendor bins": {
      file: "packages/core/src/cli.ts",
      bin: "packages/qovery-mcp/bin.cjs",
      tables: (r: TableRow) => !/gateway/i.test(r.heading),
    },
    gateway: {
      file: "apps/gateway/src/cli.ts",
      bin: "apps/gateway/bin.js",
      tables: (r: TableRow) => /gateway/i.test(r.heading),
    },
  };
  const rows = tableRows(readRepo("README.md"), "README.md").filter((r) => rowFlags(r).length > 0);

  it("parses flags at all (the scan is not empty)", () => {
    for (const { file } of Object.values(cli)) expect(scanFlags(readRepo(file), file).length, file).toBeGreaterThan(3);
  });

  for (const [what, { file, bin, tables }] of Object.entries(cli)) {
    it(`${what}: every parsed flag is in a README flag table and in --help, and every listed flag is parsed`, () => {
      const parsed = scanFlags(readRepo(file), file);
      const parsedNames = new Set(parsed.map((f) => f.name));
      const mine = rows.filter(tables);
      const listed = new Set(mine.flatMap(rowFlags));
      const help = helpOf(bin);
      const where = mine[0] ? `the flag table under "${mine[0].heading}" (near ${mine[0].where})` : "a flag table";
      const problems: string[] = [];
      for (const f of parsed) {
        if (!listed.has(f.name))
          problems.push(`${f.name} (${f.where}) is in no README.md flag table: add it to ${where}.`);
        if (!mentions(help, f.name))
          problems.push(`${f.name} (${f.where}) is not in ${what} --help: add it to the usage in ${file}.`);
      }
      for (const r of mine) {
        for (const f of rowFlags(r)) {
          if (!parsedNames.has(f))
            problems.push(
              `${r.where} (table under "${r.heading}") lists ${f}, which ${file} does not parse: remove it or parse it.`,
            );
        }
      }
      expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
    });
  }
});
