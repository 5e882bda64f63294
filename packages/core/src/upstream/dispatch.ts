import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type Dispatcher, request } from "undici";

/**
 * ky's `fetch`: sends the `Request` ky built through undici's dispatcher API and answers with a
 * standard `Response`.
 *
 * ky builds a global `Request`, which undici's own fetch does not accept across realms, so each
 * call used to build a second one (undici's fetch: its Request, Headers, signal, Response and
 * body stream) on top of ky's; under load that doubled the cost of every upstream call (the HTTP
 * section of BENCHMARKS.md profiles it). The dispatcher's `request` carries the same request on
 * the same connection pool; what fetch added on the wire is kept: its default headers, and
 * decoding of gzip/deflate/br bodies. Failures look like fetch's, so ky's retries and core's error
 * mapping see what they always saw: TypeError "fetch failed" (cause attached) for the request,
 * TypeError "terminated" for the body, and the signal's reason once it is aborted.
 */
export async function dispatchFetch(dispatcher: Dispatcher, input: Request): Promise<Response> {
  const signal = input.signal;
  // Bodies here are small JSON documents or files: buffered, they go out with a Content-Length
  // instead of chunked encoding, which some gateways refuse.
  const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
  const headers: Record<string, string> = { ...FETCH_DEFAULT_HEADERS };
  input.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let res: Dispatcher.ResponseData;
  try {
    res = await settleOnAbort(
      request(input.url, {
        dispatcher,
        method: input.method as Dispatcher.HttpMethod,
        headers,
        ...(body ? { body } : {}),
        signal,
      }),
      signal,
    );
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new TypeError("fetch failed", { cause: error });
  }
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
    else if (value !== undefined) responseHeaders.append(name, value);
  }
  const status = res.statusCode;
  if (input.method === "HEAD" || NULL_BODY_STATUS.has(status)) {
    res.body.dump().catch(() => {});
    return respond(null, status, responseHeaders);
  }
  return respond(
    ReadableStream.from(bodyChunks(decoded(res.body, res.headers), signal)),
    status,
    responseHeaders,
    res.body,
  );
}

/**
 * Rejects with the signal's reason as soon as it aborts, as fetch does. undici applies an abort to
 * a request only once it has a connection, so a request still waiting for one (a TLS handshake
 * that never completes) would otherwise hold its caller until the connect timeout, and again for
 * each connection the pool retries. undici drops the request itself when it gets that far; an
 * answer that arrives after the abort has its body discarded.
 */
function settleOnAbort(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (res) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) res.body.destroy();
        else resolve(res);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** What undici's fetch sends unless the request names them (so the wire stays as it was). */
const FETCH_DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  accept: "*/*",
  "accept-language": "*",
  "sec-fetch-mode": "cors",
  "user-agent": "undici",
  "accept-encoding": "gzip, deflate",
};

const NULL_BODY_STATUS = new Set([204, 205, 304]);

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function respond(body: ReadableStream<Uint8Array> | null, status: number, headers: Headers, raw?: Readable): Response {
  try {
    return new Response(body, { status, headers });
  } catch (error) {
    // A status the Response constructor refuses (outside 200-599): fetch fails on it too.
    raw?.destroy();
    throw new TypeError("fetch failed", { cause: error });
  }
}

/** The body decoded as fetch decodes it: each listed coding undone, last first; unknown ones left as is. */
function decoded(body: Readable, headers: Dispatcher.ResponseData["headers"]): Readable {
  const header = headers["content-encoding"];
  const codings = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (codings.length === 0 || codings.length > 5 || !codings.every((c) => c in DECODERS)) return body;
  const decoders = codings.reverse().map((c) => (DECODERS[c] as () => NodeJS.ReadWriteStream)());
  return pipeline([body, ...decoders], () => {}) as unknown as Readable;
}

async function* bodyChunks(body: Readable, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    // Leaving early (the reader cancelled) destroys the stream, which drops the connection.
    for await (const chunk of body) yield chunk as Uint8Array;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new TypeError("terminated", { cause: error });
  }
}
