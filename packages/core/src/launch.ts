import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import module, { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { STARTED_EVENT } from "./base/started.js";

/**
 * Runs a bin's CommonJS bundle with a V8 code cache taken after start-up.
 *
 * Node's compile cache (module.enableCompileCache) stores what V8 compiled while *parsing* a
 * module: top-level code only, since V8 compiles functions lazily, on their first call. Every
 * start then still compiles each function that start-up runs (zod, the SDK, the tool table), which
 * is most of the remaining start-up time. A cache created from the script after it has run
 * (vm.Script#createCachedData) holds those functions too; BENCHMARKS.md measures the difference.
 *
 * The cache lives in Node's compile-cache directory (NODE_COMPILE_CACHE, off when Node's cache is
 * off), keyed by the bundle's path, content and V8 version, and is written once, atomically, when
 * the server signals the end of start-up (or at exit after that), replacing the caches of the
 * bundle's earlier versions. A cache V8 rejects (other flags) is rewritten; an unreadable or
 * unwritable directory just means no cache.
 */
export function launch(bundle: URL | string): void {
  module.enableCompileCache?.();
  const file = typeof bundle === "string" ? bundle : fileURLToPath(bundle);
  const source = readFileSync(file, "utf8");
  const dir = module.getCompileCacheDir?.();
  // One file per installed bundle (its path) and version of it: three bins share the directory,
  // and a rebuilt or updated bundle never meets the cache of another. The version is told by the
  // file's identity (inode, size, modification and change times in ns: any write or replacement
  // changes the change time, which no tool sets back), not by hashing its content: that would
  // load node:crypto, some twenty internal modules, on every start. V8 itself checks only the
  // source's length, so a cache must never be found for other content of the same length.
  const st = statSync(file, { bigint: true });
  const prefix = `${basename(file)}-${fnv1a(file)}-`;
  const version = `${st.ino}-${st.size}-${st.mtimeNs}-${st.ctimeNs}-${process.versions.v8.replace(/[^\w.]/g, "_")}`;
  const cacheFile = dir ? join(dir, "infra-mcp", `${prefix}${version}.v8`) : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // The same wrapper Node puts around a CommonJS module, so the bundle sees the usual free variables.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
      ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
      : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    let saved = false;
    let started = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
        // The caches of this bundle's earlier versions will never be read again.
        for (const old of readdirSync(dirname(cacheFile))) {
          if (old.startsWith(prefix) && old.endsWith(".v8") && old !== basename(cacheFile)) {
            rmSync(join(dirname(cacheFile), old), { force: true });
          }
        }
      } catch {
        // A read-only or full cache directory costs speed, never function.
      }
    };
    process.once(STARTED_EVENT, () => {
      started = true;
      // After the answer is on its way: the write happens once, off the measured path.
      setImmediate(save).unref();
    });
    // A server stopped right after start-up (a client that lists and leaves) still leaves its cache.
    process.once("exit", () => {
      if (started) save();
    });
  }
  const mod = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
}

/** A short stable name for a path (32-bit FNV-1a in hex): the cache file's prefix, not a security check. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
