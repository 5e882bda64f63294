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
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The operating system's own variables: read in places (HOME for ~/.config), never this project's configuration. */
const SYSTEM_VARIABLES = new Set(["HOME", "PATH", "TMPDIR", "USER", "NODE_ENV"]);

const NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const NAME_IN_TEXT = /(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])/g;
/** "`MCP_HTTP_TOKEN` (or `_FILE`)", "`*_FILE` accepted": the row's names are also read from <NAME>_FILE. */
const FILE_VARIANT = /(?<![A-Za-z0-9])\*?_FILE\b/;

interface Read {
  name: string;
  /** repository-relative "path:line" */
  where: string;
}

/** A unit of code and the README that documents it. */
interface Unit {
  id: string;
  srcDir: string;
  readme: string;
}

function units(): Unit[] {
  const out: Unit[] = [];
  for (const parent of ["packages", "apps"]) {
    for (const name of readdirSync(join(repoRoot, parent)).sort()) {
      const srcDir = join(parent, name, "src");
      if (!existsSync(join(repoRoot, srcDir))) continue;
      const own = join(parent, name, "README.md");
      // Core and the gateway are documented in the root README; a vendor in its own.
      const readme = name === "core" || parent === "apps" || !existsSync(join(repoRoot, own)) ? "README.md" : own;
      out.push({ id: `${parent}/${name}`, srcDir, readme });
    }
  }
  return out;
}

/** MCP_*, LOG_* and one prefix per vendor package (portainer-mcp → PORTAINER_), so a new vendor is covered. */
function projectPrefixes(): string[] {
  const vendors = readdirSync(join(repoRoot, "packages"))
    .filter((n) => n.endsWith("-mcp"))
    .map((n) => `${n.slice(0, -"-mcp".length).toUpperCase().replace(/-/g, "_")}_`);
  return ["MCP_", "LOG_", ...vendors];
}

function sourceFiles(dir: string): string[] {
  return (readdirSync(join(repoRoot, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f))
    .filter((f) => !f.split(/[\\/]/).includes("testing")) // test helpers shipped in src (CI, PATH for children)
    .sort();
}

/** `env`, `process.env`, `options.env`, `baseEnv`: an expression that is an environment object. */
function isEnvObject(expr: ts.Expression): boolean {
  if (ts.isIdentifier(expr)) return /env$/i.test(expr.text);
  if (ts.isPropertyAccessExpression(expr)) return /env$/i.test(expr.name.text);
  if (ts.isParenthesizedExpression(expr) || ts.isNonNullExpression(expr)) return isEnvObject(expr.expression);
  return false;
}

/**
 * Variables one source file reads: `env.NAME`, `env["NAME"]` (any name), any string literal with a
 * project prefix (readSetting(["INCUS_URL"]), positiveInt(env, "MCP_…")), and <NAME>_FILE for each
 * name of a credential spec with `file: true` (readCredential's convention).
 */
export function scanSource(text: string, file: string, prefixes: readonly string[]): Read[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const consts = new Map<string, string>();
  const reads: Read[] = [];
  const at = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const add = (name: string, node: ts.Node) => reads.push({ name, where: at(node) });
  const literal = (node: ts.Node): string | undefined => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isIdentifier(node)) return consts.get(node.text);
    return undefined;
  };
  const collectConsts = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const v = literal(node.initializer);
      if (v !== undefined) consts.set(node.name.text, v);
    }
    ts.forEachChild(node, collectConsts);
  };
  collectConsts(sf);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression) && NAME.test(node.name.text)) {
      add(node.name.text, node);
    } else if (ts.isElementAccessExpression(node) && isEnvObject(node.expression)) {
      const name = literal(node.argumentExpression);
      if (name && NAME.test(name)) add(name, node);
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (NAME.test(node.text) && prefixes.some((p) => node.text.startsWith(p))) add(node.text, node);
    } else if (ts.isObjectLiteralExpression(node)) {
      const prop = (key: string) =>
        node.properties.find(
          (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === key,
        );
      const file = prop("file");
      const env = prop("env");
      if (file?.initializer.kind === ts.SyntaxKind.TrueKeyword && env && ts.isArrayLiteralExpression(env.initializer)) {
        for (const el of env.initializer.elements) {
          const name = literal(el);
          if (name && NAME.test(name)) add(`${name}_FILE`, el);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return reads;
}

/** Flags a CLI parses: the keys (and `short` letters) of every `parseArgs({ options: {...} })`. */
export function scanFlags(text: string, file: string): Read[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const flags: Read[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText(sf) === "parseArgs") {
      const [arg] = node.arguments;
      const options =
        arg && ts.isObjectLiteralExpression(arg)
          ? arg.properties.find(
              (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === "options",
            )
          : undefined;
      if (options && ts.isObjectLiteralExpression(options.initializer)) {
        for (const p of options.initializer.properties) {
          if (!ts.isPropertyAssignment(p)) continue;
          const where = `${file}:${sf.getLineAndCharacterOfPosition(p.getStart(sf)).line + 1}`;
          const key = ts.isStringLiteral(p.name) ? p.name.text : p.name.getText(sf);
          flags.push({ name: `--${key}`, where });
          if (ts.isObjectLiteralExpression(p.initializer)) {
            const short = p.initializer.properties.find(
              (q): q is ts.PropertyAssignment => ts.isPropertyAssignment(q) && q.name.getText(sf) === "short",
            );
            if (short && ts.isStringLiteral(short.initializer))
              flags.push({ name: `-${short.initializer.text}`, where });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return flags;
}

interface TableRow {
  /** "README.md:123" */
  where: string;
  /** the nearest heading above the table */
  heading: string;
  header: string[];
  cells: string[];
}

/** Every row of every markdown table outside code fences, with the heading it sits under. */
export function tableRows(text: string, file: string): TableRow[] {
  const lines = text.split("\n");
  const rows: TableRow[] = [];
  let heading = "";
  let fence = false;
  const split = (line: string) => {
    const cells: string[] = [];
    let cur = "";
    let code = false;
    for (const ch of line.trim().slice(1, -1)) {
      if (ch === "`") code = !code;
      if (ch === "|" && !code) {
        cells.push(cur.trim());
        cur = "";
      } else cur += ch;
    }
    cells.push(cur.trim());
    return cells;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) fence = !fence;
    if (fence) continue;
    if (/^#{1,6} /.test(line)) heading = line.trim();
    if (!line.startsWith("|") || !/^\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) continue;
    const header = split(line);
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith("|"); j++) {
      rows.push({ where: `${file}:${j + 1}`, heading, header, cells: split(lines[j]!) });
    }
    i = j - 1;
  }
  return rows;
}

/** Variable names a table row documents (with <NAME>_FILE when the row says `_FILE`). */
function rowVariables(row: TableRow, prefixes: readonly string[]): string[] {
  const text = row.cells.join(" | ");
  const names = [...text.matchAll(NAME_IN_TEXT)].map((m) => m[0]).filter((n) => prefixes.some((p) => n.startsWith(p)));
  return FILE_VARIANT.test(text) ? [...names, ...names.map((n) => `${n}_FILE`)] : names;
}

/** Flags a flag table (first header cell "Flag") lists in its first column. */
function rowFlags(row: TableRow): string[] {
  if (!/^flag/i.test(row.header[0] ?? "")) return [];
  return [...(row.cells[0] ?? "").matchAll(/(?<![\w-])--?[a-z][a-z-]*/g)].map((m) => m[0]);
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_-])${name}(?![A-Za-z0-9_-])`).test(text);
}

/** --help must name the variable; <NAME>_FILE counts as named when <NAME> is and the help says `_FILE`. */
function helpMentions(help: string, name: string): boolean {
  if (mentions(help, name)) return true;
  return name.endsWith("_FILE") && mentions(help, name.slice(0, -"_FILE".length)) && FILE_VARIANT.test(help);
}

function readRepo(path: string): string {
  return readFileSync(join(repoRoot, path), "utf8");
}

function variableTableHint(readme: string, rows: TableRow[]): string {
  const table = rows.find((r) => r.where.startsWith(`${readme}:`) && r.header.some((h) => /variable/i.test(h)));
  return table ? `the table under "${table.heading}" (near ${table.where})` : "a table with a Variable column";
}

/** Each vendor bin reads core's variables and its own; the gateway reads every unit's. */
function bins(): Record<string, { bin: string; units: string[] }> {
  const out: Record<string, { bin: string; units: string[] }> = {};
  for (const name of readdirSync(join(repoRoot, "packages")).sort()) {
    if (existsSync(join(repoRoot, "packages", name, "bin.js")))
      out[name] = { bin: `packages/${name}/bin.js`, units: ["packages/core", `packages/${name}`] };
  }
  out["infra-mcp-gateway"] = { bin: "apps/gateway/bin.js", units: ["*"] };
  return out;
}

function helpOf(bin: string): string {
  return execFileSync(process.execPath, [join(repoRoot, bin), "--help"], { encoding: "utf8", timeout: 30_000 });
}

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
          ? "CORE_ENV_HELP in packages/core/src/cli.ts"
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
      bin: "packages/qovery-mcp/bin.js",
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
