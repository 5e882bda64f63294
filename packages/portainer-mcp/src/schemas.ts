import { z } from "zod";

/** Argument schemas shared by several tools. */
export const endpointId = z.number().int().min(1).describe("Environment id (list-environments)");
export const nodeName = z.string().min(1).max(253).optional().describe("Swarm node (agent environments)");
export const stdin = z
  .string()
  .max(8 * 1024 * 1024)
  .optional()
  .describe("Input for stdin");
export const stdinEncoding = z.enum(["utf8", "base64"]).default("utf8");
export const timeoutMs = z.number().int().min(100).max(600_000).default(60_000);
export const maxOutputBytes = z
  .number()
  .int()
  .min(1)
  .max(16 * 1024 * 1024)
  .default(1024 * 1024);
export const session = z.boolean().default(false).describe("Open a session instead (session-* tools)");
