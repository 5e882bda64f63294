import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { instancePath, projectQuery } from "./api.js";
import type { IncusClient } from "./config.js";

/** Largest file pull-file reads and push-file writes (decoded bytes). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export const filePathArg = z.string().min(1).describe("Absolute path in the instance");

/** What Incus reports about a file in its X-Incus-* headers. */
export interface FileMeta {
  type: string;
  uid: number | null;
  gid: number | null;
  /** Octal, as Incus writes it ("0640"). */
  mode: string | null;
  modified: string | null;
}

export function fileMeta(headers: Headers): FileMeta {
  const num = (name: string) => {
    const v = headers.get(name);
    return v === null || v === "" || Number.isNaN(Number(v)) ? null : Number(v);
  };
  return {
    type: headers.get("x-incus-type") ?? "file",
    uid: num("x-incus-uid"),
    gid: num("x-incus-gid"),
    mode: headers.get("x-incus-mode"),
    modified: headers.get("x-incus-modified"),
  };
}

/** `owner uid:gid mode 0640` for the text answers. */
export function describeMeta(m: FileMeta): string {
  return `${m.type}, uid ${m.uid ?? "?"}, gid ${m.gid ?? "?"}, mode ${m.mode ?? "?"}`;
}

/** The files endpoint for one path; relative paths are refused (Incus would resolve them against /). */
export function fileTarget(
  client: IncusClient,
  args: { instance: string; path: string; project?: string | undefined },
): { path: string; query: Record<string, string> } {
  if (!args.path.startsWith("/")) throw new InputError("path", `must be absolute (start with "/"), got "${args.path}"`);
  return {
    path: instancePath(args.instance, "/files"),
    query: { ...projectQuery(client, args.project), path: args.path },
  };
}
