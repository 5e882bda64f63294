import ky, { isHTTPError, isNetworkError, isTimeoutError, type KyInstance } from "ky";
import type { Agent } from "undici";
import { applyAuth } from "../base/credentials.js";
import {
  CancelledError,
  InfraMcpError,
  UpstreamHttpError,
  UpstreamProtocolError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  WriteOutcomeUnknownError,
} from "../base/errors.js";
import { redactor } from "../base/redact.js";
import { observeUpstream } from "../observe/observer.js";
import { dispatchFetch } from "./dispatch.js";
import { guardUpstreamWrite } from "./dry-run.js";
import { describeBody, excerpt, networkReason, neverSent, readBounded } from "./response.js";
import { createDispatcher, type ResolvedUpstream, resolveUpstream, type UpstreamOptions } from "./upstream.js";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Already-encoded path relative to the base URL (see params.ts). */
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Per-call timeout (ms); `0` disables it for deliberately long calls such as waits. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Overrides the default (GET/HEAD are idempotent reads, everything else never retries). */
  retry?: boolean;
}

export interface BytesRequest extends HttpRequest {
  /** Raw request body, sent as is (a file's bytes). */
  rawBody?: Uint8Array;
  /** Most bytes of the response body kept in memory. */
  maxBytes: number;
  /** Over maxBytes: fail (default), or keep the first maxBytes and report `truncated`. */
  overflow?: "truncate" | "error";
  /** false: an error status is returned (status + body) instead of thrown, e.g. to read a 416's headers. */
  throwHttpErrors?: boolean;
}

export interface BytesResponse {
  status: number;
  headers: Headers;
  data: Buffer;
  truncated: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/**
 * One client per upstream. ky does the request lifecycle (timeouts, retries with Retry-After);
 * undici's dispatcher carries the requests (unix sockets, client TLS, the connection pool) through
 * dispatchFetch, ky's `fetch`.
 */
export class HttpClient {
  readonly upstream: ResolvedUpstream;
  readonly #dispatcher: Agent;
  readonly #ky: KyInstance;

  constructor(options: UpstreamOptions) {
    this.upstream = resolveUpstream(options);
    this.#dispatcher = createDispatcher(this.upstream);
    const dispatcher = this.#dispatcher;
    this.#ky = ky.create({
      fetch: ((input: Request | string | URL, init?: RequestInit) => {
        const request = input instanceof Request ? input : new Request(input, init);
        return observeUpstream(request, () => dispatchFetch(dispatcher, request), this.upstream.server);
      }) as typeof fetch,
      throwHttpErrors: true,
    });
  }

  url(path: string, query?: Record<string, string | undefined>): URL {
    const url = new URL(path.replace(/^\//, ""), this.upstream.origin);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const { url, timeout, shown } = this.#target(req);
    try {
      const res = await this.#send(req, url, timeout);
      const { data: bytes } = await readBounded(res, {
        maxBytes: this.upstream.maxResponseBytes,
        timeoutMs: timeout,
        what: shown,
        upstream: this.upstream.name,
      });
      const text = bytes.toString("utf8");
      let data: unknown = text;
      if (text && (res.headers.get("content-type") ?? "").includes("json")) {
        try {
          data = JSON.parse(text);
        } catch {
          throw new UpstreamProtocolError(`${shown}: ${this.upstream.name} returned malformed JSON (${excerpt(text)})`);
        }
      } else if (!text) {
        data = undefined;
      }
      return { status: res.status, headers: res.headers, data: data as T };
    } catch (error) {
      throw this.mapError(error, req.method, url.pathname, timeout, req.signal);
    }
  }

  /**
   * The body as bytes, for files and logs: binary-safe, never parsed, at most `maxBytes` kept
   * (`overflow: "truncate"` keeps the first maxBytes and says so; the default fails). A raw
   * request body goes out as application/octet-stream unless the headers name another type.
   */
  async bytes(req: BytesRequest): Promise<BytesResponse> {
    const { url, timeout, shown } = this.#target(req);
    try {
      const res = await this.#send(req, url, timeout);
      const { data, truncated } = await readBounded(res, {
        maxBytes: req.maxBytes,
        timeoutMs: timeout,
        what: shown,
        upstream: this.upstream.name,
        ...(req.overflow ? { overflow: req.overflow } : {}),
      });
      return { status: res.status, headers: res.headers, data, truncated };
    } catch (error) {
      throw this.mapError(error, req.method, url.pathname, timeout, req.signal);
    }
  }

  /**
   * The response with its body unread, for bodies that are binary, large or never end (a log
   * stream). A non-2xx answer is mapped to an error as in request(). The timeout covers the
   * response headers only; the caller bounds the reading and cancels the body (or aborts
   * `signal`) when done.
   */
  async stream(req: HttpRequest): Promise<{ status: number; headers: Headers; body: ReadableStream<Uint8Array> }> {
    const url = this.url(req.path, req.query);
    guardUpstreamWrite(req.method, url.pathname, req.query, req.body);
    const headers: Record<string, string> = { ...req.headers };
    if (this.upstream.userAgent) headers["user-agent"] = this.upstream.userAgent;
    applyAuth(this.upstream.auth?.http, headers, url);
    const timeout = req.timeoutMs ?? this.upstream.timeoutMs;
    try {
      const res = await this.#ky(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { json: req.body } : {}),
        timeout: timeout > 0 ? timeout : false,
        retry: { limit: 0 },
        ...(req.signal ? { signal: req.signal } : {}),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: res.body ?? new ReadableStream({ start: (c) => c.close() }),
      };
    } catch (error) {
      throw this.mapError(error, req.method, url.pathname, timeout, req.signal);
    }
  }

  #target(req: HttpRequest): { url: URL; timeout: number; shown: string } {
    const url = this.url(req.path, req.query);
    const timeout = req.timeoutMs ?? this.upstream.timeoutMs;
    return { url, timeout, shown: `${req.method} ${url.pathname}` };
  }

  async #send(
    req: HttpRequest & { rawBody?: Uint8Array; throwHttpErrors?: boolean },
    url: URL,
    timeout: number,
  ): Promise<Response> {
    // Before the credential is applied: a dry run shows the request, never the key.
    guardUpstreamWrite(req.method, url.pathname, req.query, req.rawBody ?? req.body);
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(req.rawBody !== undefined ? { "content-type": "application/octet-stream" } : {}),
      ...req.headers,
    };
    if (this.upstream.userAgent) headers["user-agent"] = this.upstream.userAgent;
    applyAuth(this.upstream.auth?.http, headers, url);
    const idempotent = req.retry ?? (req.method === "GET" || req.method === "HEAD");
    return this.#ky(url, {
      method: req.method,
      headers,
      ...(req.rawBody !== undefined ? { body: req.rawBody as unknown as NonNullable<RequestInit["body"]> } : {}),
      ...(req.body !== undefined && req.rawBody === undefined ? { json: req.body } : {}),
      timeout: timeout > 0 ? timeout : false,
      ...(req.throwHttpErrors === false ? { throwHttpErrors: false } : {}),
      retry: idempotent
        ? {
            limit: this.upstream.retries,
            methods: [req.method.toLowerCase()],
            maxRetryAfter: 10_000,
            backoffLimit: 3_000,
          }
        : { limit: 0 },
      ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  /** Convenience: the parsed body only. */
  async json<T = unknown>(req: HttpRequest): Promise<T> {
    return (await this.request<T>(req)).data;
  }

  mapError(error: unknown, method: string, path: string, timeoutMs: number, signal?: AbortSignal): InfraMcpError {
    if (error instanceof InfraMcpError) return error;
    if (signal?.aborted) return new CancelledError(`${method} ${path}`);
    if (isHTTPError(error)) {
      return new UpstreamHttpError(method, path, error.response.status, describeBody(error.data));
    }
    const write = method !== "GET" && method !== "HEAD";
    if (isTimeoutError(error)) {
      const what = `${method} ${path} to ${this.upstream.name}`;
      return write
        ? new WriteOutcomeUnknownError("UPSTREAM_TIMEOUT", `${what} timed out after ${timeoutMs} ms`)
        : new UpstreamTimeoutError(what, timeoutMs);
    }
    if (isNetworkError(error) || (error instanceof TypeError && error.message === "fetch failed")) {
      // A write whose connection was lost once it was open may have reached the upstream; one that
      // never connected (refused, no such host or socket, TLS) did not.
      if (write && !neverSent(error)) {
        return new WriteOutcomeUnknownError(
          "UPSTREAM_UNAVAILABLE",
          `${method} ${path} to ${this.upstream.name}: the connection was lost before the answer (${networkReason(error)})`,
        );
      }
      return new UpstreamUnavailableError(
        `Cannot reach ${this.upstream.name} at ${this.upstream.where} (${method} ${path}): ${networkReason(error)}`,
        { cause: error },
      );
    }
    if ((error as Error)?.name === "AbortError") return new CancelledError(`${method} ${path}`);
    return new UpstreamProtocolError(
      `${method} ${path}: ${redactor.redact(String((error as Error)?.message ?? error))}`,
    );
  }

  /**
   * Lets finished keep-alive sockets close gracefully, then destroys whatever is left: a request
   * stuck on a server that never completes the TLS handshake would otherwise hold close() (and
   * the end of an MCP session) until every pending connect timed out.
   */
  async close(graceMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.#dispatcher.close().then(
      () => true,
      () => true,
    );
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const closed = await Promise.race([graceful, late]);
    clearTimeout(timer);
    if (!closed) await this.#dispatcher.destroy().catch(() => {});
  }
}
