import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";
import { MIN_SECRET_LENGTH, redactor } from "./redact.js";

/**
 * A credential a vendor needs. Values come only from the environment (or a file named by
 * `<NAME>_FILE`, the container-secrets convention); tools never take them as arguments.
 */
export interface CredentialSpec {
  /** Variable names, canonical first; later ones are accepted aliases. */
  env: readonly string[];
  /** Accept `<NAME>_FILE` holding a path to the value. */
  file?: boolean;
  required?: boolean;
  /** What it is, for error messages: "Portainer API key". */
  description: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a credential, registers it with the redactor, and names the variable when it is missing.
 * A credential shorter than MIN_SECRET_LENGTH (6) characters is refused: it could not be scrubbed
 * from output without blanking ordinary words.
 */
export function readCredential(spec: CredentialSpec & { required: true }, env: Env): string;
export function readCredential(spec: CredentialSpec, env: Env): string | undefined;
export function readCredential(spec: CredentialSpec, env: Env): string | undefined {
  for (const name of spec.env) {
    const direct = env[name]?.trim();
    if (direct) return register(direct, name);
    if (spec.file) {
      const path = env[`${name}_FILE`]?.trim();
      if (path) {
        let value: string;
        try {
          value = readFileSync(path, "utf8").trim();
        } catch (error) {
          throw new ConfigError(
            `${name}_FILE points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
          );
        }
        if (!value) throw new ConfigError(`${name}_FILE points at ${path}, which is empty.`);
        return register(value, `${name}_FILE`);
      }
    }
  }
  if (spec.required) {
    const [canonical, ...aliases] = spec.env;
    const alt = aliases.length ? ` (or ${aliases.join(", ")})` : "";
    const file = spec.file ? `, or ${canonical}_FILE with a path to a file holding it` : "";
    throw new ConfigError(`${spec.description} is not set: set ${canonical}${alt}${file}.`);
  }
  return undefined;
}

function register(value: string, source: string): string {
  registerSecret(value, source);
  return value;
}

/**
 * Registers a secret read from somewhere other than a variable (a CLI's token cache …) with the
 * redactor, under the same rule as readCredential: shorter than MIN_SECRET_LENGTH is refused.
 */
export function registerSecret(value: string, source: string): void {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `${source} holds a credential shorter than ${MIN_SECRET_LENGTH} characters; that short a secret is refused because it could not be redacted from output.`,
    );
  }
  redactor.add(value);
}

/** Reads a plain (non-secret) setting with aliases. */
export function readSetting(names: readonly string[], env: Env): string | undefined {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

/** Reads a file named by a setting (certificates, CA bundles), naming the variable on failure. */
export function readFileSetting(name: string, env: Env): string | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `${name} points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
    );
  }
}

/**
 * Where a bound credential goes on the wire. A vendor may place it differently on REST calls and
 * websocket upgrades (Portainer: Bearer on REST, ?token= on websockets).
 */
export type AuthPlacement =
  | { in: "header"; name: string; scheme?: string; value: string }
  | { in: "query"; name: string; value: string };

export interface BoundAuth {
  http?: readonly AuthPlacement[];
  ws?: readonly AuthPlacement[];
}

export function applyAuth(
  placements: readonly AuthPlacement[] | undefined,
  headers: Record<string, string>,
  url: URL,
): void {
  for (const p of placements ?? []) {
    if (p.in === "header") headers[p.name] = p.scheme ? `${p.scheme} ${p.value}` : p.value;
    else url.searchParams.set(p.name, p.value);
  }
}
