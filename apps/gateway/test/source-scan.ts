/** Reads the repository's sources and READMEs: the environment variables and flags the code reads, and the READMEs' tables. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The operating system's own variables: read in places (HOME for ~/.config), never this project's configuration. */
export const SYSTEM_VARIABLES = new Set(["HOME", "PATH", "TMPDIR", "USER", "NODE_ENV"]);

export const NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
export const NAME_IN_TEXT = /(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])/g;
/** "`MCP_HTTP_TOKEN` (or `_FILE`)", "`*_FILE` accepted": the row's names are also read from <NAME>_FILE. */
export const FILE_VARIANT = /(?<![A-Za-z0-9])\*?_FILE\b/;

export interface Read {
  name: string;
  /** repository-relative "path:line" */
  where: string;
}

/** A unit of code and the README that documents it. */
export interface Unit {
  id: string;
  srcDir: string;
  readme: string;
}

export function units(): Unit[] {
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

/**
 * MCP_*, LOG_*, the OpenTelemetry variables core reads (OTEL_*, issue 24) and one prefix per vendor
 * package (portainer-mcp → PORTAINER_), so a new vendor is covered.
 */
export function projectPrefixes(): string[] {
  const vendors = readdirSync(join(repoRoot, "packages"))
    .filter((n) => n.endsWith("-mcp"))
    .map((n) => `${n.slice(0, -"-mcp".length).toUpperCase().replace(/-/g, "_")}_`);
  return ["MCP_", "LOG_", "OTEL_", ...vendors];
}

export function sourceFiles(dir: string): string[] {
  return (readdirSync(join(repoRoot, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f))
    .filter((f) => !f.split(/[\\/]/).includes("testing")) // test helpers shipped in src (CI, PATH for children)
    .sort();
}

/** `env`, `process.env`, `options.env`, `baseEnv`: an expression that is an environment object. */
export function isEnvObject(expr: ts.Expression): boolean {
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

export interface TableRow {
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
export function rowVariables(row: TableRow, prefixes: readonly string[]): string[] {
  const text = row.cells.join(" | ");
  const names = [...text.matchAll(NAME_IN_TEXT)].map((m) => m[0]).filter((n) => prefixes.some((p) => n.startsWith(p)));
  return FILE_VARIANT.test(text) ? [...names, ...names.map((n) => `${n}_FILE`)] : names;
}

/** Flags a flag table (first header cell "Flag") lists in its first column. */
export function rowFlags(row: TableRow): string[] {
  if (!/^flag/i.test(row.header[0] ?? "")) return [];
  return [...(row.cells[0] ?? "").matchAll(/(?<![\w-])--?[a-z][a-z-]*/g)].map((m) => m[0]);
}

export function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_-])${name}(?![A-Za-z0-9_-])`).test(text);
}

/** --help must name the variable; <NAME>_FILE counts as named when <NAME> is and the help says `_FILE`. */
export function helpMentions(help: string, name: string): boolean {
  if (mentions(help, name)) return true;
  return name.endsWith("_FILE") && mentions(help, name.slice(0, -"_FILE".length)) && FILE_VARIANT.test(help);
}

export function readRepo(path: string): string {
  return readFileSync(join(repoRoot, path), "utf8");
}

export function variableTableHint(readme: string, rows: TableRow[]): string {
  const table = rows.find((r) => r.where.startsWith(`${readme}:`) && r.header.some((h) => /variable/i.test(h)));
  return table ? `the table under "${table.heading}" (near ${table.where})` : "a table with a Variable column";
}

/** Each vendor bin reads core's variables and its own; the gateway reads every unit's. */
export function bins(): Record<string, { bin: string; units: string[] }> {
  const out: Record<string, { bin: string; units: string[] }> = {};
  for (const name of readdirSync(join(repoRoot, "packages")).sort()) {
    if (existsSync(join(repoRoot, "packages", name, "bin.cjs")))
      out[name] = { bin: `packages/${name}/bin.cjs`, units: ["packages/core", `packages/${name}`] };
  }
  out["infra-mcp-gateway"] = { bin: "apps/gateway/bin.js", units: ["*"] };
  return out;
}

export function helpOf(bin: string): string {
  return execFileSync(process.execPath, [join(repoRoot, bin), "--help"], { encoding: "utf8", timeout: 30_000 });
}
