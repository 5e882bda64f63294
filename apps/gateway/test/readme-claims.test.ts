/**
 * Claims in the READMEs that the code can check, by class rather than one by one:
 * - a tool's byte size quoted next to its name (`exec-in-instance` (1472), `execute-websocket` 1,870)
 *   is its measured tools/list size, and a quoted average over N tools is the measured average
 *   (measured as scripts/tool-sizes.mjs does: the default listing of each vendor);
 * - a repository file a README cites (`test/tools-list.test.ts`, `scripts/pack-check.mjs`) exists.
 * Each failure names the README line, the figure quoted and the figure measured.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { VendorDefinition } from "@infra-mcp/core";
import { connectInMemory } from "@infra-mcp/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { vendors } from "../src/vendors.js";
import { readRepo, repoRoot } from "./source-scan.js";

interface Listing {
  sizes: Map<string, number>;
  average: number;
  count: number;
}

async function measure(vendor: VendorDefinition<unknown>): Promise<Listing> {
  const conn = await connectInMemory(vendor, { env: {} });
  try {
    const { tools } = await conn.client.listTools();
    const sizes = new Map(tools.map((t) => [t.name, Buffer.byteLength(JSON.stringify(t))]));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    return { sizes, average: Math.round(total / tools.length), count: tools.length };
  } finally {
    await conn.close();
  }
}

const num = (s: string) => Number(s.replace(/,/g, ""));

interface Claim {
  where: string;
  what: string;
  quoted: number;
  measured: number | undefined;
}

/** The size claims of one vendor README, each with the measured figure it must equal. */
export function sizeClaims(text: string, file: string, listing: Listing, allTools: ReadonlySet<string>): Claim[] {
  const claims: Claim[] = [];
  // A paragraph may wrap a claim across lines: match on the text, report the line it starts on.
  const lineOf = (index: number) => `${file}:${text.slice(0, index).split("\n").length}`;
  // `tool-name` (1472) | `tool-name` 1,870 — a 3+ digit number right after a tool's name, alone in
  // its parentheses ("(204, 304 …)" after a tool is a list of status codes, not a size).
  for (const m of text.matchAll(
    /`([a-z0-9-]+)`\s*(?:\((\d{1,2},\d{3}|\d{3,})\)|(\d{1,2},\d{3}|\d{3,})\b(?![.,]?\d))/g,
  )) {
    const name = m[1]!;
    if (!allTools.has(name)) continue;
    claims.push({
      where: lineOf(m.index),
      what: `${name} bytes`,
      quoted: num(m[2] ?? m[3]!),
      measured: listing.sizes.get(name),
    });
  }
  // `tool-name` is the one large entry: **2,913 bytes** — "N bytes" later in the same clause.
  for (const m of text.matchAll(/`([a-z0-9-]+)`([^.`(]{1,40}?)\**(\d[\d,]*) bytes\b/g)) {
    const [, name, between, figure] = m;
    if (!allTools.has(name!) || /\d/.test(between!)) continue;
    claims.push({
      where: lineOf(m.index),
      what: `${name} bytes`,
      quoted: num(figure!),
      measured: listing.sizes.get(name!),
    });
  }
  // "the average over the 20 tools is 873" | "lists 22 tools at **782 bytes of tools/list JSON on average**"
  for (const m of text.matchAll(
    /average over the (\d+)\s+tools\s+is\s+(\d[\d,]*)|(\d+)\s+tools\s+at\s+\**(\d[\d,]*) bytes of tools\/list JSON on average/g,
  )) {
    const count = num(m[1] ?? m[3]!);
    const avg = num(m[2] ?? m[4]!);
    claims.push({ where: lineOf(m.index), what: "tool count", quoted: count, measured: listing.count });
    claims.push({ where: lineOf(m.index), what: "average bytes per tool", quoted: avg, measured: listing.average });
  }
  // "(17,206 in all"
  for (const m of text.matchAll(/\((\d[\d,]*) in all\b/g)) {
    const total = [...listing.sizes.values()].reduce((a, b) => a + b, 0);
    claims.push({ where: lineOf(m.index), what: "total bytes", quoted: num(m[1]!), measured: total });
  }
  return claims;
}

/** Repository paths a README cites in backticks (test files, scripts, fixtures). */
export function citedPaths(text: string): string[] {
  const out = new Set<string>();
  for (const span of text.matchAll(/`([^`\n]+)`/g)) {
    for (const token of span[1]!.split(/\s+/)) {
      if (/[<>*$]/.test(token)) continue; // a pattern or a placeholder, not a file
      if (/^(?:(?:packages|apps)\/[\w.-]+\/)?(?:test|scripts|bench|deploy)\/[\w./-]*[\w/]$/.test(token))
        out.add(token.replace(/\/$/, ""));
    }
  }
  return [...out];
}

describe("README claims the code can check", () => {
  const listings = new Map<string, Listing>();
  beforeAll(async () => {
    for (const v of vendors) listings.set(v.name, await measure(v));
  });

  it("finds what it checks (so it cannot pass by finding nothing)", () => {
    let claims = 0;
    for (const v of vendors) {
      const file = `packages/${v.name}/README.md`;
      claims += sizeClaims(readRepo(file), file, listings.get(v.name)!, new Set(v.tools.map((t) => t.name))).length;
    }
    expect(claims).toBeGreaterThanOrEqual(12);
    expect(citedPaths(readRepo("packages/incus-mcp/README.md"))).toContain("test/tools-list.test.ts");
  });

  it("every tool size, average and total quoted in a vendor README is the measured one", () => {
    const problems: string[] = [];
    for (const v of vendors) {
      const file = `packages/${v.name}/README.md`;
      const listing = listings.get(v.name)!;
      for (const c of sizeClaims(readRepo(file), file, listing, new Set(v.tools.map((t) => t.name)))) {
        if (c.quoted === c.measured) continue;
        problems.push(
          `${c.where}: ${c.what} quoted as ${c.quoted}, measured ${c.measured ?? "(tool not in the default listing)"} (node scripts/tool-sizes.mjs ${v.name}).`,
        );
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });

  it("every repository file a README cites exists", () => {
    const readmes = [
      "README.md",
      ...["packages", "apps"].flatMap((p) =>
        readdirSync(join(repoRoot, p))
          .map((n) => `${p}/${n}/README.md`)
          .filter((f) => existsSync(join(repoRoot, f))),
      ),
    ];
    const dirs = ["", ...["packages", "apps"].flatMap((p) => readdirSync(join(repoRoot, p)).map((n) => `${p}/${n}/`))];
    const problems: string[] = [];
    for (const readme of readmes) {
      const own = readme === "README.md" ? "" : readme.slice(0, -"README.md".length);
      for (const path of citedPaths(readRepo(readme))) {
        // A package README means its own files first; the root README may cite any package's.
        const candidates = own ? [own, ""] : dirs;
        if (candidates.some((d) => existsSync(join(repoRoot, d, path)))) continue;
        // A file the README says a command writes (an ignored output such as a partial bench run)
        // need not exist in a clean clone.
        if (spawnSync("git", ["check-ignore", "-q", path], { cwd: repoRoot }).status === 0) continue;
        problems.push(`${readme} cites \`${path}\`, which does not exist: fix the path or drop the claim.`);
      }
    }
    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  });
});
