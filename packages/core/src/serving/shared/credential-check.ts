import { ConfigError, UpstreamHttpError } from "../../base/errors.js";
import { log } from "../../base/logger.js";
import { type Redactor, redactor, withRedactionScope } from "../../base/redact.js";
import type { VendorDefinition } from "../../tools/vendor.js";
import type { UserCredential } from "./credential.js";

/**
 * Proof of a per-user credential header before it costs an MCP session slot. Without it, anyone
 * could send a different made-up value with each `initialize` and hold every slot (each new value
 * is a new "client", so the per-client share does not stop it). The vendor's `verifyCredential`
 * makes one cheap authenticated read with a client built from the user's environment; the verdict
 * is kept briefly, keyed by the SHA-256 of the value (never the value), so a user opening several
 * sessions costs the upstream one read per TTL.
 *
 * - accepted → the session opens as before;
 * - refused (the upstream answered 401/403, or the vendor said why) → 401 naming the header, no slot;
 * - not checkable (upstream unreachable, timed out, answered 5xx, or the server's own
 *   configuration is broken) → 503 + Retry-After, no slot, nothing cached: the server fails
 *   closed, because letting an unproven value in is exactly the hole this closes.
 */
export type CredentialVerdict = { ok: true } | { ok: false; status: 401 | 503; detail: string };

export interface CredentialCheckOptions {
  /** How long a verdict (accepted or refused) is kept (ms). */
  ttlMs?: number;
  /** Verdicts kept at most (oldest dropped first). */
  maxEntries?: number;
  now?: () => number;
}

export const CREDENTIAL_VERDICT_TTL_MS = 60_000;
export const CREDENTIAL_VERDICT_MAX = 1024;

export class CredentialChecker<C> {
  readonly #vendor: VendorDefinition<C>;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #verdicts = new Map<string, { verdict: CredentialVerdict; until: number }>();
  /** One upstream read per value at a time: concurrent initializes with it wait for the same answer. */
  readonly #inflight = new Map<string, Promise<CredentialVerdict>>();
  /** Upstream reads made (tests and metrics read it). */
  checks = 0;

  constructor(vendor: VendorDefinition<C>, options: CredentialCheckOptions = {}) {
    this.#vendor = vendor;
    this.#ttlMs = options.ttlMs ?? CREDENTIAL_VERDICT_TTL_MS;
    this.#max = options.maxEntries ?? CREDENTIAL_VERDICT_MAX;
    this.#now = options.now ?? Date.now;
  }

  /** Whether this vendor checks its header at all. */
  get enabled(): boolean {
    return this.#vendor.verifyCredential !== undefined;
  }

  /** Verdicts held now (bounded by maxEntries). */
  get size(): number {
    return this.#verdicts.size;
  }

  /** What verdicts are held under: hex SHA-256 digests of the values. */
  get keys(): string[] {
    return [...this.#verdicts.keys()];
  }

  async check(user: UserCredential, redaction: Redactor): Promise<CredentialVerdict> {
    if (!this.#vendor.verifyCredential) return { ok: true };
    const key = user.digest.toString("hex");
    const kept = this.#verdicts.get(key);
    if (kept && kept.until > this.#now()) return kept.verdict;
    if (kept) this.#verdicts.delete(key);
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#ask(user, redaction).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    const verdict = await pending;
    // Only an upstream's answer is kept; "could not check" is asked again next time.
    if (verdict.ok || verdict.status === 401) this.#keep(key, verdict);
    return verdict;
  }

  #keep(key: string, verdict: CredentialVerdict): void {
    this.#verdicts.delete(key);
    this.#verdicts.set(key, { verdict, until: this.#now() + this.#ttlMs });
    const now = this.#now();
    for (const [k, v] of this.#verdicts) {
      if (this.#verdicts.size <= this.#max && v.until > now) break;
      this.#verdicts.delete(k);
    }
  }

  async #ask(user: UserCredential, redaction: Redactor): Promise<CredentialVerdict> {
    const vendor = this.#vendor;
    const header = vendor.credentialHeader ?? "credential";
    const verify = vendor.verifyCredential;
    if (!verify) return { ok: true };
    this.checks++;
    // The user's value is scrubbed from anything said here (error texts, the log).
    return withRedactionScope(redaction, async (): Promise<CredentialVerdict> => {
      let client: C | undefined;
      try {
        client = vendor.createClient(user.env);
        const refused = await verify(client);
        if (refused === undefined) return { ok: true };
        return { ok: false, status: 401, detail: refusal(header, vendor.title, redactor.redact(refused)) };
      } catch (error) {
        const text = redactor.redact(error instanceof Error ? error.message : String(error));
        if (error instanceof UpstreamHttpError && (error.status === 401 || error.status === 403)) {
          return { ok: false, status: 401, detail: refusal(header, vendor.title, text) };
        }
        log.warn("per-user credential could not be checked", { server: vendor.name, header, error: text });
        return {
          ok: false,
          status: 503,
          detail:
            error instanceof ConfigError
              ? `The ${header} header cannot be checked: this server's configuration is broken (${text}). No session was opened.`
              : `The ${header} header cannot be checked now, because the upstream did not answer the check (${text}). No session was opened; retry later.`,
        };
      } finally {
        if (client !== undefined) await vendor.closeClient?.(client).catch(() => {});
      }
    });
  }
}

function refusal(header: string, title: string, why: string): string {
  return `The ${header} header was refused: the upstream of the ${title} does not accept it (${why}). No session was opened; send a valid credential, or leave the header out to use the server's own.`;
}
