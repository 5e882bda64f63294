import WebSocket from "ws";
import { StreamScrubber } from "../../base/redact.js";
import { rawDataToBuffer } from "../../upstream/websocket.js";

/**
 * Raw bidirectional bridge between two open websockets: frames are forwarded as they came (text
 * stays text, binary stays binary), a side is paused while the other's send buffer is above the
 * high-water mark and resumed once it drains, and a close on either side is propagated with its
 * code and reason (1006, an abnormal drop, is mirrored as a drop).
 */
export interface BridgeOptions {
  /** Pause the sending side while the receiver has more than this many bytes buffered. */
  highWaterMark?: number;
  /** Resume once the receiver's buffer is below this. */
  lowWaterMark?: number;
  /**
   * What frames from the upstream are scrubbed of before the client gets them (read per frame):
   * text and binary alike, on the bytes, a secret split across frames of one kind included. The
   * tail of a frame that could be a secret's start waits for the next frame or the close, so it
   * reaches the client with the frame after it; a frame that is all such a tail sends nothing yet.
   */
  secrets?: () => readonly Uint8Array[];
}

export interface BridgeStats {
  /** Bytes client → upstream and upstream → client. */
  bytesUp: number;
  bytesDown: number;
  /** Times a side was paused for backpressure. */
  pauses: number;
  closeCode?: number;
  closedBy?: "client" | "upstream";
}

export interface Bridge {
  readonly stats: BridgeStats;
  readonly done: Promise<BridgeStats>;
  /** Closes both sides (e.g. 1001 on shutdown). */
  close(code?: number, reason?: string): void;
}

/**
 * Holds whatever an upstream sends between its handshake and the client's (the upstream is opened
 * first so a refusal can still be answered with an HTTP status); the bridge replays it.
 */
export interface EarlyUpstream {
  messages: { data: Buffer; isBinary: boolean }[];
  closed?: { code: number; reason: Buffer };
  release(): void;
}

export function holdUpstream(upstream: WebSocket): EarlyUpstream {
  const early: EarlyUpstream = {
    messages: [],
    release: () => {
      upstream.off("message", onMessage);
      upstream.off("close", onClose);
    },
  };
  const onMessage = (data: WebSocket.RawData, isBinary: boolean) =>
    early.messages.push({ data: rawDataToBuffer(data), isBinary });
  const onClose = (code: number, reason: Buffer) => {
    early.closed = { code, reason };
  };
  upstream.on("message", onMessage);
  upstream.on("close", onClose);
  upstream.on("error", () => {});
  return early;
}

export function bridgeWebSockets(
  client: WebSocket,
  upstream: WebSocket,
  options: BridgeOptions & { early?: EarlyUpstream } = {},
): Bridge {
  const high = options.highWaterMark ?? 1024 * 1024;
  const low = options.lowWaterMark ?? Math.floor(high / 4);
  const stats: BridgeStats = { bytesUp: 0, bytesDown: 0, pauses: 0 };
  let finish!: () => void;
  const done = new Promise<BridgeStats>((resolve) => {
    finish = () => resolve(stats);
  });
  let ended = false;
  const early = options.early;
  early?.release();
  const scrubber = options.secrets ? new StreamScrubber(options.secrets) : undefined;
  // The kind of frame the held-back bytes came in: they go out in that kind.
  let heldBinary = false;
  const flushHeld = () => {
    const held = scrubber?.flush();
    if (!held?.length || client.readyState !== WebSocket.OPEN) return;
    stats.bytesDown += held.length;
    client.send(held, { binary: heldBinary });
  };
  /** What of an upstream frame the client gets now; undefined when all of it is held back. */
  const down = (data: Buffer, isBinary: boolean): Buffer | undefined => {
    if (!scrubber) return data;
    // A secret split across a text and a binary frame is two streams' halves: not one secret.
    // An empty frame is a marker (Incus' end-of-stream barrier): what came before goes first.
    if (scrubber.held > 0 && (isBinary !== heldBinary || data.length === 0)) flushHeld();
    heldBinary = isBinary;
    const out = scrubber.push(data);
    return out.length > 0 || data.length === 0 ? out : undefined;
  };
  for (const m of early?.messages ?? []) {
    const data = down(m.data, m.isBinary);
    if (!data) continue;
    stats.bytesDown += data.length;
    client.send(data, { binary: m.isBinary });
  }

  const pipe = (from: WebSocket, to: WebSocket, count: "bytesUp" | "bytesDown") => {
    from.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return;
      const raw = rawDataToBuffer(data);
      const buf = count === "bytesDown" ? down(raw, isBinary) : raw;
      if (!buf) return;
      stats[count] += buf.length;
      to.send(buf, { binary: isBinary }, () => {
        if (from.isPaused && to.bufferedAmount <= low) from.resume();
      });
      if (!from.isPaused && to.bufferedAmount > high) {
        stats.pauses++;
        from.pause();
      }
    });
  };
  pipe(client, upstream, "bytesUp");
  pipe(upstream, client, "bytesDown");

  const onClose = (side: "client" | "upstream", other: WebSocket) => (code: number, reason: Buffer) => {
    if (!ended) {
      ended = true;
      stats.closeCode = code;
      stats.closedBy = side;
    }
    if (side === "upstream") flushHeld();
    propagateClose(other, code, reason);
    if (client.readyState === WebSocket.CLOSED && upstream.readyState === WebSocket.CLOSED) finish();
    else other.once("close", () => finish());
  };
  client.on("close", onClose("client", upstream));
  upstream.on("close", onClose("upstream", client));
  if (early?.closed) onClose("upstream", client)(early.closed.code, early.closed.reason);
  // Errors always end in a close event; terminate the other side so nothing dangles.
  client.on("error", () => upstream.terminate());
  upstream.on("error", () => client.terminate());

  return {
    stats,
    done,
    close(code = 1001, reason = "server shutting down") {
      flushHeld();
      propagateClose(client, code, Buffer.from(reason));
      propagateClose(upstream, code, Buffer.from(reason));
    },
  };
}

/** Codes a peer may send in a close frame (1005/1006/1015 are local-only). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function propagateClose(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  try {
    if (code === 1005) ws.close();
    else if (isSendableCloseCode(code)) ws.close(code, reason.subarray(0, 123));
    else ws.terminate();
  } catch {
    ws.terminate();
  }
  // A peer that never answers the close handshake is cut off.
  setTimeout(() => {
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }, 2_000).unref();
}
