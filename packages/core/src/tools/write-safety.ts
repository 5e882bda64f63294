import { z } from "zod";
import { WriteOutcomeUnknownError } from "../base/errors.js";
import { redactor } from "../base/redact.js";
import { runDryRun } from "../upstream/dry-run.js";
import type { AnyObjectSchema, ToolContext, ToolResultData } from "./definition.js";

/**
 * What the builder puts around every tool: a strict schema (an unknown argument is an error that
 * names it, not silently dropped: `stop-container {dryRun: true}` on a server without dry runs must
 * not stop anything), `dryRun` on every tool that is not read-only, and a write whose outcome is
 * unknown naming the read tool that shows it.
 */

/** Listed as `"dryRun":{"type":"boolean"}`: the name says it, and it is on every write tool. */
const dryRun = z.boolean().optional();

/**
 * The tool's schema, strict, with `dryRun` when the tool writes. The listing leaves out the
 * `additionalProperties: false` strictness adds (about 28 bytes on every tool, for something the
 * server enforces anyway and names in its error).
 *
 * One clone with the final definition: `.strict().safeExtend({ dryRun }).meta(...)` builds the
 * same schema in three steps, each a whole schema construction, for every tool at every start.
 */
export function guardedSchema<S extends AnyObjectSchema>(schema: S, write: boolean): S {
  const cache = write ? guardedWrites : guardedReads;
  let guarded = cache.get(schema);
  if (!guarded) {
    const def = schema._zod.def;
    const shape = write ? { ...def.shape, dryRun } : def.shape;
    guarded = unlistStrictness(z.core.clone(schema, { ...def, shape, catchall: z.never() }) as AnyObjectSchema);
    cache.set(schema, guarded);
  }
  return guarded as unknown as S;
}

/**
 * Lists a strict schema without `additionalProperties: false` (an extended one needs it again).
 * The schema must be one just built for this (its metadata is set in place, as `.meta()` would on
 * a copy): never a schema a tool file declared.
 */
export function unlistStrictness<S extends AnyObjectSchema>(fresh: S): S {
  z.globalRegistry.add(fresh, { additionalProperties: undefined });
  return fresh;
}

/** One guarded schema per tool schema: a variant shares its tool's, as it shared the original. */
const guardedReads = new WeakMap<AnyObjectSchema, AnyObjectSchema>();
const guardedWrites = new WeakMap<AnyObjectSchema, AnyObjectSchema>();

export interface GuardOptions<C> {
  name: string;
  write: boolean;
  /** The read tool that shows whether a write whose answer was lost was applied. */
  checkWith?: string | undefined;
  /** The target's state now and what the call would make of it, for a dry run. */
  preview?: ((args: never, ctx: ToolContext<C>) => Promise<string | undefined>) | undefined;
  /**
   * The tool acts on local state (an open stream session), not through the upstream layer a dry
   * run intercepts: its dry run only says what it would do.
   */
  describeOnly?: boolean;
}

type Handler<C> = (args: never, ctx: ToolContext<C>) => Promise<ToolResultData>;

/** The tool's handler with dry runs and unknown-outcome advice around it. */
export function guardedHandler<C>(options: GuardOptions<C>, handler: Handler<C>): Handler<C> {
  if (!options.write) return handler;
  return async (args, ctx) => {
    const { dryRun: dry, ...rest } = (args ?? {}) as Record<string, unknown>;
    const call = rest as never;
    if (dry === true) {
      if (options.describeOnly) return describeOnly(options.name, rest);
      const { preview } = options;
      return runDryRun(
        {
          tool: options.name,
          ...(ctx.showEnvValues ? { showEnvValues: true } : {}),
          ...(preview ? { preview: () => preview(call, ctx) } : {}),
        },
        () => handler(call, ctx),
      );
    }
    try {
      return await handler(call, ctx);
    } catch (error) {
      if (error instanceof WriteOutcomeUnknownError && !error.checkWith && options.checkWith) {
        throw error.withCheck(options.checkWith);
      }
      throw error;
    }
  };
}

function describeOnly(name: string, args: Record<string, unknown>): ToolResultData {
  const shown = redactor.redact(JSON.stringify(args));
  return {
    text: `dry run of ${name}: nothing was changed.\nwould run ${name} ${shown.length > 400 ? `${shown.slice(0, 399)}…` : shown}`,
    structured: { dryRun: true, tool: name, wouldSend: [] },
  };
}
