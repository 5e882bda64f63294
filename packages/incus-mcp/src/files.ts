import { InputError } from "@infra-mcp/core";
import { z } from "zod";
import { incusCall, instancePath, projectQuery } from "./api.js";
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

/** Most entries delete-file removes in one recursive call. */
export const MAX_TREE_ENTRIES = 10_000;

/**
 * Deletes a directory tree entry by entry, depth first, symlinks as links (never followed):
 * Incus 6.0's files API removes only files and empty directories (recursive delete came later).
 * Returns how many entries were removed.
 */
export async function deleteTree(
  client: IncusClient,
  target: { path: string; query: Record<string, string> },
  signal: AbortSignal,
): Promise<number> {
  let removed = 0;
  const remove = async (path: string): Promise<void> => {
    const query = { ...target.query, path };
    const head = await client.http.bytes({ method: "HEAD", path: target.path, query, maxBytes: 1, signal });
    if (fileMeta(head.headers).type === "directory") {
      const res = await incusCall<string[]>(client, { method: "GET", path: target.path, query, signal });
      for (const entry of res.metadata ?? []) await remove(`${path.replace(/\/+$/, "")}/${entry}`);
    }
    if (++removed > MAX_TREE_ENTRIES) {
      throw new InputError(
        "recursive",
        `the tree has more than ${MAX_TREE_ENTRIES} entries; ${removed - 1} were deleted`,
      );
    }
    await incusCall(client, { method: "DELETE", path: target.path, query, signal });
  };
  await remove(target.query.path ?? "/");
  return removed;
}
