import { AsyncLocalStorage } from "node:async_hooks";
import type { Span } from "@opentelemetry/api";
import type { AuditLog } from "./audit.js";
import type { Metrics } from "./metrics.js";
import type { Tracing } from "./tracing.js";

/** What startObserving set up; undefined (the default) means every hook returns at once. */
export interface State {
  audit?: AuditLog;
  auditReads: boolean;
  metrics?: Metrics;
  tracing?: Tracing;
}

let installed: State | undefined;

export const state = (): State | undefined => installed;

export function setState(next: State | undefined): void {
  installed = next;
}

/** The call running, for the upstream requests it makes (entered only with tracing on). */
export const current = new AsyncLocalStorage<{ server: string; span: Span | undefined }>();
