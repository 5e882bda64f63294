/** Toolsets and safety levels: one flat table filtered by --toolsets, --tools and the level flags. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../src/base/errors.js";
import { runCli } from "../src/cli.js";
import { parseCli } from "../src/index.js";
import { selectTools } from "../src/tools/call.js";
import { splitToolsets, toolsetHelp } from "../src/tools/toolsets.js";
import { things, thingsTools, thingsVendor } from "./fixtures/toolset-vendor.js";

const names = (filter: Parameters<typeof selectTools>[1]) =>
  selectTools(thingsTools, filter, things.toolsets).map((t) => t.name);

const SESSION = ["session-read", "session-write", "session-resize", "session-signal", "session-close", "session-list"];

describe("selectTools with toolsets", () => {
  it("serves the default toolsets when nothing is chosen (session tools only with an opener)", () => {
    expect(names({})).toEqual(["list-things", "touch-thing", "delete-thing"]);
  });

  it("--toolsets names toolsets; an opener brings the session tools along", () => {
    expect(names({ toolsets: ["admin"] })).toEqual(["wipe"]);
    expect(names({ toolsets: ["shell"] })).toEqual(["open-shell", ...SESSION]);
    expect(names({ toolsets: ["things", "admin"] })).toEqual(["list-things", "touch-thing", "delete-thing", "wipe"]);
  });

  it("--toolsets all serves every tool", () => {
    expect(names({ toolsets: ["all"] })).toEqual(thingsTools.map((t) => t.name));
  });

  it("an unknown toolset is a config error that names the known ones", () => {
    expect(() => names({ toolsets: ["things", "nope"] })).toThrow(ConfigError);
    expect(() => names({ toolsets: ["nope"] })).toThrow(
      'Unknown toolset(s) in --toolsets: nope. this server has: things, shell, admin, sessions (or "all").',
    );
  });

  it("--tools alone keeps its old meaning (only these); with --toolsets it adds to them", () => {
    expect(names({ allow: ["wipe"] })).toEqual(["wipe"]);
    // … except that a tool which opens a session brings the session tools, as a toolset does.
    expect(names({ allow: ["open-shell"] })).toEqual(["open-shell", ...SESSION]);
    expect(names({ allow: ["session-read"] })).toEqual([]);
    expect(names({ allow: ["wipe"], toolsets: ["things"] })).toEqual([
      "list-things",
      "touch-thing",
      "delete-thing",
      "wipe",
    ]);
    expect(() => names({ allow: ["nope"], toolsets: ["things"] })).toThrow(/Unknown tool\(s\) in --tools: nope/);
  });

  it("--read-only keeps only readOnlyHint tools of the chosen toolsets", () => {
    // session-read/-list are read-only, but nothing that opens a session is left to use them.
    expect(names({ readOnly: true, toolsets: ["all"] })).toEqual(["list-things"]);
  });

  it("--disable-destructive drops destructiveHint tools and keeps other writes", () => {
    expect(names({ disableDestructive: true, toolsets: ["all"] })).toEqual([
      "list-things",
      "touch-thing",
      "open-shell",
      ...thingsTools.filter((t) => t.usesSessions && !t.annotations.destructiveHint).map((t) => t.name),
    ]);
  });

  it("stateless with --confirm-destructive drops destructive tools (a stateless request cannot ask)", () => {
    expect(names({ stateless: true, confirmDestructive: true, toolsets: ["all"] })).toEqual([
      "list-things",
      "touch-thing",
    ]);
    expect(names({ stateless: true, toolsets: ["all"] })).toEqual([
      "list-things",
      "touch-thing",
      "delete-thing",
      "wipe",
    ]);
  });

  it("a vendor without toolsets refuses --toolsets and serves everything otherwise", () => {
    expect(selectTools(thingsTools, {}).length).toBe(thingsTools.length);
    expect(() => selectTools(thingsTools, { toolsets: ["things"] })).toThrow(/has no toolsets/);
  });
});

describe("splitToolsets (one process, several vendors)", () => {
  const a = thingsVendor("http://x", "alpha-mcp");
  const b = {
    name: "beta-mcp",
    toolsets: { things: { description: "", default: true }, extra: { description: "", default: false } },
  };

  it("bare names go to every vendor that has them; vendor:name to one; unnamed vendors keep defaults", () => {
    const split = splitToolsets([a, b], ["things", "alpha:admin", "beta:extra"]);
    expect(split.get("alpha-mcp")).toEqual(["things", "admin"]);
    expect(split.get("beta-mcp")).toEqual(["things", "extra"]);
    expect(splitToolsets([a, b], ["alpha:all"]).get("beta-mcp")).toBeUndefined();
    expect(splitToolsets([a, b], ["all"]).get("beta-mcp")).toEqual(["all"]);
    expect(splitToolsets([a, b], undefined).get("alpha-mcp")).toBeUndefined();
  });

  it("an entry no vendor knows refuses, naming each vendor's toolsets", () => {
    expect(() => splitToolsets([a, b], ["beta:admin"])).toThrow(
      'Unknown toolset(s) in --toolsets: beta:admin. the servers have: alpha: things, shell, admin, sessions (or "all"); beta: things, extra (or "all").',
    );
    expect(() => splitToolsets([a, b], ["gamma:things", "zzz"])).toThrow(/gamma:things, zzz/);
  });
});

describe("--help toolsets section", () => {
  it("lists every toolset with its tools and marks the defaults, generated from the table", () => {
    const help = toolsetHelp(thingsVendor("http://x"));
    expect(help).toMatch(/^Toolsets \(--toolsets a,b or all; default things,sessions\):/);
    for (const [name, info] of Object.entries(things.toolsets)) {
      const line = help.split("\n").find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(info.description);
      expect(line?.includes("(default")).toBe(info.default);
    }
    for (const tool of thingsTools) expect(help).toContain(tool.name);
    expect(help).toMatch(
      /things\s+Things: list, touch, delete \(default\)\n\s+list-things, touch-thing, delete-thing\n/,
    );
  });
});

describe("CLI", () => {
  it("reads --toolsets/--disable-destructive/--confirm-destructive and their MCP_* variables", () => {
    expect(parseCli([], {})).toMatchObject({ disableDestructive: false, confirmDestructive: false });
    expect(parseCli([], {}).toolsets).toBeUndefined();
    const env = { MCP_TOOLSETS: "a, b", MCP_DISABLE_DESTRUCTIVE: "1", MCP_CONFIRM_DESTRUCTIVE: "yes" };
    expect(parseCli([], env)).toMatchObject({
      toolsets: ["a", "b"],
      disableDestructive: true,
      confirmDestructive: true,
    });
    expect(parseCli(["--toolsets", "all", "--disable-destructive"], { MCP_TOOLSETS: "a" })).toMatchObject({
      toolsets: ["all"],
      disableDestructive: true,
    });
    expect(() => parseCli([], { MCP_CONFIRM_DESTRUCTIVE: "maybe" })).toThrow(/MCP_CONFIRM_DESTRUCTIVE/);
  });

  describe("runCli", () => {
    afterEach(() => {
      vi.restoreAllMocks();
      process.exitCode = undefined;
    });

    const capture = () => {
      const out: string[] = [];
      const err: string[] = [];
      vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
      vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
      return { out: () => out.join(""), err: () => err.join("") };
    };

    it("refuses to start on an unknown toolset, naming the known ones (exit 2)", async () => {
      const io = capture();
      await runCli(thingsVendor("http://x"), ["--toolsets", "thingz"]);
      expect(process.exitCode).toBe(2);
      expect(io.err()).toContain(
        "Unknown toolset(s) in --toolsets: thingz. things-mcp has: things, shell, admin, sessions",
      );
    });

    it("--help prints the generated toolsets section", async () => {
      const io = capture();
      const vendor = thingsVendor("http://x");
      await runCli(vendor, ["--help"]);
      expect(process.exitCode).toBeUndefined();
      expect(io.out()).toContain(toolsetHelp(vendor));
      expect(io.out()).toContain("--disable-destructive");
      expect(io.out()).toContain("MCP_CONFIRM_DESTRUCTIVE");
    });
  });
});
