import { describe, expect, it } from "vitest";
import { Redactor, redactor, scopedRedactor, withRedactionScope } from "../src/redact.js";

describe("Redactor", () => {
  it("scrubs a registered secret in raw, URL-encoded and base64 forms", () => {
    const r = new Redactor();
    const secret = "ptr_s3cr3t/value+x=";
    r.add(secret);
    const text = `key=${secret} url=?token=${encodeURIComponent(secret)} b64=${Buffer.from(secret).toString("base64")}`;
    const out = r.redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString("base64"));
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(3);
  });

  it("deep-redacts structured values and leaves other data intact", () => {
    const r = new Redactor();
    r.add("abcdef123456");
    const value = { a: ["x abcdef123456 y", 3], b: { c: "abcdef123456" }, d: null, e: true };
    expect(r.redactValue(value)).toEqual({ a: ["x [REDACTED] y", 3], b: { c: "[REDACTED]" }, d: null, e: true });
  });

  it("copies only what it scrubs: a clean value comes back as is, the input is never changed", () => {
    const r = new Redactor();
    r.add("abcdef123456");
    const clean = { list: [{ id: "c1", tags: ["a", "b"] }], n: 2 };
    expect(r.redactValue(clean)).toBe(clean);
    const dirty = { list: [{ id: "c1" }, { id: "x abcdef123456" }], other: { k: "v" }, n: 2 };
    const out = r.redactValue(dirty);
    expect(out).toEqual({ list: [{ id: "c1" }, { id: "x [REDACTED]" }], other: { k: "v" }, n: 2 });
    expect(Object.keys(out)).toEqual(["list", "other", "n"]);
    expect(out.other).toBe(dirty.other);
    expect(out.list[0]).toBe(dirty.list[0]);
    expect(dirty.list[1]?.id).toBe("x abcdef123456");
    const keyed = { first: 1, "abcdef123456 key": 2, last: [3] };
    expect(r.redactValue(keyed)).toEqual({ first: 1, "[REDACTED] key": 2, last: [3] });
    expect(Object.keys(keyed)).toEqual(["first", "abcdef123456 key", "last"]);
  });

  it("ignores values too short to be credentials, so ordinary words survive", () => {
    const r = new Redactor();
    r.add("abc");
    expect(r.redact("abc abc")).toBe("abc abc");
    expect(r.size).toBe(0);
  });

  it("treats regex metacharacters in secrets literally", () => {
    const r = new Redactor();
    r.add("a.b*c(d)[e]");
    expect(r.redact("xa.b*c(d)[e]x aXbbc")).toBe("x[REDACTED]x aXbbc");
  });
});

describe("Redactor: keys and scopes", () => {
  it("redacts object keys that contain a secret", () => {
    const r = new Redactor();
    r.add("key-abcdef-123");
    expect(r.redactValue({ "key-abcdef-123": 1, nested: { "id key-abcdef-123": ["key-abcdef-123"] } })).toEqual({
      "[REDACTED]": 1,
      nested: { "id [REDACTED]": ["[REDACTED]"] },
    });
  });

  it("a scope's secret is scrubbed inside the scope only, and never joins the process-wide set", async () => {
    const before = redactor.size;
    const scope = scopedRedactor("alice-user-secret");
    const inside = await withRedactionScope(scope, async () => {
      await new Promise((r) => setTimeout(r, 1));
      // What the per-user client registers while it is being built stays in the scope.
      redactor.add("alice-user-secret");
      return redactor.redactValue({ text: "alice-user-secret", "alice-user-secret": true });
    });
    expect(inside).toEqual({ text: "[REDACTED]", "[REDACTED]": true });
    expect(redactor.size).toBe(before);
    expect(redactor.redact("alice-user-secret")).toBe("alice-user-secret");
  });

  it("configured secrets still apply inside a scope", () => {
    const scope = scopedRedactor("user-secret-2");
    const layered = new Redactor({ scope: () => scope });
    layered.add("configured-secret-1");
    expect(layered.redact("configured-secret-1 user-secret-2")).toBe("[REDACTED] [REDACTED]");
  });
});
