/**
 * Pre-built WebSocket text frames for fan-outs (issue 12). A fan-out writes one payload to thousands of sockets,
 * each message differing only in a short per-recipient head (graphql-ws's `{"id":…,"type":"next","payload":`).
 * Through `ws.send(string)` every message costs a string concatenation, a UTF-8 length, a frame header Buffer, an
 * options object and a corked two-chunk writev whose string chunk is encoded again in C++. Here the payload is
 * encoded once per event (`Buffer.from`), each recipient's head once per subscription, and each message is one
 * Buffer (header + head + payload + tail) written with one `socket.write` on the connection's TCP socket: one
 * native write, no writev.
 *
 * Writing under `ws` is safe only when `ws` itself would write the frame at once, unchanged: the connection is
 * open, its Sender has nothing queued and is not compressing or reading a Blob (its `_state` is DEFAULT), it is not
 * inside a fragmented message, and permessage-deflate was not negotiated (a server frame is then not masked and not
 * compressed). Then `ws.send` would call `socket.write` synchronously too, so messages keep their order with
 * whatever `ws` writes before or after, and `ws.bufferedAmount` (socket's writable length + Sender's queued bytes)
 * still counts them for the slow-reader cap. These fields are `ws` internals (lib/sender.js, lib/websocket.js,
 * ws 8.x): each is checked for its exact expected value, so a `ws` that renamed or changed one falls back to
 * `ws.send`, never writes past it.
 */
import type { Socket } from 'node:net';
import { SLOW_READER_CLOSE_CODE } from '../ws-server.js';

/** What a frame write needs of a `ws` WebSocket (its internals, checked at each write). */
interface WsInternals {
  readyState: number;
  _isServer?: unknown;
  _extensions?: Record<string, unknown>;
  _socket?: Socket;
  _sender?: { _state?: unknown; _queue?: unknown; _bufferedBytes?: unknown; _firstFragment?: unknown };
}

const OPEN = 1;
/** Sender's DEFAULT state (neither DEFLATING nor GET_BLOB_DATA). */
const SENDER_IDLE = 0;
/** Past this size a message is written as a corked header+head, payload, tail (no copy of the shared payload). */
const COPY_LIMIT = 16 * 1024;

/** A shared message body, encoded once. */
export function encodePayload(json: string): Buffer {
  return Buffer.from(json, 'utf8');
}

/**
 * True when `ws` would write a frame to this socket now, unmasked and uncompressed (see the top of the file); false
 * for anything else, including objects that are not `ws` WebSockets.
 */
export function canWriteFrame(socket: unknown): boolean {
  const ws = socket as WsInternals;
  const sender = ws._sender;
  const raw = ws._socket;
  return (
    ws.readyState === OPEN &&
    ws._isServer === true &&
    sender !== undefined &&
    sender._state === SENDER_IDLE &&
    sender._bufferedBytes === 0 &&
    Array.isArray(sender._queue) &&
    sender._queue.length === 0 &&
    sender._firstFragment === true &&
    ws._extensions !== undefined &&
    isEmpty(ws._extensions) &&
    raw !== undefined &&
    raw !== null &&
    !raw.destroyed &&
    raw.writable
  );
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _ in record) return false;
  return true;
}

/**
 * Writes `head + body + tail` as one final text frame on a `ws` server socket, when canWriteFrame holds; returns
 * false without writing otherwise (the caller then sends the same text through `ws.send`). The three parts must be
 * UTF-8 that together make the message's text.
 */
export function writeTextFrame(socket: unknown, head: Buffer, body: Buffer, tail: Buffer): boolean {
  if (!canWriteFrame(socket)) return false;
  const raw = (socket as WsInternals)._socket!;
  const length = head.length + body.length + tail.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const copy = length <= COPY_LIMIT;
  const frame = Buffer.allocUnsafe(headerLength + head.length + (copy ? body.length + tail.length : 0));
  frame[0] = 0x81; // FIN + text
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  head.copy(frame, headerLength);
  if (copy) {
    body.copy(frame, headerLength + head.length);
    tail.copy(frame, headerLength + head.length + body.length);
    raw.write(frame);
  } else {
    raw.cork();
    raw.write(frame);
    raw.write(body);
    raw.write(tail);
    raw.uncork();
  }
  return true;
}

/** What sendNext needs of a subscriber's socket (a `ws` WebSocket; anything else goes through its `send`). */
export interface NextSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

const NEXT_TAIL = Buffer.from('}');

/** The head of graphql-ws's `next` message for one operation id, encoded once per subscription. */
export function nextMessageHead(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
}

/**
 * Sends one subscriber its `next` message (`head` + the shared payload + `}`): one pre-built frame on the TCP socket
 * when ws would write it at once anyway, `ws.send` of the same text otherwise; a socket left with more than
 * `maxBufferedBytes` unsent is closed with 1013, as ws-server.ts does for graphql-ws's own sends. False when the
 * socket is not open (nothing sent).
 */
export function sendNext(socket: NextSocket, head: Buffer, json: string, bytes: Buffer, maxBufferedBytes: number): boolean {
  if (socket.readyState !== OPEN) return false;
  if (!writeTextFrame(socket, head, bytes, NEXT_TAIL)) socket.send(head.toString() + json + '}');
  if (socket.bufferedAmount > maxBufferedBytes) {
    socket.close(SLOW_READER_CLOSE_CODE, `Reader too slow: over ${maxBufferedBytes} bytes unsent`);
  }
  return true;
}
