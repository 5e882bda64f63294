/** The one parser of environment variables: what each kind accepts, and the error that names the variable. */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  accepts,
  CORE_SETTINGS,
  ConfigError,
  defineSettings,
  parseSetting,
  parseSettings,
  redactor,
  type Setting,
  setLogLevel,
} from "../src/index.js";

function refusal(name: string, setting: Setting, value: string): ConfigError {
  try {
    parseSetting(name, setting, { [name]: value });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${name}=${value} was accepted`);
}

describe("parseSetting", () => {
  it("unset and blank are undefined for every kind (the caller owns the default)", () => {
    for (const setting of Object.values(CORE_SETTINGS)) {
      expect(parseSetting("X_Y", setting, {})).toBeUndefined();
      expect(parseSetting("X_Y", setting, { X_Y: "  " })).toBeUndefined();
    }
  });

  it("integers: a bound below (and above when set), nothing but whole numbers", () => {
    const positive: Setting = { kind: "int", min: 1 };
    expect(parseSetting("N_X", positive, { N_X: " 42 " })).toBe(42);
    for (const bad of ["abc", "0", "-1", "1.5", "4MiB", "1e400"]) {
      const e = refusal("N_X", positive, bad);
      expect(e.message).toBe(`N_X must be a positive integer, got "${bad}".`);
      expect(e.variable).toBe("N_X");
      expect(e.accepts).toBe("a positive integer");
    }
    expect(parseSetting("N_X", { kind: "int", min: 0 }, { N_X: "0" })).toBe(0);
    expect(refusal("N_X", { kind: "int", min: 0 }, "-1").accepts).toBe("a non-negative integer");
    expect(refusal("N_X", { kind: "int", min: 1, max: 10 }, "11").accepts).toBe("an integer from 1 to 10");
  });

  it("booleans, enums (any case), ports, URLs and patterns", () => {
    expect(parseSetting("B_X", { kind: "bool" }, { B_X: "Yes" })).toBe(true);
    expect(parseSetting("B_X", { kind: "bool" }, { B_X: "off" })).toBe(false);
    expect(refusal("B_X", { kind: "bool" }, "maybe").accepts).toBe("1 (true, yes, on) or 0 (false, no, off)");
    expect(parseSetting("LOG_LEVEL", CORE_SETTINGS.LOG_LEVEL, { LOG_LEVEL: "WARN" })).toBe("warn");
    expect(refusal("LOG_LEVEL", CORE_SETTINGS.LOG_LEVEL, "verbose").message).toBe(
      'LOG_LEVEL must be one of debug, info, warn, error, got "verbose".',
    );
    expect(parseSetting("P_X", { kind: "port" }, { P_X: "0" })).toBe(0);
    expect(refusal("P_X", { kind: "port" }, "65536").accepts).toBe("a port number (0-65535)");
    const url: Setting = { kind: "url", protocols: ["https", "http"] };
    expect(parseSetting("U_X", url, { U_X: "https://a.example:9443" })).toBe("https://a.example:9443");
    expect(refusal("U_X", url, "ftp://a.example").accepts).toBe("an absolute https or http URL");
    expect(refusal("U_X", url, "a.example").variable).toBe("U_X");
    expect(refusal("MCP_INSTANCE_ID", CORE_SETTINGS.MCP_INSTANCE_ID, "a b").accepts).toBe(
      '1-64 letters, digits, "." or "-"',
    );
  });

  it("lists split on commas; text takes anything", () => {
    expect(parseSetting("L_X", { kind: "list" }, { L_X: "a, b,,c" })).toEqual(["a", "b", "c"]);
    expect(parseSetting("T_X", { kind: "text" }, { T_X: "anything at all!" })).toBe("anything at all!");
  });

  it("files must be readable, paths must exist", () => {
    const file = join(tmpdir(), `settings-test-${process.pid}.pem`);
    writeFileSync(file, "x");
    expect(parseSetting("F_X", { kind: "file" }, { F_X: file })).toBe(file);
    expect(refusal("F_X", { kind: "file" }, "/nonexistent/x.pem").accepts).toBe("the path of a readable file");
    expect(parseSetting("D_X", { kind: "path" }, { D_X: tmpdir() })).toBe(tmpdir());
    expect(refusal("D_X", { kind: "path" }, "/nonexistent/dir").accepts).toBe("an existing path");
  });

  it("a credential under 6 characters is refused without quoting it; _FILE is read and checked the same way", () => {
    const e = refusal("K_KEY", { kind: "credential", file: true }, "abc");
    expect(e.variable).toBe("K_KEY");
    expect(e.message).not.toContain("abc");
    expect(parseSetting("K_KEY", { kind: "credential" }, { K_KEY: "long-enough-key-1" })).toBe("long-enough-key-1");
    expect(redactor.redact("x long-enough-key-1 y")).not.toContain("long-enough-key-1");
    const file = join(tmpdir(), `settings-test-${process.pid}.key`);
    writeFileSync(file, "abc\n");
    let error: unknown;
    try {
      parseSetting("K_KEY", { kind: "credential", file: true }, { K_KEY_FILE: file });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("K_KEY_FILE");
    const missing = (() => {
      try {
        parseSetting("K_KEY", { kind: "credential", file: true }, { K_KEY_FILE: "/nonexistent/key" });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(missing?.variable).toBe("K_KEY_FILE");
    expect(missing?.message).toMatch(/K_KEY_FILE points at \/nonexistent\/key, which cannot be read/);
  });

  it("every kind says what it accepts", () => {
    for (const setting of Object.values(CORE_SETTINGS)) expect(accepts(setting).length).toBeGreaterThan(3);
  });
});

describe("parseSettings (the start-up check)", () => {
  const table = defineSettings({
    A_NUM: { kind: "int", min: 1 },
    A_FLAG: { kind: "bool" },
    A_LEVEL: { kind: "enum", values: ["low", "high"] },
  });

  it("returns typed values, undefined for what is unset", () => {
    const v = parseSettings(table, { A_NUM: "3", A_LEVEL: "HIGH" });
    expect(v).toEqual({ A_NUM: 3, A_FLAG: undefined, A_LEVEL: "high" });
  });

  it("names every bad variable in one error, not just the first", () => {
    let error: unknown;
    try {
      parseSettings([table, { B_PORT: { kind: "port" } }], { A_NUM: "x", A_FLAG: "maybe", B_PORT: "99999" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.variable).toBe("A_NUM, A_FLAG, B_PORT");
    for (const n of ["A_NUM", "A_FLAG", "B_PORT"]) expect(e.message).toContain(n);
  });
});

describe("setLogLevel", () => {
  afterEach(() => setLogLevel(undefined));

  it("takes the four levels in any case, unset is info, anything else names LOG_LEVEL", () => {
    expect(() => setLogLevel("DEBUG")).not.toThrow();
    expect(() => setLogLevel(undefined)).not.toThrow();
    expect(() => setLogLevel("verbose")).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
  });
});
