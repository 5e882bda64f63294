import type { VendorDefinition } from "@infra-mcp/core";
import { incusVendor } from "incus-mcp";
import { portainerVendor } from "portainer-mcp";
import { qoveryVendor } from "qovery-mcp";

/** Recognisable fake credentials: any of these outside the process is a leak. */
export const SECRETS = {
  qovery: "qovery-FAKE-SECRET-7f3a9c2e41",
  portainer: "ptr_FAKESECRET_91b2d8e0aa",
  incus: "incus-FAKE-TOKEN-55d1c0ffee",
  http: "mcp-http-FAKE-BEARER-3e8d",
} as const;

export const ALL_SECRETS = Object.values(SECRETS);

/** The suites' fake upstream is core's one recording upstream. */
export {
  type RecordedRequest,
  RecordingUpstream as Recorder,
  type UpgradeHandler,
  type UpstreamHandler as Handler,
} from "@infra-mcp/core/testing";

export type VendorKey = "qovery" | "portainer" | "incus";

// biome-ignore lint/suspicious/noExplicitAny: heterogenous client types
export const VENDORS: Record<VendorKey, VendorDefinition<any>> = {
  qovery: qoveryVendor,
  portainer: portainerVendor,
  incus: incusVendor,
};

/** Each vendor pointed at `url` with its fake credential and a small timeout. */
export function vendorEnv(key: VendorKey, url: string, timeoutMs = 2_000): Record<string, string> {
  const base = { PATH: process.env.PATH ?? "" };
  switch (key) {
    case "qovery":
      return { ...base, QOVERY_API_KEY: SECRETS.qovery, QOVERY_API_URL: url, QOVERY_TIMEOUT_MS: String(timeoutMs) };
    case "portainer":
      return {
        ...base,
        PORTAINER_URL: url,
        PORTAINER_API_KEY: SECRETS.portainer,
        PORTAINER_TIMEOUT_MS: String(timeoutMs),
      };
    case "incus":
      return { ...base, INCUS_URL: url, INCUS_TOKEN: SECRETS.incus, INCUS_TIMEOUT_MS: String(timeoutMs) };
  }
}

/** Fails the race with a clear message if `p` takes longer than `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function findSecret(text: string): string | undefined {
  return ALL_SECRETS.find((s) => text.includes(s) || text.includes(Buffer.from(s).toString("base64")));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PropSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropSchema;
  additionalProperties?: PropSchema | boolean;
}
export interface ObjectSchema {
  properties?: Record<string, PropSchema>;
  required?: string[];
}

export function schemaTypes(p: PropSchema): string[] {
  return p.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type];
}

export const SAMPLE_UUID = "0b0e0a2c-1111-4a4a-8b8b-123456789abc";

/** A value the field's JSON schema accepts. */
export function validValue(p: PropSchema): unknown {
  const t = schemaTypes(p)[0];
  if (p.enum) return p.enum[0];
  switch (t) {
    case "string":
      if (p.format === "uuid") return SAMPLE_UUID;
      return "abc".padEnd(p.minLength ?? 1, "a");
    case "integer":
    case "number":
      return Math.max(p.minimum ?? 1, 1);
    case "boolean":
      return false;
    case "array":
      return Array.from({ length: Math.max(p.minItems ?? 0, 1) }, () => (p.items ? validValue(p.items) : "x"));
    case "object":
      return {};
    default:
      return "abc";
  }
}

/** The required fields of a tool, each with a valid value. */
export function baseline(schema: ObjectSchema): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const p = schema.properties?.[name];
    if (p) args[name] = validValue(p);
  }
  return args;
}
