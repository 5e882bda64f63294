import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Options } from "tsup";
import ts from "typescript";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * Packages that cost start-up time but are needed only once a tool talks to an upstream: undici
 * and ws (their own code plus the node builtins they load: http, https, tls, net, zlib, crypto...),
 * and ky, whose module top level probes `new Request(...)` and so loads Node's internal fetch and
 * web streams (~30 ms). The stdio handshake (initialize, tools/list) never touches them. `pnpm bench`
 * measures the difference; see BENCHMARKS.md. prom-client is needed only with a metrics port and
 * OpenTelemetry only with an OTLP endpoint (issue 24): a start without them neither parses nor runs them.
 */
export const LAZY_PACKAGES = [
  "undici",
  "ws",
  "ky",
  "prom-client",
  "@opentelemetry/api",
  "@opentelemetry/core",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/exporter-trace-otlp-proto",
  "@opentelemetry/resources",
  "@opentelemetry/sdk-trace",
];

/**
 * Replaces `import … from "<pkg>"` with a module whose exports are stand-ins that load the real
 * (still bundled) package on first use: calling, constructing, or reading a property. Behaviour
 * is the same; only the moment the package's top-level code runs moves from start-up to the
 * first request. Exports that are plain constants (ws's readyState numbers) are inlined.
 */
/**
 * A module of a package made lazy wherever it is imported from: `path` matches how importers name
 * it (relatively inside its package, or by its export path), `name` is its lazy file's name.
 */
export interface LazyModule {
  name: string;
  path: RegExp;
}

/**
 * The SDK's JSON Schema validator (ajv, ajv-formats and fast-uri: ~130 KB of the bundle). A server
 * validates with it only an elicitation's answer; core builds it on first use, and this keeps its
 * code out of a start too (a first start parsed all of it).
 */
export const LAZY_MODULES: LazyModule[] = [
  { name: "sdk-ajv-provider", path: /(^|[\\/])validation[\\/]ajv(-provider\.js)?$/ },
];

/** A scoped package's lazy file: lazy/@scope+name.cjs (one directory level, like the others). */
const fileOf = (name: string) => name.replace("/", "+");

export function lazyPackages(
  names: readonly string[],
  mode: "inline" | "separate" = "inline",
  modules: readonly LazyModule[] = [],
): EsbuildPlugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`);
  const separate = new Map<string, string>(); // package name → resolved entry file
  return {
    name: "lazy-packages",
    setup(build) {
      if (mode === "separate") {
        // Each package becomes its own file beside the bundle (lazy/<name>.cjs), read only when first
        // used: a start never even parses it (undici alone is ~0.7 MB of the bundle).
        build.onEnd(async (result) => {
          if (result.errors.length) return;
          const outdir = build.initialOptions.outdir ?? dirname(build.initialOptions.outfile ?? "dist/x");
          await Promise.all(
            [...separate].map(([name, entry]) =>
              build.esbuild.build({
                entryPoints: [entry],
                outfile: `${outdir}/lazy/${fileOf(name)}.cjs`,
                bundle: true,
                format: "cjs",
                platform: "node",
                ...(build.initialOptions.target ? { target: build.initialOptions.target } : {}),
                minify: build.initialOptions.minify === true,
                logLevel: "warning",
              }),
            ),
          );
        });
      }
      build.onResolve({ filter: /^\.\/lazy\/[^/]+\.cjs$/ }, (args) =>
        args.namespace === "lazy-package" ? { path: args.path, external: true } : undefined,
      );
      // The real module behind an import, as a stand-in of the lazy-package namespace named `name`.
      const standInFor = async (args: { path: string; resolveDir: string }, name: string) => {
        const real = await build.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: "require-call",
          pluginData: { lazyReal: true },
        });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: "lazy-package", pluginData: { lazyName: name } };
      };
      // A module inside a package, however it is imported (the SDK imports its validator relatively).
      for (const m of modules) {
        build.onResolve({ filter: m.path }, (args) =>
          args.pluginData?.lazyReal || args.namespace === "lazy-package" ? undefined : standInFor(args, m.name),
        );
      }
      // The stand-in's own require of the real package resolves normally.
      build.onResolve({ filter }, (args) => (args.pluginData?.lazyReal ? undefined : standInFor(args, args.path)));
      build.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => {
        const mod = createRequire(args.path)(args.path) as Record<string | symbol, unknown>;
        const name = args.pluginData?.lazyName as string;
        if (mode === "separate") separate.set(name, args.path);
        // Inline: the real package is in the bundle, evaluated on first use. Separate: it is a file
        // beside the bundle, required on first use (marked external below, so it stays a require).
        const target = mode === "separate" ? `./lazy/${fileOf(name)}.cjs` : args.path;
        const lines = standIn(mod, target);
        return { contents: lines.join("\n"), loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
/**
 * The source of a module that stands in for `mod` (loaded from `target` on first use): every
 * export a stand-in that loads the real module when called, constructed or read.
 */
function standIn(mod: Record<string | symbol, unknown>, target: string): string[] {
  const esm = mod[Symbol.toStringTag] === "Module" || mod.__esModule === true;
  const lines = [
    `let m;`,
    `const load = () => (m ??= require(${JSON.stringify(target)}));`,
    `const lazy = (get, callable) => new Proxy(callable ? function () {} : {}, {`,
    `  apply: (_, self, a) => Reflect.apply(get(), self, a),`,
    `  construct: (_, a) => Reflect.construct(get(), a),`,
    `  get: (_, k) => get()[k],`,
    `  set: (_, k, v) => Reflect.set(get(), k, v),`,
    `  has: (_, k) => Reflect.has(get(), k),`,
    `  getPrototypeOf: () => Reflect.getPrototypeOf(get()),`,
    `});`,
    // An ES module required from the bundle comes back as a namespace marked __esModule.
    esm
      ? `export default lazy(() => load().default, ${typeof mod.default === "function"});`
      : `export default lazy(load, ${typeof mod === "function"});`,
  ];
  for (const key of Object.keys(mod)) {
    if (key === "default" || key === "__esModule" || !/^[A-Za-z_$][\w$]*$/.test(key)) continue;
    const v = mod[key];
    if (typeof v === "function" || (typeof v === "object" && v !== null)) {
      lines.push(`export const ${key} = lazy(() => load()[${JSON.stringify(key)}], ${typeof v === "function"});`);
    } else if (v === null || ["number", "string", "boolean"].includes(typeof v)) {
      // A constant (ws's readyState numbers): its value, read from the very file bundled here.
      lines.push(`export const ${key} = ${JSON.stringify(v)};`);
    }
  }
  return lines;
}

/**
 * Node built-in modules that start-up imports but needs only later: `crypto` (a session id, a
 * digest; requiring it loads some twenty internal modules, webcrypto and the cipher and key
 * classes among them) and `zlib` (an upstream's compressed body). Measured on the 2-core machine:
 * `node -e 'require("crypto"); require("zlib")'` took ~10 ms more than an empty start. A stand-in
 * (standIn) requires the real module on first use.
 */
export const LAZY_BUILTINS = ["crypto", "zlib"];

export function lazyBuiltins(names: readonly string[]): EsbuildPlugin {
  const filter = new RegExp(`^(node:)?(${names.join("|")})$`);
  return {
    name: "lazy-builtins",
    setup(build) {
      // The stand-in's own require of the built-in stays a require; everyone else gets the stand-in.
      build.onResolve({ filter }, (args) =>
        args.namespace === "lazy-builtin"
          ? { path: args.path, external: true }
          : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" },
      );
      build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
        const mod = createRequire(import.meta.url)(`node:${args.path}`) as Record<string | symbol, unknown>;
        return { contents: standIn(mod, `node:${args.path}`).join("\n"), loader: "js" };
      });
    },
  };
}

/**
 * zod's namespace re-exports all of its ~50 error-message locales (~200 KB), which a bundle keeps
 * since `z.locales` is reachable; the servers only ever use English (zod's default). The bin's
 * bundle gets a locales index with English alone, so a first start does not parse the rest.
 */
export function zodEnglishOnly(): EsbuildPlugin {
  return {
    name: "zod-english-only",
    setup(build) {
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: 'export { default as en } from "./en.js";\n',
        loader: "js",
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/**
 * The SDK's types module builds ~170 zod schemas at load (the whole protocol, client side
 * included); a server's bundle references about half of them. esbuild drops an unused top-level
 * declaration only when its value is known to be free of side effects, which a call chain like
 * `z.object({...}).extend({...})` is not. This marks each schema built by a call as such (the
 * expression runs inside an immediately called arrow annotated pure: the same value, evaluated at
 * the same point), so the bundle keeps, and a start builds, only the schemas something uses. Any
 * other statement of the file is left as it is; the ES module build is the one bundled here.
 * Building a schema has no effect beyond its value (a `.describe()` writes zod's global registry,
 * which nothing reads for a schema nobody holds).
 */
export function pureSdkSchemas(): EsbuildPlugin {
  return {
    name: "pure-sdk-schemas",
    setup(build) {
      build.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]types\.js$/ }, (args) => ({
        contents: markSchemasPure(readFileSync(args.path, "utf8")),
        loader: "js",
        resolveDir: dirname(args.path),
      }));
    },
  };
}

// `const XSchema = <call>;` at the top level becomes `const XSchema = /* @__PURE__ */ (() => <call>)();`
export function markSchemasPure(source: string): string {
  const file = ts.createSourceFile("types.js", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const edits: { at: number; text: string }[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      const init = d.initializer;
      if (!init || !ts.isIdentifier(d.name) || !/Schema$/.test(d.name.text) || !ts.isCallExpression(init)) continue;
      edits.push({ at: init.getStart(file), text: "/* @__PURE__ */ (() => " }, { at: init.end, text: ")()" });
    }
  }
  let out = source;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}

/**
 * Packages a vendor's library entry takes from its importer instead of carrying its own copy
 * (declared as optional peerDependencies): two copies of core in one process would mean two
 * redactors and two error hierarchies, and two copies of zod two schema registries (the `.meta()`
 * that trims a listed schema would be lost).
 */
export const SHARED_WITH_IMPORTER = ["@infra-mcp/core", "zod"];

/**
 * The build of a vendor package (each package's tsup.config.ts is one line), into dist/ (the
 * package's build script empties dist/ first, then writes dist/tools-list.json after tsup):
 *
 * - `cli.cjs` + `lazy/*.cjs`, the server (binBundle), and `launch.cjs`, the launcher bin.cjs runs
 *   it with (launchEntry);
 * - `index.js` + `index.d.ts`, the library entry (libraryEntry).
 */
export function vendorBuild(packageJsonUrl: URL): Options[] {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set only by bench/run.mjs for its profiling copy of the bin
  if (process.env.BUNDLE_SOURCEMAP === "1") return [binBundle(packageJsonUrl), launchEntry(packageJsonUrl)];
  return [binBundle(packageJsonUrl), launchEntry(packageJsonUrl), libraryEntry(packageJsonUrl)];
}

/**
 * The library entry (`import { incusVendor } from "incus-mcp"`, as the gateway does): the vendor's
 * own code, with @infra-mcp/core and zod imported from the importer (SHARED_WITH_IMPORTER) and
 * typed against core's own declarations, so one process runs one core.
 */
export function libraryEntry(packageJsonUrl: URL): Options {
  return {
    ...esmForNode(packageJsonUrl),
    entry: { index: "src/index.ts" },
    splitting: false,
    sourcemap: false,
    clean: false,
    dts: { entry: { index: "src/index.ts" } },
    external: SHARED_WITH_IMPORTER,
    banner: { js: CJS_REQUIRE },
  };
}

/** Bundled CommonJS dependencies (yaml, ws, undici) call require(); ESM has none unless we make one. */
const CJS_REQUIRE = 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);';

/** What every bundle here shares: ESM for Node 22, the package version as __VERSION__. */
function esmForNode(packageJsonUrl: URL): Options {
  const pkg = JSON.parse(readFileSync(packageJsonUrl, "utf8")) as { version: string };
  return {
    format: ["esm"],
    platform: "node",
    target: "node22",
    bundle: true,
    define: { __VERSION__: JSON.stringify(pkg.version) },
  };
}

/**
 * One file (plus lazily loaded chunks) with every dependency inlined: the gateway app (its image
 * has no install step).
 */
export function selfContained(packageJsonUrl: URL, entry: Record<string, string>): Options {
  return {
    ...esmForNode(packageJsonUrl),
    entry,
    splitting: true,
    minify: true,
    sourcemap: false,
    clean: false,
    noExternal: [/.*/],
    banner: { js: `#!/usr/bin/env node\n${CJS_REQUIRE}` },
  };
}

/**
 * The bin's server, `dist/cli.cjs`: ONE minified CommonJS file with core and every dependency
 * inlined, so `npx <server>` installs one package with no dependency tree and start-up reads one
 * file. CommonJS because bin.cjs runs it through core's `launch`, which keeps a V8 code cache taken
 * after start-up (vm.Script; ES modules have no such API). HTTP/REST code is in the file but
 * evaluated only when --http/--rest ask for it; undici, ws and ky are separate files
 * (`dist/lazy/*.cjs`) required on first use, so a start neither runs nor parses them.
 * BUNDLE_SOURCEMAP=1 adds source maps (for `node bench/lib/profile.mjs`); the shipped bins have none.
 */
export function binBundle(packageJsonUrl: URL): Options {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set only by bench/run.mjs for its own profiling copy (--out-dir), never for dist/
  const profiling = process.env.BUNDLE_SOURCEMAP === "1";
  return {
    ...esmForNode(packageJsonUrl),
    entry: { cli: "src/cli.ts" },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    splitting: false,
    minify: true,
    sourcemap: profiling,
    clean: false,
    noExternal: [/.*/],
    // tsup would strip "node:" and mark the built-in external before lazyBuiltins sees it.
    removeNodeProtocol: false,
    inject: [CORE_BIN_PROLOGUE],
    esbuildPlugins: [
      lazyPackages(LAZY_PACKAGES, "separate", LAZY_MODULES),
      lazyBuiltins(LAZY_BUILTINS),
      zodEnglishOnly(),
      pureSdkSchemas(),
    ],
  };
}

const CORE_BIN_PROLOGUE = fileURLToPath(new URL("./packages/core/src/bin-prologue.ts", import.meta.url));
const CORE_LAUNCH = fileURLToPath(new URL("./packages/core/src/launch.ts", import.meta.url));

/**
 * `dist/launch.cjs`, the launcher bin.cjs requires (core/src/launch.ts; Node built-ins only).
 * CommonJS like bin.cjs and the bundle: a start that loads no ES module never initialises Node's
 * ES module loader (~11 ms here: an empty .mjs against an empty .cjs).
 */
export function launchEntry(packageJsonUrl: URL): Options {
  return {
    ...esmForNode(packageJsonUrl),
    entry: { launch: CORE_LAUNCH },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    splitting: false,
    minify: true,
    sourcemap: false,
    clean: false,
  };
}
