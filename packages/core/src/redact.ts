/**
 * Secrets are registered once (when configuration is read) and scrubbed from every string that
 * leaves the process: tool results, errors, log lines. Scrubbing is by value, so a credential is
 * caught whatever wrapped it (an upstream echoing it back, a URL with ?token=, a stack).
 */
const MARK = "[REDACTED]";
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | undefined;

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
    for (const f of forms) this.#secrets.add(f);
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#secrets.size;
  }

  redact(text: string): string {
    if (this.#secrets.size === 0 || text.length === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    return text.replace(this.#pattern, MARK);
  }

  /** Deep-redacts strings inside JSON-like values (tool results). */
  redactValue<T>(value: T): T {
    if (this.#secrets.size === 0) return value;
    return walk(value, (s) => this.redact(s)) as T;
  }
}

function walk(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, fn);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Process-wide redactor: configuration registers into it, the logger and tool wrapper read it. */
export const redactor = new Redactor();
