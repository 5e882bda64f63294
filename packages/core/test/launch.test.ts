import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// launch() runs a bin's CommonJS bundle with a V8 code cache taken after start-up (dist/launch.js
// is core's build of src/launch.ts, the file the bins bundle as their launcher, dist/launch.cjs).
const LAUNCH = fileURLToPath(new URL("../dist/launch.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "launch-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bundle = join(work, "cli.cjs");
const launcher = join(work, "bin.mjs");
writeFileSync(launcher, `import { launch } from ${JSON.stringify(LAUNCH)};\nlaunch(${JSON.stringify(bundle)});\n`);

function writeBundle(answer: string): void {
  // A CommonJS bundle: uses require, module, __dirname; signals the end of start-up like core does.
  writeFileSync(
    bundle,
    [
      `const { join } = require("node:path");`,
      `module.exports.where = join(__dirname, "x");`,
      `function answer() { return ${JSON.stringify(answer)} + ":" + (typeof module.exports.where); }`,
      `process.stdout.write(answer() + "\\n");`,
      `process.emit("infra-mcp:started");`,
    ].join("\n"),
  );
}

function run(env: Record<string, string>): string {
  return execFileSync(process.execPath, [launcher], { env: { PATH: process.env.PATH ?? "", ...env } }).toString();
}

// Node keeps its cache in a per-version subdirectory of NODE_COMPILE_CACHE; launch's files go in
// an infra-mcp folder there.
const cacheFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".v8"))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
};

describe("launch", () => {
  it("runs the bundle as CommonJS and writes one code cache after start-up, then reuses it", () => {
    const cache = join(work, "cc");
    writeBundle("one");
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("one:string\n");
    const [first] = cacheFiles(cache);
    // <bundle>-<path's FNV-1a>-<inode>-<size>-<mtime ns>-<ctime ns>-<V8 version>.v8
    expect(first).toMatch(/\/infra-mcp\/cli\.cjs-[0-9a-f]{8}-\d+-\d+-\d+-\d+-[\w.]+\.v8$/);
    const written = statSync(first as string).mtimeMs;
    // Second start: the cache is accepted, so it is not rewritten; the result is the same.
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("one:string\n");
    expect(statSync(first as string).mtimeMs).toBe(written);
    expect(cacheFiles(cache)).toEqual([first]);
  });

  it("keys the cache by the bundle's identity: a changed bundle never runs an old cache, and replaces it", () => {
    const cache = join(work, "cc2");
    writeBundle("old");
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("old:string\n");
    const [oldCache] = cacheFiles(cache);
    writeBundle("new"); // same length as "old"
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("new:string\n");
    // The new version's cache replaced the old one.
    const now = cacheFiles(cache);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(oldCache);
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("new:string\n");
  });

  it("keeps one cache per installed bundle: two bins sharing the directory keep theirs", () => {
    const cache = join(work, "cc4");
    writeBundle("first");
    expect(run({ NODE_COMPILE_CACHE: cache })).toBe("first:string\n");
    const otherDir = join(work, "other");
    mkdirSync(otherDir, { recursive: true });
    const otherLauncher = join(otherDir, "bin.mjs");
    copyFileSync(bundle, join(otherDir, "cli.cjs"));
    writeFileSync(
      otherLauncher,
      `import { launch } from ${JSON.stringify(LAUNCH)};\nlaunch(${JSON.stringify(join(otherDir, "cli.cjs"))});\n`,
    );
    execFileSync(process.execPath, [otherLauncher], {
      env: { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: cache },
    });
    expect(cacheFiles(cache)).toHaveLength(2);
  });

  it("writes nothing when Node's compile cache is off, and still runs", () => {
    const cache = join(work, "cc3");
    writeBundle("off");
    expect(run({ NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: "1" })).toBe("off:string\n");
    expect(cacheFiles(cache)).toEqual([]);
  });
});
