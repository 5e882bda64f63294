import { z } from "zod";

/**
 * Argument schemas shared by several tools. Every byte of the listed JSON schema is sent to the
 * model in tools/list, so `.meta(unlisted)` keeps a defensive bound in validation (a too-long or
 * empty value is still refused with an error naming the field) but leaves it out of the listing:
 * bounds a real argument never comes near, and zod's implicit ±2^53 integer bounds.
 */
export const unlisted = {
  minLength: undefined,
  maxLength: undefined,
  maxItems: undefined,
  maximum: undefined,
  pattern: undefined,
};

export const endpointId = z.number().int().min(1).meta(unlisted).describe("Environment id (list-environments)");
export const nodeName = z.string().min(1).max(253).meta(unlisted).optional().describe("Swarm node (agent)");
export const stdin = z
  .string()
  .max(8 * 1024 * 1024)
  .meta(unlisted)
  .optional();
export const stdinEncoding = z.enum(["utf8", "base64"]).default("utf8");
export const timeoutMs = z.number().int().min(100).max(600_000).default(60_000);
export const maxOutputBytes = z
  .number()
  .int()
  .min(1)
  .max(16 * 1024 * 1024)
  .default(1024 * 1024);
export const session = z.boolean().default(false).describe("Open a session instead (session-* tools)");
export const containerId = z.string().min(1).max(256).meta(unlisted).describe("Container id or name");
/** A Kubernetes object name (RFC 1123 subdomain). */
export const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes name (lowercase letters, digits, '-', '.')")
  .meta(unlisted);
/** Log tools keep the newest this many bytes. */
export const maxLogBytes = z
  .number()
  .int()
  .min(1)
  .max(16 * 1024 * 1024)
  .meta(unlisted)
  .default(64 * 1024);
